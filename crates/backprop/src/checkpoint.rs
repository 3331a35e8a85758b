//! Checkpoints: a run's weights and optimiser moments (`checkpoint.safetensors`)
//! and everything else needed to continue it exactly (`checkpoint.json`: the
//! job's configuration, the position in the run, the history so far).
//!
//! Both files are written atomically; a checkpoint is either the old one or the new one.

use std::path::Path;

use ndarray::Array2;
use safetensors::SafeTensors;
use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::fsutil::write_atomic;
use crate::job::TrainConfig;
use crate::linalg::Float;
use crate::minibatch::TrainState;
use crate::model_io::{pack, unpack};
use crate::network::Network;
use crate::optim::{Optimizer, Slot};
use crate::train::History;

/// The tensors' file.
pub const TENSORS_FILE: &str = "checkpoint.safetensors";
/// The description's file.
pub const STATE_FILE: &str = "checkpoint.json";
const FORMAT: &str = "backprop-checkpoint";

/// checkpoint.json.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CheckpointInfo {
    /// Always "backprop-checkpoint".
    pub format: String,
    /// The job, as started (data paths, model, training settings, run folder).
    pub config: TrainConfig,
    /// [n_x, …, n_L].
    pub layer_sizes: Vec<usize>,
    /// Updates done.
    pub step: usize,
    /// The epoch in progress.
    pub epoch: usize,
    /// The next mini-batch of that epoch.
    pub batch: usize,
    /// Σ (batch cost × batch size) over the epoch so far.
    pub epoch_cost: f64,
    /// The optimiser's update count.
    pub optimizer_t: u64,
    /// How many optimiser slots (tensors with moments) there are.
    pub optimizer_slots: usize,
    /// What was recorded so far.
    pub history: History,
    /// Early stopping: the best validation cost so far.
    pub best_cost: Option<f64>,
    /// Early stopping: evaluations since the best.
    pub since_best: usize,
    /// Whether early stopping had ended the run.
    pub stopped_early: bool,
}

/// Writes a checkpoint of `net` and `state` for the job `config` into `dir`.
pub fn save<T: Float>(
    dir: &Path,
    config: &TrainConfig,
    net: &Network<T>,
    state: &TrainState<T>,
) -> Result<(), Error> {
    let mut tensors: Vec<(String, &Array2<T>)> = Vec::new();
    for (l, layer) in net.layers().iter().enumerate() {
        tensors.push((format!("W{}", l + 1), &layer.w));
        tensors.push((format!("b{}", l + 1), &layer.b));
    }
    for (k, slot) in state.optimizer.slots.iter().enumerate() {
        tensors.push((format!("v.{k}"), &slot.v));
        tensors.push((format!("s.{k}"), &slot.s));
    }
    if let Some((_, best)) = &state.best {
        for (l, (w, b)) in best.iter().enumerate() {
            tensors.push((format!("best.W{}", l + 1), w));
            tensors.push((format!("best.b{}", l + 1), b));
        }
    }
    let info = CheckpointInfo {
        format: FORMAT.into(),
        config: config.clone(),
        layer_sizes: net.sizes(),
        step: state.step,
        epoch: state.epoch,
        batch: state.batch,
        epoch_cost: state.epoch_cost,
        optimizer_t: state.optimizer.t,
        optimizer_slots: state.optimizer.slots.len(),
        history: state.history.clone(),
        best_cost: state.best.as_ref().map(|b| b.0),
        since_best: state.since_best,
        stopped_early: state.stopped_early,
    };
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    write_atomic(&dir.join(TENSORS_FILE), &pack(&tensors)?)?;
    let json = serde_json::to_string_pretty(&info).expect("checkpoint serialises");
    write_atomic(&dir.join(STATE_FILE), json.as_bytes())
}

/// Reads checkpoint.json of the run folder `dir`.
pub fn read_info(dir: &Path) -> Result<CheckpointInfo, Error> {
    let path = dir.join(STATE_FILE);
    let text = std::fs::read_to_string(&path).map_err(|e| {
        Error::format(&path, format!("cannot be read ({e}); --resume needs a run folder with a checkpoint (train with --checkpoint-every N, or interrupt a run)"))
    })?;
    let info: CheckpointInfo = serde_json::from_str(&text)
        .map_err(|e| Error::format(&path, format!("is not a backprop checkpoint ({e})")))?;
    if info.format != FORMAT {
        return Err(Error::format(&path, "is not a backprop checkpoint"));
    }
    Ok(info)
}

/// Restores the network (weights on `net`, which has the checkpoint's shapes) and the state.
pub fn restore<T: Float>(
    dir: &Path,
    info: &CheckpointInfo,
    net: &mut Network<T>,
) -> Result<TrainState<T>, Error> {
    let path = dir.join(TENSORS_FILE);
    let bytes = std::fs::read(&path).map_err(|e| Error::io(&path, e))?;
    let bad = |m: String| Error::format(&path, format!("{m}; the checkpoint is damaged"));
    let st = SafeTensors::deserialize(&bytes).map_err(|e| bad(format!("unreadable ({e})")))?;
    let shapes: Vec<([usize; 2], [usize; 2])> = net
        .layers()
        .iter()
        .map(|l| (l.w.dim().into(), l.b.dim().into()))
        .collect();
    let mut best = Vec::new();
    for (l, (ws, bs)) in shapes.iter().enumerate() {
        let layer = &mut net.layers_mut()[l];
        layer.w = unpack(&st, &format!("W{}", l + 1), *ws, &bad)?;
        layer.b = unpack(&st, &format!("b{}", l + 1), *bs, &bad)?;
        if info.best_cost.is_some() {
            best.push((
                unpack(&st, &format!("best.W{}", l + 1), *ws, &bad)?,
                unpack(&st, &format!("best.b{}", l + 1), *bs, &bad)?,
            ));
        }
    }
    let mut optimizer = Optimizer::new(info.config.model.gd.optimizer);
    optimizer.t = info.optimizer_t;
    for k in 0..info.optimizer_slots {
        let shape: [usize; 2] = st
            .tensor(&format!("v.{k}"))
            .map_err(|_| bad(format!("has no tensor v.{k}")))?
            .shape()
            .try_into()
            .map_err(|_| bad(format!("v.{k} is not a matrix")))?;
        optimizer.slots.push(Slot {
            v: unpack(&st, &format!("v.{k}"), shape, &bad)?,
            s: unpack(&st, &format!("s.{k}"), shape, &bad)?,
        });
    }
    Ok(TrainState {
        optimizer,
        step: info.step,
        epoch: info.epoch,
        batch: info.batch,
        epoch_cost: info.epoch_cost,
        history: info.history.clone(),
        best: info.best_cost.map(|c| (c, best)),
        since_best: info.since_best,
        stopped_early: info.stopped_early,
    })
}
