//! The plots of a build without the `plot` feature: none. Run folders then
//! hold the model and metrics.json but no learning curve or decision boundary.

use std::path::Path;

use ndarray::Array2;

use crate::error::Error;

/// One line of a learning curve: a name and its (iteration, cost) points.
pub type Series<'a> = (&'a str, &'a [(usize, f64)]);

/// Draws nothing (built without the `plot` feature).
pub fn learning_curve(
    _dir: &Path,
    _series: &[Series<'_>],
    _learning_rate: f64,
    _unit: &str,
) -> Result<(), Error> {
    Ok(())
}

/// Draws nothing (built without the `plot` feature).
pub fn decision_boundary(
    _dir: &Path,
    _stem: &str,
    _title: &str,
    _x: &Array2<f64>,
    _y: &Array2<f64>,
    _classify: &dyn Fn(&Array2<f64>) -> Vec<usize>,
) -> Result<(), Error> {
    Ok(())
}
