//! Fast, branch-free e^x, σ and tanh for the activations' row kernels.
//!
//! libm's `tanh` costs ≈15 ns a value here (1600 of them are most of the
//! flower net's iteration), so σ and tanh use the branch-free [`exp`] and
//! [`tanh`] below, which the compiler vectorises. The row kernels that call
//! them are compiled twice (baseline and AVX2+FMA) and picked at run time;
//! both give the same bits, because the kernels use fused multiply-adds
//! explicitly (`mul_add`) and nothing else the compiler may contract. f32
//! rows have their own kernels (lower-degree polynomials, 8 lanes a register).
//!
//! Accuracy (tested below against libm over 10⁶ points): [`exp`] within 1 ulp,
//! [`tanh`] within 3 ulp, [`sigmoid`] within 5·10⁻¹⁶ relative.

use crate::linalg::Float;

const LOG2E: f64 = std::f64::consts::LOG2_E;
/// ln 2 split so that k·LN2_HI is exact for |k| < 2²⁰ (fdlibm's split).
const LN2_HI: f64 = f64::from_bits(0x3fe6_2e42_fee0_0000);
const LN2_LO: f64 = f64::from_bits(0x3dea_39ef_3579_3c76);
/// 1.5·2⁵²: adding it rounds a float to an integer, which then sits in the low bits.
const SHIFTER: f64 = 6_755_399_441_055_744.0;

/// e^r − 1 for |r| ≤ ln2/2: r + r²·Σ rⁿ⁻²/n! (n = 2…14; the next term is below 2⁻⁶⁰·|r|).
#[inline(always)]
fn expm1_reduced(r: f64) -> f64 {
    const C: [f64; 13] = [
        1.0 / 2.0,
        1.0 / 6.0,
        1.0 / 24.0,
        1.0 / 120.0,
        1.0 / 720.0,
        1.0 / 5040.0,
        1.0 / 40320.0,
        1.0 / 362880.0,
        1.0 / 3628800.0,
        1.0 / 39916800.0,
        1.0 / 479001600.0,
        1.0 / 6227020800.0,
        1.0 / 87178291200.0,
    ];
    let mut q = C[12];
    for &c in C[..12].iter().rev() {
        q = q.mul_add(r, c);
    }
    (r * r).mul_add(q, r)
}

/// Splits x = k·ln2 + r with k an integer and |r| ≤ ln2/2; returns (k, r). x must be finite and |x| < 2⁵⁰.
#[inline(always)]
fn reduce(x: f64) -> (i64, f64) {
    let t = x.mul_add(LOG2E, SHIFTER);
    let kf = t - SHIFTER;
    let k = t.to_bits() as i64 - SHIFTER.to_bits() as i64;
    let r = kf.mul_add(-LN2_HI, x);
    (k, kf.mul_add(-LN2_LO, r))
}

/// 2ᵏ for −1022 ≤ k ≤ 1023.
#[inline(always)]
fn pow2(k: i64) -> f64 {
    f64::from_bits(((k + 1023) as u64) << 52)
}

/// e^x, branch-free. Overflows to ∞ above ln(f64::MAX); returns 0 below −707
/// (where e^x < 10⁻³⁰⁷, too small to change 1 + e^x, the only use here); NaN stays NaN.
#[inline(always)]
pub fn exp(x: f64) -> f64 {
    const HI: f64 = 709.782_712_893_384;
    const LO: f64 = -707.0;
    let xc = x.clamp(LO, HI);
    let (k, r) = reduce(xc);
    // 2^(k−1)·(1 + em)·2 keeps the scale normal for k = 1024.
    let s = pow2(k - 1);
    let e = s.mul_add(expm1_reduced(r), s) * 2.0;
    if x > HI {
        f64::INFINITY
    } else if x < LO {
        0.0
    } else {
        e
    }
}

/// σ(z) = 1 / (1 + e^(−z)), as the course writes it; 0 or 1 when saturated, never NaN for non-NaN z.
#[inline(always)]
pub fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + exp(-z))
}

