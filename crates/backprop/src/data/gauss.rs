//! Gaussian blobs (TensorFlow Playground's "gauss", extended to K classes):
//! class j is N(c_j, σ²I) with the centres c_j evenly on a circle of radius
//! 2.8 (for two classes, (2, 2) and (−2, −2) as in the Playground), and
//! σ² = 0.5 + 3.5·noise (noise 0…1), so the blobs merge as noise grows.

use super::{points::two_d, Dataset};
use crate::rng::{Gaussian, NumpyRng};

/// `m` points split evenly over `classes` blobs, drawn from `np.random.seed(seed)`.
pub fn gauss(m: usize, classes: usize, noise: f64, seed: u32) -> Dataset {
    let k = classes.max(2);
    let sd = (0.5 + 3.5 * noise).sqrt();
    let mut rng = NumpyRng::new(seed);
    let (mut points, mut labels) = (Vec::with_capacity(2 * m), Vec::with_capacity(m));
    for i in 0..m {
        let j = i * k / m.max(1);
        let angle = std::f64::consts::FRAC_PI_4 + 2.0 * std::f64::consts::PI * j as f64 / k as f64;
        let (cx, cy) = (
            2.0 * std::f64::consts::SQRT_2 * angle.cos(),
            2.0 * std::f64::consts::SQRT_2 * angle.sin(),
        );
        points.push(cx + sd * rng.randn());
        points.push(cy + sd * rng.randn());
        labels.push(j as f64);
    }
    two_d("gauss", points, labels, k)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_blobs_sit_at_the_playgrounds_centres() {
        let d = gauss(2000, 2, 0.0, 3);
        for (j, (cx, cy)) in [(0.0, (2.0, 2.0)), (1.0, (-2.0, -2.0))] {
            let cols: Vec<_> =
                d.x.columns()
                    .into_iter()
                    .zip(d.y.iter())
                    .filter(|(_, y)| **y == j)
                    .map(|(c, _)| (c[0], c[1]))
                    .collect();
            let n = cols.len() as f64;
            let mx = cols.iter().map(|c| c.0).sum::<f64>() / n;
            let my = cols.iter().map(|c| c.1).sum::<f64>() / n;
            assert!((mx - cx).abs() < 0.1 && (my - cy).abs() < 0.1, "{mx} {my}");
        }
    }

    #[test]
    fn k_classes_get_even_shares() {
        let d = gauss(500, 5, 0.2, 1);
        assert_eq!(d.classes.len(), 5);
        for j in 0..5 {
            assert_eq!(d.y.iter().filter(|y| **y == j as f64).count(), 100);
        }
    }
}
