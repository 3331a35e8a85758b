//! Mini-batches: the epoch's order of examples (the course's
//! `random_mini_batches`: epoch e shuffled by `np.random.seed(seed + e + 1)`)
//! and the buffers a shuffled batch is gathered into. Unshuffled batches are
//! views of X, without a copy.

use ndarray::{s, Array1, Array2, ArrayView1, ArrayView2, ShapeBuilder};

use crate::linalg::Float;
use crate::rng::NumpyRng;
use crate::sparse::{SparseColumns, SparseView};

use super::step::general::Batch;

/// What a batch is drawn from: X, Y, the examples' weights, and the sparse
/// X when the run has one.
pub(crate) type BatchData<'s, T> = (
    ArrayView2<'s, T>,
    ArrayView2<'s, T>,
    Option<ArrayView1<'s, T>>,
    Option<SparseView<'s, T>>,
);

/// A run's batching: its size, count and buffers, allocated once.
pub(crate) struct Batching<T: Float> {
    /// Examples per batch (b), after the clamp to [1, m].
    pub size: usize,
    /// Batches per epoch.
    pub count: usize,
    /// Whether batches are drawn in a shuffled order.
    shuffled: bool,
    /// The order of the examples in the epoch `order_epoch`.
    order: Vec<usize>,
    order_epoch: Option<usize>,
    xb: Array2<T>,
    yb: Array2<T>,
    wb: Array1<T>,
    /// A shuffled batch of a sparse X, gathered.
    sxb: SparseColumns<T>,
}

impl<T: Float> Batching<T> {
    /// Batches of `size` (the clamped batch size) over m examples of n_x
    /// features and k targets; `weighted` when examples carry weights.
    pub fn new(size: usize, m: usize, n_x: usize, k: usize, shuffle: bool, weighted: bool) -> Self {
        let shuffled = shuffle && size < m;
        let cap = if shuffled { size } else { 0 };
        Batching {
            size,
            count: m.div_ceil(size),
            shuffled,
            order: vec![0; if shuffled { m } else { 0 }],
            order_epoch: None,
            // Example-contiguous like the loaders' X; the last partial batch is a narrower view.
            xb: Array2::zeros((n_x, cap).f()),
            yb: Array2::zeros((k, cap).f()),
            wb: Array1::zeros(if weighted { cap } else { 0 }),
            sxb: SparseColumns::empty(0),
        }
    }

    /// Draws epoch `epoch`'s order (once per epoch, also when a run resumes
    /// in the middle of one).
    pub fn order_for(&mut self, epoch: usize, seed: u32) {
        if self.shuffled && self.order_epoch != Some(epoch) {
            NumpyRng::new(seed.wrapping_add(epoch as u32).wrapping_add(1))
                .permutation_into(&mut self.order);
            self.order_epoch = Some(epoch);
        }
    }

    /// The examples [lo, hi) of batch number `index` (size `mb` over all
    /// ranks): gathered in the epoch's order, or a view of X.
    pub fn batch<'s>(
        &'s mut self,
        data: BatchData<'s, T>,
        index: usize,
        (lo, hi): (usize, usize),
        mb: usize,
    ) -> Batch<'s, T> {
        let (x, y, weights, sparse) = data;
        let first = index * self.size;
        if !self.shuffled {
            let cols = s![.., first + lo..first + hi];
            return Batch {
                x: x.slice_move(cols),
                y: y.slice_move(cols),
                w: weights.map(|w| w.slice_move(s![first + lo..first + hi])),
                size: mb,
                sparse: sparse.map(|sx| sx.columns(first + lo, first + hi)),
            };
        }
        let cols = &self.order[first + lo..first + hi];
        gather_columns(x, cols, &mut self.xb);
        gather_columns(y, cols, &mut self.yb);
        if let Some(sx) = sparse {
            self.sxb.gather(sx, cols);
        }
        if let Some(w) = &weights {
            for (c, &j) in cols.iter().enumerate() {
                self.wb[c] = w[j];
            }
        }
        let ml = hi - lo;
        let cut = s![.., ..ml];
        Batch {
            x: self.xb.slice(cut),
            y: self.yb.slice(cut),
            w: weights.map(|_| self.wb.slice(s![..ml])),
            size: mb,
            sparse: sparse.map(|_| self.sxb.view()),
        }
    }
}

/// dst's first `cols.len()` columns = src's columns `cols`, in that order.
///
/// As slice copies when both are column-major and contiguous (X as loaded,
/// example by example, and the batch buffers): several times faster than
/// ndarray's per-column `assign` on 50-feature examples, whose set-up cost more
/// than the copy (`docs/PERFORMANCE.md`, Python section).
fn gather_columns<T: Float>(src: ArrayView2<'_, T>, cols: &[usize], dst: &mut Array2<T>) {
    let rows = src.nrows();
    // Column-major on both sides (the transposes are row-major): each column
    // is one contiguous run, copied whole.
    let columns = (
        src.reversed_axes().to_slice(),
        dst.view_mut().reversed_axes().into_slice(),
    );
    if let (Some(s), Some(d)) = columns {
        for (c, (to, &j)) in d.chunks_exact_mut(rows.max(1)).zip(cols).enumerate() {
            if let Some(&ahead) = cols.get(c + PREFETCH_AHEAD) {
                prefetch(&s[ahead * rows..(ahead + 1) * rows]);
            }
            to.copy_from_slice(&s[j * rows..(j + 1) * rows]);
        }
        return;
    }
    for (c, &j) in cols.iter().enumerate() {
        dst.column_mut(c).assign(&src.column(j));
    }
}

/// How many columns ahead [`gather_columns`] asks for: shuffled columns are
/// scattered over X, and waiting for each in turn left the gather bound by the
/// memory's latency.
const PREFETCH_AHEAD: usize = 8;

/// Asks the CPU to bring `v` into the cache (a hint: no effect on results).
#[inline(always)]
fn prefetch<T>(v: &[T]) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        let bytes = std::mem::size_of_val(v);
        let p = v.as_ptr().cast::<i8>();
        for off in (0..bytes).step_by(64) {
            // SAFETY: a prefetch reads nothing and cannot fault; the address is
            // inside `v` (off < its length in bytes).
            unsafe { _mm_prefetch::<_MM_HINT_T0>(p.add(off)) };
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = v;
}

/// The total weight of a batch: its size, or its weights' sum.
pub(crate) fn batch_weight<T: Float>(batch: &Batch<'_, T>) -> f64 {
    batch.w.map_or(batch.size as f64, |w: ArrayView1<'_, T>| {
        w.iter().map(|v| v.as_f64()).sum()
    })
}
