//! One dense layer: Z = W·A_prev + b, A = g(Z), and its backward pass.
//!
//! The layer owns its parameters (W is n[l] × n[l-1], b is n[l] × 1, the notes'
//! shapes) and the buffers of one training pass (Z, A, dZ, dW, db), so that
//! after the first iteration a pass allocates nothing.

use ndarray::{Array2, ArrayView2, Axis, Zip};

use crate::activation::Activation;
use crate::linalg::{gemm, pairwise_sum, Float, Threads};

/// A fully connected layer with its forward cache and gradients.
#[derive(Clone, Debug)]
pub struct Dense<T: Float> {
    /// Weights W[l], n[l] × n[l-1].
    pub w: Array2<T>,
    /// Biases b[l], n[l] × 1, broadcast over the columns (examples).
    pub b: Array2<T>,
    /// g of this layer.
    pub activation: Activation,
    /// Z[l] of the last forward pass, n[l] × m.
    pub z: Array2<T>,
    /// A[l] = g(Z[l]) of the last forward pass, n[l] × m.
    pub a: Array2<T>,
    /// dZ[l] of the last backward pass, n[l] × m.
    pub dz: Array2<T>,
    /// dW[l] = (1/m)·dZ[l]·A[l-1]ᵀ.
    pub dw: Array2<T>,
    /// db[l] = (1/m)·Σ_columns dZ[l].
    pub db: Array2<T>,
}

impl<T: Float> Dense<T> {
    /// A layer with the given parameters and empty caches.
    pub fn new(w: Array2<T>, b: Array2<T>, activation: Activation) -> Self {
        let (n, n_prev) = w.dim();
        assert_eq!(b.dim(), (n, 1), "b must be n[l] × 1");
        Dense {
            w,
            b,
            activation,
            z: Array2::zeros((n, 0)),
            a: Array2::zeros((n, 0)),
            dz: Array2::zeros((n, 0)),
            dw: Array2::zeros((n, n_prev)),
            db: Array2::zeros((n, 1)),
        }
    }

    /// n[l], the number of units.
    pub fn units(&self) -> usize {
        self.w.nrows()
    }

    /// n[l-1], the number of inputs.
    pub fn inputs(&self) -> usize {
        self.w.ncols()
    }

    /// Sizes the m-dependent buffers for a batch of `m` examples (allocates only when m changes).
    fn ensure_batch(&mut self, m: usize) {
        if self.z.ncols() != m {
            let n = self.units();
            self.z = Array2::zeros((n, m));
            self.a = Array2::zeros((n, m));
            self.dz = Array2::zeros((n, m));
        }
    }

    /// Z = W·A_prev + b; A = g(Z). The bias add and g run in one pass over Z.
    pub fn forward(&mut self, a_prev: ArrayView2<'_, T>, threads: Threads) {
        self.ensure_batch(a_prev.ncols());
        gemm(
            T::one(),
            self.w.view(),
            a_prev,
            false,
            self.z.view_mut(),
            threads,
        );
        let g = self.activation;
        Zip::from(&mut self.z)
            .and(&mut self.a)
            .and_broadcast(&self.b)
            .for_each(|z, a, &b| {
                *z += b;
                *a = g.forward(*z);
            });
    }

    /// Given dZ of this layer (already in `self.dz`): dW = (1/m)·dZ·A_prevᵀ and
    /// db = (1/m)·Σ_columns dZ.
    pub fn parameter_gradients(&mut self, a_prev: ArrayView2<'_, T>, threads: Threads) {
        let m = self.dz.ncols();
        let inv_m = T::one() / T::cast(m as f64);
        gemm(
            inv_m,
            self.dz.view(),
            a_prev.t(),
            false,
            self.dw.view_mut(),
            threads,
        );
        for (db, row) in self.db.iter_mut().zip(self.dz.axis_iter(Axis(0))) {
            *db = match row.as_slice() {
                Some(r) => pairwise_sum(r),
                None => pairwise_sum(&row.to_vec()),
            } * inv_m;
        }
    }

    /// dZ[l-1] = (W[l]ᵀ·dZ[l]) ⊙ g′(Z[l-1]), written into `prev.dz`.
    pub fn propagate_back(&self, prev: &mut Dense<T>, threads: Threads) {
        gemm(
            T::one(),
            self.w.t(),
            self.dz.view(),
            false,
            prev.dz.view_mut(),
            threads,
        );
        let g = prev.activation;
        Zip::from(&mut prev.dz)
            .and(&prev.z)
            .and(&prev.a)
            .for_each(|dz, &z, &a| *dz *= g.derivative(z, a));
    }

    /// One gradient-descent step: W −= α·dW, b −= α·db.
    pub fn descend(&mut self, learning_rate: T) {
        Zip::from(&mut self.w)
            .and(&self.dw)
            .for_each(|w, &dw| *w -= learning_rate * dw);
        Zip::from(&mut self.b)
            .and(&self.db)
            .for_each(|b, &db| *b -= learning_rate * db);
    }
}
