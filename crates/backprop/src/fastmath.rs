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

/// [1/2!, 1/3!, …, 1/(n+1)!] in `$float`, each correctly rounded (the
/// factorials are exact in the float for the n used here).
macro_rules! inverse_factorials {
    ($float:ident, $n:expr) => {{
        let mut c = [0.0; $n];
        let mut factorial: $float = 1.0;
        let mut i = 0;
        while i < $n {
            factorial *= (i + 2) as $float;
            c[i] = 1.0 / factorial;
            i += 1;
        }
        c
    }};
}

/// The kernels of one precision: `$float` with its bit type `$bits` and
/// exponent bias; ln 2 split so that k·ln2_hi is exact (`$ln2_hi`, `$ln2_lo`);
/// `$shifter` = 1.5·2^(mantissa bits), which rounds a float to an integer in
/// its low bits; the Taylor coefficients of (e^r − 1 − r)/r² (`$terms` of them); e^x's range
/// (`$exp_hi`: ln of the largest float, `$exp_lo`: where e^x no longer changes
/// 1 + e^x); tanh's floor on −2|x| (exact ±1 beyond). Both precisions run the
/// same operations, so f64's bits are those the notes' numbers were checked on.
macro_rules! precision {
    (
        $float:ident, $bits:ident, $int:ident, bias: $bias:expr,
        ln2: ($ln2_hi:expr, $ln2_lo:expr), shifter: $shifter:expr,
        terms: $terms:expr,
        exp range: ($exp_lo:expr, $exp_hi:expr), tanh floor: $tanh_floor:expr,
        names: ($expm1_reduced:ident, $reduce:ident, $pow2:ident, $exp:ident, $sigmoid:ident, $tanh:ident)
    ) => {
        /// e^r − 1 for |r| ≤ ln2/2: r + r²·Σ rⁿ⁻²/n! (to the precision's last bit).
        #[inline(always)]
        fn $expm1_reduced(r: $float) -> $float {
            const C: [$float; $terms] = inverse_factorials!($float, $terms);
            let mut q = C[C.len() - 1];
            for &c in C[..C.len() - 1].iter().rev() {
                q = q.mul_add(r, c);
            }
            (r * r).mul_add(q, r)
        }

        /// Splits x = k·ln2 + r with k an integer and |r| ≤ ln2/2; returns (k, r).
        /// x must be finite and well inside the integer range of the mantissa.
        #[inline(always)]
        fn $reduce(x: $float) -> ($int, $float) {
            const SHIFTER: $float = $shifter;
            let t = x.mul_add(std::$float::consts::LOG2_E, SHIFTER);
            let kf = t - SHIFTER;
            let k = t.to_bits() as $int - SHIFTER.to_bits() as $int;
            let r = kf.mul_add(-$ln2_hi, x);
            (k, kf.mul_add(-$ln2_lo, r))
        }

        /// 2ᵏ for k in the normal exponent range.
        #[inline(always)]
        fn $pow2(k: $int) -> $float {
            $float::from_bits(((k + $bias) as $bits) << ($float::MANTISSA_DIGITS - 1))
        }

        /// e^x, branch-free: ∞ above ln(MAX); 0 below the low end of the range
        /// (too small to change 1 + e^x, the only use here); NaN stays NaN.
        #[inline(always)]
        pub fn $exp(x: $float) -> $float {
            const HI: $float = $exp_hi;
            const LO: $float = $exp_lo;
            let (k, r) = $reduce(x.clamp(LO, HI));
            // 2^(k−1)·(1 + em)·2 keeps the scale normal for the largest k.
            let s = $pow2(k - 1);
            let e = s.mul_add($expm1_reduced(r), s) * 2.0;
            if x > HI {
                $float::INFINITY
            } else if x < LO {
                0.0
            } else {
                e
            }
        }

        /// σ(z) = 1 / (1 + e^(−z)), as the course writes it; 0 or 1 when
        /// saturated, never NaN for non-NaN z.
        #[inline(always)]
        pub fn $sigmoid(z: $float) -> $float {
            1.0 / (1.0 + $exp(-z))
        }

        /// tanh(x) = −t/(t + 2) with t = e^(−2|x|) − 1, signed as x (glibc's
        /// form for |x| < 1, used for all x: one branch-free path).
        #[inline(always)]
        pub fn $tanh(x: $float) -> $float {
            let y = -2.0 * x.abs();
            let y = if y < $tanh_floor { $tanh_floor } else { y };
            let (k, r) = $reduce(y);
            let s = $pow2(k);
            let t = s.mul_add($expm1_reduced(r), s - 1.0);
            (-t / (t + 2.0)).copysign(x)
        }
    };
}

// f64: fdlibm's ln 2 split (k·LN2_HI exact for |k| < 2²⁰); n = 2…14, the next
// term below 2⁻⁶⁰·|r|; exp within 1 ulp, tanh exact ±1 beyond |x| ≈ 19.
precision!(
    f64, u64, i64, bias: 1023,
    ln2: (f64::from_bits(0x3fe6_2e42_fee0_0000), f64::from_bits(0x3dea_39ef_3579_3c76)),
    shifter: 6_755_399_441_055_744.0,
    terms: 13,
    exp range: (-707.0, 709.782_712_893_384), tanh floor: -40.0,
    names: (expm1_reduced, reduce, pow2, exp, sigmoid, tanh)
);

// f32: Cephes' ln 2 split (exact for |k| < 2¹²); n = 2…7, the next term below
// 2⁻²⁶·|r|; 0 below −86 (e^x < 10⁻³⁷), tanh exact ±1 beyond |x| ≈ 9.
precision!(
    f32, u32, i32, bias: 127,
    ln2: (f32::from_bits(0x3f31_8000), -2.121_944_4e-4),
    shifter: 12_582_912.0,
    terms: 6,
    exp range: (-86.0, 88.722_83), tanh floor: -20.0,
    names: (expm1_reduced_f32, reduce_f32, pow2_f32, exp_f32, sigmoid_f32, tanh_f32)
);

/// `kernel` in the value's own precision: f32 values use the f32 kernel (8
/// lanes a register), f64 values the f64 one.
#[inline(always)]
fn in_own_precision<T: Float>(
    z: T,
    f32_kernel: impl Fn(f32) -> f32,
    f64_kernel: impl Fn(f64) -> f64,
) -> T {
    if std::mem::size_of::<T>() == 4 {
        T::cast(f64::from(f32_kernel(z.as_f64() as f32)))
    } else {
        T::cast(f64_kernel(z.as_f64()))
    }
}

/// tanh in the value's own precision.
#[inline(always)]
pub(crate) fn tanh_t<T: Float>(z: T) -> T {
    in_own_precision(z, tanh_f32, tanh)
}

/// σ in the value's own precision.
#[inline(always)]
pub(crate) fn sigmoid_t<T: Float>(z: T) -> T {
    in_own_precision(z, sigmoid_f32, sigmoid)
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
