//! Batch normalisation of a dense layer's Z (course 2, week 3), forward beside
//! backward, in the notes' layout: Z is n\[l\] × m, one example per column.
//!
//! ```text
//! μ = (1/m)·Σ_j Z[:,j]        σ² = (1/m)·Σ_j (Z[:,j] − μ)²
//! Z_norm = (Z − μ)/√(σ² + ε)   Z̃ = γ ⊙ Z_norm + β          (γ, β: n[l] × 1)
//! ```
//! Backward, given dZ̃ (the chain rule through μ and σ², which both depend on every column):
//! ```text
//! dZ_norm = γ ⊙ dZ̃
//! dσ² = Σ_j dZ_norm ⊙ (Z − μ) · (−½)(σ² + ε)^(−3/2)
//! dμ  = −Σ_j dZ_norm / √(σ² + ε)               (the dσ² term has Σ_j (Z − μ) = 0)
//! dZ  = dZ_norm/√(σ² + ε) + dσ²·2(Z − μ)/m + dμ/m
//!     = γ/(m·√(σ² + ε)) ⊙ (m·dZ̃ − Σ_j dZ̃ − Z_norm ⊙ Σ_j dZ̃ ⊙ Z_norm)
//! dγ  = α·Σ_j dZ̃ ⊙ Z_norm       dβ = α·Σ_j dZ̃
//! ```
//! α is 1 when dZ̃ is the cost's gradient, 1/m when it is the notes' dZ (as
//! db = (1/m)·Σ dZ); dZ is passed on unscaled either way. For prediction,
//! each training pass updates exponentially weighted averages
//! μ_run ← momentum·μ_run + (1 − momentum)·μ (σ²_run alike, the biased σ² of
//! the notes), and `predict` normalises with them. `momentum` is the weight of
//! the past, as Keras's `momentum` (0.99 there, 0.9 here); PyTorch's
//! `momentum` is the weight of the batch, 1 − ours (its 0.1 is our 0.9).
//! PyTorch keeps the unbiased σ²·m/(m − 1) as its running variance; we keep
//! the biased σ² the batch was normalised with, as the notes and Keras do.
//!
//! In a dense network ([`crate::Network::set_batch_norm`]) the layer's b plays
//! β (the notes: "b\[l\] is replaced by β\[l\]", since a b added before the
//! normalisation would cancel), so this type's own `beta` stays 0 there.

use ndarray::{Array2, ArrayView2, Axis};
use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::linalg::{pairwise_sum, Float};
use crate::setting::{Problem, Setting};

/// ε and the running averages' momentum.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct BatchNormConfig {
    /// Added to σ² before the square root (PyTorch's and ONNX's 1e-5).
    pub epsilon: f64,
    /// The weight of the past in the running μ and σ² (0.9: PyTorch's 0.1 for the batch).
    pub momentum: f64,
}

impl Default for BatchNormConfig {
    fn default() -> Self {
        BatchNormConfig {
            epsilon: 1e-5,
            momentum: 0.9,
        }
    }
}

/// γ, β, the running statistics, the last pass's cache and the gradients.
#[derive(Clone, Debug)]
pub struct BatchNorm<T: Float> {
    /// Scale γ, n × 1 (starts at 1).
    pub gamma: Array2<T>,
    /// Shift β, n × 1 (starts at 0).
    pub beta: Array2<T>,
    /// Running μ for prediction, n × 1 (starts at 0).
    pub running_mean: Array2<T>,
    /// Running σ² for prediction, n × 1 (starts at 1).
    pub running_var: Array2<T>,
    /// ε and momentum.
    pub config: BatchNormConfig,
    /// Z_norm of the last training pass, n × m.
    pub z_norm: Array2<T>,
    /// Z̃ of the last pass (training or prediction), n × m.
    pub z_tilde: Array2<T>,
    /// dZ of the last backward pass, n × m.
    pub dz: Array2<T>,
    /// dγ, n × 1.
    pub dgamma: Array2<T>,
    /// dβ, n × 1.
    pub dbeta: Array2<T>,
    /// 1/√(σ² + ε) of the last training pass, one per unit.
    inv_std: Vec<T>,
    /// Whether a pass normalises with the batch's statistics (training) or
    /// with the running ones (a copy made for prediction).
    training: bool,
}

