//! The output layer and its loss, as one type: [`Output::Sigmoid`] (one unit,
//! two classes, binary cross-entropy), [`Output::Softmax`] (K ≥ 2 units,
//! K classes, categorical cross-entropy) or [`Output::Sigmoids`] (K
//! independent sigmoid units, K yes/no labels per example: multi-label, the
//! binary cross-entropies summed over the units), each computed stably from
//! the logits Z\[L\], and the dZ\[L\] = A\[L\] − Y they share.
//!
//! J = −(1/m)·Σ[y·ln a + (1−y)·ln(1−a)] with a = σ(z) equals
//! (1/m)·Σ[max(z, 0) − z·y + ln(1 + e^(−|z|))], which never takes the log of 0:
//! a saturated unit (|z| = 800) gives a finite cost, not NaN or ∞.
//! With a sigmoid output, dZ\[L\] = A\[L\] − Y (the notes' simplification of
//! dA\[L\] ⊙ σ′(Z\[L\])).

use ndarray::{Array2, ArrayView2};

use crate::linalg::{dispatch, Float};

/// The output layer: its activation and the cross-entropy that goes with it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Output {
    /// One sigmoid unit, P(y = 1 | x); binary cross-entropy; Y is 1 × m of 0/1.
    Sigmoid,
    /// A softmax over K ≥ 2 units, P(class k | x); categorical cross-entropy; Y is one-hot K × m.
    Softmax,
    /// K ≥ 1 independent sigmoid units, P(label k | x) each (multi-label);
    /// J = −(1/m)·Σ_examples Σ_k [y·ln a + (1−y)·ln(1−a)]; Y is K × m of 0/1.
    /// A network gets it by [`crate::Network::set_output`], never from its unit count.
    Sigmoids,
}

impl Output {
    /// The output for a network with `units` output units: one is a sigmoid, more a softmax.
    pub fn for_units(units: usize) -> Self {
        if units == 1 {
            Output::Sigmoid
        } else {
            Output::Softmax
        }
    }

    /// The output units for `classes` classes: 1 for two (a sigmoid), else K (a softmax).
    pub fn units_for_classes(classes: usize) -> usize {
        if classes > 2 {
            classes
        } else {
            1
        }
    }

    /// The name model.json and `--explain` use.
    pub fn name(self) -> &'static str {
        match self {
            Output::Sigmoid => "sigmoid",
            Output::Softmax => "softmax",
            Output::Sigmoids => "sigmoids",
        }
    }

    /// J from the logits Z\[L\] (1 × m or K × m) against Y, accumulated in f64.
    pub fn cost<T: Float>(self, z: ArrayView2<'_, T>, y: ArrayView2<'_, T>) -> f64 {
        match self {
            Output::Sigmoid => bce_cost(z.iter().copied(), y.iter().copied()),
            Output::Softmax => softmax_cost(z, y),
            Output::Sigmoids => bce_sum(z.iter().copied(), y.iter().copied()) / z.ncols() as f64,
        }
    }

    /// The probabilities A\[L\] from the logits Z\[L\]: σ element by element, or a softmax per column.
    pub fn probabilities<T: Float>(self, z: ArrayView2<'_, T>) -> Array2<T> {
        match self {
            Output::Sigmoid | Output::Sigmoids => z.mapv(crate::activation::sigmoid),
            Output::Softmax => {
                let mut a = Array2::zeros(z.dim());
                softmax_columns(z, a.view_mut());
                a
            }
        }
    }
}

/// One example's loss −[y·ln σ(z) + (1−y)·ln(1−σ(z))], from the logit z, in f64.
#[inline(always)]
pub fn bce_from_logit(z: f64, y: f64) -> f64 {
    z.max(0.0) - z * y + (-z.abs()).exp().ln_1p()
}

/// The summed loss over matching slices of logits and labels, accumulated in f64.
pub fn bce_sum<T: Float>(z: impl IntoIterator<Item = T>, y: impl IntoIterator<Item = T>) -> f64 {
    z.into_iter()
        .zip(y)
        .map(|(z, y)| bce_from_logit(z.as_f64(), y.as_f64()))
        .sum()
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

/// dZ = A − Y over matching slices: dZ\[L\] of either output (σ or softmax with its cross-entropy).
pub fn output_dz<T: Float>(dz: &mut [T], a: &[T], y: &[T]) {
    assert!(dz.len() == a.len() && a.len() == y.len());
    dispatch!(avx2, output_dz_body, (dz: &mut [T], a: &[T], y: &[T]))
}

#[inline(always)]
fn output_dz_body<T: Float>(dz: &mut [T], a: &[T], y: &[T]) {
    for ((dz, &a), &y) in dz.iter_mut().zip(a).zip(y) {
        *dz = a - y;
    }
}

/// Σ (|z|·(1 + |y|) + 1) in f64: a bound on the magnitude of the cost's sum
/// (each example's loss is at most |z|·(1 + |y|) + ln 2), NaN when some z or y
/// is NaN. One pass of adds and multiplies, where the cost takes two logs and an
/// exp a value.
pub fn cost_bound<T: Float>(z: &[T], y: &[T]) -> f64 {
    assert_eq!(z.len(), y.len());
    dispatch!(avx2, cost_bound_body, (z: &[T], y: &[T]) -> f64)
}

#[inline(always)]
fn cost_bound_body<T: Float>(z: &[T], y: &[T]) -> f64 {
    let term = |z: T, y: T| z.as_f64().abs().mul_add(1.0 + y.as_f64().abs(), 1.0);
    let mut acc = [0.0f64; 8];
    let (zc, yc) = (z.chunks_exact(8), y.chunks_exact(8));
    let tail: f64 = zc
        .remainder()
        .iter()
        .zip(yc.remainder())
        .map(|(&z, &y)| term(z, y))
        .sum();
    for (zc, yc) in zc.zip(yc) {
        for ((s, &z), &y) in acc.iter_mut().zip(zc).zip(yc) {
            *s += term(z, y);
        }
    }
    acc.iter().sum::<f64>() + tail
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
