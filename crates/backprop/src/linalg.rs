//! The element type and the one matrix product every layer goes through.
//!
//! All products in the library call [`gemm`]; the kernel behind it is decided
//! here alone, by measurement (`docs/PERFORMANCE.md`): products under
//! [`SMALL_FLOPS`] (the flower net's) run in plain loops, where faer's dispatch
//! would cost more than the arithmetic; larger ones go to faer's `matmul` on
//! each thread, the columns of C split over a fixed worker pool (`pool.rs`)
//! rather than faer's rayon, which allocates on every call. ndarray views are
//! handed over with their own strides, so transposed views (`a.t()`) cost no copy.

use std::fmt::{Debug, Display};

use faer::{Accum, MatMut, MatRef, Par};
use std::sync::Mutex;

use ndarray::{ArrayView2, ArrayViewMut2, Axis, LinalgScalar, ScalarOperand};

use crate::pool;

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
/// Products below 4 million flops always run on the calling thread:
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

    /// Into how many parts a product of `flops` is split: two per thread for
    /// large products, taken by whichever thread is free, so a core busy with
    /// another process slows the product by less than half.
    fn parts(self, flops: usize) -> usize {
        if self.0 <= 1 {
            // One thread: the pool (and its worker threads) is never started.
            return 1;
        }
        let threads = self.0.min(pool::width());
        if flops < PARALLEL_MIN_FLOPS || threads == 1 {
            1
        } else if flops < 8 * PARALLEL_MIN_FLOPS {
            threads
        } else {
            2 * threads
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
    if k == 0 {
        if !accumulate {
            c.fill(T::zero());
        }
        return;
    }
    let flops = 2 * m * n * k;
    let p = Operands {
        alpha,
        a,
        b,
        accumulate,
    };
    if flops <= SMALL_FLOPS && small_gemm(p, c.view_mut()) {
        return;
    }
    // Each part computes whole entries of C: the columns (or, when C is tall,
    // the rows) are split among the threads. Each part packs its own copy of
    // the other operand, so parts beyond one per thread need 128 lines each.
    let by_columns = n >= m;
    let len = if by_columns { n } else { m };
    let per_thread = threads.parts(PARALLEL_MIN_FLOPS).max(1);
    let parts = threads
        .parts(flops)
        .min(per_thread.max(len / 128))
        .min(MAX_PARTS);
    let block = len.div_ceil(parts).div_ceil(PART_ALIGN) * PART_ALIGN;
    if parts <= 1 || block >= len {
        return product(alpha, a, b, accumulate, c);
    }
    in_parts(p, c, by_columns, block);
}

/// [`gemm`] with C's columns (`by_columns`) or rows cut into parts of `block`,
/// each part's product run on its own thread of the pool.
fn in_parts<T: Float>(p: Operands<'_, T>, c: ArrayViewMut2<'_, T>, by_columns: bool, block: usize) {
    let (alpha, a, b, accumulate) = p.parts();
    let axis = if by_columns { Axis(1) } else { Axis(0) };
    let slots: [Mutex<Option<ArrayViewMut2<'_, T>>>; MAX_PARTS] = Default::default();
    let mut rest = c;
    let mut used = 0;
    while rest.len_of(axis) > 0 {
        let cut = block.min(rest.len_of(axis));
        let (part, tail) = rest.split_at(axis, cut);
        *slots[used].lock().unwrap_or_else(|e| e.into_inner()) = Some(part);
        rest = tail;
        used += 1;
    }
    pool::run(used, &|p| {
        let c_part = slots[p].lock().unwrap_or_else(|e| e.into_inner()).take();
        let Some(c_part) = c_part else { return };
        let range = p * block..(p * block + c_part.len_of(axis));
        if by_columns {
            let b_part = b.slice_axis(Axis(1), range.into());
            product(alpha, a, b_part, accumulate, c_part);
        } else {
            let a_part = a.slice_axis(Axis(0), range.into());
            product(alpha, a_part, b, accumulate, c_part);
        }
    });
}

/// The most parts a product is split into.
const MAX_PARTS: usize = 16;
/// Parts are multiples of this many columns (whole tiles of faer's kernels).
const PART_ALIGN: usize = 24;

/// One thread's product, by faer on the calling thread.
pub(crate) fn product<T: Float>(
    alpha: T,
    a: ArrayView2<'_, T>,
    b: ArrayView2<'_, T>,
    accumulate: bool,
    mut c: ArrayViewMut2<'_, T>,
) {
    let ((m, k), n) = (a.dim(), b.ncols());
    let (sa, sb, sc) = (a.strides(), b.strides(), c.strides());
    let (sc0, sc1) = (sc[0], sc[1]);
    let beta = if accumulate {
        Accum::Add
    } else {
        Accum::Replace
    };
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
    faer::linalg::matmul::matmul(c_mut, beta, a_ref, b_ref, alpha, Par::Seq);
}

/// Products with at most this many flops run in `small_gemm`'s plain loops
/// when their layout suits them: below it faer's dispatch costs more than the
/// arithmetic (the flower net's products are 3200–6400 flops); above it faer
/// is faster (the cat nets' hidden layers, 7×20·20×209, run 20 % faster there).
pub const SMALL_FLOPS: usize = 1 << 15;

/// Runs `$body` compiled for AVX-512 (F, VL, DQ, BW) when the CPU has it,
/// else for AVX2+FMA, else for the baseline. All three give the same bits: the
/// kernels ask for fused multiply-adds explicitly (`mul_add`), and the compiler
/// contracts nothing else (`activation.rs` tests the bits against the
/// baseline body). AVX-512's 32 registers keep tanh's and e^x's constants in
/// registers and its 8 lanes halve the loop count: the flower net's iteration
/// ≈25 % faster (`docs/PERFORMANCE.md`).
macro_rules! dispatch {
    ($name:ident, $body:ident, ($($arg:ident: $ty:ty),*) $(-> $ret:ty)?) => {{
        #[cfg(target_arch = "x86_64")]
        {
            #[target_feature(enable = "avx512f,avx512vl,avx512dq,avx512bw,avx2,fma")]
            unsafe fn $name<T: Float>($($arg: $ty),*) $(-> $ret)? {
                $body($($arg),*)
            }
            if std::arch::is_x86_feature_detected!("avx512f")
                && std::arch::is_x86_feature_detected!("avx512vl")
                && std::arch::is_x86_feature_detected!("avx512dq")
                && std::arch::is_x86_feature_detected!("avx512bw")
                && std::arch::is_x86_feature_detected!("fma")
            {
                // SAFETY: the CPU supports the features the function was compiled for.
                return unsafe { $name($($arg),*) };
            }
        }
        #[cfg(target_arch = "x86_64")]
        #[target_feature(enable = "avx2,fma")]
        unsafe fn $name<T: Float>($($arg: $ty),*) $(-> $ret)? {
            $body($($arg),*)
        }
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma") {
            // SAFETY: the CPU supports the features the function was compiled for.
            return unsafe { $name($($arg),*) };
        }
        $body($($arg),*)
    }};
}
pub(crate) use dispatch;

/// `C ← α·A·B (+ C)` in plain loops for the two layouts small products come
/// in; returns false (doing nothing) for any other layout.
///
/// - B's and C's rows contiguous (Z = W·A, dZ = Wᵀ·dZ): each row of C is
///   Σ_k A[i,k]·B[k,:], summed over k in order with fused multiply-adds.
/// - A's rows and B's columns contiguous (dW = dZ·Aᵀ): each entry is a dot
///   product, in 8 fused lanes combined as numpy combines its 8 accumulators.
fn small_gemm<T: Float>(p: Operands<'_, T>, c: ArrayViewMut2<'_, T>) -> bool {
    let (a, b) = (p.a, p.b);
    let (k, n) = b.dim();
    let rows_b = n == 1 || b.strides()[1] == 1;
    let rows_c = n == 1 || c.strides()[1] == 1;
    let rows_a = k == 1 || a.strides()[1] == 1;
    let cols_b = k == 1 || b.strides()[0] == 1;
    let layout = if rows_b && rows_c {
        SmallLayout::Rows
    } else if rows_a && cols_b {
        SmallLayout::Dots
    } else {
        return false;
    };
    dispatch!(avx2, small_kernel, (layout: SmallLayout, p: Operands<'_, T>, c: ArrayViewMut2<'_, T>) -> bool)
}

/// What `C ← α·A·B (+ C)` reads: α, A, B and whether C's old values are kept.
#[derive(Clone, Copy)]
struct Operands<'a, T> {
    alpha: T,
    a: ArrayView2<'a, T>,
    b: ArrayView2<'a, T>,
    accumulate: bool,
}

