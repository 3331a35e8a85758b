//! The skew rule of a table's preparation: a numeric column whose values in
//! the training set are strongly skewed (|skewness| above a threshold: counts,
//! amounts, durations with a long tail) is read as sign(x)·ln(1 + |x|) before
//! it is standardised, so that its few huge values do not squeeze the others
//! into a sliver around the mean. Which columns were transformed is decided
//! once, on the training set, and stored in the model (the standardisation's
//! `signed_log`), so every later use transforms the same columns.

use ndarray::{Array2, Axis};

/// The |skewness| above which a table's numeric column is log-transformed
/// by default (measured on public tables: docs/DEFAULTS.md §5).
pub const DEFAULT_SKEW_THRESHOLD: f64 = 2.0;

/// sign(x)·ln(1 + |x|): monotone, 0 at 0, odd, about x near 0 and ln|x| far out.
pub fn signed_log1p(x: f64) -> f64 {
    x.signum() * x.abs().ln_1p()
}

/// The sample skewness of `values`, m₃ / m₂^{3/2} (the moments about the
/// mean, divided by the count: scipy's `skew`, bias uncorrected); 0 for a
/// constant or empty column.
pub fn skewness<'a>(values: impl Iterator<Item = &'a f64> + Clone) -> f64 {
    let (count, sum) = values
        .clone()
        .fold((0usize, 0.0), |(n, s), v| (n + 1, s + v));
    if count == 0 {
        return 0.0;
    }
    let mean = sum / count as f64;
    let (m2, m3) = values.fold((0.0, 0.0), |(m2, m3), v| {
        let d = v - mean;
        (m2 + d * d, m3 + d * d * d)
    });
    let (m2, m3) = (m2 / count as f64, m3 / count as f64);
    if m2 > 0.0 && m2.is_finite() && m3.is_finite() {
        m3 / m2.powf(1.5)
    } else {
        0.0
    }
}

/// The features (rows of X, n_x × m) to log-transform: those not masked out
/// (`skip[f]`: a category's 0/1 feature) whose |skewness| exceeds `threshold`.
pub(crate) fn skewed_features(x: &Array2<f64>, skip: &[bool], threshold: f64) -> Vec<usize> {
    (x.axis_iter(Axis(0)).enumerate())
        .filter(|(f, _)| !skip.get(*f).copied().unwrap_or(false))
        .filter(|(_, row)| skewness(row.iter()).abs() > threshold)
        .map(|(f, _)| f)
        .collect()
}

/// Applies [`signed_log1p`] to the rows `features` of X in place.
pub(crate) fn log_features(x: &mut Array2<f64>, features: &[usize]) {
    for &f in features {
        x.row_mut(f).mapv_inplace(signed_log1p);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    /// A run recorded before the transform existed (its options lack
    /// `log_skewed`) resumes without it; one recorded with it keeps its threshold.
    #[test]
    fn options_recorded_without_a_threshold_read_as_off() {
        use crate::data::LoadOptions;
        let mut v = serde_json::to_value(LoadOptions::default()).unwrap();
        assert_eq!(v["log_skewed"], serde_json::json!(DEFAULT_SKEW_THRESHOLD));
        let back: LoadOptions = serde_json::from_value(v.clone()).unwrap();
        assert_eq!(back.log_above().unwrap(), Some(DEFAULT_SKEW_THRESHOLD));
        v.as_object_mut().unwrap().remove("log_skewed");
        let old: LoadOptions = serde_json::from_value(v).unwrap();
        assert_eq!(old.log_above().unwrap(), None);
        let off = LoadOptions {
            log_skewed: None,
            ..LoadOptions::default()
        };
        let text = serde_json::to_string(&off).unwrap();
        let back: LoadOptions = serde_json::from_str(&text).unwrap();
        assert_eq!(back.log_above().unwrap(), None);
    }

    #[test]
    fn signed_log1p_is_odd_monotone_and_zero_at_zero() {
        assert_eq!(signed_log1p(0.0), 0.0);
        assert_eq!(signed_log1p(std::f64::consts::E - 1.0), 1.0);
        assert_eq!(signed_log1p(-3.0), -signed_log1p(3.0));
        assert!(signed_log1p(1e308).is_finite());
        let xs = [-1e6, -5.0, -0.5, 0.0, 1e-9, 2.0, 1e9];
        assert!(xs
            .windows(2)
            .all(|w| signed_log1p(w[0]) < signed_log1p(w[1])));
    }

    #[test]
    fn skewness_matches_the_moment_formula() {
        // 0, 0, 0, 4: mean 1, m2 = (1+1+1+9)/4 = 3, m3 = (−1−1−1+27)/4 = 6.
        let v = [0.0, 0.0, 0.0, 4.0];
        assert!((skewness(v.iter()) - 6.0 / 3f64.powf(1.5)).abs() < 1e-12);
        assert_eq!(skewness([1.0, 2.0, 3.0].iter()), 0.0, "symmetric");
        assert_eq!(skewness([5.0, 5.0].iter()), 0.0, "constant");
        assert_eq!(skewness([].iter()), 0.0, "empty");
        let mirrored: Vec<f64> = v.iter().map(|x| -x).collect();
        assert_eq!(skewness(mirrored.iter()), -skewness(v.iter()));
    }

    #[test]
    fn only_unmasked_features_past_the_threshold_are_chosen() {
        // Row 0: a long right tail; row 1: symmetric; row 2: the same tail, masked;
        // row 3: a long left tail.
        let x = array![
            [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 100.0],
            [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0],
            [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 100.0],
            [-100.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0],
        ];
        let skip = [false, false, true, false];
        assert_eq!(skewed_features(&x, &skip, 2.0), vec![0, 3]);
        assert_eq!(skewed_features(&x, &skip, 3.0), Vec::<usize>::new());
        let mut y = x.clone();
        log_features(&mut y, &[0, 3]);
        assert_eq!(y[(0, 7)], 101f64.ln());
        assert_eq!(y[(3, 0)], -101f64.ln());
        assert_eq!(y.row(1), x.row(1), "others untouched");
    }
}
