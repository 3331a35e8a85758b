//! What a non-finite cost most likely means, for [`Error::Diverged`]'s one
//! line: features far beyond standardised data's scale (a table trained with
//! `--no-standardize`, a value like 1e308) overflow the first layer's sums
//! whatever the learning rate; an L2 strength so large (1e308) that its term
//! λ/(2m)·‖W‖² overflows on finite weights; otherwise the steps were too
//! large. (An L2 strength that makes gradient descent or momentum diverge is
//! refused before training: `GdConfig::validate_for_examples`.)

use ndarray::ArrayView2;

use crate::error::Error;
use crate::linalg::Float;
use crate::setting::{compact, Setting};
use crate::train::GdConfig;

/// The largest |feature| standardised data plausibly holds (an outlier a
/// thousand standard deviations out); beyond it the features are named as
/// the likely cause.
const LARGE_FEATURE: f64 = 1e3;

/// The error for a cost `cost` that is not finite at `iteration`, training
/// with `config` on X (n_x × m) weights whose squares sum to `weights_sq`
/// (‖W‖²), its cause diagnosed from X, the weights and the config.
pub(crate) fn diagnose<T: Float>(
    config: &GdConfig,
    x: ArrayView2<'_, T>,
    weights_sq: f64,
    iteration: usize,
    cost: f64,
) -> Error {
    let bits = std::mem::size_of::<T>() * 8;
    let l2_overflows = l2_overflows(config.l2, weights_sq, x.ncols());
    Error::Diverged {
        iteration,
        cost,
        cause: cause(config, largest_feature(x), bits, l2_overflows),
    }
}

/// [`diagnose`] for a sparse X (`largest`: its largest |x| and that feature, from 1).
pub(crate) fn diagnose_sparse<T: Float>(
    config: &GdConfig,
    (largest, m): ((f64, usize), usize),
    weights_sq: f64,
    iteration: usize,
    cost: f64,
) -> Error {
    let bits = std::mem::size_of::<T>() * 8;
    let l2_overflows = l2_overflows(config.l2, weights_sq, m);
    Error::Diverged {
        iteration,
        cost,
        cause: cause(config, largest, bits, l2_overflows),
    }
}

/// Whether the L2 term overflows on its own: finite weights (‖W‖² =
/// `weights_sq`) whose term, summed over the `m` examples, passes f64's range.
fn l2_overflows(l2: f64, weights_sq: f64, m: usize) -> bool {
    l2 > 0.0 && weights_sq.is_finite() && !(l2 * weights_sq * m.max(1) as f64).is_finite()
}

/// The largest |x| in X, and the feature (row, from 1) that holds it.
fn largest_feature<T: Float>(x: ArrayView2<'_, T>) -> (f64, usize) {
    x.indexed_iter()
        .map(|((row, _), v)| (v.to_f64().unwrap_or(f64::INFINITY).abs(), row + 1))
        .fold((0.0, 0), |best, (v, row)| {
            if v > best.0 || v.is_nan() {
                (v, row)
            } else {
                best
            }
        })
}

/// The cause's text: the features when they are huge (or beyond the element
/// type's range), else the learning rate.
fn cause(
    config: &GdConfig,
    (largest, feature): (f64, usize),
    bits: usize,
    l2_overflows: bool,
) -> String {
    let rate = format!(
        "try a smaller learning rate ({} {})",
        Setting::LearningRate,
        compact(config.learning_rate)
    );
    if !largest.is_finite() {
        return format!(
            "feature {feature} holds a value beyond f{bits}'s range: rescale the data \
             (or {} it, or train with {} f64)",
            Setting::Standardize,
            Setting::Precision
        );
    }
    if l2_overflows {
        return format!(
            "{l2} {} is so large that the L2 term λ/(2m)·‖W‖² overflows the cost on finite weights: \
             take a far smaller {l2} (past about 1e6 the penalty outweighs any data's cost)",
            compact(config.l2),
            l2 = Setting::L2,
        );
    }
    if largest > LARGE_FEATURE {
        return format!(
            "the features reach |x| = {largest:e} (feature {feature}), far beyond standardised data's scale, \
             and overflow the network's sums: standardise them ({}) or rescale the data; else {rate}",
            Setting::Standardize
        );
    }
    rate
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    fn message(x: ndarray::Array2<f64>) -> String {
        diagnose(&GdConfig::default(), x.view(), 1.0, 0, f64::NAN).to_string()
    }

    #[test]
    fn an_l2_term_that_overflows_on_finite_weights_names_l2() {
        let config = GdConfig {
            l2: 1e308,
            ..GdConfig::default()
        };
        let x = array![[1.0, -2.5], [0.3, 4.0]];
        let m = diagnose(&config, x.view(), 3.0, 2, f64::INFINITY).to_string();
        assert!(
            m.starts_with(
                "the cost became inf at iteration 2; l2 1e308 is so large that the L2 term"
            ),
            "{m}"
        );
        // Weights that overflowed themselves: the steps were too large, whatever λ.
        let m = diagnose(&config, x.view(), f64::INFINITY, 2, f64::NAN).to_string();
        assert!(m.contains("try a smaller learning rate"), "{m}");
        // A modest λ leaves the learning rate as the cause.
        let config = GdConfig {
            l2: 10.0,
            ..GdConfig::default()
        };
        let m = diagnose(&config, x.view(), 3.0, 2, f64::NAN).to_string();
        assert!(m.contains("try a smaller learning rate"), "{m}");
    }

    #[test]
    fn huge_features_are_named_before_the_learning_rate() {
        let m = message(array![[1.0, 2.0], [3.0, -1e308]]);
        assert!(
            m.starts_with(
                "the cost became NaN at iteration 0; the features reach |x| = 1e308 (feature 2)"
            ),
            "{m}"
        );
        assert!(m.contains("standardise them (standardize)"), "{m}");
        let m = message(array![[1.0, f64::INFINITY]]);
        assert!(
            m.contains("feature 1 holds a value beyond f64's range"),
            "{m}"
        );
    }

    #[test]
    fn features_on_a_standardised_scale_leave_the_learning_rate() {
        let m = message(array![[1.0, -2.5], [0.3, 40.0]]);
        assert_eq!(
            m,
            "the cost became NaN at iteration 0; try a smaller learning rate (learning_rate 0.0075)"
        );
    }
}