/// tanh(x) = −t/(t + 2) with t = e^(−2|x|) − 1, signed as x (glibc's form for
/// |x| < 1, used for all x: one branch-free path, exact ±1 beyond |x| ≈ 19).
#[inline(always)]
pub fn tanh(x: f64) -> f64 {
    let y = -2.0 * x.abs();
    let y = if y < -40.0 { -40.0 } else { y };
    let (k, r) = reduce(y);
    let s = pow2(k);
    let t = s.mul_add(expm1_reduced(r), s - 1.0);
    (-t / (t + 2.0)).copysign(x)
}

const SHIFTER_F32: f32 = 12_582_912.0;
/// ln 2 split so that k·LN2_HI_F32 is exact for |k| < 2¹² (Cephes' split).
const LN2_HI_F32: f32 = f32::from_bits(0x3f31_8000);
const LN2_LO_F32: f32 = -2.121_944_4e-4;

/// e^r − 1 for |r| ≤ ln2/2 in f32: r + r²·Σ rⁿ⁻²/n! (n = 2…7; the next term is below 2⁻²⁶·|r|).
#[inline(always)]
fn expm1_reduced_f32(r: f32) -> f32 {
    const C: [f32; 6] = [
        1.0 / 2.0,
        1.0 / 6.0,
        1.0 / 24.0,
        1.0 / 120.0,
        1.0 / 720.0,
        1.0 / 5040.0,
    ];
    let mut q = C[5];
    for &c in C[..5].iter().rev() {
        q = q.mul_add(r, c);
    }
    (r * r).mul_add(q, r)
}

/// [`reduce`] in f32, for |x| < 2²⁰.
#[inline(always)]
fn reduce_f32(x: f32) -> (i32, f32) {
    let t = x.mul_add(std::f32::consts::LOG2_E, SHIFTER_F32);
    let kf = t - SHIFTER_F32;
    let k = t.to_bits() as i32 - SHIFTER_F32.to_bits() as i32;
    let r = kf.mul_add(-LN2_HI_F32, x);
    (k, kf.mul_add(-LN2_LO_F32, r))
}

/// 2ᵏ in f32 for −126 ≤ k ≤ 127.
#[inline(always)]
fn pow2_f32(k: i32) -> f32 {
    f32::from_bits(((k + 127) as u32) << 23)
}

/// [`exp`] in f32: ∞ above ln(f32::MAX), 0 below −86 (where e^x < 10⁻³⁷).
#[inline(always)]
pub fn exp_f32(x: f32) -> f32 {
    const HI: f32 = 88.722_83;
    const LO: f32 = -86.0;
    let (k, r) = reduce_f32(x.clamp(LO, HI));
    let s = pow2_f32(k - 1);
    let e = s.mul_add(expm1_reduced_f32(r), s) * 2.0;
    if x > HI {
        f32::INFINITY
    } else if x < LO {
        0.0
    } else {
        e
    }
}

/// [`sigmoid`] in f32.
#[inline(always)]
pub fn sigmoid_f32(z: f32) -> f32 {
    1.0 / (1.0 + exp_f32(-z))
}

/// [`tanh`] in f32 (exact ±1 beyond |x| ≈ 9).
#[inline(always)]
pub fn tanh_f32(x: f32) -> f32 {
    let y = -2.0 * x.abs();
    let y = if y < -20.0 { -20.0 } else { y };
    let (k, r) = reduce_f32(y);
    let s = pow2_f32(k);
    let t = s.mul_add(expm1_reduced_f32(r), s - 1.0);
    (-t / (t + 2.0)).copysign(x)
}

/// tanh in the value's own precision: f32 uses the f32 kernel (8 lanes a register).
#[inline(always)]
pub(crate) fn tanh_t<T: Float>(z: T) -> T {
    if std::mem::size_of::<T>() == 4 {
        T::cast(f64::from(tanh_f32(z.as_f64() as f32)))
    } else {
        T::cast(tanh(z.as_f64()))
    }
}

