//! Helpers shared by the integration tests.
#![allow(dead_code)]

pub mod conv;

use std::path::PathBuf;

use backprop::engine::{fit_with, Path};
use backprop::train::History;
use backprop::GdConfig;
use backprop::{Activation, Float, Init, Network, NumpyRng, Threads};
use ndarray::Array2;

/// The course's cat data folder (`../shared/datasets/catvnoncat` beside the
/// repository, or `$BACKPROP_CAT_DIR`). `None` (with a printed notice) when
/// absent outside CI; under `CI=true` a missing folder fails the test.
pub fn cat_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("BACKPROP_CAT_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/datasets/catvnoncat")
        });
    if dir.join("train_catvnoncat.h5").is_file() {
        return Some(dir);
    }
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!(
            "the cat data is missing at {} (required under CI)",
            dir.display()
        );
    }
    eprintln!("SKIPPED: the cat data is not at {}", dir.display());
    None
}

/// Trains `sizes` on (X, Y) by `path`, recording the cost of every iteration.
#[allow(clippy::too_many_arguments)]
pub fn train<T: Float>(
    x: &Array2<T>,
    y: &Array2<T>,
    sizes: &[usize],
    init: Init,
    lr: f64,
    iterations: usize,
    path: Path,
    threads: usize,
) -> (Network<T>, History) {
    let mut net = Network::<T>::new(sizes, Activation::Relu, init, &mut NumpyRng::new(1)).unwrap();
    net.set_threads(Threads(threads));
    let config = GdConfig {
        learning_rate: lr,
        iterations,
        record_every: Some(1),
        ..GdConfig::default()
    };
    let h = fit_with(
        &mut net,
        x.view(),
        y.view(),
        None,
        &config,
        path,
        None,
        &mut |_| {},
    )
    .unwrap();
    (net, h)
}
