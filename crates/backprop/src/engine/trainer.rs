//! [`Trainer`]: a [`Session`] run to its end on borrowed data and a borrowed
//! network, for callers that do not step (tests, benches, the examples).

use std::sync::atomic::AtomicBool;

use ndarray::ArrayView2;

use crate::collective::Collective;
use crate::error::Error;
use crate::linalg::Float;
use crate::network::Network;
use crate::train::{GdConfig, History, Progress};

use super::plan::Path;
use super::session::{Advanced, Controls, Session, Start};
use super::state::{SaveCheckpoint, TrainState};
use super::training_data::TrainingData;

/// Data beside the training set, and how the run may be stopped or saved.
#[derive(Default)]
pub struct Extras<'a, T: Float> {
    /// A test set (X, Y as trained on): its cost is recorded.
    pub test: Option<(ArrayView2<'a, T>, ArrayView2<'a, T>)>,
    /// A validation set (X, Y as trained on, labels 1 × m): cost and accuracy recorded, early stopping.
    pub validation: Option<(ArrayView2<'a, T>, ArrayView2<'a, T>, ArrayView2<'a, T>)>,
    /// Per-example weights of the training set (length m, finite, ≥ 0, not all 0):
    /// J = Σ wᵢ·lᵢ / Σ wᵢ over each batch.
    pub weights: Option<&'a [f64]>,
    /// Checked after every update: when set, the run stops and returns its state.
    pub stop: Option<&'a AtomicBool>,
    /// Call `checkpoint` every this many iterations (or epochs).
    pub checkpoint_every: Option<usize>,
    /// The ranks of data-parallel training (default: this process alone).
    pub collective: Option<&'a dyn Collective>,
    /// Saves the network and state.
    pub checkpoint: Option<&'a mut SaveCheckpoint<'a, T>>,
}

/// How a run ended.
pub struct Outcome<T: Float> {
    /// The state at the end (its history is the run's), strategy state included.
    pub state: TrainState<T>,
    /// Whether the stop flag ended it before its total.
    pub interrupted: bool,
}

/// Trains networks with one configuration: a [`Session`] run to its end.
#[derive(Clone, Debug, Default)]
pub struct Trainer {
    /// The settings.
    pub config: GdConfig,
    /// A caller's say in the planner's choice (default: none).
    pub path: Path,
}

impl Trainer {
    /// A trainer with these settings; the planner chooses the strategy.
    pub fn new(config: GdConfig) -> Self {
        Trainer {
            config,
            path: Path::Auto,
        }
    }

    /// Forces a road for plain full-batch gradient descent (benches, tests).
    pub fn with_path(mut self, path: Path) -> Self {
        self.path = path;
        self
    }

    /// Trains `net` on X (n_x × m) and Y (1 × m, or K × m one-hot) from the
    /// start, calling `observe` after every iteration (or epoch). Stops with
    /// [`Error::Diverged`] at the first NaN or infinite cost.
    pub fn fit<T: Float>(
        &self,
        net: &mut Network<T>,
        x: ArrayView2<'_, T>,
        y: ArrayView2<'_, T>,
        extras: Extras<'_, T>,
        observe: &mut dyn FnMut(Progress),
    ) -> Result<History, Error> {
        let state = TrainState::new(&self.config);
        Ok(self.run(net, x, y, state, extras, observe)?.state.history)
    }

    /// Runs (or continues, from `state`) training on X and Y to the end.
    pub fn run<T: Float>(
        &self,
        net: &mut Network<T>,
        x: ArrayView2<'_, T>,
        y: ArrayView2<'_, T>,
        state: TrainState<T>,
        extras: Extras<'_, T>,
        observe: &mut dyn FnMut(Progress),
    ) -> Result<Outcome<T>, Error> {
        let data = TrainingData {
            x: x.into(),
            y: y.into(),
            test: extras.test.map(|(x, y)| (x.into(), y.into())),
            validation: extras
                .validation
                .map(|(x, y, l)| (x.into(), y.into(), l.into())),
            weights: extras.weights,
            sparse: None,
            sparse_validation: None,
        };
        let start = Start {
            state: Some(state),
            path: self.path,
            collective: extras.collective,
        };
        let mut session = Session::start(net.clone(), data, self.config.clone(), start)?;
        let mut controls = Controls {
            stop: extras.stop,
            checkpoint_every: extras.checkpoint_every,
            checkpoint: extras
                .checkpoint
                .map(|c| -> &mut SaveCheckpoint<'_, T> { c }),
            observe: Some(observe),
        };
        let advanced = session.run(&mut controls);
        let (trained, state) = session.finish();
        *net = trained;
        Ok(Outcome {
            interrupted: advanced? == Advanced::Interrupted,
            state,
        })
    }
}
