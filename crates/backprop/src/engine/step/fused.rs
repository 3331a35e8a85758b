//! Plain full-batch gradient descent on an X larger than the caches but with
//! few examples (at most 512 in f64, 1024 in f32), every
//! product direct: the first layer's dW = (1/m)·dZ·Xᵀ, its update and the next
//! iteration's W·X in one pass over X, a block of features at a time, so that X
//! crosses the memory bus once an iteration instead of twice.
//!
//! Why: the first layer of wide data does only 2·n\[1\] flops per element of X
//! per product (40 for the cat nets), and X (20 MB in f64 for them) does not
//! stay in cache between the two products; block by block, both are served
//! from L2 (the cat net's direct loop: 9.3 → 7.5 s in f64, docs/PERFORMANCE.md).
//! Per block (a quarter of L2), in order: dW[:, B] = (1/m)·dZ·X[B, :]ᵀ;
//! W[:, B] −= α·dW[:, B]; P += W[:, B]·X[B, :]. P, summed over the blocks, is
//! the next iteration's W·X, so its forward pass starts from it.
//!
//! That sum differs in its last bits from a fresh W·X, so a checkpoint saves it
//! (the first layer's Z between iterations, n\[1\] × m) and a resumed run starts
//! from it: the same arithmetic as the run it continues.

use std::sync::Mutex;

use ndarray::{s, Array2, ArrayView2, ArrayViewMut2, Axis};

use crate::layer::Dense;
use crate::linalg::{product, Float, Threads};
use crate::pool;

/// The bytes of X per block: a quarter of L2 (1 MiB a core on Zen 4).
const BLOCK_BYTES: usize = 1 << 18;
/// X must be larger than this (it leaves L2 and L3's share) for the pass to pay.
const MIN_BYTES: usize = 8 << 20;
/// Features a block must hold at least: each example's slice of a block is
/// contiguous, and shorter slices (many examples) read X in scattered pieces
/// (m = 20 900 gave 8-feature blocks, 2–3× slower than two plain passes).
const MIN_ROWS: usize = 64;
/// The most parts the features are split into.
const MAX_PARTS: usize = 8;

/// The first layer's state between iterations of the fused pass.
pub(crate) struct FusedFirst<T: Float> {
    /// Per part: W·X over its blocks, stored m × n\[1\] (the product lands column-major).
    partial: Vec<Array2<T>>,
    /// Whether the first layer's Z holds W·X (before the bias) for its current W.
    ready: bool,
}

impl<T: Float> FusedFirst<T> {
    /// Whether the pass applies: at least two layers (logistic regression has
    /// its own streamed step), no dropout, X example-contiguous and large.
    pub(crate) fn applies(layers: &[Dense<T>], x: ArrayView2<'_, T>) -> bool {
        layers.len() >= 2
            && layers[0].mask.is_none()
            && x.ncols() > 1
            && x.strides()[0] == 1
            && x.len() * std::mem::size_of::<T>() > MIN_BYTES
            && rows_per_block::<T>(x.ncols()) >= MIN_ROWS
    }

    /// Buffers for `threads` on X (n_x × m) and a first layer of `n1` units.
    pub(crate) fn new(n1: usize, x: ArrayView2<'_, T>, threads: Threads) -> Self {
        // One part on one thread (as `--threads 1` promises); else two a thread,
        // taken by whichever thread is free, as the products are split.
        let threads = threads.0.max(1).min(pool::width());
        let parts = if threads == 1 { 1 } else { 2 * threads }
            .min(x.nrows().div_ceil(rows_per_block::<T>(x.ncols())))
            .clamp(1, MAX_PARTS);
        FusedFirst {
            partial: (0..parts).map(|_| Array2::zeros((x.ncols(), n1))).collect(),
            ready: false,
        }
    }

