//! A convolution's products in blocks of examples, for the products faer
//! computes (above [`SMALL_FLOPS`]): each thread takes a share of the
//! examples and, a block of a few examples at a time, writes their patch rows
//! and multiplies them while they are still in its cache.
//!
//! ```text
//! forward:   cols[block] = im2col(A_prev[block]);  Z[block] = cols[block]·W + b
//! backward:  dcols[block] = dZ[block]·Wᵀ;          dA_prev[block] = col2im(dcols[block])
//!            dW = α·colsᵀ·dZ (whole, its rows split over the threads)
//! ```
//! Every entry is the same dot product, summed in the same order, as in the
//! one product over all the rows: the bits do not depend on the blocks or the
//! thread count.

use std::sync::Mutex;

use ndarray::{s, ArrayView2, ArrayViewMut2, Axis};

use super::im2col::{add_patches_from, patches_from};
use super::parallel::for_items2;
use super::window::Window;
use crate::linalg::{product, Float, Threads, SMALL_FLOPS};
use crate::pool;

/// The patches one block holds, in bytes: small enough to stay in a core's
/// L2 cache between their writing and their product.
const BLOCK_BYTES: usize = 256 * 1024;

/// One example's sizes in a convolution.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Shape {
    /// n_H_prev × n_W_prev × n_C_prev of one example's input.
    pub input: (usize, usize, usize),
    /// n_H × n_W of its output.
    pub out: (usize, usize),
    /// The window.
    pub win: Window,
    /// n_C, the filters.
    pub filters: usize,
}

impl Shape {
    /// f·f·n_C_prev, a patch row's length.
    fn k(&self) -> usize {
        self.win.f * self.win.f * self.input.2
    }

    /// Patch rows per example, n_H·n_W.
    fn rows(&self) -> usize {
        self.out.0 * self.out.1
    }

    /// Entries of one example's input volume.
    fn volume(&self) -> usize {
        self.input.0 * self.input.1 * self.input.2
    }

    /// Examples per block for elements of `size` bytes (at least 1).
    fn block(&self, size: usize) -> usize {
        (BLOCK_BYTES / (self.rows() * self.k() * size).max(1)).max(1)
    }

    /// Whether the products over `m` examples go to faer (and so may be
    /// blocked); smaller ones run whole in the library's small kernel.
    pub fn blocked(&self, m: usize) -> bool {
        2 * m * self.rows() * self.k() * self.filters > SMALL_FLOPS
    }
}

/// Z = im2col(A_prev)·W + b, block by block, the patches kept in `cols`
/// ((m·n_H·n_W) × k); `a` holds all the examples' input volumes.
pub(crate) fn forward<T: Float>(
    a: &[T],
    s: Shape,
    (w, b): (ArrayView2<'_, T>, &[T]),
    (z, cols): (&mut [T], &mut [T]),
    threads: Threads,
) {
    let (rows, k, n_c) = (s.rows(), s.k(), s.filters);
    let block = s.block(size_of::<T>());
    for_items2(z, rows * n_c, cols, rows * k, threads, &|first, z, cols| {
        let blocks = z
            .chunks_mut(block * rows * n_c)
            .zip(cols.chunks_mut(block * rows * k));
        for (j, (z, cols)) in blocks.enumerate() {
            patches_from(a, s.input, s.win, s.out, first + j * block, cols);
            let n = z.len() / n_c;
            let patches = ArrayView2::from_shape((n, k), &*cols).expect("whole rows");
            let out = ArrayViewMut2::from_shape((n, n_c), &mut *z).expect("whole rows");
            product(T::one(), patches, w, false, out);
            for row in z.chunks_exact_mut(n_c) {
                row.iter_mut().zip(b).for_each(|(z, &b)| *z += b);
            }
        }
    });
}

/// dA_prev = col2im(dZ·Wᵀ), block by block through `dcols` (cols' shape),
/// into `da` (all the examples' input volumes, overwritten).
pub(crate) fn input_gradient<T: Float>(
    dz: &[T],
    s: Shape,
    w: ArrayView2<'_, T>,
    (dcols, da): (&mut [T], &mut [T]),
    threads: Threads,
) {
    let (rows, k, n_c, volume) = (s.rows(), s.k(), s.filters, s.volume());
    let block = s.block(size_of::<T>());
    for_items2(da, volume, dcols, rows * k, threads, &|first, da, dcols| {
        let blocks = da
            .chunks_mut(block * volume)
            .zip(dcols.chunks_mut(block * rows * k));
        for (j, (da, dcols)) in blocks.enumerate() {
            let (i, n) = (first + j * block, da.len() / volume * rows);
            let dz = &dz[i * rows * n_c..i * rows * n_c + n * n_c];
            let dz = ArrayView2::from_shape((n, n_c), dz).expect("whole rows");
            let out = ArrayViewMut2::from_shape((n, k), &mut *dcols).expect("whole rows");
            product(T::one(), dz, w.t(), false, out);
            add_patches_from(dcols, s.input, s.win, s.out, da);
        }
    });
}

/// dW = α·colsᵀ·dZ with dW's rows cut evenly over `parts` threads.
pub(crate) fn filter_gradient<T: Float>(
    alpha: T,
    (cols, dz): (ArrayView2<'_, T>, ArrayView2<'_, T>),
    dw: ArrayViewMut2<'_, T>,
    parts: usize,
) {
    let k = dw.nrows();
    let per = k.div_ceil(parts.clamp(1, 16)).max(1);
    let slots: [Mutex<Option<ArrayViewMut2<'_, T>>>; 16] = Default::default();
    let (mut rest, mut used) = (dw, 0);
    while rest.nrows() > 0 && used < slots.len() {
        let cut = per.min(rest.nrows());
        let (part, tail) = rest.split_at(Axis(0), cut);
        *slots[used].lock().unwrap_or_else(|e| e.into_inner()) = Some(part);
        (rest, used) = (tail, used + 1);
    }
    pool::run(used, &|p| {
        let part = slots[p].lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(part) = part {
            let lo = p * per;
            let a = cols.slice(s![.., lo..lo + part.nrows()]).reversed_axes();
            product(alpha, a, dz, false, part);
        }
    });
}
