//! Batch normalisation in model files and checkpoints: each normalised
//! layer l adds γ\[l\], running μ\[l\] and running σ²\[l\] (n\[l\] × 1, named
//! `gamma{l}`, `running_mean{l}`, `running_var{l}`) beside W\[l\] and b\[l\]
//! (b\[l\] is β\[l\]); model.json says `batch_norm` (its momentum and ε).

use safetensors::SafeTensors;

use super::unpack;
use crate::error::Error;
use crate::layers::BatchNormConfig;
use crate::linalg::Float;
use crate::network::Network;

/// How many tensors a model of `sizes` with (or without) batch normalisation holds.
pub(crate) fn tensor_count(sizes: &[usize], norm: Option<BatchNormConfig>) -> usize {
    let layers = sizes.len().saturating_sub(1);
    let hidden = layers.saturating_sub(1);
    2 * layers + norm.map_or(0, |_| 3 * hidden)
}

/// Normalises `net`'s hidden layers with `config` (a model's or a
/// checkpoint's) and reads their γ, running μ and running σ² from `tensors`,
/// refusing a running σ² below 0 (the square root of σ² + ε must exist).
pub(crate) fn read_norms<T: Float>(
    net: &mut Network<T>,
    tensors: &SafeTensors<'_>,
    config: BatchNormConfig,
    bad: &dyn Fn(String) -> Error,
) -> Result<(), Error> {
    net.set_batch_norm(config).map_err(|e| bad(e.to_string()))?;
    for (name, t) in net.norm_tensors_mut() {
        let shape = [t.nrows(), 1];
        *t = unpack(tensors, &name, shape, bad)?;
        if name.starts_with("running_var") && t.iter().any(|v| v.as_f64() < 0.0) {
            return Err(bad(format!("{name} holds a variance below 0")));
        }
    }
    Ok(())
}
