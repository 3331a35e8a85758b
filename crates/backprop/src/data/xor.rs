//! TensorFlow Playground's "xor": points uniform in [−5, 5]² (kept 0.3 away
//! from the axes), class 1 where x1·x2 ≥ 0; `noise` (0…1) moves each point by
//! up to noise·5 in each coordinate after its class is set.

use super::{points::two_d, Dataset};
use crate::rng::{Gaussian, NumpyRng};

/// `m` points, drawn from `np.random.seed(seed)`.
pub fn xor(m: usize, noise: f64, seed: u32) -> Dataset {
    let (extent, padding) = (5.0, 0.3);
    let mut rng = NumpyRng::new(seed);
    let (mut points, mut labels) = (Vec::with_capacity(2 * m), Vec::with_capacity(m));
    let away = |v: f64| if v > 0.0 { v + padding } else { v - padding };
    for _ in 0..m {
        let x = away(extent * (2.0 * rng.uniform() - 1.0));
        let y = away(extent * (2.0 * rng.uniform() - 1.0));
        let label = if x * y >= 0.0 { 1.0 } else { 0.0 };
        points.push(x + noise * extent * (2.0 * rng.uniform() - 1.0));
        points.push(y + noise * extent * (2.0 * rng.uniform() - 1.0));
        labels.push(label);
    }
    two_d("xor", points, labels, 2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn noiseless_xor_labels_by_quadrant() {
        let d = xor(300, 0.0, 2);
        for (p, y) in d.x.columns().into_iter().zip(d.y.iter()) {
            assert_eq!(*y == 1.0, p[0] * p[1] >= 0.0);
            assert!(p[0].abs() >= 0.3 && p[1].abs() >= 0.3);
        }
    }
}
