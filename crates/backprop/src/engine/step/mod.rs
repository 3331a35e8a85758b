//! The strategies of one update, each a leaf the trainer calls. The planner
//! ([`super::plan`]) picks one per run:
//!
//! - [`general`]: any optimiser, mini-batches, L2, dropout, sample weights,
//!   data-parallel ranks;
//! - for plain full-batch gradient descent, four roads to the same numbers
//!   (≤ 10⁻¹² relative over the course's runs, f64): [`layers`] (every product
//!   direct), [`streamed`] (logistic regression on a large X), [`gram`] (the
//!   first layer through XᵀX, wide data), [`fused`] (the first layer's backward
//!   pass and next forward product in one pass over a large X).
//!
//! A strategy with state between iterations (Gram, fused) hands it to the
//! checkpoint and takes it back on resume, so a resumed run continues on the
//! arithmetic it started on.

pub(crate) mod fused;
pub(crate) mod general;
pub(crate) mod gram;
pub(crate) mod l1;
pub(crate) mod layers;
pub(crate) mod lbfgs;
pub(crate) mod streamed;

use std::collections::HashMap;

use ndarray::{Array2, ArrayView2};

use crate::error::Error;
use crate::linalg::Float;
use crate::network::Network;
use crate::output::{cost_bound, Output};

use super::plan::Plan;
use fused::FusedFirst;
use gram::Gram;

/// A planned strategy with its state for this run.
pub(crate) enum Strategy<T: Float> {
    /// The general update ([`general::gradients`], [`general::update`]); its state is the optimiser's.
    General,
    /// [`layers::step`].
    Layers,
    /// [`streamed::step`].
    Streamed,
    /// The first layer as W₀ + C·Xᵀ.
    Gram(Box<Gram<T>>),
    /// The fused first-layer pass.
    Fused(FusedFirst<T>),
}

impl<T: Float> Strategy<T> {
    /// Starts `plan` on the network's current weights and X.
    pub(crate) fn start(plan: Plan, net: &Network<T>, x: ArrayView2<'_, T>) -> Self {
        match plan {
            Plan::General => Strategy::General,
            Plan::Layers => Strategy::Layers,
            Plan::Streamed => Strategy::Streamed,
            Plan::Gram => Strategy::Gram(Box::new(Gram::new(&net.layers()[0], x, net.threads()))),
            Plan::Fused => {
                Strategy::Fused(FusedFirst::new(net.layers()[0].units(), x, net.threads()))
            }
        }
    }

    /// One full-batch gradient-descent iteration on (X, Y) (not for
    /// [`Strategy::General`]). Returns the cost of its forward pass when
    /// `want_cost`; otherwise a bound with no logarithms stands in for it:
    /// `Some(NaN or ∞)` whenever the cost would not be finite, `None` when it
    /// certainly is (so divergence is still caught at the iteration it happens).
    pub(crate) fn full_batch_step(
        &mut self,
        net: &mut Network<T>,
        x: ArrayView2<'_, T>,
        y: ArrayView2<'_, T>,
        learning_rate: T,
        want_cost: bool,
    ) -> Option<f64> {
        let threads = net.threads();
        // The forward pass, then its cost, then the backward pass and update:
        // the cost taken while Z\[L\] is fresh (as the general update takes it)
        // is ~2× faster on a softmax output than after the update (measured on
        // the planner bench's 10-class case), for the same numbers.
        match self {
            Strategy::Streamed => {
                // One pass over X computes forward and update together; Z[L] is this iteration's.
                streamed::step(&mut net.layers_mut()[0], x, y, learning_rate, threads);
                wanted_cost(net, y, want_cost)
            }
            Strategy::General | Strategy::Layers => {
                net.forward(x);
                let cost = wanted_cost(net, y, want_cost);
                layers::step(net, x, y, learning_rate);
                cost
            }
            Strategy::Gram(gram) => {
                gram.forward(&mut net.layers_mut()[0], threads);
                net.forward_above_first();
                let cost = wanted_cost(net, y, want_cost);
                net.backward_above_first(y);
                net.layers_mut()[0].bias_gradient();
                for layer in &mut net.layers_mut()[1..] {
                    layer.descend(learning_rate);
                }
                gram.descend(&mut net.layers_mut()[0], learning_rate);
                cost
            }
            Strategy::Fused(fused) => {
                fused.forward(&mut net.layers_mut()[0], x, threads);
                net.forward_above_first();
                let cost = wanted_cost(net, y, want_cost);
                net.backward_above_first(y);
                fused.backward_and_descend(&mut net.layers_mut()[0], x, learning_rate);
                for layer in &mut net.layers_mut()[1..] {
                    layer.descend(learning_rate);
                }
                cost
            }
        }
    }

