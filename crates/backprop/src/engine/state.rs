//! Where a run stands ([`TrainState`]: enough, with the network's weights,
//! to continue it exactly) and how a checkpoint of it is saved.

use std::collections::HashMap;

use ndarray::Array2;

use crate::error::Error;
use crate::linalg::Float;
use crate::network::Network;
use crate::optim::Optimizer;
use crate::train::{GdConfig, History};

use super::plan::Plan;

/// Each layer's (W, b), layer 1 first.
pub type Parameters<T> = Vec<(Array2<T>, Array2<T>)>;

/// Where a run stands: enough, with the network's weights, to continue it exactly.
#[derive(Clone, Debug, PartialEq)]
pub struct TrainState<T: Float> {
    /// The optimiser and its moments.
    pub optimizer: Optimizer<T>,
    /// Updates done.
    pub step: usize,
    /// The epoch in progress (from 0).
    pub epoch: usize,
    /// The next mini-batch of that epoch.
    pub batch: usize,
    /// Σ (batch cost × batch weight) over the epoch's batches so far.
    pub epoch_cost: f64,
    /// What has been recorded so far.
    pub history: History,
    /// Early stopping: the best validation cost and the weights that gave it.
    pub best: Option<(f64, Parameters<T>)>,
    /// Early stopping: recorded evaluations (epochs, in epoch runs) since the best one.
    pub since_best: usize,
    /// Whether early stopping ended the run.
    pub stopped_early: bool,
    /// The strategy the run computes its updates with (`None`: not started).
    pub plan: Option<Plan>,
    /// The strategy's own state (Gram: W₀ and C; fused: the pending W·X), by name.
    pub strategy: HashMap<String, Array2<T>>,
}

impl<T: Float> TrainState<T> {
    /// The state before the first update.
    pub fn new(config: &GdConfig) -> Self {
        TrainState {
            optimizer: Optimizer::new(config.optimizer),
            step: 0,
            epoch: 0,
            batch: 0,
            epoch_cost: 0.0,
            history: History {
                per_epoch: config.epochs.is_some(),
                final_cost: f64::NAN,
                ..History::default()
            },
            best: None,
            since_best: 0,
            stopped_early: false,
            plan: None,
            strategy: HashMap::new(),
        }
    }

    /// Iterations (or epochs, in epoch runs) done.
    pub fn units_done(&self, config: &GdConfig) -> usize {
        if config.epochs.is_some() {
            self.epoch
        } else {
            self.step
        }
    }
}

/// A checkpoint callback: saves the network and the state (the trainer
/// decides when, the caller where).
pub type SaveCheckpoint<'a, T> = dyn FnMut(&Network<T>, &TrainState<T>) -> Result<(), Error> + 'a;
