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
