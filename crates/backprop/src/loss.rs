//! Binary cross-entropy, computed stably from the logits, and the output's dZ.
//!
//! J = −(1/m)·Σ[y·ln a + (1−y)·ln(1−a)] with a = σ(z) equals
//! (1/m)·Σ[max(z, 0) − z·y + ln(1 + e^(−|z|))], which never takes the log of 0:
//! a saturated unit (|z| = 800) gives a finite cost, not NaN or ∞.
//! With a sigmoid output, dZ[L] = A[L] − Y (the notes' simplification of
//! dA[L] ⊙ σ′(Z[L])).

use crate::linalg::Float;

/// One example's loss −[y·ln σ(z) + (1−y)·ln(1−σ(z))], from the logit z, in f64.
#[inline(always)]
pub fn bce_from_logit(z: f64, y: f64) -> f64 {
    z.max(0.0) - z * y + (-z.abs()).exp().ln_1p()
}

/// The mean loss over matching slices of logits and labels, accumulated in f64.
pub fn bce_cost<T: Float>(z: impl IntoIterator<Item = T>, y: impl IntoIterator<Item = T>) -> f64 {
    let mut sum = 0.0;
    let mut m = 0usize;
    for (z, y) in z.into_iter().zip(y) {
        sum += bce_from_logit(z.as_f64(), y.as_f64());
        m += 1;
    }
    sum / m as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_notes_formula_where_that_is_finite() {
        for (z, y) in [(0.3, 1.0), (-2.0, 0.0), (4.0, 0.0), (-1.5, 0.25)] {
            let a = 1.0 / (1.0 + f64::exp(-z));
            let naive = -(y * f64::ln(a) + (1.0 - y) * f64::ln(1.0 - a));
            assert!((bce_from_logit(z, y) - naive).abs() < 1e-14);
        }
    }

    #[test]
    fn saturated_logits_give_finite_cost() {
        // σ(±800) rounds to exactly 0 or 1, where the notes' formula gives ∞ or NaN.
        assert_eq!(bce_from_logit(800.0, 1.0), 0.0);
        assert_eq!(bce_from_logit(-800.0, 0.0), 0.0);
        assert_eq!(bce_from_logit(800.0, 0.0), 800.0);
        assert_eq!(bce_from_logit(-800.0, 1.0), 800.0);
        let c = bce_cost([800.0f32, -800.0], [0.0f32, 1.0]);
        assert_eq!(c, 800.0);
    }
}

/// Softmax of each column of Z, written into A: a_k = e^(z_k − max z) / Σ_j e^(z_j − max z).
pub fn softmax_columns<T: Float>(
    z: ndarray::ArrayView2<'_, T>,
    mut a: ndarray::ArrayViewMut2<'_, T>,
) {
    for (zc, mut ac) in z.columns().into_iter().zip(a.columns_mut()) {
        let max = zc.iter().copied().fold(T::neg_infinity(), T::max);
        let mut sum = T::zero();
        for (a, &z) in ac.iter_mut().zip(zc.iter()) {
            *a = (z - max).exp();
            sum += *a;
        }
        for a in ac.iter_mut() {
            *a /= sum;
        }
    }
}

/// Categorical cross-entropy −(1/m)·Σ_columns Σ_k y_k·ln softmax(z)_k, from the
/// logits by log-sum-exp (never the log of 0), accumulated in f64.
pub fn softmax_cost<T: Float>(z: ndarray::ArrayView2<'_, T>, y: ndarray::ArrayView2<'_, T>) -> f64 {
    let m = z.ncols();
    let mut sum = 0.0;
    for (zc, yc) in z.columns().into_iter().zip(y.columns()) {
        let max = zc
            .iter()
            .map(|v| v.as_f64())
            .fold(f64::NEG_INFINITY, f64::max);
        let lse = max
            + zc.iter()
                .map(|v| (v.as_f64() - max).exp())
                .sum::<f64>()
                .ln();
        sum += zc
            .iter()
            .zip(yc.iter())
            .map(|(z, y)| y.as_f64() * (lse - z.as_f64()))
            .sum::<f64>();
    }
    sum / m as f64
}

#[cfg(test)]
mod softmax_tests {
    use super::*;
    use ndarray::{array, Array2};

    #[test]
    fn softmax_of_large_logits_is_finite_and_sums_to_1() {
        let z = array![[1000.0, -5.0], [999.0, -5.0], [0.0, -5.0]];
        let mut a = Array2::<f64>::zeros((3, 2));
        softmax_columns(z.view(), a.view_mut());
        assert!((a.column(0).sum() - 1.0).abs() < 1e-15);
        assert!((a[(0, 0)] - 1.0 / (1.0 + (-1.0f64).exp())).abs() < 1e-15);
        assert!((a[(0, 1)] - 1.0 / 3.0).abs() < 1e-15);
        let y = array![[0.0, 1.0], [0.0, 0.0], [1.0, 0.0]];
        let c = softmax_cost(z.view(), y.view());
        // column 0: lse − z_2 = 1000 + ln(1 + e^−1) − 0; column 1: ln 3.
        let want = (1000.0 + (1.0 + (-1.0f64).exp()).ln() + 3.0f64.ln()) / 2.0;
        assert!((c - want).abs() < 1e-12, "{c} vs {want}");
    }
}