impl BatchNormConfig {
    /// Refuses an ε that is not positive and finite, or a momentum not in [0, 1),
    /// naming the setting ([`Setting::BatchNorm`]).
    pub fn validate(&self) -> Result<(), Error> {
        let BatchNormConfig { epsilon, momentum } = *self;
        if epsilon > 0.0 && epsilon.is_finite() && (0.0..1.0).contains(&momentum) {
            return Ok(());
        }
        let message = format!(
            "{} needs ε > 0 and a momentum in [0, 1); got ε = {epsilon}, momentum = {momentum}",
            Setting::BatchNorm
        );
        Err(Problem::other(Setting::BatchNorm, message).into())
    }
}

impl<T: Float> BatchNorm<T> {
    /// Normalisation of `n` units, refused when ε is not positive or the momentum not in [0, 1).
    pub fn new(n: usize, config: BatchNormConfig) -> Result<Self, Error> {
        config.validate()?;
        let column = |v: f64| Array2::from_elem((n, 1), T::cast(v));
        Ok(BatchNorm {
            gamma: column(1.0),
            beta: column(0.0),
            running_mean: column(0.0),
            running_var: column(1.0),
            config,
            z_norm: Array2::zeros((n, 0)),
            z_tilde: Array2::zeros((n, 0)),
            dz: Array2::zeros((n, 0)),
            dgamma: column(0.0),
            dbeta: column(0.0),
            inv_std: vec![T::zero(); n],
            training: true,
        })
    }

    /// n, the units it normalises.
    pub fn units(&self) -> usize {
        self.gamma.nrows()
    }

    /// A copy of γ, β, the running statistics and the settings, with empty
    /// caches, that normalises with the running statistics (for prediction).
    pub fn parameters_only(&self) -> Self {
        let mut copy = BatchNorm::new(self.units(), self.config).expect("a checked config");
        copy.gamma.assign(&self.gamma);
        copy.beta.assign(&self.beta);
        copy.running_mean.assign(&self.running_mean);
        copy.running_var.assign(&self.running_var);
        copy.training = false;
        copy
    }

    /// Whether a pass uses the batch's statistics (else the running ones).
    pub fn is_training(&self) -> bool {
        self.training
    }

    /// Replaces Z (n × m) by Z̃ in place: a training pass ([`BatchNorm::forward`])
    /// or, on a copy for prediction, [`BatchNorm::predict`]. The buffers trade
    /// places, so nothing is allocated once the batch size is set.
    pub(crate) fn normalise_in_place(&mut self, z: &mut Array2<T>) {
        if self.training {
            self.forward(z.view());
        } else {
            self.predict(z.view());
        }
        std::mem::swap(z, &mut self.z_tilde);
    }

    /// Given dZ̃ (n × m) in `dz`: dγ (times α) and dβ, and dZ in its place
    /// (the buffers trade places, as in [`BatchNorm::normalise_in_place`]).
    pub(crate) fn backward_in_place(&mut self, dz: &mut Array2<T>, alpha: T) {
        self.backward(dz.view(), alpha);
        std::mem::swap(dz, &mut self.dz);
    }

    /// Sizes the n × m buffers (allocating only when m changes).
    fn ensure_batch(&mut self, dim: (usize, usize)) {
        for buffer in [&mut self.z_norm, &mut self.z_tilde, &mut self.dz] {
            if buffer.dim() != dim {
                *buffer = Array2::zeros(dim);
            }
        }
    }

    /// A training pass: the batch's μ and σ², Z_norm and Z̃, and the running averages updated.
    pub fn forward(&mut self, z: ArrayView2<'_, T>) {
        assert_eq!(z.nrows(), self.gamma.nrows(), "Z has one row per unit");
        self.ensure_batch(z.dim());
        let m = T::cast(z.ncols() as f64);
        let (eps, momentum) = (T::cast(self.config.epsilon), T::cast(self.config.momentum));
        for (u, z_row) in z.axis_iter(Axis(0)).enumerate() {
            let z_row = z_row.as_standard_layout();
            let z_row = z_row.as_slice().expect("standard layout");
            let centred = self.z_norm.row_mut(u).into_slice().expect("owned rows");
            let mu = pairwise_sum(z_row) / m;
            centred
                .iter_mut()
                .zip(z_row)
                .for_each(|(c, &z)| *c = z - mu);
            let squares = self.z_tilde.row_mut(u).into_slice().expect("owned rows");
            squares
                .iter_mut()
                .zip(centred.iter())
                .for_each(|(s, &c)| *s = c * c);
            let var = pairwise_sum(squares) / m;
            let inv_std = T::one() / (var + eps).sqrt();
            let (gamma, beta) = (self.gamma[[u, 0]], self.beta[[u, 0]]);
            for (zn, zt) in centred.iter_mut().zip(squares.iter_mut()) {
                *zn *= inv_std;
                *zt = gamma * *zn + beta;
            }
            self.inv_std[u] = inv_std;
            let (rm, rv) = (
                &mut self.running_mean[[u, 0]],
                &mut self.running_var[[u, 0]],
            );
            *rm = momentum * *rm + (T::one() - momentum) * mu;
            *rv = momentum * *rv + (T::one() - momentum) * var;
        }
    }

