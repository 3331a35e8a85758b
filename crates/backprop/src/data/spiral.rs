//! The K-class spiral (Stanford CS231n's toy set): for class j,
//! r = linspace(0, 1, N), t = linspace(4j, 4(j+1), N) + 0.2·randn(N),
//! x = (r·sin t, r·cos t). Not linearly separable: a linear model stays near 1/K.

use super::{planar::linspace, points::two_d, Dataset};
use crate::rng::{Gaussian, NumpyRng};

/// `per_class` points in each of `classes` arms, drawn from `np.random.seed(seed)`.
pub fn spiral(per_class: usize, classes: usize, seed: u32) -> Dataset {
    let mut rng = NumpyRng::new(seed);
    let m = per_class * classes;
    let mut points = Vec::with_capacity(2 * m);
    let mut labels = Vec::with_capacity(m);
    for j in 0..classes {
        let r = linspace(0.0, 1.0, per_class);
        let t = linspace(4.0 * j as f64, 4.0 * (j + 1) as f64, per_class);
        for (r, t) in r.iter().zip(t) {
            let t = t + 0.2 * rng.randn();
            points.push(r * t.sin());
            points.push(r * t.cos());
            labels.push(j as f64);
        }
    }
    Dataset {
        classes: (0..classes).map(|c| c.to_string()).collect(),
        ..two_d("spiral", points, labels, classes)
    }
}
