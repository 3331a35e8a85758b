//! The model folder: `model.safetensors` (the weights W1, b1, … in the notes'
//! shapes) and `model.json` (everything needed to use them: layer sizes,
//! activations, precision, classes and the preprocessing of the inputs).
//!
//! A network with picture layers also stores its input picture and layer
//! list in model.json (`picture`, `picture_layers`) and each convolution's
//! W and b beside the dense tensors (`model_io/picture.rs`).
//!
//! The weights load in Python with `safetensors.numpy.load_file`. Loading here
//! checks every tensor against the json and refuses a file that disagrees.

use std::collections::BTreeMap;
use std::path::Path;

use ndarray::{Array2, ArrayD, ArrayViewD};
use safetensors::{Dtype, SafeTensors};
use serde::{Deserialize, Serialize};

use crate::activation::Activation;
use crate::builder::ParameterId;
use crate::data::{Preparation, Preprocessing};
use crate::error::Error;
use crate::fsutil::write_atomic;
use crate::layers::{Picture, PictureLayer};
use crate::linalg::Float;
use crate::network::{AnyNetwork, Network};
use crate::output::Output;

mod check;
mod check_picture;
mod check_pre;
mod norm;
pub(crate) mod picture;

/// The weights file's name inside a model folder.
pub const WEIGHTS_FILE: &str = "model.safetensors";
/// The description file's name inside a model folder.
pub const INFO_FILE: &str = "model.json";
/// `format` in every model.json.
pub const FORMAT: &str = "backprop-model";

/// The contents of model.json.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ModelInfo {
    /// Always [`FORMAT`].
    pub format: String,
    /// The backprop version that wrote it.
    pub backprop_version: String,
    /// [n_x, n_1, …, n_L].
    pub layer_sizes: Vec<usize>,
    /// The hidden layers' g.
    pub hidden_activation: Activation,
    /// The output: "sigmoid" (one unit, two classes), "softmax" (K ≥ 2 units,
    /// K classes) or "sigmoids" (K units, K independent labels: multi-label).
    pub output_activation: String,
    /// "f32" or "f64": the dtype of the tensors.
    pub precision: String,
    /// Class names, index = label.
    pub classes: Vec<String>,
    /// How raw inputs become columns of X.
    pub preprocessing: Preprocessing,
    /// The input picture (n_H × n_W × n_C) of a network with picture layers;
    /// absent for a dense network.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub picture: Option<Picture>,
    /// The picture layers in front of the dense layers, first first (empty,
    /// and absent from the file, for a dense network).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub picture_layers: Vec<PictureLayer>,
    /// Batch normalisation of the hidden layers (its momentum and ε), whose
    /// γ\[l\], running μ\[l\] and σ²\[l\] the weights file holds; b\[l\] is β\[l\].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batch_norm: Option<crate::layers::BatchNormConfig>,
}

impl ModelInfo {
    /// The table preparation the model stores (its `preprocessing.table`,
    /// `classes` and standardisation), which makes raw rows its inputs;
    /// `None` for a model of pictures or arrays.
    pub fn preparation(&self) -> Option<Preparation> {
        Preparation::of_model(&self.preprocessing, &self.classes)
    }
}

/// Writes `net` and its description into the folder `dir` (which must exist).
pub fn save<T: Float>(
    dir: &Path,
    net: &Network<T>,
    classes: &[String],
    preprocessing: &Preprocessing,
) -> Result<ModelInfo, Error> {
    let info = ModelInfo {
        format: FORMAT.into(),
        backprop_version: env!("CARGO_PKG_VERSION").into(),
        layer_sizes: net.sizes(),
        hidden_activation: net.hidden_activation(),
        output_activation: net.output().name().into(),
        precision: T::NAME.into(),
        classes: classes.to_vec(),
        preprocessing: preprocessing.clone(),
        picture: net.front().map(|f| f.picture()),
        picture_layers: net.front().map_or(Vec::new(), |f| f.spec().to_vec()),
        batch_norm: net.batch_norm(),
    };
    let bytes = pack(&tensors_of(net))?;
    write_atomic(&dir.join(WEIGHTS_FILE), &bytes)?;
    let json = serde_json::to_string_pretty(&info).expect("model info serialises");
    write_atomic(&dir.join(INFO_FILE), json.as_bytes())?;
    Ok(info)
}

