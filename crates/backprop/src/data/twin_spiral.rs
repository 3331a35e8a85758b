//! TensorFlow Playground's spiral, the harder one: two arms of 1.75 turns
//! each, the second the first turned by π. For arm a ∈ {0, 1} and i < n = m/2:
//! r = 5·i/n, t = 1.75·2π·i/n + a·π, x = (r·sin t, r·cos t), each coordinate
//! moved by `noise`·U(−1, 1) (the Playground's noise slider is 0…0.5). The
//! arms wind around each other: a net needs several layers or crossed
//! features to separate them, where the 3-arm spiral of [`super::spiral`]
//! takes one layer.

use std::f64::consts::PI;

use super::{points::two_d, Dataset};
use crate::rng::{Gaussian, NumpyRng};

/// The turns each arm makes.
pub const TURNS: f64 = 1.75;

/// `m` points (m/2 in each arm, class 0 the arm starting at angle 0, class 1
/// the arm turned by π), drawn from `np.random.seed(seed)`.
pub fn twin_spiral(m: usize, noise: f64, seed: u32) -> Dataset {
    let mut rng = NumpyRng::new(seed);
    let n = (m / 2).max(1);
    let (mut points, mut labels) = (Vec::with_capacity(4 * n), Vec::with_capacity(2 * n));
    for arm in 0..2 {
        for i in 0..n {
            let share = i as f64 / n as f64;
            let (r, t) = (5.0 * share, TURNS * 2.0 * PI * share + arm as f64 * PI);
            points.push(r * t.sin() + noise * (2.0 * rng.uniform() - 1.0));
            points.push(r * t.cos() + noise * (2.0 * rng.uniform() - 1.0));
            labels.push(arm as f64);
        }
    }
    two_d("twin-spiral", points, labels, 2)
}

#[cfg(test)]
mod tests {
    use super::{twin_spiral, TURNS};

    /// Point i of arm 1 is point i of arm 0 turned by π, and each arm makes
    /// more than one turn (the 3-arm spiral's arms make about two thirds).
    #[test]
    fn the_arms_are_each_others_half_turn_and_wind_past_a_full_turn() {
        let (d, n) = (twin_spiral(200, 0.0, 1), 100);
        assert_eq!((d.examples(), d.classes.len()), (200, 2));
        for i in 0..n {
            let (a, b) = (d.x.column(i), d.x.column(n + i));
            assert!(
                (a[0] + b[0]).abs() < 1e-12 && (a[1] + b[1]).abs() < 1e-12,
                "point {i}"
            );
            assert_eq!((d.y[(0, i)], d.y[(0, n + i)]), (0.0, 1.0));
        }
        // Along arm 0 the angle passes 2π: the arm crosses the positive y
        // axis (x = 0, y > 0) again beyond its start, at r = 5/1.75.
        let again = (1..100).find(|&i| {
            let (p, q) = (d.x.column(i - 1), d.x.column(i));
            p[0] < 0.0 && q[0] >= 0.0 && q[1] > 0.0
        });
        let turn = (100.0 / TURNS).ceil() as usize; // i/100·TURNS = 1 at i ≈ 57.1
        assert_eq!(again, Some(turn));
        // Noise moves each coordinate by at most `noise`.
        let noisy = twin_spiral(200, 0.5, 1);
        let most = (&noisy.x - &d.x).iter().fold(0.0f64, |m, v| m.max(v.abs()));
        assert!(most > 0.3 && most <= 0.5, "{most}");
    }
}
