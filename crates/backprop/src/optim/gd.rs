//! Plain gradient descent: θ −= α·dθ.

use ndarray::Array2;

use crate::linalg::Float;

/// θ −= α·dθ.
pub fn update<T: Float>(param: &mut Array2<T>, grad: &Array2<T>, lr: T) {
    super::apply(param, grad, lr, |g| g);
}