/// A tensor to pack: its name and its values (any shape, read row-major).
pub(crate) type NamedTensor<'a, T> = (String, ArrayViewD<'a, T>);

/// Every parameter tensor of `net`: W1, b1, …, then each convolution's
/// `conv{j}.W`, `conv{j}.b` ([`picture::tensors`]), then each normalised
/// layer's γ, running μ and σ² ([`norm`]).
pub(crate) fn tensors_of<T: Float>(net: &Network<T>) -> Vec<NamedTensor<'_, T>> {
    let mut tensors: Vec<NamedTensor<'_, T>> = net
        .parameters()
        .map(|p| (p.name, p.value.view().into_dyn()))
        .collect();
    if let Some(front) = net.front() {
        tensors.extend(picture::tensors(front));
    }
    let norms = net.norm_tensors().into_iter();
    tensors.extend(norms.map(|(name, t)| (name, t.view().into_dyn())));
    tensors
}

/// Packs named tensors into safetensors bytes (little-endian, the network's dtype).
pub(crate) fn pack<T: Float>(tensors: &[NamedTensor<'_, T>]) -> Result<Vec<u8>, Error> {
    pack_with_metadata(tensors, None)
}

/// [`pack`] with safetensors' `__metadata__` strings (a checkpoint's description).
pub(crate) fn pack_with_metadata<T: Float>(
    tensors: &[NamedTensor<'_, T>],
    metadata: Option<std::collections::HashMap<String, String>>,
) -> Result<Vec<u8>, Error> {
    let buffers: BTreeMap<&str, (Vec<usize>, Vec<u8>)> = tensors
        .iter()
        .map(|(name, t)| {
            let mut bytes = Vec::with_capacity(t.len() * std::mem::size_of::<T>());
            for &v in t.iter() {
                v.extend_le(&mut bytes);
            }
            (name.as_str(), (t.shape().to_vec(), bytes))
        })
        .collect();
    let views = buffers
        .iter()
        .map(|(k, (shape, bytes))| {
            safetensors::tensor::TensorView::new(dtype_of::<T>(), shape.clone(), bytes)
                .map(|v| (k.to_string(), v))
        })
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| Error::Config(format!("cannot pack the tensors: {e}")))?;
    safetensors::serialize(views, metadata)
        .map_err(|e| Error::Config(format!("cannot pack the tensors: {e}")))
}

/// Reads the matrix `name`, checking its dtype and shape; `bad` makes the error.
pub(crate) fn unpack<T: Float>(
    tensors: &SafeTensors<'_>,
    name: &str,
    shape: [usize; 2],
    bad: &dyn Fn(String) -> Error,
) -> Result<Array2<T>, Error> {
    let values = unpack_any(tensors, name, &shape, bad)?;
    Ok(values.into_dimensionality().expect("shape checked"))
}

/// Reads tensor `name` of any `shape`, checking its dtype, shape and values.
pub(crate) fn unpack_any<T: Float>(
    tensors: &SafeTensors<'_>,
    name: &str,
    shape: &[usize],
    bad: &dyn Fn(String) -> Error,
) -> Result<ArrayD<T>, Error> {
    let t = tensors
        .tensor(name)
        .map_err(|_| bad(format!("has no tensor {name}")))?;
    if t.dtype() != dtype_of::<T>() {
        return Err(bad(format!(
            "{name} is {:?}, expected {}",
            t.dtype(),
            T::NAME
        )));
    }
    if t.shape() != shape {
        return Err(bad(format!(
            "{name} has shape {:?}, model.json implies {shape:?}",
            t.shape()
        )));
    }
    let values: Vec<T> = t
        .data()
        .chunks_exact(std::mem::size_of::<T>())
        .map(T::from_le)
        .collect();
    if let Some(i) = values.iter().position(|v| !v.as_f64().is_finite()) {
        let all: Vec<f64> = values[..=i].iter().map(|v| v.as_f64()).collect();
        check::check_finite(name, shape, &all, bad)?;
    }
    Ok(ArrayD::from_shape_vec(shape, values).expect("shape checked"))
}

/// The error for the model folder `dir` that has no model yet because a
/// live run (another process) is still training it; `None` when none is.
pub fn in_progress(dir: &Path) -> Option<Error> {
    let pid = crate::fsutil::live_run_of(dir)?;
    Some(Error::format(
        dir,
        format!(
            "is a run still in progress: another backprop run{pid} is training it, and its model \
             is written when it ends; wait for it to end (or stop it: a stopped run leaves a \
             checkpoint to resume)"
        ),
    ))
}

/// Reads a model folder, checking every tensor's name, dtype and shape against
/// model.json. A folder a live run is still training (no model.json yet) says so.
pub fn load(dir: &Path) -> Result<(ModelInfo, AnyNetwork), Error> {
    let info_path = dir.join(INFO_FILE);
    let text = std::fs::read_to_string(&info_path).map_err(|e| {
        let missing = e.kind() == std::io::ErrorKind::NotFound;
        missing
            .then(|| in_progress(dir))
            .flatten()
            .unwrap_or_else(|| Error::io(&info_path, e))
    })?;
    let not_model = |e: serde_json::Error| {
        Error::format(
            &info_path,
            format!("is not a backprop model description ({e})"),
        )
    };
    // Typed from the text, so a field given twice is refused (a `Value` keeps
    // the last silently).
    let info: ModelInfo = serde_json::from_str(&text).map_err(not_model)?;
    if info.format != FORMAT {
        return Err(Error::format(
            &info_path,
            format!("format is '{}', expected '{FORMAT}'", info.format),
        ));
    }
    check::check_info(&info_path, &info)?;
    // Parsed again as a `Value`, which can still fail: the typed parse skips
    // unknown fields without refusing lone surrogates or nesting past 128.
    let raw: serde_json::Value = serde_json::from_str(&text).map_err(not_model)?;
    check::check_raw(&raw).map_err(|m| check::damaged(&info_path, m))?;
    let weights_path = dir.join(WEIGHTS_FILE);
    let bytes = std::fs::read(&weights_path).map_err(|e| Error::io(&weights_path, e))?;
    let net = match info.precision.as_str() {
        "f32" => AnyNetwork::F32(read_network(&weights_path, &bytes, &info)?),
        "f64" => AnyNetwork::F64(read_network(&weights_path, &bytes, &info)?),
        other => {
            return Err(Error::format(
                &info_path,
                format!("precision '{other}' is not f32 or f64"),
            ))
        }
    };
    Ok((info, net))
}

fn read_network<T: Float>(
    path: &Path,
    bytes: &[u8],
    info: &ModelInfo,
) -> Result<Network<T>, Error> {
    let bad = |m: String| {
        Error::format(
            path,
            format!("{m}; the model folder is damaged: train it again"),
        )
    };
    let tensors = SafeTensors::deserialize(bytes).map_err(|e| bad(format!("unreadable ({e})")))?;
    let sizes = &info.layer_sizes;
    if sizes.len() < 2 {
        return Err(bad("model.json lists fewer than two layer sizes".into()));
    }
    let front = picture::shapes_of(info);
    let expected = norm::tensor_count(sizes, info.batch_norm)
        + 2 * front.as_ref().map_or(0, |f| f.convs.len());
    if tensors.len() != expected {
        return Err(bad(format!(
            "holds {} tensors, model.json implies {expected}",
            tensors.len()
        )));
    }
    let mut params = Vec::new();
    for l in 1..sizes.len() {
        let inputs = match (&front, l) {
            (Some(f), 1) => f.flat,
            _ => sizes[l - 1],
        };
        let [w, b] = ParameterId::of_layer(l);
        let w = unpack(&tensors, &w.name(), [sizes[l], inputs], &bad)?;
        let b = unpack(&tensors, &b.name(), [sizes[l], 1], &bad)?;
        params.push((w, b));
    }
    let mut net =
        Network::from_parameters(params, info.hidden_activation).map_err(|e| bad(e.to_string()))?;
    if let Some(shapes) = &front {
        let stack = picture::read_front(&tensors, info, shapes, &bad)?;
        net = net.with_front(stack).map_err(|e| bad(e.to_string()))?;
    }
    if info.output_activation == Output::Sigmoids.name() {
        net.set_output(Output::Sigmoids)
            .map_err(|e| bad(e.to_string()))?;
    }
    if let Some(config) = info.batch_norm {
        norm::read_norms(&mut net, &tensors, config, &bad)?;
    }
    Ok(net)
}

fn dtype_of<T: Float>() -> Dtype {
    if std::mem::size_of::<T>() == 4 {
        Dtype::F32
    } else {
        Dtype::F64
    }
}