impl<'a, T: Copy> Operands<'a, T> {
    /// (α, A, B, accumulate), for a kernel's loops.
    #[inline(always)]
    fn parts(self) -> (T, ArrayView2<'a, T>, ArrayView2<'a, T>, bool) {
        (self.alpha, self.a, self.b, self.accumulate)
    }
}

/// The two layouts [`small_gemm`] handles in plain loops.
#[derive(Clone, Copy)]
enum SmallLayout {
    /// B's and C's rows contiguous: [`rows_kernel`].
    Rows,
    /// A's rows and B's columns contiguous: [`dots_kernel`].
    Dots,
}

/// The kernel of `layout`, inlined into the one dispatched function; true (done).
#[inline(always)]
fn small_kernel<T: Float>(
    layout: SmallLayout,
    p: Operands<'_, T>,
    c: ArrayViewMut2<'_, T>,
) -> bool {
    match layout {
        SmallLayout::Rows => rows_kernel(p, c),
        SmallLayout::Dots => dots_kernel(p, c),
    }
    true
}

/// C[i,:] = α·Σ_k A[i,k]·B[k,:] (+ C[i,:]), 64 columns at a time: a full
/// chunk is summed in a fixed-size array the compiler keeps in registers
/// (C written once, not read and written for every k), a last short chunk in
/// a slice; the same operations in the same order either way.
#[inline(always)]
fn rows_kernel<T: Float>(p: Operands<'_, T>, mut c: ArrayViewMut2<'_, T>) {
    let (alpha, a, b, accumulate) = p.parts();
    const CHUNK: usize = 64;
    let m = a.nrows();
    let n = b.ncols();
    let mut scratch = [T::zero(); CHUNK];
    for i in 0..m {
        let mut c_row = c.row_mut(i);
        let c_row = c_row.as_slice_mut().expect("contiguous row");
        let mut j0 = 0;
        while j0 < n {
            let w = (n - j0).min(CHUNK);
            let out = &mut c_row[j0..j0 + w];
            if w == CHUNK {
                let mut acc = [T::zero(); CHUNK];
                sum_chunk(&mut acc, a, b, i, j0);
                finish_chunk(out, &acc, alpha, accumulate);
            } else {
                sum_chunk(&mut scratch[..w], a, b, i, j0);
                finish_chunk(out, &scratch[..w], alpha, accumulate);
            }
            j0 += w;
        }
    }
}

