//! One dense layer: Z = W·A_prev + b, A = g(Z), and its backward pass.
//!
//! The layer owns its parameters (W is n\[l\] × n\[l-1\], b is n\[l\] × 1, the notes'
//! shapes) and the buffers of one training pass (Z, A, dZ, dW, db), so that
//! after the first iteration a pass allocates nothing.

use ndarray::{Array2, ArrayView2};

use crate::activation::{activate_row, add_bias_row, times_derivative_row, Activation};
use crate::layers::BatchNorm;
use crate::linalg::{gemm, pairwise_sum, Float, Threads, SMALL_FLOPS};
use crate::optim::gd;
use crate::output::Output;

/// Below this many units W·X lands column-major first and is transposed into Z
/// (faer: 43 against 26 GFLOP/s on the cat nets' 20 × 12 288 · 12 288 × 209); from
/// it on, both layouts run at the same rate and the transpose would only cost.
const THIN_UNITS: usize = 64;

/// What a layer computes from Z.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum LayerKind {
    /// A hidden layer: A = g(Z), and g′ in the backward pass.
    Hidden(Activation),
    /// The output layer: A = σ(Z), or a softmax over each column (which the
    /// network applies to whole columns); dZ\[L\] = A\[L\] − Y either way.
    Output(Output),
}

impl LayerKind {
    /// The g the forward pass applies element by element: a hidden layer's,
    /// σ for a sigmoid output, none for a softmax output (A = Z until the
    /// network's softmax over each column).
    pub fn elementwise(self) -> Option<Activation> {
        match self {
            LayerKind::Hidden(g) => Some(g),
            LayerKind::Output(Output::Sigmoid | Output::Sigmoids) => Some(Activation::Sigmoid),
            LayerKind::Output(Output::Softmax) => None,
        }
    }
}

/// A fully connected layer with its forward cache and gradients.
#[derive(Clone, Debug)]
pub struct Dense<T: Float> {
    /// Weights W\[l\], n\[l\] × n\[l-1\].
    pub w: Array2<T>,
    /// Biases b\[l\], n\[l\] × 1, broadcast over the columns (examples).
    pub b: Array2<T>,
    /// A hidden layer's g, or the output.
    pub kind: LayerKind,
    /// Z\[l\] of the last forward pass, n\[l\] × m.
    pub z: Array2<T>,
    /// A\[l\] = g(Z\[l\]) of the last forward pass, n\[l\] × m.
    pub a: Array2<T>,
    /// dZ\[l\] of the last backward pass, n\[l\] × m.
    pub dz: Array2<T>,
    /// dW\[l\] = (1/m)·dZ\[l\]·A\[l-1\]ᵀ.
    pub dw: Array2<T>,
    /// db\[l\] = (1/m)·Σ_columns dZ\[l\].
    pub db: Array2<T>,
    /// Inverted dropout: 0 or 1/keep for each unit and example, multiplied
    /// into A after g; `None` when the layer keeps every unit.
    pub mask: Option<Array2<T>>,
    /// Batch normalisation of Z before g (course 2, week 3), if the layer has
    /// it: then Z holds Z̃ = γ ⊙ Z_norm + b after the forward pass (b plays β),
    /// and dZ the gradient of the product W·A_prev after the backward pass.
    pub norm: Option<Box<BatchNorm<T>>>,
    /// Zᵀ, m × n[l]: where W·A_prev lands first when A_prev is column-major
    /// (X as loaded), which faer computes ≈1.7× faster than into row-major Z.
    zt: Array2<T>,
}

impl<T: Float> Dense<T> {
    /// A layer with the given parameters and empty caches.
    pub fn new(w: Array2<T>, b: Array2<T>, kind: LayerKind) -> Self {
        let (n, n_prev) = w.dim();
        assert_eq!(b.dim(), (n, 1), "b must be n[l] × 1");
        Dense {
            w,
            b,
            kind,
            z: Array2::zeros((n, 0)),
            a: Array2::zeros((n, 0)),
            dz: Array2::zeros((n, 0)),
            dw: Array2::zeros((n, n_prev)),
            db: Array2::zeros((n, 1)),
            mask: None,
            norm: None,
            zt: Array2::zeros((0, n)),
        }
    }

