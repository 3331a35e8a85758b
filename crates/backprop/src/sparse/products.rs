//! The first layer's products over a sparse X: Z\[1\] = W\[1\]·X + b\[1\] and
//! dW\[1\] = (1/m)·dZ\[1\]·Xᵀ, each unit's row against each example's stored
//! entries (n\[1\]·nnz multiply-adds, where the dense products take
//! n\[1\]·n_x·m). Every layer above reads A\[1\], dense, as it always does.

use ndarray::{s, Array2, ArrayView2};

use crate::layer::Dense;
use crate::linalg::Float;
use crate::network::{Network, PREDICT_CHUNK};

use super::{SparseColumns, SparseView};

/// Z = W·X (no bias) into `z` (n × m, standard layout), unit by unit: each
/// entry is its example's stored entries' Σ W\[i, r\]·x_r, in stored order.
fn product_into<T: Float>(layer: &mut Dense<T>, x: SparseView<'_, T>) {
    let Dense { w, z, .. } = layer;
    let m = x.ncols();
    for (w_row, mut z_row) in w.rows().into_iter().zip(z.rows_mut()) {
        for j in 0..m {
            let (idx, val) = x.column(j);
            z_row[j] = idx
                .iter()
                .zip(val)
                .fold(T::zero(), |acc, (&r, &v)| acc + w_row[r as usize] * v);
        }
    }
}

/// The first layer's forward pass over a sparse X: Z = W·X + b, A = g(Z)
/// (times its dropout mask, as the dense pass does).
fn layer_forward<T: Float>(layer: &mut Dense<T>, x: SparseView<'_, T>) {
    layer.prepare(x.ncols());
    product_into(layer, x);
    layer.finish_forward();
}

/// The forward pass of `net` over a sparse X: the first layer's sparse
/// product, then every layer above as [`Network::forward`] does.
pub(crate) fn first_layer_forward<T: Float>(net: &mut Network<T>, x: SparseView<'_, T>) {
    layer_forward(&mut net.layers_mut()[0], x);
    net.forward_above_first();
}

/// After the backward pass above the first layer (its dZ in place): dW\[1\] =
/// (1/m)·dZ\[1\]·Xᵀ over X's stored entries and db\[1\] = (1/m)·Σ dZ\[1\].
pub(crate) fn first_layer_gradients<T: Float>(net: &mut Network<T>, x: SparseView<'_, T>) {
    let layer = &mut net.layers_mut()[0];
    let m = x.ncols();
    let inv_m = T::one() / T::cast(m as f64);
    layer.dw.fill(T::zero());
    for (mut dw_row, dz_row) in layer.dw.rows_mut().into_iter().zip(layer.dz.rows()) {
        for j in 0..m {
            let d = dz_row[j] * inv_m;
            let (idx, val) = x.column(j);
            for (&r, &v) in idx.iter().zip(val) {
                dw_row[r as usize] += d * v;
            }
        }
    }
    layer.bias_gradient();
}

impl<T: Float> Network<T> {
    /// Z\[L\] for each column of a sparse X (the output logits), 1 × m (or
    /// K × m), in chunks of at most [`PREDICT_CHUNK`] examples; the training
    /// caches are left alone, and X is never densified.
    pub fn sparse_logits(&self, x: &SparseColumns<T>) -> Array2<T> {
        let m = x.ncols();
        let mut scratch: Vec<Dense<T>> = self.layers().iter().map(Dense::parameters_only).collect();
        let k = scratch.last().map_or(0, |l| l.units());
        let mut out = Array2::zeros((k, m));
        let threads = self.threads();
        for start in (0..m).step_by(PREDICT_CHUNK) {
            let end = (start + PREDICT_CHUNK).min(m);
            layer_forward(&mut scratch[0], x.view().columns(start, end));
            for l in 1..scratch.len() {
                let (below, from_l) = scratch.split_at_mut(l);
                from_l[0].forward(below[l - 1].a.view(), threads);
            }
            let logits = &scratch[scratch.len() - 1].z;
            out.slice_mut(s![.., start..end]).assign(logits);
        }
        out
    }

    /// P(y = 1 | x) (1 × m) or P(class k | x) (K × m) for a sparse X, as
    /// [`Network::predict_proba`] gives them for its dense form.
    pub fn sparse_predict_proba(&self, x: &SparseColumns<T>) -> Array2<T> {
        self.output().probabilities(self.sparse_logits(x).view())
    }

    /// J on a sparse X against Y, as [`Network::cost_on`] gives it for its dense form.
    pub fn sparse_cost(&self, x: &SparseColumns<T>, y: ArrayView2<'_, T>) -> f64 {
        self.output().cost(self.sparse_logits(x).view(), y)
    }

    /// The prediction for each column of a sparse X, as [`Network::predict`]
    /// gives it for its dense form.
    pub fn sparse_predict(&self, x: &SparseColumns<T>) -> Array2<T> {
        self.classes_from_probabilities(self.sparse_predict_proba(x))
    }
}
