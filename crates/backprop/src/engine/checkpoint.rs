//! Checkpoints: one file, `checkpoint.safetensors`, holding a run's weights,
//! optimiser moments, early stopping's best weights and its strategy's own
//! state as tensors, and in its `__metadata__` (key `checkpoint`) the JSON
//! rest: the configuration it is handed, the position in the run, the
//! history so far.
//!
//! One file written to a temporary name and renamed over the old one: a kill
//! at any moment leaves the old checkpoint or the new one, never a mix.

use std::collections::HashMap;
use std::path::Path;

use ndarray::Array2;
use safetensors::SafeTensors;
use serde::{Deserialize, Serialize};

use crate::builder::ParameterId;
use crate::error::Error;
use crate::fsutil::write_atomic;
use crate::layers::{Picture, PictureLayer};
use crate::linalg::Float;
use crate::model_io::{pack_with_metadata, picture, tensors_of, unpack};
use crate::network::Network;
use crate::optim::{Optimizer, Slot};
use crate::train::{nan_if_null, GdConfig, History};

use super::plan::Plan;
use super::state::TrainState;

/// The checkpoint's file in a run folder.
pub const FILE: &str = "checkpoint.safetensors";
/// The metadata key of the description.
const KEY: &str = "checkpoint";
const FORMAT: &str = "backprop-checkpoint-2";

/// The description stored beside the tensors.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CheckpointInfo {
    /// Always "backprop-checkpoint-2".
    pub format: String,
    /// The configuration the run was handed (for the CLI: the whole job).
    pub config: serde_json::Value,
    /// What the run's training data was (opaque here: the job records its
    /// data's fingerprint and refuses to resume on data that changed); null
    /// when not recorded.
    #[serde(default)]
    pub data: serde_json::Value,
    /// [n_x, …, n_L].
    pub layer_sizes: Vec<usize>,
    /// The input picture of a network with picture layers (as model.json's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub picture: Option<Picture>,
    /// Its picture layers (as model.json's); their W, b are the tensors
    /// `conv{j}.W`, `conv{j}.b`, their optimiser slots after the dense layers'.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub picture_layers: Vec<PictureLayer>,
    /// Updates done.
    pub step: usize,
    /// The epoch in progress.
    pub epoch: usize,
    /// The next mini-batch of that epoch.
    pub batch: usize,
    /// Σ (batch cost × batch weight) over the epoch so far.
    #[serde(deserialize_with = "nan_if_null")]
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
    /// The strategy the run computes its updates with.
    pub plan: Option<Plan>,
    /// The names of the strategy's own tensors.
    pub strategy: Vec<String>,
}

/// Writes the checkpoint of `net` and `state`, with the run's `config` and
/// `data` description ([`CheckpointInfo`]), into `dir` (created if needed).
pub fn save<T: Float>(
    dir: &Path,
    config: &serde_json::Value,
    data: &serde_json::Value,
    net: &Network<T>,
    state: &TrainState<T>,
) -> Result<(), Error> {
    let bytes = to_bytes(config, data, net, state)?;
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    write_atomic(&dir.join(FILE), &bytes)
}

/// The bytes of [`FILE`] for `net` and `state`, with `config` and `data`.
pub fn to_bytes<T: Float>(
    config: &serde_json::Value,
    data: &serde_json::Value,
    net: &Network<T>,
    state: &TrainState<T>,
) -> Result<Vec<u8>, Error> {
    let mut matrices: Vec<(String, &Array2<T>)> = Vec::new();
    let mut push = |name: String, t| matrices.push((name, t));
    for (k, slot) in state.optimizer.slots.iter().enumerate() {
        push(format!("v.{k}"), &slot.v);
        push(format!("s.{k}"), &slot.s);
    }
    if let Some((_, best)) = &state.best {
        for (l, (w, b)) in best.iter().enumerate() {
            let [w_id, b_id] = ParameterId::of_layer(l + 1);
            push(format!("best.{}", w_id.name()), w);
            push(format!("best.{}", b_id.name()), b);
        }
    }
    let mut strategy: Vec<String> = state.strategy.keys().cloned().collect();
    strategy.sort();
    for name in &strategy {
        push(name.clone(), &state.strategy[name]);
    }
    let mut tensors = tensors_of(net);
    tensors.extend(matrices.into_iter().map(|(n, t)| (n, t.view().into_dyn())));
    let info = CheckpointInfo {
        format: FORMAT.into(),
        config: config.clone(),
        data: data.clone(),
        layer_sizes: net.sizes(),
        picture: net.front().map(|f| f.picture()),
        picture_layers: net.front().map_or(Vec::new(), |f| f.spec().to_vec()),
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
        plan: state.plan,
        strategy,
    };
    let json = serde_json::to_string(&info).expect("checkpoint serialises");
    let meta = HashMap::from([(KEY.to_string(), json)]);
    pack_with_metadata(&tensors, Some(meta))
}