    /// A copy of the parameters with empty caches, for prediction: batch
    /// normalisation (if any) with the running statistics.
    pub(crate) fn parameters_only(&self) -> Self {
        let mut copy = Dense::new(self.w.clone(), self.b.clone(), self.kind);
        copy.norm = self.norm.as_ref().map(|n| Box::new(n.parameters_only()));
        copy
    }

    /// n\[l\], the number of units.
    pub fn units(&self) -> usize {
        self.w.nrows()
    }

    /// n\[l-1\], the number of inputs.
    pub fn inputs(&self) -> usize {
        self.w.ncols()
    }

    /// Sizes the m-dependent buffers for a batch of `m` examples (allocates only when m
    /// changes, or when a caller replaced a buffer by one of another shape or layout).
    fn ensure_batch(&mut self, m: usize) {
        let n = self.units();
        let fits = |x: &Array2<T>| x.is_standard_layout() && x.dim() == (n, m);
        if !(fits(&self.z) && fits(&self.a) && fits(&self.dz)) {
            self.z = Array2::zeros((n, m));
            self.a = Array2::zeros((n, m));
            self.dz = Array2::zeros((n, m));
        }
    }

    /// Z = W·A_prev + b; A = g(Z). The bias add and g run in one pass over Z.
    pub fn forward(&mut self, a_prev: ArrayView2<'_, T>, threads: Threads) {
        let m = a_prev.ncols();
        self.ensure_batch(m);
        let (n, k) = self.w.dim();
        let column_major = m > 1 && k > 1 && a_prev.strides()[0] == 1;
        if column_major && n < THIN_UNITS && 2 * n * k * m > SMALL_FLOPS {
            if self.zt.dim() != (m, n) {
                self.zt = Array2::zeros((m, n));
            }
            gemm(
                T::one(),
                self.w.view(),
                a_prev,
                false,
                self.zt.view_mut().reversed_axes(),
                threads,
            );
            transpose_into(&self.zt, &mut self.z);
        } else {
            gemm(
                T::one(),
                self.w.view(),
                a_prev,
                false,
                self.z.view_mut(),
                threads,
            );
        }
        self.finish_forward();
    }

    /// After Z = W·A_prev: its batch normalisation (if any), then Z += b,
    /// A = g(Z) and the dropout mask.
    pub(crate) fn finish_forward(&mut self) {
        if let Some(norm) = self.norm.as_deref_mut() {
            norm.normalise_in_place(&mut self.z);
        }
        self.activate();
        if let Some(mask) = self.mask.as_ref().filter(|k| k.dim() == self.a.dim()) {
            self.a *= mask;
        }
    }

    /// Z += b; A = g(Z), row by row (Z already holds the product).
    pub(crate) fn activate(&mut self) {
        let m = self.z.ncols();
        if m == 0 {
            return;
        }
        let g = self.kind.elementwise();
        let z = self.z.as_slice_mut().expect("Z is owned, standard layout");
        let a = self.a.as_slice_mut().expect("A is owned, standard layout");
        for ((z, a), &b) in z
            .chunks_exact_mut(m)
            .zip(a.chunks_exact_mut(m))
            .zip(&self.b)
        {
            match g {
                Some(g) => activate_row(g, b, z, a),
                None => add_bias_row(b, z, a),
            }
        }
    }

    /// Sizes the batch buffers for `m` examples without computing anything.
    pub(crate) fn prepare(&mut self, m: usize) {
        self.ensure_batch(m);
    }

