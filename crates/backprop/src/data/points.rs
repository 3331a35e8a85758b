//! The 2-D toy sets' common shape (the flower, the spiral, circle, xor,
//! gauss; also used by the playground): points given as (x1, x2) pairs become X (2 × m), and a seeded
//! Gaussian jitter can be added to any 2-D set.

use ndarray::Array2;

use super::{examples_to_columns, Dataset, Preprocessing};
use crate::rng::{Gaussian, NumpyRng};

/// A 2-feature data set named `source` from row-major (x1, x2) pairs and class labels 0…K−1.
pub(crate) fn two_d(source: &str, points: Vec<f64>, labels: Vec<f64>, classes: usize) -> Dataset {
    let m = labels.len();
    Dataset {
        source: format!("synthetic:{source}").into(),
        x: examples_to_columns(m, 2, points),
        y: Array2::from_shape_vec((1, m), labels).expect("m labels"),
        classes: (0..classes.max(2)).map(|c| c.to_string()).collect(),
        preprocessing: Preprocessing {
            input: source.into(),
            scale: 1.0,
            example_shape: vec![2],
            feature_names: Some(vec!["x1".into(), "x2".into()]),
            ..Preprocessing::default()
        },
        skipped: Vec::new(),
        notes: Vec::new(),
    }
}

/// Adds `noise`·s·N(0, 1) to every feature of every example, s being that
/// feature's standard deviation over the set, drawn from `np.random.seed(seed)`
/// (row by row, example by example). `noise` = 0 leaves the set as it is.
pub fn jitter(data: &mut Dataset, noise: f64, seed: u32) {
    if noise == 0.0 || data.examples() == 0 {
        return;
    }
    let mut rng = NumpyRng::new(seed);
    for mut row in data.x.rows_mut() {
        let m = row.len() as f64;
        let mean = row.sum() / m;
        let sd = (row.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / m).sqrt();
        for v in row.iter_mut() {
            *v += noise * sd * rng.randn();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jitter_moves_points_by_the_requested_scale() {
        let mut d = two_d("t", vec![0.0, 0.0, 2.0, 2.0], vec![0.0, 1.0], 2);
        let before = d.x.clone();
        jitter(&mut d, 0.0, 1);
        assert_eq!(d.x, before);
        jitter(&mut d, 0.5, 1);
        assert_ne!(d.x, before);
        // sd of each row is 1, so each move is 0.5·N(0,1): well under 5 in size.
        assert!((&d.x - &before).iter().all(|v| v.abs() < 5.0));
    }
}