    /// Makes the network's parameters current (the Gram path writes
    /// W\[1\] = W₀ + C·Xᵀ); the run goes on unchanged.
    pub(crate) fn sync(&self, net: &mut Network<T>, x: ArrayView2<'_, T>) {
        if let Strategy::Gram(g) = self {
            let threads = net.threads();
            g.materialize(&mut net.layers_mut()[0], x, threads);
        }
    }

    /// The strategy's own state, as named tensors for a checkpoint.
    pub(crate) fn state<'a>(&'a self, net: &'a Network<T>) -> Vec<(&'static str, &'a Array2<T>)> {
        match self {
            Strategy::Gram(g) => g.state().to_vec(),
            Strategy::Fused(f) => f
                .pending(&net.layers()[0])
                .map(|wx| vec![("fused.WX", wx)])
                .unwrap_or_default(),
            _ => Vec::new(),
        }
    }

    /// Takes back the state [`Strategy::state`] saved.
    pub(crate) fn restore(
        &mut self,
        net: &mut Network<T>,
        x: ArrayView2<'_, T>,
        saved: &mut HashMap<String, Array2<T>>,
    ) -> Result<(), Error> {
        let (n1, m) = (net.layers()[0].units(), x.ncols());
        let missing =
            |name: &str| Error::Config(format!("the checkpoint has no {name} for its strategy"));
        let shaped = |name: &str, a: &Array2<T>, dim: (usize, usize)| {
            if a.dim() == dim {
                Ok(())
            } else {
                Err(Error::Config(format!(
                    "the checkpoint's {name} is {:?}, expected {dim:?}",
                    a.dim()
                )))
            }
        };
        match self {
            Strategy::Gram(g) => {
                let w0 = saved.remove("gram.W0").ok_or_else(|| missing("gram.W0"))?;
                let c = saved.remove("gram.C").ok_or_else(|| missing("gram.C"))?;
                shaped("gram.W0", &w0, net.layers()[0].w.dim())?;
                shaped("gram.C", &c, (n1, m))?;
                **g = Gram::resume(w0, c, x, net.threads());
            }
            Strategy::Fused(f) => {
                if let Some(wx) = saved.remove("fused.WX") {
                    shaped("fused.WX", &wx, (n1, m))?;
                    f.resume_with(&mut net.layers_mut()[0], &wx);
                }
            }
            _ => {}
        }
        Ok(())
    }
}

/// The cost of the last forward pass when wanted; otherwise a bound with no
/// logarithms stands in for it (see [`Strategy::full_batch_step`]).
fn wanted_cost<T: Float>(net: &Network<T>, y: ArrayView2<'_, T>, want_cost: bool) -> Option<f64> {
    if want_cost || !cost_is_surely_finite(net, y) {
        Some(net.cost(y))
    } else {
        None
    }
}

/// Whether the cost of the last forward pass is certainly finite, from a
/// bound on its terms (see `output::cost_bound`) that costs no logarithms.
fn cost_is_surely_finite<T: Float>(net: &Network<T>, y: ArrayView2<'_, T>) -> bool {
    if net.output() == Output::Softmax {
        return false;
    }
    let out = net.layers().last().expect("at least one layer");
    match (out.z.as_slice(), y.as_slice()) {
        (Some(z), Some(y)) if z.len() == y.len() => cost_bound(z, y) < 1e300,
        _ => false,
    }
}