    /// The pending W·X (the first layer's Z) when the last pass left one.
    pub(crate) fn pending<'a>(&self, first: &'a Dense<T>) -> Option<&'a Array2<T>> {
        self.ready.then_some(&first.z)
    }

    /// Continues from a checkpoint's pending W·X (from [`FusedFirst::pending`]).
    pub(crate) fn resume_with(&mut self, first: &mut Dense<T>, wx: &Array2<T>) {
        first.prepare(wx.ncols());
        first.z.assign(wx);
        self.ready = true;
    }

    /// Z = W·X + b, A = g(Z) for the first layer, reusing the last pass's W·X.
    pub(crate) fn forward(&mut self, first: &mut Dense<T>, x: ArrayView2<'_, T>, threads: Threads) {
        if self.ready {
            first.activate();
        } else {
            first.forward(x, threads);
        }
        self.ready = false;
    }

    /// Given the first layer's dZ: db, dW, the update of W and b, and the next
    /// W·X (into Z), in one pass over X.
    pub(crate) fn backward_and_descend(
        &mut self,
        first: &mut Dense<T>,
        x: ArrayView2<'_, T>,
        learning_rate: T,
    ) {
        let (n_x, m) = x.dim();
        first.bias_gradient();
        let inv_m = T::one() / T::cast(m as f64);
        let rows = rows_per_block::<T>(m);
        let blocks = n_x.div_ceil(rows);
        let per_part = blocks.div_ceil(self.partial.len()) * rows;
        let parts = n_x.div_ceil(per_part);
        // Each part owns its columns of W and dW and its partial product.
        type Slot<'a, T> = Mutex<
            Option<(
                ArrayViewMut2<'a, T>,
                ArrayViewMut2<'a, T>,
                &'a mut Array2<T>,
            )>,
        >;
        let slots: [Slot<'_, T>; MAX_PARTS] = Default::default();
        let (mut w, mut dw) = (first.w.view_mut(), first.dw.view_mut());
        for (p, partial) in self.partial.iter_mut().take(parts).enumerate() {
            let cut = per_part.min(w.ncols());
            let (w_p, w_rest) = w.split_at(Axis(1), cut);
            let (dw_p, dw_rest) = dw.split_at(Axis(1), cut);
            *slots[p].lock().unwrap_or_else(|e| e.into_inner()) = Some((w_p, dw_p, partial));
            (w, dw) = (w_rest, dw_rest);
        }
        let dz = first.dz.view();
        pool::run(parts, &|p| {
            let taken = slots[p].lock().unwrap_or_else(|e| e.into_inner()).take();
            let Some((mut w_p, mut dw_p, partial)) = taken else {
                return;
            };
            let f0 = p * per_part;
            let mut acc = partial.view_mut().reversed_axes();
            for b0 in (0..w_p.ncols()).step_by(rows) {
                let b1 = (b0 + rows).min(w_p.ncols());
                let xb = x.slice(s![f0 + b0..f0 + b1, ..]);
                let mut dw_b = dw_p.slice_mut(s![.., b0..b1]);
                product(inv_m, dz, xb.t(), false, dw_b.view_mut());
                let mut w_b = w_p.slice_mut(s![.., b0..b1]);
                w_b.zip_mut_with(&dw_b, |w, &d| *w -= learning_rate * d);
                product(T::one(), w_b.view(), xb, b0 > 0, acc.view_mut());
            }
        });
        sum_parts(&mut first.z, &self.partial[..parts], m);
        first.descend_bias(learning_rate);
        self.ready = true;
    }
}

/// Z = Σ of the parts' products (each m × n\[1\]), in part order (the same
/// bits for the same threads).
fn sum_parts<T: Float>(z: &mut Array2<T>, partials: &[Array2<T>], m: usize) {
    let z = z.as_slice_mut().expect("Z is owned, standard layout");
    for (p, partial) in partials.iter().enumerate() {
        let pt = partial.as_slice().expect("owned, standard layout");
        let n1 = partial.ncols();
        for (u, row) in z.chunks_exact_mut(m).enumerate() {
            for (j, v) in row.iter_mut().enumerate() {
                let add = pt[j * n1 + u];
                *v = if p == 0 { add } else { *v + add };
            }
        }
    }
}

/// Features per block: BLOCK_BYTES of X, a multiple of 8 (at least 8).
fn rows_per_block<T: Float>(m: usize) -> usize {
    (BLOCK_BYTES / (m.max(1) * std::mem::size_of::<T>())).max(8) / 8 * 8
}
