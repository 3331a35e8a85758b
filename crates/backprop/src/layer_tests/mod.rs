//! The picture layers (`layers/`) against the course's printed numbers, the loops against the
//! products, and each backward pass against central differences.

mod blocked_conv;
mod course_conv;
mod course_pool;
mod gradient_checks;
mod mixed_network;
mod numpy_reference;

use ndarray::{Array4, ArrayView1, Dimension, IntoDimension};

use crate::linalg::pairwise_sum;
use crate::rng::NumpyRng;

/// `np.random.randn(a, b, c, d)`: the draws in row-major order.
pub(super) fn randn4(rng: &mut NumpyRng, shape: (usize, usize, usize, usize)) -> Array4<f64> {
    let n = shape.into_dimension().size();
    Array4::from_shape_vec(shape, rng.randn_vec(n)).expect("n matches the shape")
}

/// A convolution with W = randn(f, f, n_C_prev, n_C) and b = randn(1, 1, 1, n_C), drawn in that order.
pub(super) fn random_conv(
    rng: &mut NumpyRng,
    (f, n_c_prev, n_c): (usize, usize, usize),
    stride: usize,
    pad: usize,
) -> crate::layers::Conv<f64> {
    let w = randn4(rng, (f, f, n_c_prev, n_c));
    let b = randn4(rng, (1, 1, 1, n_c));
    crate::layers::Conv::new(w, b, stride, pad).expect("a valid convolution")
}

/// `np.mean` of a whole array: numpy's pairwise sum of its elements, ÷ n.
pub(super) fn numpy_mean_all<D: Dimension>(a: &ndarray::Array<f64, D>) -> f64 {
    let a = a.as_standard_layout();
    pairwise_sum(a.as_slice().expect("standard layout")) / a.len() as f64
}

/// Whether `got` prints as numpy prints it at its default precision (8
/// decimals): each value rounded to 8 decimals equals the printed decimal.
pub(super) fn assert_prints(got: ArrayView1<'_, f64>, printed: &[f64], what: &str) {
    assert_eq!(got.len(), printed.len(), "{what}: length");
    for (g, p) in got.iter().zip(printed) {
        let rounded: f64 = format!("{g:.8}").parse().expect("a number");
        assert_eq!(rounded, *p, "{what}: {got} printed as {printed:?}");
    }
}
