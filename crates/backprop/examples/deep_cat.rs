//! The notes' week 4: an L-layer network, [12288, 20, 7, 5, 1] with ReLU
//! hidden layers and a sigmoid output, on the course's cat / non-cat pictures.
//!
//! With the course's settings (W\[l\] ~ N(0,1)/√n\[l-1\] after np.random.seed(1),
//! α = 0.0075, 2500 iterations, f64) the cost is 0.092878 at iteration 2400,
//! 98.56 % of the training and 80 % of the test pictures are right
//! (`tests/course_reproduction.rs` checks these). In f32 it runs about twice as fast.
//!
//! Run: `cargo run --release -p backprop --example deep_cat [iterations]`
//! with the data in `../shared/datasets/catvnoncat` or `$BACKPROP_CAT_DIR`.

use std::path::PathBuf;
use std::time::Instant;

use backprop::data::{self, LoadOptions};
use backprop::engine::fit;
use backprop::metrics::accuracy;
use backprop::GdConfig;
use backprop::{Activation, Init, Network, NumpyRng, Threads};

fn main() -> Result<(), backprop::Error> {
    let iterations = std::env::args()
        .nth(1)
        .map(|s| s.parse().expect("iterations: a whole number"))
        .unwrap_or(2500);
    let dir = std::env::var_os("BACKPROP_CAT_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("../shared/datasets/catvnoncat"));
    let train = data::load(&dir.join("train_catvnoncat.h5"), &LoadOptions::default())?;
    let test = data::load(&dir.join("test_catvnoncat.h5"), &LoadOptions::default())?;

    // n_x = 12288 inputs, three hidden layers, one output unit.
    let sizes = [train.features(), 20, 7, 5, 1];
    let mut net = Network::<f64>::new(
        &sizes,
        Activation::Relu,
        Init::Xavier,
        &mut NumpyRng::new(1),
    )?;
    net.set_threads(Threads::all());

    let config = GdConfig {
        learning_rate: 0.0075,
        iterations,
        record_every: Some(100),
        ..Default::default()
    };
    let start = Instant::now();
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
    println!(
        "{iterations} iterations in {:.2} s",
        start.elapsed().as_secs_f64()
    );

    let train_acc = accuracy(net.predict(train.x.view()).view(), train.y.view());
    let test_acc = accuracy(net.predict(test.x.view()).view(), test.y.view());
    println!("train accuracy: {:.2} %", train_acc * 100.0);
    println!("test accuracy: {:.2} %", test_acc * 100.0);
    Ok(())
}