/// σ in the value's own precision.
#[inline(always)]
pub(crate) fn sigmoid_t<T: Float>(z: T) -> T {
    if std::mem::size_of::<T>() == 4 {
        T::cast(f64::from(sigmoid_f32(z.as_f64() as f32)))
    } else {
        T::cast(sigmoid(z.as_f64()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ulps(a: f64, b: f64) -> u64 {
        if a == b {
            return 0;
        }
        let (ia, ib) = (a.to_bits() as i64, b.to_bits() as i64);
        (ia - ib).unsigned_abs()
    }

    /// 10⁶ points spread over [−lim, lim], denser near 0.
    fn points(lim: f64) -> impl Iterator<Item = f64> {
        (0..1_000_000).map(move |i| {
            let u = i as f64 / 1_000_000.0 * 2.0 - 1.0;
            u * u * u * lim
        })
    }

    #[test]
    fn exp_is_within_1_ulp_of_libm() {
        let worst = points(700.0).map(|x| ulps(exp(x), x.exp())).max().unwrap();
        assert!(worst <= 1, "worst {worst} ulp");
        assert_eq!(exp(710.0), f64::INFINITY);
        assert_eq!(exp(-800.0), 0.0);
        assert!(exp(f64::NAN).is_nan());
        assert_eq!(exp(0.0), 1.0);
    }

    #[test]
    fn tanh_is_within_3_ulp_of_libm() {
        let worst = points(25.0).map(|x| ulps(tanh(x), x.tanh())).max().unwrap();
        assert!(worst <= 3, "worst {worst} ulp");
        assert_eq!(tanh(0.0).to_bits(), 0.0f64.to_bits());
        assert_eq!(tanh(-0.0).to_bits(), (-0.0f64).to_bits());
        assert_eq!(tanh(1e-300), 1e-300);
        assert_eq!(tanh(30.0), 1.0);
        assert_eq!(tanh(f64::NEG_INFINITY), -1.0);
        assert!(tanh(f64::NAN).is_nan());
    }

    #[test]
    fn sigmoid_is_within_5e_16_of_the_libm_formula_and_saturates() {
        // Not ulps: below 2⁻⁵³ the spacing halves, and 1 + e^(−z) rounds there.
        let worst = points(40.0)
            .map(|x| {
                let want = 1.0 / (1.0 + (-x).exp());
                (sigmoid(x) - want).abs() / want
            })
            .fold(0.0, f64::max);
        assert!(worst <= 5e-16, "worst relative error {worst:e}");
        assert_eq!(sigmoid(-800.0), 0.0);
        assert_eq!(sigmoid(800.0), 1.0);
        assert!(sigmoid(f64::NAN).is_nan());
    }

    fn ulps32(a: f32, b: f32) -> u32 {
        if a == b {
            return 0;
        }
        (a.to_bits() as i32 - b.to_bits() as i32).unsigned_abs()
    }

    #[test]
    fn f32_kernels_are_within_2_ulp_of_f64_rounded() {
        let worst = points(12.0)
            .map(|x| {
                let x = x as f32;
                ulps32(tanh_f32(x), (f64::from(x).tanh()) as f32)
            })
            .max()
            .unwrap();
        assert!(worst <= 2, "tanh: worst {worst} ulp");
        let worst = points(80.0)
            .map(|x| {
                let x = x as f32;
                ulps32(exp_f32(x), f64::from(x).exp() as f32)
            })
            .max()
            .unwrap();
        assert!(worst <= 2, "exp: worst {worst} ulp");
        let worst = points(30.0)
            .map(|x| {
                let x = x as f32;
                let want = 1.0 / (1.0 + (-f64::from(x)).exp());
                (f64::from(sigmoid_f32(x)) - want).abs() / want
            })
            .fold(0.0, f64::max);
        assert!(worst <= 4e-7, "sigmoid: worst relative error {worst:e}");
        assert_eq!(tanh_f32(15.0), 1.0);
        assert_eq!(sigmoid_f32(-200.0), 0.0);
        assert_eq!(sigmoid_f32(200.0), 1.0);
        assert!(tanh_f32(f32::NAN).is_nan() && sigmoid_f32(f32::NAN).is_nan());
    }
}
