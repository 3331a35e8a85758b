//! The course's planar "flower" data set, made exactly as `load_planar_dataset` makes it.
//!
//! `np.random.seed(1)`; m = 400 points in 2 classes of 200; a = 4 petals;
//! for class j: t = linspace(j·3.12, (j+1)·3.12, 200) + 0.2·randn(200),
//! r = a·sin(4t) + 0.2·randn(200), x = (r·sin t, r·cos t).

use super::{points::two_d, Dataset};
use crate::rng::NumpyRng;

/// The flower: X is 2 × 400, Y is 1 × 400 (first 200 red = 0, last 200 blue = 1).
pub fn flower() -> Dataset {
    let mut rng = NumpyRng::new(1);
    let (m, per_class, a) = (400, 200, 4.0);
    let mut points = vec![0.0; 2 * m]; // row-major m × 2, as numpy's X before `.T`
    let mut labels = vec![0.0; m];
    for j in 0..2 {
        let t: Vec<f64> = linspace(j as f64 * 3.12, (j + 1) as f64 * 3.12, per_class)
            .into_iter()
            .zip(rng.randn_vec(per_class))
            .map(|(t, n)| t + n * 0.2)
            .collect();
        let noise = rng.randn_vec(per_class);
        for (i, (&t, n)) in t.iter().zip(noise).enumerate() {
            let r = a * (4.0 * t).sin() + n * 0.2;
            let col = j * per_class + i;
            points[2 * col] = r * t.sin();
            points[2 * col + 1] = r * t.cos();
            labels[col] = j as f64;
        }
    }
    Dataset {
        source: "planar:flower".into(),
        classes: vec!["red".into(), "blue".into()],
        ..two_d("planar", points, labels, 2)
    }
}

/// numpy's `linspace(start, stop, num)`: start + i·step, the last point exactly `stop`.
pub(crate) fn linspace(start: f64, stop: f64, num: usize) -> Vec<f64> {
    let step = (stop - start) / (num - 1) as f64;
    let mut v: Vec<f64> = (0..num).map(|i| i as f64 * step + start).collect();
    v[num - 1] = stop;
    v
}
