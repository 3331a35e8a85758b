//! Holding out a validation set: stratified (each class in proportion) and seeded.

use ndarray::{Array2, Axis};

use super::Dataset;
use crate::error::Error;
use crate::rng::NumpyRng;
use crate::setting::{compact, Problem, Setting};

impl Dataset {
    /// The examples at `indices` (in that order), with this set's classes and preprocessing.
    pub fn select(&self, indices: &[usize]) -> Dataset {
        // Copy column by column so each example stays contiguous (the loaders' layout).
        let n_x = self.features();
        let mut values = Vec::with_capacity(n_x * indices.len());
        for &j in indices {
            values.extend(self.x.column(j).iter());
        }
        let x = Array2::from_shape_vec((indices.len(), n_x), values)
            .expect("n_x values per example")
            .reversed_axes();
        Dataset {
            source: self.source.clone(),
            x,
            y: self.y.select(Axis(1), indices),
            classes: self.classes.clone(),
            preprocessing: self.preprocessing.clone(),
            skipped: Vec::new(),
            notes: self.notes.clone(),
        }
    }

    /// Splits off `fraction` of the examples of each class (at least one per
    /// class that has two or more), chosen by `np.random.seed(seed)`'s permutation.
    /// Returns (training part, validation part), each in the original order.
    pub fn split_validation(&self, fraction: f64, seed: u32) -> Result<(Dataset, Dataset), Error> {
        if !(fraction > 0.0 && fraction < 1.0) {
            return Err(Problem::range(Setting::Validation, "in (0, 1)", compact(fraction)).into());
        }
        let order = NumpyRng::new(seed).permutation(self.examples());
        let mut held = vec![false; self.examples()];
        for class in 0..self.classes.len() {
            let members: Vec<usize> = order
                .iter()
                .copied()
                .filter(|&j| self.y[(0, j)] as usize == class)
                .collect();
            let n = members.len();
            let take = if n >= 2 {
                ((n as f64 * fraction).round() as usize).clamp(1, n - 1)
            } else {
                0
            };
            for &j in &members[..take] {
                held[j] = true;
            }
        }
        let (val, train): (Vec<usize>, Vec<usize>) = (0..self.examples()).partition(|&j| held[j]);
        if val.is_empty() {
            let message = format!("{} leaves no example to validate on", Setting::Validation);
            return Err(Problem::other(Setting::Validation, message).into());
        }
        Ok((self.select(&train), self.select(&val)))
    }
}

#[cfg(test)]
mod tests {
    use crate::data::planar::flower;

    #[test]
    fn split_is_stratified_seeded_and_disjoint() {
        let d = flower();
        let (train, val) = d.split_validation(0.25, 7).unwrap();
        assert_eq!((train.examples(), val.examples()), (300, 100));
        assert_eq!(
            val.y.sum(),
            50.0,
            "half of the held-out examples are of class 1"
        );
        let (train2, _) = d.split_validation(0.25, 7).unwrap();
        assert_eq!(train.x, train2.x, "same seed, same split");
        let (train3, _) = d.split_validation(0.25, 8).unwrap();
        assert_ne!(train.x, train3.x);
        // Disjoint and complete: the x-sums add up.
        assert!((train.x.sum() + val.x.sum() - d.x.sum()).abs() < 1e-9);
        assert!(d.split_validation(1.5, 1).is_err());
    }
}
