//! The planner: chooses, once per run, how each update is computed.
//!
//! Anything but plain gradient descent on the whole batch (an optimiser with
//! state, mini-batches, L2, dropout, a schedule, sample weights, several
//! ranks) takes the general update. Plain full-batch gradient descent takes
//! the fastest of four roads to the same numbers: the Gram path on wide data
//! with enough iterations, the fused pass on a large X with few examples, the
//! streamed pass for logistic regression on a large X, else plain layers.

use ndarray::ArrayView2;
use serde::{Deserialize, Serialize};

use crate::linalg::Float;
use crate::network::Network;
use crate::train::GdConfig;

use super::step::{fused::FusedFirst, gram::Gram, streamed};

/// How a run computes its updates (saved in checkpoints: a resumed run
/// continues on the same one).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Plan {
    /// The general update (optimiser, mini-batches, L2, dropout, weights).
    General,
    /// Full-batch gradient descent, layer by layer, every product direct.
    Layers,
    /// Full-batch logistic regression streaming X in blocks of examples.
    Streamed,
    /// Full-batch gradient descent, the first layer through XᵀX.
    Gram,
    /// Full-batch gradient descent, the first layer's backward pass and next
    /// forward product in one pass over X.
    Fused,
}

/// A caller's say in the choice for plain full-batch gradient descent (the
/// benches and tests force a road; the default lets the planner choose).
/// Every choice gives the same costs up to rounding.
///
/// The Gram path holds only for plain full-batch gradient descent on a fixed
/// X: an update that is not a sum of dZ\[1\]·Xᵀ terms (L2 decay, Adam or
/// RMSprop's element-wise scaling, mini-batches) must run layer by layer.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Path {
    /// The planner's choice.
    #[default]
    Auto,
    /// Layer by layer, every product direct (streamed or fused where those apply).
    Layers,
    /// The first layer through XᵀX wherever it holds (m ≤ n_x), worthwhile or not.
    Gram,
    /// The general update, even for plain full-batch gradient descent.
    General,
}

/// What the planner looks at besides the config and the data.
#[derive(Clone, Copy, Debug, Default)]
pub struct Facts {
    /// The run has per-example weights.
    pub weighted: bool,
    /// Data-parallel ranks (1: this process alone).
    pub ranks: usize,
    /// Total updates the run will make.
    pub updates: usize,
}

/// Chooses the strategy for training `net` on X (n_x × m) and Y under `config`.
pub fn choose<T: Float>(
    config: &GdConfig,
    net: &Network<T>,
    x: ArrayView2<'_, T>,
    y: ArrayView2<'_, T>,
    path: Path,
    facts: Facts,
) -> Plan {
    let m = x.ncols();
    if !config.is_plain(m) || facts.weighted || facts.ranks > 1 || path == Path::General || m == 0 {
        return Plan::General;
    }
    if net.front().is_some() || net.batch_norm().is_some() {
        // Picture layers, or batch statistics over the whole of Z\[1\]: every product direct.
        return Plan::Layers;
    }
    let sizes = net.sizes();
    let (n_x, n1) = (sizes[0], sizes[1]);
    let gram_fits = m <= n_x && x.nrows() == n_x;
    let use_gram = match path {
        Path::Auto => gram_fits && Gram::<T>::worthwhile(n1, n_x, m, facts.updates),
        Path::Gram => gram_fits,
        Path::Layers | Path::General => false,
    };
    if use_gram {
        Plan::Gram
    } else if FusedFirst::applies(net.layers(), x) {
        Plan::Fused
    } else if streamed::applies(net, x, y) {
        Plan::Streamed
    } else {
        Plan::Layers
    }
}

/// Whether `plan` can compute this run's updates (a checkpoint's plan is
/// kept on resume when it still applies, so the run goes on with the same arithmetic).
pub(crate) fn applies<T: Float>(
    plan: Plan,
    config: &GdConfig,
    net: &Network<T>,
    x: ArrayView2<'_, T>,
    y: ArrayView2<'_, T>,
    facts: Facts,
) -> bool {
    let m = x.ncols();
    let plain = config.is_plain(m) && !facts.weighted && facts.ranks <= 1 && m > 0;
    let dense = net.front().is_none() && net.batch_norm().is_none();
    match plan {
        Plan::General => true,
        Plan::Layers => plain,
        Plan::Streamed => plain && dense && streamed::applies(net, x, y),
        Plan::Gram => plain && dense && m <= x.nrows(),
        Plan::Fused => plain && dense && FusedFirst::applies(net.layers(), x),
    }
}