/// acc = Σ_k A[i,k]·B[k, j0..j0 + acc.len()], over k in order with fused multiply-adds.
#[inline(always)]
fn sum_chunk<T: Float>(
    acc: &mut [T],
    a: ArrayView2<'_, T>,
    b: ArrayView2<'_, T>,
    i: usize,
    j0: usize,
) {
    let w = acc.len();
    let a0 = a[(i, 0)];
    for (s, &bv) in acc.iter_mut().zip(row(b, 0, j0, w)) {
        *s = a0 * bv;
    }
    for kk in 1..a.ncols() {
        let aik = a[(i, kk)];
        for (s, &bv) in acc.iter_mut().zip(row(b, kk, j0, w)) {
            *s = aik.mul_add(bv, *s);
        }
    }
}

/// out = α·acc, or out += α·acc when C's old values are kept (α = 1: acc itself).
#[inline(always)]
fn finish_chunk<T: Float>(out: &mut [T], acc: &[T], alpha: T, accumulate: bool) {
    if accumulate {
        for (o, &v) in out.iter_mut().zip(acc) {
            *o += alpha * v;
        }
    } else if alpha != T::one() {
        for (o, &v) in out.iter_mut().zip(acc) {
            *o = alpha * v;
        }
    } else {
        out.copy_from_slice(acc);
    }
}

/// Columns `j0..j0 + w` of row `r` of a matrix whose rows are contiguous.
#[inline(always)]
fn row<'a, T: Float>(b: ArrayView2<'a, T>, r: usize, j0: usize, w: usize) -> &'a [T] {
    let s = b
        .index_axis_move(Axis(0), r)
        .to_slice()
        .expect("contiguous row");
    &s[j0..j0 + w]
}

