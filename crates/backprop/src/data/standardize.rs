//! Feature standardisation: x ← (x − mean) / std, per feature, with the
//! training set's statistics (stored in the model and reused for new inputs);
//! a table's skewed columns are first read as sign(x)·ln(1 + |x|)
//! ([`super::skew`]), the mean and std being those of the transformed values.

use ndarray::{Array2, Axis};
use serde::{Deserialize, Serialize};

use super::skew::{log_features, signed_log1p, skewed_features};
use super::{Dataset, Preprocessing};
use crate::error::Error;
use crate::setting::mark;

/// Per-feature mean and (population) standard deviation; a constant feature gets std 1.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Standardization {
    /// Mean of each feature over the training examples.
    pub mean: Vec<f64>,
    /// Standard deviation of each feature (1 where it is 0).
    pub std: Vec<f64>,
    /// The features (by position, ascending) read as sign(x)·ln(1 + |x|)
    /// before (x − mean) / std; their mean and std are the transformed
    /// values'. Empty (and absent from model.json) when none is.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub signed_log: Vec<usize>,
    /// The |skewness| threshold that chose `signed_log` when a table was
    /// fitted (so a refit chooses alike); `None` when the transform was off,
    /// for statistics not fitted on a table, and in model files written
    /// before it was recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_above: Option<f64>,
}

impl Standardization {
    /// The statistics of X (n_x × m), one per row. Each sum runs over the
    /// examples in order, one example after the other when they lie
    /// contiguous (the readers' layout; the same sums, a pass over memory).
    pub fn fit(x: &Array2<f64>) -> Self {
        let m = x.ncols().max(1) as f64;
        if let Some(examples) = x.t().as_slice().filter(|_| x.nrows() > 1) {
            return Self::fit_examples(examples, x.nrows(), m);
        }
        let mut mean = Vec::with_capacity(x.nrows());
        let mut std = Vec::with_capacity(x.nrows());
        for row in x.axis_iter(Axis(0)) {
            let mu = row.sum() / m;
            let var = row.iter().map(|v| (v - mu).powi(2)).sum::<f64>() / m;
            mean.push(mu);
            std.push(if var > 0.0 { var.sqrt() } else { 1.0 });
        }
        Standardization {
            mean,
            std,
            signed_log: Vec::new(),
            log_above: None,
        }
    }

    /// [`Standardization::fit`] of `examples`, each `n` contiguous values.
    fn fit_examples(examples: &[f64], n: usize, m: f64) -> Self {
        let mut sums = vec![0.0; n];
        for example in examples.chunks_exact(n) {
            for (s, v) in sums.iter_mut().zip(example) {
                *s += v;
            }
        }
        let mean: Vec<f64> = sums.iter().map(|s| s / m).collect();
        let mut squares = vec![0.0; n];
        for example in examples.chunks_exact(n) {
            for ((s, v), mu) in squares.iter_mut().zip(example).zip(&mean) {
                *s += (v - mu).powi(2);
            }
        }
        let std = (squares.iter())
            .map(|s| s / m)
            .map(|var| if var > 0.0 { var.sqrt() } else { 1.0 })
            .collect();
        Standardization {
            mean,
            std,
            signed_log: Vec::new(),
            log_above: None,
        }
    }

    /// Whether each of `n` features is log-transformed.
    fn logged(&self, n: usize) -> Vec<bool> {
        let mut logged = vec![false; n];
        for &f in self.signed_log.iter().filter(|&&f| f < n) {
            logged[f] = true;
        }
        logged
    }

    /// Applies the statistics to X in place (X must have as many rows as
    /// there are features), the log-transformed features first transformed.
    pub fn apply(&self, x: &mut Array2<f64>) {
        log_features(x, &self.signed_log);
        self.scale(x);
    }

    /// (x − mean) / std in place, without the log transform.
    fn scale(&self, x: &mut Array2<f64>) {
        let n = x.nrows();
        if let Some(examples) = x.view_mut().reversed_axes().as_slice_mut() {
            for example in examples.chunks_exact_mut(n.max(1)) {
                for ((v, mu), sd) in example.iter_mut().zip(&self.mean).zip(&self.std) {
                    *v = (*v - mu) / sd;
                }
            }
            return;
        }
        for ((mut row, mu), sd) in x.axis_iter_mut(Axis(0)).zip(&self.mean).zip(&self.std) {
            row.mapv_inplace(|v| (v - mu) / sd);
        }
    }
}

/// A value of X too large for a model: its position, the value as read and
/// what standardising made of it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct TooLarge {
    /// Its feature (row of X).
    pub feature: usize,
    /// Its example (column of X).
    pub example: usize,
    /// The value as read.
    pub raw: f64,
    /// The value standardised (the same without standardisation).
    pub became: f64,
}

