//! Batch normalisation in a dense network (course 2, week 3): every hidden
//! layer l computes Z\[l\] = W\[l\]·A\[l-1\], normalises it over the batch's
//! columns, Z̃\[l\] = γ\[l\] ⊙ (Z\[l\] − μ)/√(σ² + ε) + β\[l\], and A\[l\] = g(Z̃\[l\]).
//! β\[l\] is the layer's b\[l\] (the notes: b is replaced by β), so it keeps
//! b's name, optimiser slot and file entry; γ\[l\] and the running μ, σ² are
//! the layer's [`BatchNorm`]. The output layer is not normalised.
//!
//! Training passes normalise with the batch's μ, σ² and update the running
//! averages; prediction ([`Network::predict_proba`], evaluation) normalises
//! with the running ones. The optimisers step γ\[l\] in slots after every W,
//! b and picture-layer tensor (`Network::gamma_slot`).

use ndarray::Array2;

use crate::error::Error;
use crate::layer::LayerKind;
use crate::layers::{BatchNorm, BatchNormConfig};
use crate::linalg::Float;
use crate::network::Network;
use crate::optim::Optimizer;

/// The names of a normalised layer l's tensors besides W\[l\] and b\[l\] (= β\[l\]):
/// γ, the running μ and the running σ², in the model files' and checkpoints' order.
pub fn norm_tensor_names(l: usize) -> [String; 3] {
    [
        format!("gamma{l}"),
        format!("running_mean{l}"),
        format!("running_var{l}"),
    ]
}

impl<T: Float> Network<T> {
    /// Normalises every hidden layer's Z over each batch (γ = 1, running
    /// μ = 0, σ² = 1 to start; b, now β, as it is). Refused for a bad config
    /// (naming [`crate::Setting::BatchNorm`]).
    pub fn set_batch_norm(&mut self, config: BatchNormConfig) -> Result<(), Error> {
        config.validate()?;
        for layer in self.layers_mut() {
            if matches!(layer.kind, LayerKind::Hidden(_)) {
                layer.norm = Some(Box::new(BatchNorm::new(layer.units(), config)?));
            }
        }
        Ok(())
    }

    /// The batch normalisation settings, if the hidden layers are normalised.
    pub fn batch_norm(&self) -> Option<BatchNormConfig> {
        self.layers()
            .iter()
            .find_map(|l| l.norm.as_ref().map(|n| n.config))
    }

    /// The optimiser slot of γ\[l\] (l from 1): after the dense layers' W, b
    /// (2L slots) and the picture layers' tensors.
    pub(crate) fn gamma_slot(&self, l: usize) -> usize {
        let front = self.front().map_or(0, |f| 2 * f.convs().count());
        2 * self.layers().len() + front + (l - 1)
    }

    /// The optimiser's step of every γ\[l\] (β\[l\] is b\[l\], stepped with it).
    pub(crate) fn update_norms(&mut self, optimizer: &mut Optimizer<T>, learning_rate: T) {
        let first = self.gamma_slot(1);
        for (l, layer) in self.layers_mut().iter_mut().enumerate() {
            if let Some(norm) = layer.norm.as_deref_mut() {
                optimizer.update(first + l, &mut norm.gamma, &norm.dgamma, learning_rate);
            }
        }
    }

    /// γ\[l\], running μ\[l\] and running σ²\[l\] of each normalised layer, named
    /// ([`norm_tensor_names`]), layer 1 first.
    pub fn norm_tensors(&self) -> Vec<(String, &Array2<T>)> {
        let mut out = Vec::new();
        for (l, layer) in self.layers().iter().enumerate() {
            if let Some(n) = layer.norm.as_deref() {
                let names = norm_tensor_names(l + 1);
                let values = [&n.gamma, &n.running_mean, &n.running_var];
                out.extend(names.into_iter().zip(values));
            }
        }
        out
    }

    /// The same tensors, mutable (loading a model or checkpoint fills them).
    pub(crate) fn norm_tensors_mut(&mut self) -> Vec<(String, &mut Array2<T>)> {
        let mut out = Vec::new();
        for (l, layer) in self.layers_mut().iter_mut().enumerate() {
            if let Some(n) = layer.norm.as_deref_mut() {
                let names = norm_tensor_names(l + 1);
                let values = [&mut n.gamma, &mut n.running_mean, &mut n.running_var];
                out.extend(names.into_iter().zip(values));
            }
        }
        out
    }

    /// The shape of each γ\[l\]'s optimiser slot, from [`Network::gamma_slot`]`(1)`
    /// on (n\[l\] × 1 for a hidden layer, an unused 0 × 0 for the output).
    pub(crate) fn gamma_slot_shapes(&self) -> Vec<[usize; 2]> {
        match self.batch_norm() {
            None => Vec::new(),
            Some(_) => self.layers().iter().map(|l| [l.units(), 1]).collect(),
        }
    }
}