/// C[i,j] = α·(A[i,:]·B[:,j]) (+ C[i,j]), four columns of B at a time (four
/// independent chains of fused multiply-adds; each dot keeps its own order).
#[inline(always)]
fn dots_kernel<T: Float>(p: Operands<'_, T>, mut c: ArrayViewMut2<'_, T>) {
    let (alpha, a, b, accumulate) = p.parts();
    let (m, n) = c.dim();
    let col = |j: usize| {
        b.index_axis_move(Axis(1), j)
            .to_slice()
            .expect("contiguous column")
    };
    for i in 0..m {
        let ai = a
            .index_axis_move(Axis(0), i)
            .to_slice()
            .expect("contiguous row");
        let mut j = 0;
        while j < n {
            let w = (n - j).min(4);
            let mut d = [T::zero(); 4];
            // As many dots at once as columns are left (each in the same order
            // as in a group of four, independent chains hiding the FMA's
            // latency): a 2-column B (the flower net's dW[1]) computes 2, not 8.
            match w {
                4 => d = dots(ai, [col(j), col(j + 1), col(j + 2), col(j + 3)]),
                3 => d[..3].copy_from_slice(&dots(ai, [col(j), col(j + 1), col(j + 2)])),
                2 => d[..2].copy_from_slice(&dots(ai, [col(j), col(j + 1)])),
                _ => d[0] = dots(ai, [col(j)])[0],
            }
            for (q, &dq) in d.iter().enumerate().take(w) {
                let v = alpha * dq;
                let cij = &mut c[(i, j + q)];
                *cij = if accumulate { *cij + v } else { v };
            }
            j += w;
        }
    }
}

/// x·y for N y at once (up to four), each in 8 fused lanes combined as numpy
/// combines its 8 accumulators, the tail added last.
#[inline(always)]
fn dots<T: Float, const N: usize>(x: &[T], y: [&[T]; N]) -> [T; N] {
    let len = x.len();
    let mut r = [[T::zero(); 8]; N];
    let full = len / 8 * 8;
    let mut i = 0;
    while i < full {
        let xs: &[T; 8] = x[i..i + 8].try_into().expect("8 values");
        for (rq, yq) in r.iter_mut().zip(&y) {
            fma8(rq, xs, yq[i..i + 8].try_into().expect("8 values"));
        }
        i += 8;
    }
    // Opaque to the optimiser: seeing the final sum, it kept the 8 lanes
    // shuffled across four 2-wide registers (≈4× the instructions of one
    // 8-wide register a dot); the same arithmetic either way.
    let r = std::hint::black_box(r);
    let mut out = [T::zero(); N];
    for ((o, rq), yq) in out.iter_mut().zip(&r).zip(&y) {
        let mut s = ((rq[0] + rq[1]) + (rq[2] + rq[3])) + ((rq[4] + rq[5]) + (rq[6] + rq[7]));
        for (&xv, &yv) in x[full..].iter().zip(&yq[full..]) {
            s = xv.mul_add(yv, s);
        }
        *o = s;
    }
    out
}

/// r += x ⊙ y in 8 lanes, lane by lane.
#[inline(always)]
fn fma8<T: Float>(r: &mut [T; 8], x: &[T; 8], y: &[T; 8]) {
    for l in 0..8 {
        r[l] = x[l].mul_add(y[l], r[l]);
    }
}

/// Sum of a slice by numpy's pairwise summation (`pairwise_sum` in numpy's
/// loops): blocks of up to 128 summed with 8 interleaved accumulators, larger
/// slices split in halves. Error grows as O(log n) rather than O(n), and the
/// same order as numpy keeps row sums (db) on numpy's trajectory.
pub fn pairwise_sum<T: Float>(v: &[T]) -> T {
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn avx2<T: Float>(v: &[T]) -> T {
        if v.len() <= PAIRWISE_BLOCK {
            pairwise_block(v)
        } else {
            let half = (v.len() / 2) & !7;
            // SAFETY: called only where the features are present (below).
            unsafe { avx2(&v[..half]) + avx2(&v[half..]) }
        }
    }
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma") {
        // SAFETY: the CPU supports the features the function was compiled for.
        return unsafe { avx2(v) };
    }
    fn plain<T: Float>(v: &[T]) -> T {
        if v.len() <= PAIRWISE_BLOCK {
            pairwise_block(v)
        } else {
            let half = (v.len() / 2) & !7;
            plain(&v[..half]) + plain(&v[half..])
        }
    }
    plain(v)
}

const PAIRWISE_BLOCK: usize = 128;

