//! Full-batch gradient descent: the training loop, its history and its divergence check.
//!
//! The library never prints: each iteration is reported to an observer
//! callback, and the recorded costs come back in a [`History`].
//!
//! Speed (see `docs/PERFORMANCE.md`): the cost (two logs and an exp an
//! example) is computed only on recorded iterations and the last one; on the
//! others a bound with no logs proves it finite, and where it cannot the cost
//! is computed, so divergence is still caught at the iteration it happens. On
//! wide data the first layer runs through the Gram matrix XᵀX
//! ([`Path::Auto`]).

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use ndarray::ArrayView2;
use serde::{Deserialize, Serialize};

pub use crate::config::GdConfig;
use crate::error::Error;
use crate::gram::Gram;
use crate::linalg::Float;
use crate::minibatch::{self, Extras, TrainState};
use crate::network::{Network, StepPath};

/// What training did.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct History {
    /// (iteration, cost) at every `record_every`-th iteration, iteration 0 first.
    pub costs: Vec<(usize, f64)>,
    /// (iteration, test-set cost) at the same iterations, when a test set is given.
    pub test_costs: Vec<(usize, f64)>,
    /// (iteration, validation cost) at the same iterations, with a validation set.
    #[serde(default)]
    pub validation_costs: Vec<(usize, f64)>,
    /// (iteration, validation accuracy) at the same iterations, with a validation set.
    #[serde(default)]
    pub validation_accuracies: Vec<(usize, f64)>,
    /// Whether the costs are per epoch (mini-batch runs with `epochs`) rather than per iteration.
    #[serde(default)]
    pub per_epoch: bool,
    /// The iteration (or epoch) whose weights were kept by early stopping.
    #[serde(default)]
    pub best_at: Option<usize>,
    /// Data-parallel runs: seconds spent in the gradient all-reduce, over all updates.
    #[serde(default)]
    pub allreduce_seconds: f64,
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
    /// Its cost (from its forward pass, before its update) on recorded
    /// iterations and the last one; NaN on the others, where it is not computed.
    pub cost: f64,
    /// Whether this cost was recorded in the history.
    pub recorded: bool,
    /// Total iterations of this run.
    pub total: usize,
    /// Whether `iteration` counts epochs (mini-batch runs with `--epochs`).
    pub per_epoch: bool,
}

/// Inputs with at most this many features are copied row by row for training.
const NARROW_INPUTS: usize = 16;

/// How [`fit_with`] computes an iteration. Every choice gives the same costs up
/// to rounding (≤ 10⁻¹² relative over the course's runs, in f64).
///
/// The Gram path holds only for `fit`'s plain full-batch gradient descent on a
/// fixed X: an update that is not a sum of dZ[1]·Xᵀ terms (L2 decay, Adam or
/// RMSprop's element-wise scaling, mini-batches) must run [`Path::Layers`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Path {
    /// [`Path::Gram`] where it does at most half the work of [`Path::Layers`]
    /// (n_x ≫ m and enough iterations), else [`Path::Layers`].
    #[default]
    Auto,
    /// Layer by layer, every product direct: W[l]·A[l−1] and dZ[l]·A[l−1]ᵀ
    /// (logistic regression on an X larger than the caches streams it in
    /// blocks of examples, one pass over memory an iteration; a deeper net on
    /// such an X with at most 512 examples (f64) runs its first layer's dW,
    /// update and next W·X in one pass over X, see `fused.rs`).
    Layers,
    /// Layer by layer, the first layer through the Gram matrix XᵀX (see
    /// `gram.rs`); as `Layers` when m > n_x.
    Gram,
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
    fit_with(net, x, y, None, config, Path::Auto, None, observe)
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
    fit_with(net, x, y, test, config, Path::Auto, None, observe)
}

