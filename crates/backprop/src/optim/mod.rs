//! Optimisers: how a gradient becomes a parameter update. One file each;
//! the learning-rate schedules live beside them ([`LrSchedule`]).
//!
//! Each optimiser keeps its state per parameter tensor (W1, b1, W2, …) in a
//! [`Slot`], created at the first step with the tensor's shape.

mod adam;
pub(crate) mod gd;
pub(crate) mod lbfgs;
mod line_search;
mod momentum;
mod rmsprop;
mod schedule;

use ndarray::{Array2, Zip};
use serde::{Deserialize, Serialize};

use crate::linalg::Float;

pub use adam::AdamConfig;
pub use lbfgs::{LbfgsConfig, LbfgsStop};
pub use momentum::MomentumConfig;
pub use rmsprop::RmsPropConfig;
pub use schedule::LrSchedule;

/// Which optimiser, with its settings.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase", tag = "name")]
pub enum OptimizerConfig {
    /// Plain gradient descent: θ −= α·dθ.
    Gd,
    /// Gradient descent with momentum.
    Momentum(MomentumConfig),
    /// RMSprop.
    RmsProp(RmsPropConfig),
    /// Adam, with bias correction.
    Adam(AdamConfig),
    /// Full-batch L-BFGS with a strong-Wolfe line search (scikit-learn's
    /// `solver="lbfgs"`): no learning rate; one iteration may evaluate the
    /// cost several times.
    Lbfgs(LbfgsConfig),
}

impl OptimizerConfig {
    /// The name as the CLI spells it.
    pub fn name(&self) -> &'static str {
        match self {
            OptimizerConfig::Gd => "gd",
            OptimizerConfig::Momentum(_) => "momentum",
            OptimizerConfig::RmsProp(_) => "rmsprop",
            OptimizerConfig::Adam(_) => "adam",
            OptimizerConfig::Lbfgs(_) => "lbfgs",
        }
    }
}

/// One tensor's optimiser state: the first moment v and the second moment s.
#[derive(Clone, Debug, PartialEq)]
pub struct Slot<T: Float> {
    /// Exponentially weighted average of the gradient (momentum, Adam).
    pub v: Array2<T>,
    /// Exponentially weighted average of the squared gradient (RMSprop, Adam).
    pub s: Array2<T>,
}

/// An optimiser with its state for every tensor of a network.
#[derive(Clone, Debug, PartialEq)]
pub struct Optimizer<T: Float> {
    /// The settings.
    pub config: OptimizerConfig,
    /// One slot per tensor, in the order the tensors are stepped.
    pub slots: Vec<Slot<T>>,
    /// Updates taken so far (Adam's t, from 1 at the first step).
    pub t: u64,
}

impl<T: Float> Optimizer<T> {
    /// A fresh optimiser (no state until the first step).
    pub fn new(config: OptimizerConfig) -> Self {
        Optimizer {
            config,
            slots: Vec::new(),
            t: 0,
        }
    }

    /// Starts a new update over all tensors: call once per step, before [`Optimizer::update`].
    pub fn begin_step(&mut self) {
        self.t += 1;
    }

    /// Updates tensor number `k` (`param`) with its gradient at learning rate `lr`.
    pub fn update(&mut self, k: usize, param: &mut Array2<T>, grad: &Array2<T>, lr: T) {
        while self.slots.len() <= k {
            self.slots.push(Slot {
                v: Array2::zeros((0, 0)),
                s: Array2::zeros((0, 0)),
            });
        }
        let slot = &mut self.slots[k];
        if slot.v.dim() != param.dim() && !matches!(self.config, OptimizerConfig::Gd) {
            slot.v = Array2::zeros(param.dim());
            slot.s = Array2::zeros(param.dim());
        }
        match self.config {
            OptimizerConfig::Gd => gd::update(param, grad, lr),
            OptimizerConfig::Momentum(c) => c.update(param, grad, &mut slot.v, lr),
            OptimizerConfig::RmsProp(c) => c.update(param, grad, &mut slot.s, lr),
            OptimizerConfig::Adam(c) => c.update(param, grad, slot, lr, self.t),
            // Never called: the session steps L-BFGS itself (engine/step/lbfgs.rs).
            OptimizerConfig::Lbfgs(_) => {}
        }
    }
}

/// `p −= lr · step` element-wise, where `step` is computed from the gradient.
fn apply<T: Float>(param: &mut Array2<T>, grad: &Array2<T>, lr: T, step: impl Fn(T) -> T) {
    Zip::from(param)
        .and(grad)
        .for_each(|p, &g| *p -= lr * step(g));
}
