//! Full-batch gradient descent: the training loop, its history and its divergence check.
//!
//! The library never prints: each iteration is reported to an observer
//! callback, and the recorded costs come back in a [`History`].

use std::time::Instant;

use ndarray::ArrayView2;
use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::linalg::Float;
use crate::network::Network;

/// The settings of gradient descent.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GdConfig {
    /// α, the step size.
    pub learning_rate: f64,
    /// How many iterations (full passes over the data) to run.
    pub iterations: usize,
    /// Record the cost every this many iterations (iteration 0 first).
    pub record_every: usize,
}

impl Default for GdConfig {
    fn default() -> Self {
        GdConfig {
            learning_rate: 0.0075,
            iterations: 2500,
            record_every: 100,
        }
    }
}

/// What training did.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct History {
    /// (iteration, cost) at every `record_every`-th iteration, iteration 0 first.
    pub costs: Vec<(usize, f64)>,
    /// (iteration, test-set cost) at the same iterations, when a test set is given.
    pub test_costs: Vec<(usize, f64)>,
    /// The cost of the last iteration's forward pass.
    pub final_cost: f64,
    /// Iterations run.
    pub iterations: usize,
    /// Wall-clock seconds of the training loop.
    pub train_seconds: f64,
}

/// One iteration as the observer sees it.
#[derive(Clone, Copy, Debug)]
pub struct Progress {
    /// The iteration just run (from 0).
    pub iteration: usize,
    /// Its cost (from its forward pass, before its update).
    pub cost: f64,
    /// Whether this cost was recorded in the history.
    pub recorded: bool,
    /// Total iterations of this run.
    pub total: usize,
}

/// Runs gradient descent on (X, Y), calling `observe` after every iteration.
///
/// Stops with [`Error::Diverged`] at the first NaN or infinite cost.
pub fn fit<T: Float>(
    net: &mut Network<T>,
    x: ArrayView2<'_, T>,
    y: ArrayView2<'_, T>,
    config: &GdConfig,
    observe: &mut dyn FnMut(Progress),
) -> Result<History, Error> {
    fit_with_test(net, x, y, None, config, observe)
}

/// [`fit`], also recording the cost on a test set (X, Y) at each recorded
/// iteration, at the same parameters as that iteration's training cost.
pub fn fit_with_test<T: Float>(
    net: &mut Network<T>,
    x: ArrayView2<'_, T>,
    y: ArrayView2<'_, T>,
    test: Option<(ArrayView2<'_, T>, ArrayView2<'_, T>)>,
    config: &GdConfig,
    observe: &mut dyn FnMut(Progress),
) -> Result<History, Error> {
    if config.record_every == 0 {
        return Err(Error::Config("--record-every must be at least 1".into()));
    }
    let lr = T::cast(config.learning_rate);
    let mut history = History {
        iterations: config.iterations,
        final_cost: f64::NAN,
        ..History::default()
    };
    let start = Instant::now();
    for i in 0..config.iterations {
        if let Some((tx, ty)) = test.filter(|_| i % config.record_every == 0) {
            history.test_costs.push((i, net.cost_on(tx, ty)));
        }
        let cost = net.train_step(x, y, lr);
        if !cost.is_finite() {
            return Err(Error::Diverged { iteration: i, cost });
        }
        let recorded = i % config.record_every == 0;
        if recorded {
            history.costs.push((i, cost));
        }
        history.final_cost = cost;
        observe(Progress {
            iteration: i,
            cost,
            recorded,
            total: config.iterations,
        });
    }
    history.train_seconds = start.elapsed().as_secs_f64();
    Ok(history)
}
