//! The notes' week 3: a network with one hidden layer of 4 tanh units
//! classifies the planar "flower" that logistic regression cannot.
//!
//! The data are made in-process from numpy's random stream (seed 1), as the
//! notebook's `load_planar_dataset`; after 10000 iterations 90.75 % (363 of
//! 400) of the points are right, the notebook's figure
//! (`tests/course_reproduction.rs` checks it, and the costs against numpy).
//!
//! Run: `cargo run --release -p backprop --example flower [iterations]`

use backprop::data::planar;
use backprop::engine::fit;
use backprop::metrics::accuracy;
use backprop::GdConfig;
use backprop::{Activation, Init, Network, NumpyRng};

fn main() -> Result<(), backprop::Error> {
    let iterations = std::env::args()
        .nth(1)
        .map(|s| s.parse().expect("iterations: a whole number"))
        .unwrap_or(10_000);

    // X is 2 × 400 (one point per column), Y is 1 × 400 (0 = red, 1 = blue).
    let flower = planar::flower();
    let (x, y) = (flower.x.view(), flower.y.view());

    // Layer sizes [n_x, n_h, n_y] = [2, 4, 1]; W[l] ~ N(0, 1)·0.01, drawn after np.random.seed(2)
    // as the notebook's initialize_parameters does.
    let mut net = Network::<f64>::new(
        &[2, 4, 1],
        Activation::Tanh,
        Init::Small,
        &mut NumpyRng::new(2),
    )?;

    // Full-batch gradient descent, α = 1.2, the cost printed every 1000 iterations.
    let config = GdConfig {
        learning_rate: 1.2,
        iterations,
        record_every: Some(1000),
        ..Default::default()
    };
    let history = fit(&mut net, x, y, &config, &mut |p| {
        if p.recorded {
            println!("Cost after iteration {}: {:.6}", p.iteration, p.cost);
        }
    })?;

    // Predictions: 1 where σ(Z[2]) > 0.5.
    let right = accuracy(net.predict(x).view(), y);
    println!(
        "final cost {:.6}; accuracy {:.2} % ({} of {})",
        history.final_cost,
        right * 100.0,
        (right * 400.0).round(),
        400
    );
    Ok(())
}
