//! The element type and the one matrix product every layer goes through.
//!
//! All products in the library call [`gemm`]; the kernel behind it (faer's
//! `matmul`, chosen by measurement, see `DESIGN.md`) is decided here alone.
//! ndarray views are handed to faer with their own strides, so transposed views
//! (`a.t()`) cost no copy.

use std::fmt::{Debug, Display};

use faer::{Accum, MatMut, MatRef, Par};
use ndarray::{ArrayView2, ArrayViewMut2, LinalgScalar, ScalarOperand};

/// A floating-point element type the networks compute in: `f32` or `f64`.
///
/// One code path serves both; the few places that need the concrete type go
/// through [`Float::cast`] and [`Float::as_f64`].
pub trait Float:
    num_traits::Float
    + num_traits::NumAssignOps
    + LinalgScalar
    + ScalarOperand
    + faer::traits::ComplexField
    + faer::traits::Conjugate<Canonical = Self>
    + Send
    + Sync
    + Debug
    + Display
    + Default
    + 'static
{
    /// Short name of the type, as the CLI spells it (`"f32"`, `"f64"`).
    const NAME: &'static str;
    /// Converts from `f64`, rounding to nearest for `f32`.
    fn cast(x: f64) -> Self;
    /// Widens to `f64` (exact).
    fn as_f64(self) -> f64;
    /// Appends the little-endian bytes (as model files store them).
    fn extend_le(self, out: &mut Vec<u8>);
    /// Reads one value from its little-endian bytes (`size_of::<Self>()` of them).
    fn from_le(bytes: &[u8]) -> Self;
}

impl Float for f32 {
    const NAME: &'static str = "f32";
    #[inline(always)]
    fn cast(x: f64) -> Self {
        x as f32
    }
    #[inline(always)]
    fn as_f64(self) -> f64 {
        self as f64
    }
    fn extend_le(self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.to_le_bytes());
    }
    fn from_le(bytes: &[u8]) -> Self {
        f32::from_le_bytes(bytes.try_into().expect("one value's bytes"))
    }
}

impl Float for f64 {
    const NAME: &'static str = "f64";
    #[inline(always)]
    fn cast(x: f64) -> Self {
        x
    }
    #[inline(always)]
    fn as_f64(self) -> f64 {
        self
    }
    fn extend_le(self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.to_le_bytes());
    }
    fn from_le(bytes: &[u8]) -> Self {
        f64::from_le_bytes(bytes.try_into().expect("one value's bytes"))
    }
}

/// How many threads the matrix products may use.
///
/// Products below [`PARALLEL_MIN_FLOPS`] always run on the calling thread:
/// splitting a 4×2·2×400 product costs more than it saves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Threads(pub usize);

impl Threads {
    /// All the cores this process may use.
    pub fn all() -> Self {
        Threads(
            std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(1),
        )
    }

    fn par_for(self, flops: usize) -> Par {
        if self.0 <= 1 || flops < PARALLEL_MIN_FLOPS {
            Par::Seq
        } else {
            Par::rayon(self.0)
        }
    }
}

impl Default for Threads {
    fn default() -> Self {
        Threads(1)
    }
}

/// Products with fewer floating-point operations than this run single-threaded.
pub const PARALLEL_MIN_FLOPS: usize = 4_000_000;

/// `C ← α·A·B` (when `accumulate` is false) or `C ← C + α·A·B` (when true).
///
/// Any strides are accepted, so `a.t()` passes a transpose without copying.
///
/// # Panics
/// If the shapes do not agree (`A` is m×k, `B` k×n, `C` m×n): a programming
/// error inside the library, never a user's.
pub fn gemm<T: Float>(
    alpha: T,
    a: ArrayView2<'_, T>,
    b: ArrayView2<'_, T>,
    accumulate: bool,
    mut c: ArrayViewMut2<'_, T>,
    threads: Threads,
) {
    let (m, k) = a.dim();
    let (k2, n) = b.dim();
    assert_eq!(k, k2, "gemm: inner dimensions differ ({m}×{k} · {k2}×{n})");
    assert_eq!(c.dim(), (m, n), "gemm: output shape differs");
    if m == 0 || n == 0 {
        return;
    }
    let beta = if accumulate {
        Accum::Add
    } else {
        Accum::Replace
    };
    if k == 0 {
        if !accumulate {
            c.fill(T::zero());
        }
        return;
    }
    let (sa, sb, sc) = (a.strides(), b.strides(), c.strides());
    let (sc0, sc1) = (sc[0], sc[1]);
    // SAFETY: each view is valid for its shape and strides for the lifetime
    // of this call; faer reads `a`, `b` and writes `c`, which does not alias
    // them (it is a unique borrow).
    let (a_ref, b_ref, c_mut) = unsafe {
        (
            MatRef::<T>::from_raw_parts(a.as_ptr(), m, k, sa[0], sa[1]),
            MatRef::<T>::from_raw_parts(b.as_ptr(), k, n, sb[0], sb[1]),
            MatMut::<T>::from_raw_parts_mut(c.as_mut_ptr(), m, n, sc0, sc1),
        )
    };
    let par = threads.par_for(2 * m * n * k);
    faer::linalg::matmul::matmul(c_mut, beta, a_ref, b_ref, alpha, par);
}

/// Sum of a slice by numpy's pairwise summation (`pairwise_sum` in numpy's
/// loops): blocks of up to 128 summed with 8 interleaved accumulators, larger
/// slices split in halves. Error grows as O(log n) rather than O(n), and the
/// same order as numpy keeps row sums (db) on numpy's trajectory.
pub fn pairwise_sum<T: Float>(v: &[T]) -> T {
    const BLOCK: usize = 128;
    let n = v.len();
    if n < 8 {
        let mut res = T::zero();
        for &x in v {
            res += x;
        }
        res
    } else if n <= BLOCK {
        let mut r = [T::zero(); 8];
        r.copy_from_slice(&v[..8]);
        let mut i = 8;
        while i + 8 <= n {
            for (k, rk) in r.iter_mut().enumerate() {
                *rk += v[i + k];
            }
            i += 8;
        }
        let mut res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for &x in &v[i..] {
            res += x;
        }
        res
    } else {
        let half = (n / 2) & !7;
        pairwise_sum(&v[..half]) + pairwise_sum(&v[half..])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{array, Array2};

    #[test]
    fn gemm_matches_ndarray_dot_with_transposes() {
        let a = array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]];
        let b = array![[1.0, -1.0], [0.5, 2.0], [-3.0, 0.25]];
        let mut c = Array2::<f64>::zeros((2, 2));
        gemm(2.0, a.view(), b.view(), false, c.view_mut(), Threads(1));
        assert_eq!(c, a.dot(&b) * 2.0);
        // Aᵀ·Aᵀᵀ through strides, accumulated.
        let mut d = Array2::<f64>::ones((3, 3));
        gemm(1.0, a.t(), a.view(), true, d.view_mut(), Threads(2));
        assert_eq!(d, a.t().dot(&a) + 1.0);
    }
}
