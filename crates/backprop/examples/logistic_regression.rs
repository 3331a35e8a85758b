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

mod course;

use backprop::GdConfig;
use backprop::{Activation, Init, Network, NumpyRng};

fn main() -> Result<(), backprop::Error> {
    let iterations = course::iterations_arg(2000);

    // Each 64×64 RGB picture is flattened into a column of X (12288 × 209) and ÷ 255.
    let (train, test) = course::cat_pictures()?;
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
    course::fit_printing_costs(&mut net, &train, &config)?;

    // A picture is a cat where σ(w·x + b) > 0.5.
    course::print_accuracies(&net, &train, &test);
    Ok(())
}