/// numpy's sum of one block (≤ 128 values): 8 interleaved accumulators, combined
/// in pairs, then the leftovers in order; fewer than 8 values in order.
#[inline(always)]
fn pairwise_block<T: Float>(v: &[T]) -> T {
    let n = v.len();
    if n < 8 {
        let mut res = T::zero();
        for &x in v {
            res += x;
        }
        res
    } else {
        let mut r = [T::zero(); 8];
        r.copy_from_slice(&v[..8]);
        // Whole chunks of 8, so the additions need no bounds checks and vectorise.
        let chunks = v[8..].chunks_exact(8);
        let rest = chunks.remainder();
        for chunk in chunks {
            for (rk, &x) in r.iter_mut().zip(chunk) {
                *rk += x;
            }
        }
        let mut res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for &x in rest {
            res += x;
        }
        res
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{array, Array2};

    /// Every layout pair, α ≠ 1, accumulate or not, small (plain loops) and
    /// large (faer, split over threads) products, against ndarray's `dot`.
    #[test]
    fn gemm_matches_ndarray_dot_in_every_layout_and_size() {
        let mut seed = 1u64;
        let mut next = move || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((seed >> 11) as f64 / (1u64 << 53) as f64) - 0.5
        };
        for &(m, k, n) in &[
            (4, 2, 400),
            (1, 4, 400),
            (4, 400, 2),
            (7, 20, 209),
            (20, 1000, 250),
            (300, 500, 20),
            (3, 1, 9),
        ] {
            let a = Array2::from_shape_fn((m, k), |_| next());
            let b = Array2::from_shape_fn((k, n), |_| next());
            let c0 = Array2::from_shape_fn((m, n), |_| next());
            let want = a.dot(&b);
            let a_f = a.t().as_standard_layout().reversed_axes().to_owned();
            let b_f = b.t().as_standard_layout().reversed_axes().to_owned();
            for (a, b) in [(&a, &b), (&a_f, &b), (&a, &b_f), (&a_f, &b_f)] {
                for threads in [Threads(1), Threads(2)] {
                    for c_f in [false, true] {
                        let mut c = if c_f {
                            c0.t().as_standard_layout().reversed_axes().to_owned()
                        } else {
                            c0.clone()
                        };
                        gemm(0.5, a.view(), b.view(), true, c.view_mut(), threads);
                        let err = (&c - &(&c0 + &(&want * 0.5))).mapv(f64::abs);
                        assert!(err.iter().all(|&e| e < 1e-12), "{m}×{k}·{k}×{n} accumulate");
                        gemm(1.0, a.view(), b.view(), false, c.view_mut(), threads);
                        let err = (&c - &want).mapv(f64::abs);
                        assert!(err.iter().all(|&e| e < 1e-12), "{m}×{k}·{k}×{n}");
                    }
                }
            }
            let (a32, b32) = (a.mapv(|v| v as f32), b.mapv(|v| v as f32));
            let mut c32 = Array2::<f32>::zeros((m, n));
            gemm(
                1.0,
                a32.view(),
                b32.view(),
                false,
                c32.view_mut(),
                Threads(2),
            );
            let err = (&c32.mapv(f64::from) - &want).mapv(f64::abs);
            assert!(err.iter().all(|&e| e < 1e-4), "f32 {m}×{k}·{k}×{n}");
        }
    }

    /// Fewer dots at once give each dot the bits it has in a group of four
    /// (the old kernel computed a lone column as four copies of it).
    #[test]
    fn narrow_dots_keep_the_bits_of_four() {
        let x: Vec<f64> = (0..403).map(|i| (i as f64 * 0.731).sin()).collect();
        let ys: Vec<Vec<f64>> = (0..3)
            .map(|q| {
                (0..403)
                    .map(|i| ((i + 7 * q) as f64 * 0.29).cos())
                    .collect()
            })
            .collect();
        let four = |y: &[f64]| dots(&x, [y; 4])[0];
        assert_eq!(dots(&x, [&ys[0][..]])[0].to_bits(), four(&ys[0]).to_bits());
        let two = dots(&x, [&ys[0][..], &ys[1][..]]);
        let three = dots(&x, [&ys[0][..], &ys[1][..], &ys[2][..]]);
        for q in 0..3 {
            assert_eq!(three[q].to_bits(), four(&ys[q]).to_bits());
        }
        assert_eq!(two, [four(&ys[0]), four(&ys[1])]);
    }

    #[test]
    fn pairwise_sum_is_numpys_order() {
        // In f32 the pairwise order stays closer to the exact sum than a running sum.
        let v: Vec<f32> = (0..1000).map(|i| 0.1 * i as f32).collect();
        let naive: f32 = v.iter().sum();
        let pairwise = pairwise_sum(&v);
        let exact: f64 = (0..1000).map(|i| f64::from(0.1 * i as f32)).sum();
        assert!((f64::from(pairwise) - exact).abs() <= (f64::from(naive) - exact).abs());
        // Short slices are summed in order.
        assert_eq!(pairwise_sum(&[1.0f64, 2.0, 3.0]), 6.0);
    }

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