/// Reads the description of the checkpoint in the run folder `dir`.
pub fn read_info(dir: &Path) -> Result<CheckpointInfo, Error> {
    let path = dir.join(FILE);
    let bytes = std::fs::read(&path).map_err(|e| {
        Error::format(&path, format!("cannot be read ({e}); {} needs a run folder with a checkpoint (a finished run, {} N, or an interrupted run)", crate::Setting::Resume, crate::Setting::CheckpointEvery))
    })?;
    info_of(&path, &bytes)
}

fn info_of(path: &Path, bytes: &[u8]) -> Result<CheckpointInfo, Error> {
    let bad = |m: String| Error::format(path, format!("is not a backprop checkpoint ({m})"));
    let (_, meta) = SafeTensors::read_metadata(bytes).map_err(|e| bad(e.to_string()))?;
    let json = meta
        .metadata()
        .as_ref()
        .and_then(|m| m.get(KEY))
        .ok_or_else(|| bad("no description".into()))?;
    let info: CheckpointInfo = serde_json::from_str(json).map_err(|e| bad(e.to_string()))?;
    if info.format != FORMAT {
        return Err(bad(format!("format {}", info.format)));
    }
    Ok(info)
}

/// Checks the position against the checkpoint's own counts, so that a
/// damaged description is refused rather than resumed from: what the history
/// records lies within the updates (or epochs, with `config.epochs`) done, in
/// order, and the optimiser has counted no more updates than were done. (The
/// trainer checks the position against the data's batches and the total.)
fn check_position(
    info: &CheckpointInfo,
    config: &GdConfig,
    bad: &dyn Fn(String) -> Error,
) -> Result<(), Error> {
    let done = if config.epochs.is_some() {
        info.epoch
    } else {
        info.step
    };
    let h = &info.history;
    let lists = [
        ("costs", &h.costs),
        ("test_costs", &h.test_costs),
        ("validation_costs", &h.validation_costs),
        ("validation_accuracies", &h.validation_accuracies),
    ];
    for (name, list) in lists {
        let ordered = list.windows(2).all(|w| w[0].0 < w[1].0);
        if !ordered || list.last().is_some_and(|&(at, _)| at > done) {
            return Err(bad(format!(
                "its history's {name} are not in order within the {done} done"
            )));
        }
    }
    if h.iterations > done || info.optimizer_t > info.step as u64 {
        return Err(bad(format!(
            "it counts {} iterations and {} optimiser updates but is at update {}",
            h.iterations, info.optimizer_t, info.step
        )));
    }
    Ok(())
}

/// Restores the weights onto `net` (built with the checkpoint's layer sizes)
/// and returns the state, checking every tensor's shape and type against the
/// network and `config` (the run's settings).
pub fn restore<T: Float>(
    dir: &Path,
    config: &GdConfig,
    net: &mut Network<T>,
) -> Result<(CheckpointInfo, TrainState<T>), Error> {
    let path = dir.join(FILE);
    let bytes = std::fs::read(&path).map_err(|e| Error::io(&path, e))?;
    let info = info_of(&path, &bytes)?;
    let bad = |m: String| Error::format(&path, format!("{m}; the checkpoint is damaged"));
    if info.layer_sizes != net.sizes() {
        return Err(Error::format(
            &path,
            format!(
                "has layers {:?}, but the data and model give {:?}",
                info.layer_sizes,
                net.sizes()
            ),
        ));
    }
    check_front(&path, &info, net)?;
    check_position(&info, config, &bad)?;
    let st = SafeTensors::deserialize(&bytes).map_err(|e| bad(format!("unreadable ({e})")))?;
    let best = restore_weights(&st, &info, net, &bad)?;
    let optimizer = restore_optimizer(&st, &info, config, net, &bad)?;
    let strategy = restore_strategy(&st, &info, &bad)?;
    let state = TrainState {
        optimizer,
        step: info.step,
        epoch: info.epoch,
        batch: info.batch,
        epoch_cost: info.epoch_cost,
        history: info.history.clone(),
        best: info.best_cost.map(|c| (c, best)),
        since_best: info.since_best,
        stopped_early: info.stopped_early,
        plan: info.plan,
        strategy,
    };
    Ok((info, state))
}