/// [`fit_with_test`], choosing how an iteration is computed, and stopping
/// early (with `history.iterations` the number done) when `stop` is set.
/// A config that is not plain full-batch gradient descent ([`GdConfig::is_plain`])
/// runs the general loop of [`crate::minibatch`] (where `path` does not apply).
#[allow(clippy::too_many_arguments)]
pub fn fit_with<T: Float>(
    net: &mut Network<T>,
    x: ArrayView2<'_, T>,
    y: ArrayView2<'_, T>,
    test: Option<(ArrayView2<'_, T>, ArrayView2<'_, T>)>,
    config: &GdConfig,
    path: Path,
    stop: Option<&AtomicBool>,
    observe: &mut dyn FnMut(Progress),
) -> Result<History, Error> {
    config.validate_for(net.sizes().len().saturating_sub(2))?;
    if !config.is_plain(x.ncols()) {
        // Mini-batches, another optimiser, L2, dropout…: the general loop (any `path`).
        let extras = Extras {
            test,
            stop,
            ..Extras::default()
        };
        let state = TrainState::new(config);
        return Ok(minibatch::run(net, x, y, config, state, extras, observe)?
            .state
            .history);
    }
    let lr = T::cast(config.learning_rate);
    // The records are reserved up front: the loop allocates nothing.
    let records = config.iterations.div_ceil(config.record_every);
    let mut history = History {
        iterations: 0,
        final_cost: f64::NAN,
        costs: Vec::with_capacity(records),
        test_costs: Vec::with_capacity(if test.is_some() { records } else { 0 }),
        ..History::default()
    };
    let start = Instant::now();
    // Narrow inputs (the flower's 2 features) go feature by feature: the small
    // products (`linalg::SMALL_FLOPS`) want each row of X contiguous.
    let x_rows;
    let x = if x.nrows() <= NARROW_INPUTS && !x.is_standard_layout() {
        x_rows = x.as_standard_layout().into_owned();
        x_rows.view()
    } else {
        x
    };
    let sizes = net.sizes();
    let (n_x, n1, m) = (sizes[0], sizes[1], x.ncols());
    let gram_fits = m <= n_x && x.nrows() == n_x && m > 0;
    let use_gram = match path {
        Path::Auto => gram_fits && Gram::<T>::worthwhile(n1, n_x, m, config.iterations),
        Path::Layers => false,
        Path::Gram => gram_fits,
    };
    let mut gram = use_gram.then(|| net.start_gram(x));
    let mut fused = if use_gram { None } else { net.start_fused(x) };
    let mut result = Ok(());
    for i in 0..config.iterations {
        let recorded = i % config.record_every == 0;
        let last = i + 1 == config.iterations;
        if let Some((tx, ty)) = test.filter(|_| recorded) {
            if let Some(g) = &gram {
                net.finish_gram(g, x); // the test cost needs W[1] itself
            }
            history.test_costs.push((i, net.cost_on(tx, ty)));
        }
        let step = match (&mut gram, &mut fused) {
            (Some(g), _) => StepPath::Gram(g),
            (None, Some(f)) => StepPath::Fused(f),
            (None, None) => StepPath::Layers,
        };
        let cost = net.step(x, y, lr, step, recorded || last);
        if let Some(c) = cost.filter(|c| !c.is_finite()) {
            result = Err(Error::Diverged {
                iteration: i,
                cost: c,
            });
            break;
        }
        let cost = cost.unwrap_or(f64::NAN);
        if recorded {
            history.costs.push((i, cost));
        }
        if last {
            history.final_cost = cost;
        }
        history.iterations = i + 1;
        observe(Progress {
            iteration: i,
            cost,
            recorded,
            total: config.iterations,
            per_epoch: false,
        });
        if stop.is_some_and(|f| f.load(Ordering::SeqCst)) && !last {
            break;
        }
    }
    if let Some(g) = &gram {
        net.finish_gram(g, x);
    }
    history.train_seconds = start.elapsed().as_secs_f64();
    result.map(|()| history)
}
