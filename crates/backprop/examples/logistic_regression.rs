//! The notes' week 2: logistic regression on the course's cat / non-cat
//! pictures, as one neuron: A = σ(w·X + b), trained by gradient descent.
//!
//! With the course's settings (w and b start at 0, α = 0.005, 2000
//! iterations, f64) the cost is 0.140872 at iteration 1900, 99 % of the
//! training pictures and 70 % of the test pictures are right
//! (`tests/course_reproduction.rs` checks these).
//!
//! Run: `cargo run --release -p backprop --example logistic_regression [iterations]`
//! with the data in `../shared/datasets/catvnoncat` or `$BACKPROP_CAT_DIR`.

use std::path::PathBuf;

use backprop::data::{self, LoadOptions};
use backprop::engine::fit;
use backprop::metrics::accuracy;
use backprop::GdConfig;
use backprop::{Activation, Init, Network, NumpyRng};

fn main() -> Result<(), backprop::Error> {
    let iterations = std::env::args()
        .nth(1)
        .map(|s| s.parse().expect("iterations: a whole number"))
        .unwrap_or(2000);
    let dir = std::env::var_os("BACKPROP_CAT_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("../shared/datasets/catvnoncat"));

    // Each 64×64 RGB picture is flattened into a column of X (12288 × 209) and ÷ 255.
    let train = data::load(&dir.join("train_catvnoncat.h5"), &LoadOptions::default())?;
    let test = data::load(&dir.join("test_catvnoncat.h5"), &LoadOptions::default())?;
    println!(
        "{} training and {} test pictures of {} values each",
        train.examples(),
        test.examples(),
        train.features()
    );

    // Logistic regression is the network with no hidden layer: sizes [n_x, 1].
    // Init::Zeros draws nothing, so the seed does not matter.
    let mut net = Network::<f64>::new(
        &[train.features(), 1],
        Activation::Relu, // no hidden layer: never used
        Init::Zeros,
        &mut NumpyRng::new(1),
    )?;
    let config = GdConfig {
        learning_rate: 0.005,
        iterations,
        record_every: Some(100),
        ..Default::default()
    };
    fit(
        &mut net,
        train.x.view(),
        train.y.view(),
        &config,
        &mut |p| {
            if p.recorded {
                println!("Cost after iteration {}: {:.6}", p.iteration, p.cost);
            }
        },
    )?;

    // A picture is a cat where σ(w·x + b) > 0.5.
    let train_acc = accuracy(net.predict(train.x.view()).view(), train.y.view());
    let test_acc = accuracy(net.predict(test.x.view()).view(), test.y.view());
    println!("train accuracy: {:.2} %", train_acc * 100.0);
    println!("test accuracy: {:.2} %", test_acc * 100.0);
    Ok(())
}
