//! What training reports: [`Progress`] each iteration, a [`History`] at the
//! end (and [`crate::GdConfig`], its settings): plain data,
//! imported by the engine ([`crate::engine`]) and importing nothing of it.
//!
//! The library never prints: each iteration is reported to an observer
//! callback, and the recorded costs come back in a [`History`].

use serde::{Deserialize, Deserializer, Serialize};

pub(crate) use crate::config::GdConfig;

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
    /// L-BFGS: why the run ended before its iterations (none: it ran them
    /// all, or another optimiser trained).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lbfgs_stop: Option<crate::optim::LbfgsStop>,
    /// L-BFGS: the cost evaluations made (scipy's `nfev`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lbfgs_evaluations: Option<usize>,
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
    /// The validation set's (cost, accuracy) at this iteration, where it was
    /// evaluated (with a validation set, on recorded iterations).
    pub validation: Option<(f64, f64)>,
}

impl History {
    /// The validation (cost, accuracy) of iteration (or epoch) `i`, if it is
    /// the latest one recorded (a constant-time look, called every iteration).
    pub fn validation_at(&self, i: usize) -> Option<(f64, f64)> {
        let (j, cost) = *self.validation_costs.last()?;
        let (k, accuracy) = *self.validation_accuracies.last()?;
        (j == i && k == i).then_some((cost, accuracy))
    }
}

/// Reads a number written by serde_json, where NaN is written as null.
pub(crate) fn nan_if_null<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    Ok(Option::<f64>::deserialize(d)?.unwrap_or(f64::NAN))
}