impl TooLarge {
    /// The error naming the value: `which` is the file and row ("in.csv: row
    /// 3"), `column` its feature ("column 'x1'"), `st` the statistics it was
    /// standardised with, `precision` the model's float type ("f32", "f64")
    /// and `fix` what to do ([`FIT_THE_MODEL`], [`FIT_THE_TYPE`]).
    pub(crate) fn error(
        &self,
        which: &str,
        column: &str,
        st: Option<&Standardization>,
        precision: &str,
        fix: &str,
    ) -> Error {
        let became = match st {
            Some(s) => format!(
                ", which the model's standardisation (mean {:e}, std {:e}) turns into {:e}",
                s.mean[self.feature], s.std[self.feature], self.became
            ),
            None => String::new(),
        };
        Error::Config(format!(
            "{which}, {column} is {:e}{became}: too large for the model's {precision} numbers \
             (at most {:e}); {fix}",
            self.raw,
            float_limit(precision)
        ))
    }
}

/// The fix for new data too large for a trained model.
pub(crate) const FIT_THE_MODEL: &str = "give values in the range of its training data";

/// The fix for training data too large for the float type it trains in.
pub(crate) const FIT_THE_TYPE: &str = concat!(
    "rescale the data, standardise it (",
    mark!("standardize"),
    ") or train with ",
    mark!("precision"),
    " f64"
);

/// The largest magnitude a model of `precision` ("f32" or "f64") computes with.
pub(crate) fn float_limit(precision: &str) -> f64 {
    if precision == "f32" {
        f64::from(f32::MAX)
    } else {
        f64::MAX
    }
}

/// Standardises X (n_x × m) with `st`, if any, once every value, standardised,
/// is finite and at most `limit` in magnitude (the largest value of the
/// model's float type): a value like 1e300 would otherwise reach the network
/// as ±∞ and come out as NaN probabilities. On the first value that is not
/// (in example order), X is left as it was.
pub(crate) fn standardize_within(
    x: &mut Array2<f64>,
    st: Option<&Standardization>,
    limit: f64,
) -> Result<(), TooLarge> {
    let logged = st.map_or_else(Vec::new, |s| s.logged(x.nrows()));
    let value = |f: usize, raw: f64| match st {
        Some(s) => {
            let v = if logged[f] { signed_log1p(raw) } else { raw };
            (v - s.mean[f]) / s.std[f]
        }
        None => raw,
    };
    for (example, column) in x.axis_iter(Axis(1)).enumerate() {
        for (feature, &raw) in column.iter().enumerate() {
            let became = value(feature, raw);
            if !became.is_finite() || became.abs() > limit {
                return Err(TooLarge {
                    feature,
                    example,
                    raw,
                    became,
                });
            }
        }
    }
    if let Some(s) = st {
        s.apply(x);
    }
    Ok(())
}

impl Dataset {
    /// Standardises X with its own statistics and records them in the
    /// preprocessing. A table's one-hot category features stay 0/1 (mean 0, std 1);
    /// with `log_above`, a table's other features whose |skewness| exceeds it
    /// are first read as sign(x)·ln(1 + |x|) ([`super::skew`]).
    /// Values so large that a statistic overflows (±1e308) are refused,
    /// naming the feature: standardised, they would all become 0 or NaN.
    pub fn standardize(&mut self, log_above: Option<f64>) -> Result<Standardization, Error> {
        let one_hot = (self.preprocessing.table.as_ref()).map(|t| t.one_hot_mask());
        let logged = match (&one_hot, log_above) {
            (Some(mask), Some(t)) => skewed_features(&self.x, mask, t),
            _ => Vec::new(),
        };
        log_features(&mut self.x, &logged);
        let mut s = Standardization::fit(&self.x);
        let overflow =
            (0..s.mean.len()).find(|&f| !(s.mean[f].is_finite() && s.std[f].is_finite()));
        if let Some(f) = overflow {
            return Err(Error::format(
                &self.source,
                format!(
                    "{}: the values are too large to standardise (their mean or standard \
                     deviation overflows); rescale that column",
                    self.preprocessing.column_name(f)
                ),
            ));
        }
        for (f, &one_hot) in one_hot.iter().flatten().enumerate() {
            if one_hot {
                (s.mean[f], s.std[f]) = (0.0, 1.0);
            }
        }
        s.scale(&mut self.x);
        s.signed_log = logged;
        s.log_above = log_above.filter(|_| one_hot.is_some());
        self.preprocessing.standardization = Some(s.clone());
        Ok(s)
    }

