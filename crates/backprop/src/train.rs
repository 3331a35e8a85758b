//! The settings of training ([`GdConfig`]) and what it reports ([`Progress`]
//! each iteration, a [`History`] at the end): plain data, imported by the
//! engine ([`crate::engine`]) and importing nothing of it.
//!
//! The library never prints: each iteration is reported to an observer
//! callback, and the recorded costs come back in a [`History`].

use serde::{Deserialize, Deserializer, Serialize};

use crate::optim::{LrSchedule, OptimizerConfig};

/// The settings of training. The defaults are the notes' full-batch gradient
/// descent; the engine's planner picks how each update is computed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GdConfig {
    /// α, the step size (the base of a schedule).
    pub learning_rate: f64,
    /// How many iterations (updates) to run, unless `epochs` is given.
    pub iterations: usize,
    /// Record the cost every this many iterations (or epochs), the first
    /// first. Default: every 100 iterations, or every epoch with `epochs`.
    #[serde(default)]
    pub record_every: Option<usize>,
    /// Examples per update (default: all of them, full batch).
    #[serde(default)]
    pub batch_size: Option<usize>,
    /// Train this many passes over the data instead of `iterations` updates;
    /// costs are then recorded per epoch (the mean over its mini-batches).
    #[serde(default)]
    pub epochs: Option<usize>,
    /// The optimiser (default: plain gradient descent).
    #[serde(default = "default_optimizer")]
    pub optimizer: OptimizerConfig,
    /// How α changes with the epoch.
    #[serde(default = "default_schedule")]
    pub schedule: LrSchedule,
    /// λ of the L2 term λ/(2m)·Σ‖W‖², in the cost and in dW (0: none).
    #[serde(default)]
    pub l2: f64,
    /// Inverted dropout's keep probability: one for every hidden layer, or
    /// one per hidden layer (empty: none). Training only.
    #[serde(default)]
    pub keep_prob: Vec<f64>,
    /// Seed of the mini-batch shuffles (epoch e uses `np.random.seed(seed + e + 1)`,
    /// as the course's `random_mini_batches`) and of the dropout masks.
    #[serde(default)]
    pub seed: u32,
    /// Stop when the validation cost has not improved for this many epochs
    /// (with `epochs`; else recorded evaluations), and keep the best weights.
    /// Needs a validation set.
    #[serde(default)]
    pub early_stopping: Option<usize>,
    /// Reshuffle the examples every epoch (default). Off: mini-batches are
    /// contiguous slices of X in order, trained on in place, without a copy.
    #[serde(default = "default_shuffle")]
    pub shuffle: bool,
}

fn default_shuffle() -> bool {
    true
}

fn default_optimizer() -> OptimizerConfig {
    OptimizerConfig::Gd
}

fn default_schedule() -> LrSchedule {
    LrSchedule::None
}

impl Default for GdConfig {
    fn default() -> Self {
        GdConfig {
            learning_rate: 0.0075,
            iterations: 2500,
            record_every: None,
            batch_size: None,
            epochs: None,
            optimizer: OptimizerConfig::Gd,
            schedule: LrSchedule::None,
            l2: 0.0,
            keep_prob: Vec::new(),
            seed: 0,
            early_stopping: None,
            shuffle: true,
        }
    }
}

impl GdConfig {
    /// Whether this is the notes' plain gradient descent on the whole batch
    /// of m examples (no optimiser state, L2, dropout or schedule), which the
    /// engine may compute by a faster road than the general loop.
    pub fn is_plain(&self, m: usize) -> bool {
        self.batch_size.is_none_or(|b| b >= m)
            && self.optimizer == OptimizerConfig::Gd
            && self.schedule == LrSchedule::None
            && self.l2 == 0.0
            && self.keep_prob.iter().all(|&p| p >= 1.0)
    }

    /// Units (iterations, or epochs with `epochs`) between two recorded costs.
    pub fn record_interval(&self) -> usize {
        self.record_every
            .unwrap_or(if self.epochs.is_some() { 1 } else { 100 })
    }

    /// The number of recorded units (epochs or iterations) the run lasts.
    pub fn total_units(&self) -> usize {
        self.epochs.unwrap_or(self.iterations)
    }
}

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
    /// Early stopping: the iteration (or epoch) with the best validation
    /// cost so far; at the end, the one whose weights were kept.
    #[serde(default)]
    pub best_at: Option<usize>,
    /// Whether early stopping ended the run (before its total).
    #[serde(default)]
    pub stopped_early: bool,
    /// Data-parallel runs: seconds spent in the gradient all-reduce, over all updates.
    #[serde(default)]
    pub allreduce_seconds: f64,
    /// The cost of the last iteration's forward pass (NaN where it was not
    /// computed: an interrupted fast run; JSON null).
    #[serde(deserialize_with = "nan_if_null")]
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

/// Reads a number written by serde_json, where NaN is written as null.
pub(crate) fn nan_if_null<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    Ok(Option::<f64>::deserialize(d)?.unwrap_or(f64::NAN))
}
