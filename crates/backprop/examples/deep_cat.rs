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

mod course;

use std::time::Instant;

use backprop::GdConfig;
use backprop::{Activation, Init, Network, NumpyRng, Threads};

fn main() -> Result<(), backprop::Error> {
    let iterations = course::iterations_arg(2500);
    let (train, test) = course::cat_pictures()?;

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
    course::fit_printing_costs(&mut net, &train, &config)?;
    println!(
        "{iterations} iterations in {:.2} s",
        start.elapsed().as_secs_f64()
    );

    course::print_accuracies(&net, &train, &test);
    Ok(())
}