    /// Standardises X with `st`, the training set's statistics, if any, once
    /// every value, standardised, fits a model of `precision` ("f32", "f64");
    /// else refuses the first that does not, naming it by the file and its
    /// example (counted from 0 among those read; `part` says which part of
    /// the file, as " of the validation split", or is empty; `fix` what to
    /// do, as [`TooLarge::error`]'s), X as it was.
    pub(crate) fn standardize_for(
        &mut self,
        st: Option<&Standardization>,
        precision: &str,
        part: &str,
        fix: &str,
    ) -> Result<(), Error> {
        standardize_within(&mut self.x, st, float_limit(precision)).map_err(|t| {
            let which = format!("{}: example {}{part}", self.source.display(), t.example);
            let column = self.preprocessing.column_name(t.feature);
            t.error(&which, &column, st, precision, fix)
        })?;
        if let Some(s) = st {
            self.preprocessing.standardization = Some(s.clone());
        }
        Ok(())
    }
}

impl Preprocessing {
    /// Raw inputs handed over in memory (X, n_x × m, one example per column)
    /// made into the network's inputs as the training data was: scaled
    /// (pixels × 1/255) and standardised, once every value fits a model of
    /// `precision` ("f32", "f64"); else the first that does not is refused,
    /// named as "`source`: row j" and by its column.
    pub fn prepare_array(
        &self,
        x: &mut Array2<f64>,
        source: &str,
        precision: &str,
    ) -> Result<(), Error> {
        if self.scale != 1.0 {
            x.mapv_inplace(|v| v * self.scale);
        }
        let st = self.standardization.as_ref();
        standardize_within(x, st, float_limit(precision)).map_err(|t| {
            let which = format!("{source}: row {}", t.example);
            t.error(
                &which,
                &self.column_name(t.feature),
                st,
                precision,
                FIT_THE_MODEL,
            )
        })
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

    /// X as the readers lay it out (each example contiguous) gets, example
    /// by example, the bits of the feature-by-feature sums.
    #[test]
    fn contiguous_examples_give_the_row_sums_bits() {
        use ndarray::ShapeBuilder;
        let (n, m) = (5, 1001);
        let mut seed = 12345u64;
        let values: Vec<f64> = (0..n * m)
            .map(|_| {
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                ((seed >> 11) as f64 / (1u64 << 53) as f64 - 0.3) * 1e3 / 7.0
            })
            .collect();
        let x = Array2::from_shape_vec((n, m).f(), values).unwrap();
        let s = Standardization::fit(&x);
        let mut applied = x.clone();
        s.apply(&mut applied);
        for (f, row) in x.axis_iter(Axis(0)).enumerate() {
            let mu = row.sum() / m as f64;
            let var = row.iter().map(|v| (v - mu).powi(2)).sum::<f64>() / m as f64;
            assert_eq!(s.mean[f].to_bits(), mu.to_bits());
            assert_eq!(s.std[f].to_bits(), var.sqrt().to_bits());
            for (j, v) in row.iter().enumerate() {
                assert_eq!(applied[(f, j)].to_bits(), ((v - mu) / var.sqrt()).to_bits());
            }
        }
    }

    #[test]
    fn values_standardised_beyond_the_limit_are_named_and_x_kept() {
        let st = Standardization {
            mean: vec![0.0, 1.0],
            std: vec![0.5, 1.0],
            signed_log: Vec::new(),
            log_above: None,
        };
        let mut x = array![[1.0, 1e308], [2.0, 3.0]];
        let e = standardize_within(&mut x, Some(&st), f64::MAX).unwrap_err();
        assert_eq!((e.feature, e.example, e.raw), (0, 1, 1e308));
        assert_eq!(e.became, f64::INFINITY);
        assert_eq!(x[(0, 1)], 1e308, "X is left as it was");
        // Finite in f64 but beyond an f32 model's range, standardised or not.
        let mut x = array![[1e39]];
        assert!(standardize_within(&mut x.clone(), None, f64::MAX).is_ok());
        assert!(standardize_within(&mut x, None, f64::from(f32::MAX)).is_err());
        let mut x = array![[1.0, 2.0], [1.0, 3.0]];
        standardize_within(&mut x, Some(&st), f64::from(f32::MAX)).unwrap();
        assert_eq!(x, array![[2.0, 4.0], [0.0, 2.0]]);
    }

    #[test]
    fn the_fix_names_settings_by_their_marks() {
        let flag = |s: crate::Setting| format!("--{}", s.key());
        assert_eq!(
            crate::Setting::render(FIT_THE_TYPE, &flag),
            "rescale the data, standardise it (--standardize) or train with --precision f64"
        );
    }
}