    /// Given dZ of this layer (already in `self.dz`): dW = (1/m)·dZ·A_prevᵀ and
    /// db = (1/m)·Σ_columns dZ. With batch normalisation, `self.dz` holds dZ̃:
    /// db = dβ = (1/m)·Σ_columns dZ̃ and dγ = (1/m)·Σ_columns dZ̃ ⊙ Z_norm
    /// first, then dZ (through μ and σ²) takes its place for dW and the layer below.
    pub fn parameter_gradients(&mut self, a_prev: ArrayView2<'_, T>, threads: Threads) {
        let m = self.dz.ncols();
        let inv_m = T::one() / T::cast(m as f64);
        match self.norm.as_deref_mut() {
            Some(norm) => {
                norm.backward_in_place(&mut self.dz, inv_m);
                self.db.assign(&norm.dbeta);
            }
            None => self.bias_gradient(),
        }
        gemm(
            inv_m,
            self.dz.view(),
            a_prev.t(),
            false,
            self.dw.view_mut(),
            threads,
        );
    }

    /// db = (1/m)·Σ_columns dZ, each row summed in numpy's pairwise order.
    pub(crate) fn bias_gradient(&mut self) {
        let m = self.dz.ncols();
        let inv_m = T::one() / T::cast(m as f64);
        let dz = self.dz.as_slice().expect("dZ is owned, standard layout");
        if m == 0 {
            self.db.fill(T::nan());
            return;
        }
        for (db, row) in self.db.iter_mut().zip(dz.chunks_exact(m)) {
            *db = pairwise_sum(row) * inv_m;
        }
    }

    /// dZ\[l-1\] = (W\[l\]ᵀ·dZ\[l\]) ⊙ g′(Z\[l-1\]), written into `prev.dz`.
    pub fn propagate_back(&self, prev: &mut Dense<T>, threads: Threads) {
        gemm(
            T::one(),
            self.w.t(),
            self.dz.view(),
            false,
            prev.dz.view_mut(),
            threads,
        );
        let dims = prev.dz.dim();
        let dz = prev
            .dz
            .as_slice_mut()
            .expect("dZ is owned, standard layout");
        let z = prev.z.as_slice().expect("Z is owned, standard layout");
        // `prev` is a hidden layer (the output is never below another).
        let Some(g) = prev.kind.elementwise() else {
            return;
        };
        match prev.mask.as_ref().filter(|k| k.dim() == dims) {
            // Dropout: dA ⊙= D/keep, and g′ from Z alone (A holds the masked values).
            Some(mask) => {
                let mask = mask.as_slice().expect("mask is owned, standard layout");
                for ((dz, &z), &k) in dz.iter_mut().zip(z).zip(mask) {
                    *dz *= k * g.derivative(z, g.forward(z));
                }
            }
            None => {
                let a = prev.a.as_slice().expect("A is owned, standard layout");
                times_derivative_row(g, dz, z, a);
            }
        }
    }

    /// One gradient-descent step: W −= α·dW, b −= α·db (and γ −= α·dγ).
    pub fn descend(&mut self, learning_rate: T) {
        gd::update(&mut self.w, &self.dw, learning_rate);
        self.descend_bias(learning_rate);
        if let Some(norm) = self.norm.as_deref_mut() {
            gd::update(&mut norm.gamma, &norm.dgamma, learning_rate);
        }
    }

    /// b −= α·db alone.
    pub(crate) fn descend_bias(&mut self, learning_rate: T) {
        gd::update(&mut self.b, &self.db, learning_rate);
    }
}

/// dst = srcᵀ for owned row-major matrices, in square tiles so that both the
/// reads and the strided writes stay in L1 (an element-by-element transposed
/// copy misses the cache on every write once a row passes 4 KiB).
fn transpose_into<T: Float>(src: &Array2<T>, dst: &mut Array2<T>) {
    const TILE: usize = 16;
    let (r, c) = src.dim();
    assert_eq!(dst.dim(), (c, r));
    let s = src.as_slice().expect("owned, standard layout");
    let d = dst.as_slice_mut().expect("owned, standard layout");
    for i0 in (0..r).step_by(TILE) {
        for j0 in (0..c).step_by(TILE) {
            for i in i0..(i0 + TILE).min(r) {
                for j in j0..(j0 + TILE).min(c) {
                    d[j * r + i] = s[i * c + j];
                }
            }
        }
    }
}
