//! Feature standardisation: x ← (x − mean) / std, per feature, with the
//! training set's statistics (stored in the model and reused for new inputs).

use ndarray::{Array2, Axis};
use serde::{Deserialize, Serialize};

use super::Dataset;
use crate::error::Error;

/// Per-feature mean and (population) standard deviation; a constant feature gets std 1.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Standardization {
    /// Mean of each feature over the training examples.
    pub mean: Vec<f64>,
    /// Standard deviation of each feature (1 where it is 0).
    pub std: Vec<f64>,
}

impl Standardization {
    /// The statistics of X (n_x × m), one per row.
    pub fn fit(x: &Array2<f64>) -> Self {
        let m = x.ncols().max(1) as f64;
        let mut mean = Vec::with_capacity(x.nrows());
        let mut std = Vec::with_capacity(x.nrows());
        for row in x.axis_iter(Axis(0)) {
            let mu = row.sum() / m;
            let var = row.iter().map(|v| (v - mu).powi(2)).sum::<f64>() / m;
            mean.push(mu);
            std.push(if var > 0.0 { var.sqrt() } else { 1.0 });
        }
        Standardization { mean, std }
    }

    /// Applies the statistics to X in place (X must have as many rows as there are features).
    pub fn apply(&self, x: &mut Array2<f64>) {
        for ((mut row, mu), sd) in x.axis_iter_mut(Axis(0)).zip(&self.mean).zip(&self.std) {
            row.mapv_inplace(|v| (v - mu) / sd);
        }
    }
}

impl Dataset {
    /// Standardises X with its own statistics and records them in the
    /// preprocessing. A table's one-hot category features stay 0/1 (mean 0, std 1).
    /// Values so large that a statistic overflows (±1e308) are refused,
    /// naming the feature: standardised, they would all become 0 or NaN.
    pub fn standardize(&mut self) -> Result<Standardization, Error> {
        let mut s = Standardization::fit(&self.x);
        let overflow =
            (0..s.mean.len()).find(|&f| !(s.mean[f].is_finite() && s.std[f].is_finite()));
        if let Some(f) = overflow {
            let name = self
                .preprocessing
                .feature_names
                .as_ref()
                .and_then(|n| n.get(f))
                .map_or_else(|| format!("feature {f}"), |n| format!("column {n}"));
            return Err(Error::format(
                &self.source,
                format!(
                    "{name}'s values are too large to standardise (their mean or standard \
                     deviation overflows); rescale that column"
                ),
            ));
        }
        if let Some(table) = &self.preprocessing.table {
            for (f, one_hot) in table.one_hot_mask().into_iter().enumerate() {
                if one_hot {
                    (s.mean[f], s.std[f]) = (0.0, 1.0);
                }
            }
        }
        s.apply(&mut self.x);
        self.preprocessing.standardization = Some(s.clone());
        Ok(s)
    }

    /// Standardises X with another set's statistics (a test set with the training set's).
    pub fn apply_standardization(&mut self, s: &Standardization) {
        s.apply(&mut self.x);
        self.preprocessing.standardization = Some(s.clone());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn standardized_features_have_mean_0_and_std_1() {
        let mut x = array![[1.0, 2.0, 3.0, 4.0], [5.0, 5.0, 5.0, 5.0]];
        let s = Standardization::fit(&x);
        assert_eq!(s.mean, vec![2.5, 5.0]);
        assert_eq!(s.std[1], 1.0, "a constant feature keeps std 1");
        s.apply(&mut x);
        assert!((x.row(0).sum()).abs() < 1e-12);
        assert!((x.row(0).mapv(|v| v * v).sum() / 4.0 - 1.0).abs() < 1e-12);
        assert_eq!(x.row(1).sum(), 0.0);
    }
}
