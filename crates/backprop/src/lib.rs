//! # backprop
//!
//! Logistic regression, one-hidden-layer and L-layer neural networks with the
//! hand-derived, vectorized forward and backward propagation of Andrew Ng's
//! *Neural Networks and Deep Learning* notes.
//!
//! ## The notes' conventions
//! X is n_x × m (one example per **column**); W\[l\] is n\[l\] × n\[l-1\]; b\[l\] is
//! n\[l\] × 1, broadcast over the columns.
//!
//! Forward, for l = 1 … L (hidden g: relu, tanh, sigmoid or leaky relu; output σ
//! for two classes, or a softmax over K > 2 classes with its categorical cross-entropy):
//! ```text
//! Z[l] = W[l]·A[l-1] + b[l]        A[l] = g[l](Z[l])        A[0] = X
//! J    = −(1/m)·Σ[y·ln a + (1−y)·ln(1−a)]      (computed stably from Z[L])
//! ```
//! Backward, for l = L … 1:
//! ```text
//! dZ[L]   = A[L] − Y
//! dW[l]   = (1/m)·dZ[l]·A[l-1]ᵀ
//! db[l]   = (1/m)·Σ_columns dZ[l]
//! dZ[l-1] = (W[l]ᵀ·dZ[l]) ⊙ g′[l-1](Z[l-1])      (never computed for X)
//! ```
//! The cost at iteration i is the one from iteration i's forward pass, before
//! its update, iterations counted from 0.
//!
//! ## Example
//! ```
//! use backprop::{data::planar, engine, Activation, GdConfig, Init, Network, NumpyRng};
//!
//! let flower = planar::flower();
//! let (x, y) = (flower.x.view(), flower.y.view());
//! let mut net = Network::<f64>::new(&[2, 4, 1], Activation::Tanh, Init::Small, &mut NumpyRng::new(2))?;
//! let config = GdConfig { learning_rate: 1.2, iterations: 1000, ..Default::default() };
//! let history = engine::fit(&mut net, x, y, &config, &mut |_| {})?;
//! assert!(history.final_cost < history.costs[0].1);
//! # Ok::<(), backprop::Error>(())
//! ```

#![warn(missing_docs)]

mod activation;
mod builder;
mod class_weight;
mod classifier;
pub mod collective;
mod config;
pub mod data;
mod difference;
pub mod engine;
mod error;
pub mod explain;
pub mod export;
mod fastmath;
pub mod figure;
mod fsutil;
pub mod gradcheck;
mod init;
pub mod job;
mod layer;
#[cfg(test)]
mod layer_tests;
// Convolution, pooling (in the builder through `NetworkBuilder::picture`), batch
// normalisation (issue 27: not yet in the builder; outside the tests and `internals` nothing calls it).
#[cfg_attr(not(feature = "internals"), allow(dead_code, unused_imports))]
mod layers;
mod linalg;
pub mod metrics;
pub mod model_io;
mod network;
pub mod norm;
pub mod optim;
mod output;
mod overfit;
#[cfg(feature = "plot")]
pub mod plot;
#[cfg(not(feature = "plot"))]
#[path = "plot_off.rs"]
pub mod plot;
mod pool;
pub mod predict;
mod rng;
mod run_folder;
pub mod scalar;
mod setting;
pub mod sparse;
pub mod stop;
mod subnormal;
pub mod train;

pub use activation::{Activation, LEAKY_RELU_SLOPE};
pub use builder::{NetworkBuilder, Parameter, ParameterId};
pub use class_weight::ClassWeight;
pub use classifier::Classifier;
pub use config::{
    GdConfig, ModelSpec, Precision, TrainConfig, DEFAULT_DECAY_INTERVAL, DEFAULT_DECAY_RATE,
};
pub use error::Error;
pub use init::Init;
pub use layer::{Dense, LayerKind};
pub use layers::{
    BatchNorm, BatchNormConfig, ConvStack, LayerList, Picture, PictureLayer, Pooling,
};
pub use linalg::{Float, Threads};
pub use network::{AnyNetwork, Network, PREDICT_CHUNK};
pub use output::Output;
pub use rng::{Gaussian, NumpyRng};
pub use run_folder::Metrics;
pub use setting::{Problem, Setting};

/// Internals for the project's own benchmarks (`--features internals`, off by
/// default): not part of the API, they may change at any time.
#[cfg(feature = "internals")]
#[doc(hidden)]
pub mod internals {
    pub use crate::layers::{
        course, window::Window, BatchNorm, BatchNormConfig, Conv, Pool, PoolMode,
    };
    pub use crate::linalg::gemm;
}
