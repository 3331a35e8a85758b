//! What the cat examples share: the iteration count from the command line,
//! the course's pictures, training that prints the notes' cost lines, and the
//! two accuracies.

use std::path::PathBuf;

use backprop::data::{self, Dataset, LoadOptions};
use backprop::engine::fit;
use backprop::metrics::accuracy;
use backprop::{Error, GdConfig, Network};

/// The first argument as a whole number of iterations, or `default`.
pub fn iterations_arg(default: usize) -> usize {
    std::env::args()
        .nth(1)
        .map(|s| s.parse().expect("iterations: a whole number"))
        .unwrap_or(default)
}

/// The course's (train, test) cat pictures, each 64×64 RGB flattened into a
/// column of X and ÷ 255, from `../shared/datasets/catvnoncat` or `$BACKPROP_CAT_DIR`.
pub fn cat_pictures() -> Result<(Dataset, Dataset), Error> {
    let dir = std::env::var_os("BACKPROP_CAT_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("../shared/datasets/catvnoncat"));
    let train = data::load(&dir.join("train_catvnoncat.h5"), &LoadOptions::default())?;
    let test = data::load(&dir.join("test_catvnoncat.h5"), &LoadOptions::default())?;
    Ok((train, test))
}

/// Trains `net` on `train`, printing "Cost after iteration i" at each recorded iteration.
pub fn fit_printing_costs(
    net: &mut Network<f64>,
    train: &Dataset,
    config: &GdConfig,
) -> Result<(), Error> {
    fit(net, train.x.view(), train.y.view(), config, &mut |p| {
        if p.recorded {
            println!("Cost after iteration {}: {:.6}", p.iteration, p.cost);
        }
    })?;
    Ok(())
}

/// Prints the share of right answers (σ > 0.5 is a cat) on both sets.
pub fn print_accuracies(net: &Network<f64>, train: &Dataset, test: &Dataset) {
    let train_acc = accuracy(net.predict(train.x.view()).view(), train.y.view());
    let test_acc = accuracy(net.predict(test.x.view()).view(), test.y.view());
    println!("train accuracy: {:.2} %", train_acc * 100.0);
    println!("test accuracy: {:.2} %", test_acc * 100.0);
}
