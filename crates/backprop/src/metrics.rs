//! Accuracy and other scores of predictions against labels.

use ndarray::ArrayView2;

use crate::linalg::Float;

/// The fraction (0..1) of columns where the prediction equals the label.
pub fn accuracy<T: Float>(predicted: ArrayView2<'_, T>, labels: ArrayView2<'_, T>) -> f64 {
    let m = labels.len();
    if m == 0 {
        return f64::NAN;
    }
    let right = predicted
        .iter()
        .zip(labels.iter())
        .filter(|(p, y)| p == y)
        .count();
    right as f64 / m as f64
}