/// The checkpoint's picture and picture layers are the network's.
fn check_front<T: Float>(
    path: &Path,
    info: &CheckpointInfo,
    net: &Network<T>,
) -> Result<(), Error> {
    let picture = net.front().map(|f| f.picture());
    let layers = net.front().map_or(&[][..], |f| f.spec());
    if info.picture == picture && info.picture_layers == layers {
        return Ok(());
    }
    let describe = |p: Option<Picture>, l: &[PictureLayer]| match p {
        None => "no picture layers".to_string(),
        Some(p) => format!(
            "pictures of {p} through picture layers {}",
            serde_json::to_string(l).expect("layers serialise")
        ),
    };
    Err(Error::format(
        path,
        format!(
            "has {}, but the model gives {}",
            describe(info.picture, &info.picture_layers),
            describe(picture, layers)
        ),
    ))
}

/// Early stopping's best (W\[l\], b\[l\]) of every layer.
type BestWeights<T> = Vec<(Array2<T>, Array2<T>)>;

/// Reads W\[l\] and b\[l\] onto `net`, layer by layer, and returns early
/// stopping's best weights (none when the run kept none).
fn restore_weights<T: Float>(
    st: &SafeTensors<'_>,
    info: &CheckpointInfo,
    net: &mut Network<T>,
    bad: &dyn Fn(String) -> Error,
) -> Result<BestWeights<T>, Error> {
    let shapes = shapes(net);
    let mut best = Vec::new();
    for (l, layer) in net.layers_mut().iter_mut().enumerate() {
        let [w, b] = ParameterId::of_layer(l + 1);
        let read = |prefix: &str, id: ParameterId| {
            let name = format!("{prefix}{}", id.name());
            unpack(st, &name, shapes[id.slot()], bad)
        };
        layer.w = read("", w)?;
        layer.b = read("", b)?;
        if info.best_cost.is_some() {
            best.push((read("best.", w)?, read("best.", b)?));
        }
    }
    if let Some(front) = net.front_mut() {
        picture::read_into(st, "", front, bad)?;
    }
    for (name, t) in net.norm_tensors_mut() {
        let shape = [t.nrows(), 1];
        *t = unpack(st, &name, shape, bad)?;
    }
    Ok(best)
}

/// The shape of every parameter tensor as the optimiser steps it: the dense
/// W\[l\], b\[l\] in [`Network::parameters`]' order, then the picture layers'
/// (each convolution's W and b as matrices).
fn shapes<T: Float>(net: &Network<T>) -> Vec<[usize; 2]> {
    let mut shapes: Vec<[usize; 2]> = net.parameters().map(|p| p.value.dim().into()).collect();
    if let Some(front) = net.front() {
        shapes.extend(front.parameter_shapes());
    }
    shapes.extend(net.gamma_slot_shapes());
    shapes
}

/// The optimiser's count of updates and its moments, one slot per tensor.
fn restore_optimizer<T: Float>(
    st: &SafeTensors<'_>,
    info: &CheckpointInfo,
    config: &GdConfig,
    net: &Network<T>,
    bad: &dyn Fn(String) -> Error,
) -> Result<Optimizer<T>, Error> {
    let shapes = shapes(net);
    let mut optimizer = Optimizer::new(config.optimizer);
    optimizer.t = info.optimizer_t;
    if info.optimizer_slots > shapes.len() {
        return Err(bad(format!(
            "{} optimiser slots for {} tensors",
            info.optimizer_slots,
            shapes.len()
        )));
    }
    for (k, &shape) in shapes.iter().enumerate().take(info.optimizer_slots) {
        // Plain gradient descent keeps empty slots.
        let shape = match st.tensor(&format!("v.{k}")) {
            Ok(t) if t.shape() == [0, 0] => [0, 0],
            _ => shape,
        };
        optimizer.slots.push(Slot {
            v: unpack(st, &format!("v.{k}"), shape, bad)?,
            s: unpack(st, &format!("s.{k}"), shape, bad)?,
        });
    }
    Ok(optimizer)
}

/// The strategy's own tensors, by name.
fn restore_strategy<T: Float>(
    st: &SafeTensors<'_>,
    info: &CheckpointInfo,
    bad: &dyn Fn(String) -> Error,
) -> Result<HashMap<String, Array2<T>>, Error> {
    let mut strategy = HashMap::new();
    for name in &info.strategy {
        let t = st
            .tensor(name)
            .map_err(|_| bad(format!("has no tensor {name}")))?;
        let shape: [usize; 2] = t
            .shape()
            .try_into()
            .map_err(|_| bad(format!("{name} is not a matrix")))?;
        strategy.insert(name.clone(), unpack(st, name, shape, bad)?);
    }
    Ok(strategy)
}
