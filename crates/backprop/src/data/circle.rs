//! TensorFlow Playground's "circle": class 1 inside a disc of radius 2.5,
//! class 0 on a ring from 3.5 to 5; `noise` (0…1) moves each point by up to
//! noise·5 in each coordinate (uniform), so the classes overlap as it grows.

use super::{points::two_d, Dataset};
use crate::rng::{Gaussian, NumpyRng};

/// `m` points (half each class), drawn from `np.random.seed(seed)`.
pub fn circle(m: usize, noise: f64, seed: u32) -> Dataset {
    let radius = 5.0;
    let mut rng = NumpyRng::new(seed);
    let (mut points, mut labels) = (Vec::with_capacity(2 * m), Vec::with_capacity(m));
    for i in 0..m {
        let inside = i < m / 2;
        let (lo, hi) = if inside { (0.0, 0.5) } else { (0.7, 1.0) };
        let r = radius * (lo + (hi - lo) * rng.uniform());
        let angle = 2.0 * std::f64::consts::PI * rng.uniform();
        let dx = noise * radius * (2.0 * rng.uniform() - 1.0);
        let dy = noise * radius * (2.0 * rng.uniform() - 1.0);
        points.push(r * angle.sin() + dx);
        points.push(r * angle.cos() + dy);
        labels.push(if inside { 1.0 } else { 0.0 });
    }
    two_d("circle", points, labels, 2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn noiseless_circle_separates_by_radius() {
        let d = circle(200, 0.0, 1);
        assert_eq!(d.x.dim(), (2, 200));
        for (p, y) in d.x.columns().into_iter().zip(d.y.iter()) {
            let r = p[0].hypot(p[1]);
            assert_eq!(*y == 1.0, r <= 2.5, "r {r} label {y}");
        }
        assert_eq!(d.y.sum(), 100.0);
    }
}
