//! The first layer through the Gram matrix XᵀX, for full-batch gradient
//! descent on wide data (n_x ≫ m, as the cat images: 12288 features, 209 examples).
//!
//! Gradient descent only ever adds dW[1] = (1/m)·dZ[1]·Xᵀ to W[1], so W[1]
//! stays W[1]₀ + C·Xᵀ with C an n[1] × m matrix, and
//! ```text
//! Z[1] = W[1]·X + b[1] = W[1]₀·X + C·(XᵀX) + b[1]        C ← C − (α/m)·dZ[1]
//! ```
//! P₀ = W[1]₀·X and G = XᵀX are computed once, so an iteration costs
//! 2·n[1]·m² flops instead of 4·n[1]·n_x·m, and X is not read again until
//! W[1] = W[1]₀ + C·Xᵀ is formed at the end ([`Gram::materialize`]).
//! It holds only for plain gradient descent on a fixed X: an optimiser that
//! rescales gradients element-wise (Adam, RMSprop) or mini-batches leave the
//! span, and must take the direct path.
//!
//! A checkpoint saves W₀ and C ([`Gram::state`]); P₀ and G are recomputed from
//! them on resume (the same products, the same bits), so a resumed run goes on
//! with the same arithmetic as the run it continues.

use ndarray::{Array2, ArrayView2};

use crate::layer::Dense;
use crate::linalg::{gemm, Float, Threads};

/// The largest m·m the Gram matrix may have (16 Mi entries, 128 MiB in f64).
const MAX_GRAM_ENTRIES: usize = 1 << 24;

/// The state of the first layer on the Gram path: W[1] = W₀ + C·Xᵀ.
#[derive(Clone, Debug)]
pub(crate) struct Gram<T: Float> {
    /// W[1] when the path started, n[1] × n_x.
    w0: Array2<T>,
    /// C, n[1] × m: the accumulated −(α/m)·dZ[1].
    c: Array2<T>,
    /// P₀ = W₀·X, n[1] × m.
    p0: Array2<T>,
    /// G = XᵀX, m × m.
    g: Array2<T>,
}

impl<T: Float> Gram<T> {
    /// Whether the Gram path does at most half the direct path's flops over
    /// `iterations` for a first layer of `n1` units on X of n_x × m (and G fits).
    pub(crate) fn worthwhile(n1: usize, n_x: usize, m: usize, iterations: usize) -> bool {
        if m == 0 || m > n_x || m.saturating_mul(m) > MAX_GRAM_ENTRIES {
            return false;
        }
        let (n1, n_x, m, it) = (n1 as f64, n_x as f64, m as f64, iterations as f64);
        let direct = it * 4.0 * n1 * n_x * m;
        let gram = 2.0 * m * m * n_x + 6.0 * n1 * n_x * m + it * 2.0 * n1 * m * m;
        2.0 * gram <= direct
    }

    /// Starts the path from the first layer's current W: computes P₀ and G.
    pub(crate) fn new(first: &Dense<T>, x: ArrayView2<'_, T>, threads: Threads) -> Self {
        let c = Array2::zeros((first.units(), x.ncols()));
        Self::resume(first.w.clone(), c, x, threads)
    }

    /// Continues the path at W₀ and C (from [`Gram::state`]): recomputes P₀ and G.
    pub(crate) fn resume(
        w0: Array2<T>,
        c: Array2<T>,
        x: ArrayView2<'_, T>,
        threads: Threads,
    ) -> Self {
        let (n1, m) = (w0.nrows(), x.ncols());
        let mut p0 = Array2::zeros((n1, m));
        gemm(T::one(), w0.view(), x, false, p0.view_mut(), threads);
        let mut g = Array2::zeros((m, m));
        gemm(T::one(), x.t(), x, false, g.view_mut(), threads);
        Gram { w0, c, p0, g }
    }

    /// W₀ and C, all a checkpoint needs to continue the path.
    pub(crate) fn state(&self) -> [(&'static str, &Array2<T>); 2] {
        [("gram.W0", &self.w0), ("gram.C", &self.c)]
    }

    /// Z[1] = P₀ + C·G + b, A[1] = g(Z[1]).
    pub(crate) fn forward(&self, first: &mut Dense<T>, threads: Threads) {
        first.prepare(self.c.ncols());
        first.z.assign(&self.p0);
        gemm(
            T::one(),
            self.c.view(),
            self.g.view(),
            true,
            first.z.view_mut(),
            threads,
        );
        first.activate();
    }

    /// One gradient-descent step of the first layer (dZ and db already
    /// computed): C −= (α/m)·dZ, b −= α·db.
    pub(crate) fn descend(&mut self, first: &mut Dense<T>, learning_rate: T) {
        let step = learning_rate / T::cast(self.c.ncols() as f64);
        self.c.zip_mut_with(&first.dz, |c, &dz| *c -= step * dz);
        first.descend_bias(learning_rate);
    }

    /// Writes W[1] = W₀ + C·Xᵀ into the layer, and dW[1] = (1/m)·dZ[1]·Xᵀ of the
    /// last backward pass, so the layer reads as if trained directly.
    pub(crate) fn materialize(&self, first: &mut Dense<T>, x: ArrayView2<'_, T>, threads: Threads) {
        first.w.assign(&self.w0);
        gemm(
            T::one(),
            self.c.view(),
            x.t(),
            true,
            first.w.view_mut(),
            threads,
        );
        if first.dz.dim() == self.c.dim() {
            let inv_m = T::one() / T::cast(x.ncols() as f64);
            gemm(
                inv_m,
                first.dz.view(),
                x.t(),
                false,
                first.dw.view_mut(),
                threads,
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pays_off_only_for_wide_data_and_enough_iterations() {
        // The cat data: 12288 × 209.
        assert!(Gram::<f64>::worthwhile(20, 12288, 209, 2500));
        assert!(Gram::<f64>::worthwhile(1, 12288, 209, 2000));
        assert!(!Gram::<f64>::worthwhile(20, 12288, 209, 1));
        // More examples than features, or the flower's 2 × 400.
        assert!(!Gram::<f64>::worthwhile(20, 12288, 20900, 2500));
        assert!(!Gram::<f64>::worthwhile(4, 2, 400, 10000));
    }
}