    /// Prediction: Z̃ = γ ⊙ (Z − μ_run)/√(σ²_run + ε) + β into `self.z_tilde`.
    pub fn predict(&mut self, z: ArrayView2<'_, T>) {
        assert_eq!(z.nrows(), self.gamma.nrows(), "Z has one row per unit");
        if self.z_tilde.dim() != z.dim() {
            self.z_tilde = Array2::zeros(z.dim());
        }
        let eps = T::cast(self.config.epsilon);
        for (u, (z_row, mut out)) in z
            .outer_iter()
            .zip(self.z_tilde.outer_iter_mut())
            .enumerate()
        {
            let inv_std = T::one() / (self.running_var[[u, 0]] + eps).sqrt();
            let (mu, gamma, beta) = (
                self.running_mean[[u, 0]],
                self.gamma[[u, 0]],
                self.beta[[u, 0]],
            );
            out.zip_mut_with(&z_row, |o, &z| *o = gamma * ((z - mu) * inv_std) + beta);
        }
    }

    /// Given dZ̃ of the last training pass: dγ, dβ (times α) and dZ.
    pub fn backward(&mut self, dz_tilde: ArrayView2<'_, T>, alpha: T) {
        assert_eq!(dz_tilde.dim(), self.z_norm.dim(), "dZ̃ must have Z's shape");
        let m = T::cast(dz_tilde.ncols() as f64);
        for (u, ((g, zn), mut dz)) in dz_tilde
            .outer_iter()
            .zip(self.z_norm.outer_iter())
            .zip(self.dz.outer_iter_mut())
            .enumerate()
        {
            let sum_g = g.fold(T::zero(), |s, &v| s + v);
            let sum_g_zn = g.iter().zip(zn).fold(T::zero(), |s, (&g, &z)| s + g * z);
            let scale = self.gamma[[u, 0]] * self.inv_std[u] / m;
            for ((dz, &g), &zn) in dz.iter_mut().zip(g).zip(zn) {
                *dz = scale * (m * g - sum_g - zn * sum_g_zn);
            }
            self.dgamma[[u, 0]] = alpha * sum_g_zn;
            self.dbeta[[u, 0]] = alpha * sum_g;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_config_that_cannot_normalise_is_refused() {
        for (epsilon, momentum) in [(0.0, 0.9), (f64::NAN, 0.9), (1e-5, 1.0), (1e-5, -0.1)] {
            let e = BatchNorm::<f64>::new(3, BatchNormConfig { epsilon, momentum }).unwrap_err();
            assert!(e.to_string().contains("momentum in [0, 1)"), "{e}");
        }
    }

    #[test]
    fn training_normalises_each_unit_over_the_batch() {
        let mut bn = BatchNorm::<f64>::new(2, BatchNormConfig::default()).unwrap();
        let z = ndarray::array![[1.0, 2.0, 3.0, 6.0], [-4.0, 0.0, 4.0, 8.0]];
        bn.forward(z.view());
        for row in bn.z_norm.rows() {
            let mean = row.sum() / 4.0;
            let var = row.mapv(|v| (v - mean).powi(2)).sum() / 4.0;
            assert!(
                mean.abs() < 1e-15 && (var - 1.0).abs() < 1e-5,
                "{mean} {var}"
            );
        }
        // running μ = 0.9·0 + (1 − 0.9)·μ
        let want = ndarray::array![[(1.0 - 0.9) * 3.0], [(1.0 - 0.9) * 2.0]];
        assert_eq!(bn.running_mean, want);
    }
}
