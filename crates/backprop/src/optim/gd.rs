//! Plain gradient descent: θ −= α·dθ.

use ndarray::Array2;

use crate::linalg::{dispatch, Float};

/// θ −= α·dθ: one vectorised pass when θ and dθ lie alike in memory (every
/// dense layer's do), the element-wise Zip otherwise. The same bits either way
/// (one multiply, one subtract, nothing fused).
pub fn update<T: Float>(param: &mut Array2<T>, grad: &Array2<T>, lr: T) {
    if param.strides() == grad.strides() && param.dim() == grad.dim() {
        if let (Some(p), Some(g)) = (
            param.as_slice_memory_order_mut(),
            grad.as_slice_memory_order(),
        ) {
            return descend_slice(lr, p, g);
        }
    }
    super::apply(param, grad, lr, |g| g);
}

/// p −= α·g over matching slices, compiled for AVX-512 / AVX2 where the CPU has them.
pub(crate) fn descend_slice<T: Float>(lr: T, p: &mut [T], g: &[T]) {
    assert_eq!(p.len(), g.len());
    dispatch!(avx2, descend_body, (lr: T, p: &mut [T], g: &[T]))
}

#[inline(always)]
fn descend_body<T: Float>(lr: T, p: &mut [T], g: &[T]) {
    for (p, &g) in p.iter_mut().zip(g) {
        *p -= lr * g;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::ShapeBuilder;

    /// The vectorised pass, the transposed-layout Zip and the baseline loop agree bit for bit.
    #[test]
    fn every_path_gives_the_same_bits() {
        let g = Array2::from_shape_fn((7, 13), |(i, j)| ((i * 13 + j) as f64 * 0.37).sin());
        let p0 = Array2::from_shape_fn((7, 13), |(i, j)| ((i + 2 * j) as f64 * 0.11).cos());
        let mut fast = p0.clone();
        update(&mut fast, &g, 0.3);
        let mut mixed = Array2::zeros((7, 13).f());
        mixed.assign(&p0);
        update(&mut mixed, &g, 0.3);
        let mut reference = p0.clone();
        descend_body(
            0.3,
            reference.as_slice_mut().unwrap(),
            g.as_slice().unwrap(),
        );
        assert_eq!(fast, reference);
        assert_eq!(mixed, reference);
        assert_ne!(fast, p0);
    }
}
