//! The plots of a build without the `plot` feature: none. Run folders then
//! hold the model and metrics.json but no learning curve or decision boundary.

use std::path::Path;

use ndarray::Array2;

use crate::error::Error;
use crate::figure::{Boundary, Curve};

/// Draws nothing (built without the `plot` feature).
pub fn learning_curve(_dir: &Path, _curve: &Curve<'_>) -> Result<(), Error> {
    Ok(())
}

/// Draws nothing (built without the `plot` feature).
pub fn decision_boundary(
    _dir: &Path,
    _stem: &str,
    _boundary: &Boundary<'_>,
    _classify: &dyn Fn(&Array2<f64>) -> Vec<usize>,
) -> Result<(), Error> {
    Ok(())
}
