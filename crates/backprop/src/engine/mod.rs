//! The training engine: one loop, a [`Session`] a caller steps, that owns
//! batching (`batching.rs`), recording (`record.rs`), divergence, the stop
//! flag, checkpoints, validation and early stopping, after the checks of
//! `check.rs`; a planner (`plan.rs`, its choice a [`Plan`]) that chooses once
//! per run how an update is computed; the strategies of that update (`step/`:
//! general, layers, streamed, Gram, fused), each able to hand its state to a
//! [`checkpoint`] and take it back. [`Trainer`] runs a session to its end.
//!
//! ```
//! use backprop::data::planar;
//! use backprop::engine::{Extras, Trainer};
//! use backprop::{Activation, GdConfig, Init, Network, NumpyRng};
//!
//! let flower = planar::flower();
//! let mut net = Network::<f64>::new(&[2, 4, 1], Activation::Tanh, Init::Small, &mut NumpyRng::new(2))?;
//! let trainer = Trainer::new(GdConfig { learning_rate: 1.2, iterations: 1000, ..Default::default() });
//! let history = trainer.fit(&mut net, flower.x.view(), flower.y.view(), Extras::default(), &mut |_| {})?;
//! assert!(history.final_cost < history.costs[0].1);
//! # Ok::<(), backprop::Error>(())
//! ```

mod batching;
mod check;
pub mod checkpoint;
mod diverged;
mod plan;
mod record;
mod session;
mod state;
pub(crate) mod step;
mod trainer;
mod training_data;
mod trend;

use std::sync::atomic::AtomicBool;

use ndarray::{ArrayView1, ArrayView2};

use crate::error::Error;
use crate::linalg::Float;
use crate::network::Network;
use crate::train::{GdConfig, History, Progress};

pub use plan::{Path, Plan};
pub use session::{Advanced, Controls, Session, Start};
pub use state::{Parameters, SaveCheckpoint, TrainState};
pub use step::general::dropout_seed;
pub use trainer::{Extras, Outcome, Trainer};
pub use training_data::{Matrix, TrainingData};
pub use trend::{Trend, TrendWatch};

/// Trains `net` on (X, Y) with `config`, calling `observe` after every
/// iteration (or epoch). Stops with [`Error::Diverged`] at the first NaN or
/// infinite cost.
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
/// iteration (at the same parameters as that iteration's training cost), with
/// a say in the road ([`Path`]), and stopping early (with
/// `history.iterations` the number done) when `stop` is set.
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
    let extras = Extras {
        test,
        stop,
        ..Extras::default()
    };
    Trainer::new(config.clone())
        .with_path(path)
        .fit(net, x, y, extras, observe)
}

/// After a forward pass of `net` on X: the weighted cost J = Σ wᵢ·lᵢ / Σ wᵢ
/// against Y and its backward pass (every layer's dW, db), as the trainer
/// computes them for sample weights. For gradient checks.
pub fn weighted_backward<T: Float>(
    net: &mut Network<T>,
    x: ArrayView2<'_, T>,
    y: ArrayView2<'_, T>,
    w: ArrayView1<'_, T>,
) -> f64 {
    step::general::weighted_backward(net, x, y, w)
}
