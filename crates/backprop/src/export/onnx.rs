//! A trained model as an ONNX graph that onnxruntime runs.
//!
//! The graph takes the raw inputs `predict` takes from tables — the features
//! in the model's order, one example per **row** (`X`, N × n_x: ONNX's and
//! scikit-learn's layout, the transpose of the notes' X) — and computes
//! everything `predict` does:
//! ```text
//! X ─ Div 255 ─ Sub mean ─ Div std ─┬─ MatMul W[l]ᵀ ─ Add b[l] ─ g[l] ─┬─ … ─ probabilities (N × K)
//!   (the model's preprocessing)     └──────── layer l = 1 … L ─────────┘     label (N)
//! ```
//! - each layer is `MatMul` + `Add`, not `Gemm` (tract rejects float64 `Gemm`);
//! - leaky ReLU is `Max(Z, α·Z)` (`Min` when α > 1): onnxruntime has no float64
//!   `LeakyRelu` kernel at most opsets, and its float `alpha` attribute would
//!   put 1.6e-9 of error into a float64 model;
//! - the outputs are named as skl2onnx names them: `probabilities` (N × K; a
//!   two-class model gives both columns, 1 − p and p) and `label` (the class
//!   name: int64 when every class name is an integer, else a string tensor);
//! - there is no dropout (it is a training-time operation);
//! - a network with picture layers takes its pictures whole, N × n_H × n_W × n_C
//!   (channels last), and its convolutions, pooling and flatten come between
//!   the preprocessing and the dense layers (see `onnx_picture.rs`).
//!
//! The graph computes in the model's precision unless another is asked for.
//! Opset 17 and IR version 8 by default; the oldest opset a graph can have is
//! the newest of its operators' needs (see [`required_opset`]).

use std::path::Path;

use prost::Message;

use super::graph::{int_attr, tensor, Graph};
use super::onnx_picture::{metadata as picture_metadata, picture_layers, Front};
use super::proto::{
    data_type, Dimension, DimensionValue, GraphProto, ModelProto, OperatorSetIdProto,
    StringStringEntryProto, TensorProto, TensorShapeProto, TypeProto, TypeProtoTensor,
    ValueInfoProto,
};
use crate::activation::Activation;
use crate::builder::ParameterId;
use crate::config::Precision;
use crate::error::Error;
use crate::fsutil::write_atomic;
use crate::linalg::Float;
use crate::model_io::{ModelInfo, INFO_FILE, WEIGHTS_FILE};
use crate::network::{with_any, AnyNetwork, Network};
use crate::output::Output;
use crate::predict::Model;
use crate::setting::{Problem, Setting};

pub use super::graph::required_opset;

/// The opset written when none is asked for.
pub const DEFAULT_OPSET: i64 = 17;
/// The newest opset this writer knows (onnx 1.23 and onnxruntime 1.32 load it).
pub const MAX_OPSET: i64 = 25;
/// The IR version written (ONNX 1.12's; onnx 1.23 and onnxruntime 1.32 accept it with every opset up to [`MAX_OPSET`]).
pub const IR_VERSION: i64 = 8;
/// The graph's input.
pub const INPUT: &str = "X";
/// The output holding P(class k), N × K.
pub const PROBABILITIES: &str = "probabilities";
/// The output holding the predicted class, N.
pub const LABEL: &str = "label";

/// How to export.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct OnnxOptions {
    /// The graph's element type [default: the model's].
    pub precision: Option<Precision>,
    /// The opset [default: [`DEFAULT_OPSET`]].
    pub opset: Option<i64>,
}

/// What was exported.
#[derive(Clone, Debug, PartialEq)]
pub struct Exported {
    /// The serialised `ModelProto`.
    pub bytes: Vec<u8>,
    /// The opset written.
    pub opset: i64,
    /// The oldest opset this graph could have been written at.
    pub required_opset: i64,
    /// The graph's element type.
    pub precision: Precision,
    /// The classes, index = position in `probabilities`.
    pub classes: Vec<String>,
    /// Whether `label` is int64 (else a string tensor).
    pub integer_labels: bool,
    /// A multi-label model's graph: `label` is N × K of 0/1 (int64), one column a label.
    pub multilabel: bool,
    /// The operators, in graph order.
    pub ops: Vec<String>,
}

/// Loads the model folder `model_dir` and writes it as ONNX to `out`
/// (through a temporary file and a rename). `out`'s folder must exist, and
/// an existing `out` is replaced only with `force`. Nothing is written on error.
pub fn export(
    model_dir: &Path,
    out: &Path,
    options: &OnnxOptions,
    force: bool,
) -> Result<Exported, Error> {
    check_out(out, force, model_dir)?;
    if model_dir.is_dir() && !model_dir.join(INFO_FILE).is_file() {
        return Err(Error::format(
            model_dir,
            format!("is not a model folder (it has no {INFO_FILE}); give a run folder written by `backprop train`"),
        ));
    }
    let model = Model::open(model_dir)?;
    let exported = to_onnx(&model.info, &model.network, options)?;
    write_atomic(out, &exported.bytes)?;
    Ok(exported)
}

/// Refuses an `--out` that cannot be written whole: a folder, a file in a
/// folder that does not exist, an existing file without `force`, and even
/// with it a device or FIFO or one of the files of `model_dir` it reads.
fn check_out(out: &Path, force: bool, model_dir: &Path) -> Result<(), Error> {
    if out.is_dir() {
        return Err(Error::format(
            out,
            format!(
                "is a folder; give {} a file name such as model.onnx",
                Setting::Out
            ),
        ));
    }
    let parent = out.parent().filter(|p| !p.as_os_str().is_empty());
    if let Some(dir) = parent.filter(|p| !p.is_dir()) {
        return Err(Error::format(
            out,
            format!(
                "cannot be written: the folder {} does not exist; create it or choose another {}",
                dir.display(),
                Setting::Out
            ),
        ));
    }
    let inputs = [model_dir.join(INFO_FILE), model_dir.join(WEIGHTS_FILE)];
    crate::fsutil::check_replaceable(out, force, &inputs)
}

/// The graph of a loaded model, serialised.
pub fn to_onnx(
    info: &ModelInfo,
    net: &AnyNetwork,
    options: &OnnxOptions,
) -> Result<Exported, Error> {
    if info.batch_norm.is_some() {
        return Err(Error::Config(format!(
            "the ONNX graph does not hold {} yet: a batch-normalised model is not exported",
            Setting::BatchNorm
        )));
    }
    let precision = match options.precision {
        Some(p) => p,
        None if info.precision == "f32" => Precision::F32,
        None => Precision::F64,
    };
    let (params, output) = with_any!(net, n => parameters(n));
    let front = with_any!(net, n => Front::of(n));
    let mut g = Graph::new(precision);
    let mut x = preprocess(&mut g, info, &input_dims_of(info, front.as_ref()))?;
    if let Some(f) = &front {
        x = picture_layers(&mut g, f, x);
    }
    let z = layers(&mut g, &params, info.hidden_activation, x);
    let classes = &info.classes;
    let k = params.last().map_or(0, |(w, _)| w.nrows());
    check_classes(classes, k, output)?;
    let multilabel = output == Output::Sigmoids;
    let probabilities = outputs(&mut g, &z, output);
    let integer_labels = classes
        .iter()
        .all(|c| c.parse::<i64>().is_ok_and(|v| v.to_string() == *c));
    if multilabel {
        labels_each(&mut g, &probabilities);
    } else {
        label(&mut g, &probabilities, classes, integer_labels);
    }

    let opset = options.opset.unwrap_or(DEFAULT_OPSET);
    let (required, why) = g.required;
    check_opset(opset, required, why)?;
    let ops = g.nodes.iter().map(|n| n.op_type.clone()).collect();
    let shape = (classes.len(), integer_labels);
    let model = g.finish(info, precision, shape, opset, front.as_ref());
    Ok(Exported {
        bytes: model.encode_to_vec(),
        opset,
        required_opset: required,
        precision,
        classes: classes.clone(),
        integer_labels,
        multilabel,
        ops,
    })
}

/// The graph input's dimensions after N: the features, or a picture's n_H, n_W, n_C.
fn input_dims_of(info: &ModelInfo, front: Option<&Front>) -> Vec<usize> {
    match front {
        Some(f) => f.input_dims().to_vec(),
        None => vec![info.layer_sizes.first().copied().unwrap_or(0)],
    }
}

/// Refuses a model whose class list does not fit its output layer of `k` units.
fn check_classes(classes: &[String], k: usize, output: Output) -> Result<(), Error> {
    let expected = match output {
        Output::Softmax | Output::Sigmoids => k,
        Output::Sigmoid if k == 1 => 2,
        Output::Sigmoid => usize::MAX,
    };
    if classes.len() == expected {
        return Ok(());
    }
    Err(Error::Config(format!(
        "{INFO_FILE} lists {} classes for an output of {k} unit(s); the model folder is damaged: train it again",
        classes.len()
    )))
}

/// The opset asked for against the one the graph needs (`required`, for
/// the reason `why`) and the newest this writer knows.
fn check_opset(opset: i64, required: i64, why: &str) -> Result<(), Error> {
    let o = Setting::Opset;
    let message = if opset < required {
        format!("{o} {opset} is below the {required} this graph needs ({why}); use {o} {required} or higher")
    } else if opset > MAX_OPSET {
        format!(
            "{o} {opset} is newer than the newest this writer knows ({MAX_OPSET}); use {o} {required}…{MAX_OPSET}"
        )
    } else {
        return Ok(());
    };
    Err(Problem::other(o, message).into())
}

/// Each layer's W, b in f64 (exact for f32 weights) and the output.
type Params = Vec<(ndarray::Array2<f64>, ndarray::Array2<f64>)>;
fn parameters<T: Float>(net: &Network<T>) -> (Params, Output) {
    let params = net
        .layers()
        .iter()
        .map(|l| (l.w.mapv(T::as_f64), l.b.mapv(T::as_f64)))
        .collect();
    (params, net.output())
}

/// The model's preprocessing as the first nodes, over inputs of `dims` after N
/// (the features, or a picture's n_H, n_W, n_C): ×scale (as ÷255 when the
/// scale is 1/255, so the graph divides as the loaders do), then standardisation.
fn preprocess(g: &mut Graph, info: &ModelInfo, dims: &[usize]) -> Result<String, Error> {
    let pre = &info.preprocessing;
    let n_x: usize = dims.iter().product();
    let mut x = INPUT.to_string();
    if pre.scale != 1.0 {
        let divisor = 1.0 / pre.scale;
        x = if divisor.fract() == 0.0 && 1.0 / divisor == pre.scale {
            let d = g.constant("scale_divisor", &[], &[divisor]);
            g.node("Div", &[&x, &d], vec![])
        } else {
            let s = g.constant("scale", &[], &[pre.scale]);
            g.node("Mul", &[&x, &s], vec![])
        };
    }
    if let Some(s) = &pre.standardization {
        if s.mean.len() != n_x || s.std.len() != n_x {
            return Err(Error::Config(format!(
                "{INFO_FILE} standardises {} features for a model of {n_x} inputs; the model folder is damaged: train it again",
                s.mean.len()
            )));
        }
        if !s.signed_log.is_empty() {
            x = signed_log(g, &x, &s.signed_log, dims);
        }
        let mean = g.constant("mean", dims, &s.mean);
        let std = g.constant("std", dims, &s.std);
        x = g.node("Sub", &[&x, &mean], vec![]);
        x = g.node("Div", &[&x, &std], vec![]);
    }
    Ok(x)
}

/// The features `logged` of `x` as sign(x)·ln(1 + |x|), the others as they
/// are: x·(1 − m) + t·m with m the 0/1 mask of `logged` (exact for either m,
/// as x and t are finite).
fn signed_log(g: &mut Graph, x: &str, logged: &[usize], dims: &[usize]) -> String {
    let mut mask = vec![0.0; dims.iter().product()];
    for &f in logged {
        mask[f] = 1.0;
    }
    let keep: Vec<f64> = mask.iter().map(|m| 1.0 - m).collect();
    let one = g.constant("log_one", &[], &[1.0]);
    let abs = g.node("Abs", &[x], vec![]);
    let shifted = g.node("Add", &[&abs, &one], vec![]);
    let log = g.node("Log", &[&shifted], vec![]);
    let sign = g.node("Sign", &[x], vec![]);
    let t = g.node("Mul", &[&sign, &log], vec![]);
    let m = g.constant("log_mask", dims, &mask);
    let k = g.constant("log_keep", dims, &keep);
    let tm = g.node("Mul", &[&t, &m], vec![]);
    let xk = g.node("Mul", &[x, &k], vec![]);
    g.node("Add", &[&xk, &tm], vec![])
}

/// Z[l] = A[l-1]·W[l]ᵀ + b[l]ᵀ (rows are examples), then g for the hidden
/// layers; returns the output layer's Z.
fn layers(g: &mut Graph, params: &Params, hidden: Activation, mut a: String) -> String {
    let last = params.len() - 1;
    for (l, (w, b)) in params.iter().enumerate() {
        let [w_id, b_id] = ParameterId::of_layer(l + 1);
        let wt: Vec<f64> = w.t().iter().copied().collect();
        let w_name = g.constant(&format!("{}_T", w_id.name()), &[w.ncols(), w.nrows()], &wt);
        let bias: Vec<f64> = b.iter().copied().collect();
        let b_name = g.constant(&b_id.name(), &[b.nrows()], &bias);
        let wx = g.node("MatMul", &[&a, &w_name], vec![]);
        let z = g.node("Add", &[&wx, &b_name], vec![]);
        a = if l == last {
            z
        } else {
            g.activation(hidden, &z, &(l + 1).to_string())
        };
    }
    a
}

/// `probabilities`: softmax over each row, [1 − σ(z), σ(z)], or σ(z) of
/// each label (multi-label).
fn outputs(g: &mut Graph, z: &str, output: Output) -> String {
    match output {
        Output::Softmax => {
            return g.node_named("Softmax", &[z], PROBABILITIES, vec![int_attr("axis", 1)])
        }
        Output::Sigmoids => return g.node_named("Sigmoid", &[z], PROBABILITIES, vec![]),
        Output::Sigmoid => {}
    }
    let p = g.node("Sigmoid", &[z], vec![]);
    let one = g.constant("one", &[], &[1.0]);
    let q = g.node("Sub", &[&one, &p], vec![]);
    g.node_named(
        "Concat",
        &[&q, &p],
        PROBABILITIES,
        vec![int_attr("axis", 1)],
    )
}

/// `label` of a multi-label model: 1 where P(label k | x) > 0.5, else 0
/// (int64, one column a label, as `predict`).
fn labels_each(g: &mut Graph, probabilities: &str) {
    let half = g.constant("half", &[], &[0.5]);
    let above = g.node("Greater", &[probabilities, &half], vec![]);
    g.node_named(
        "Cast",
        &[&above],
        LABEL,
        vec![int_attr("to", i64::from(data_type::INT64))],
    );
}

/// `label`: the first most probable class's name (as `predict`: P > 0.5 for two classes).
fn label(g: &mut Graph, probabilities: &str, classes: &[String], integer: bool) {
    let index = g.node(
        "ArgMax",
        &[probabilities],
        vec![int_attr("axis", 1), int_attr("keepdims", 0)],
    );
    let table = if integer {
        let values: Vec<u8> = classes
            .iter()
            .flat_map(|c| c.parse::<i64>().unwrap_or_default().to_le_bytes())
            .collect();
        tensor("classes", &[classes.len()], data_type::INT64, values)
    } else {
        TensorProto {
            string_data: classes.iter().map(|c| c.as_bytes().to_vec()).collect(),
            ..tensor("classes", &[classes.len()], data_type::STRING, Vec::new())
        }
    };
    g.initializers.push(table);
    g.node_named(
        "Gather",
        &["classes", &index],
        LABEL,
        vec![int_attr("axis", 0)],
    );
}

fn value_info(name: &str, elem_type: i32, dims: &[Option<usize>]) -> ValueInfoProto {
    let dim = dims
        .iter()
        .map(|d| Dimension {
            value: Some(match d {
                Some(n) => DimensionValue::DimValue(*n as i64),
                None => DimensionValue::DimParam("N".into()),
            }),
        })
        .collect();
    ValueInfoProto {
        name: name.into(),
        r#type: Some(TypeProto {
            tensor_type: Some(TypeProtoTensor {
                elem_type,
                shape: Some(TensorShapeProto { dim }),
            }),
        }),
    }
}

impl Graph {
    fn finish(
        self,
        info: &ModelInfo,
        precision: Precision,
        (k, integer_labels): (usize, bool),
        opset: i64,
        front: Option<&Front>,
    ) -> ModelProto {
        let elem = self.elem_type();
        let mut input_dims = vec![None];
        input_dims.extend(input_dims_of(info, front).into_iter().map(Some));
        let multilabel = info.output_activation == Output::Sigmoids.name();
        let label_type = if integer_labels || multilabel {
            data_type::INT64
        } else {
            data_type::STRING
        };
        let label_dims: &[Option<usize>] = if multilabel {
            &[None, Some(k)]
        } else {
            &[None]
        };
        let sizes = info
            .layer_sizes
            .iter()
            .map(usize::to_string)
            .collect::<Vec<_>>()
            .join("-");
        let graph = GraphProto {
            node: self.nodes,
            name: "backprop".into(),
            initializer: self.initializers,
            doc_string: format!("backprop network {sizes} ({})", activations(info)),
            input: vec![value_info(INPUT, elem, &input_dims)],
            output: vec![
                value_info(LABEL, label_type, label_dims),
                value_info(PROBABILITIES, elem, &[None, Some(k)]),
            ],
        };
        let mut metadata = metadata(info, precision);
        metadata.extend(front.map(picture_metadata).unwrap_or_default());
        ModelProto {
            ir_version: IR_VERSION,
            opset_import: vec![OperatorSetIdProto {
                domain: String::new(),
                version: opset,
            }],
            producer_name: "backprop".into(),
            producer_version: env!("CARGO_PKG_VERSION").into(),
            domain: String::new(),
            model_version: 1,
            doc_string: "Exported by `backprop export` (ONNX).".into(),
            graph: Some(graph),
            metadata_props: metadata
                .into_iter()
                .map(|(key, value)| StringStringEntryProto {
                    key: key.into(),
                    value,
                })
                .collect(),
        }
    }
}

/// The model's description as the graph's metadata: model.json's fields and the graph's precision.
fn metadata(info: &ModelInfo, precision: Precision) -> Vec<(&'static str, String)> {
    let mut metadata = vec![
        ("backprop_version", info.backprop_version.clone()),
        ("layer_sizes", json(&info.layer_sizes)),
    ];
    // A logistic regression (no hidden layer) has no hidden activation to name.
    if has_hidden(info) {
        let hidden = info.hidden_activation.name().to_string();
        metadata.push(("hidden_activation", hidden));
    }
    metadata.extend([
        ("output_activation", info.output_activation.clone()),
        ("classes", json(&info.classes)),
        ("model_precision", info.precision.clone()),
        (
            "graph_precision",
            match precision {
                Precision::F32 => "f32",
                Precision::F64 => "f64",
            }
            .to_string(),
        ),
        ("preprocessing", json(&info.preprocessing)),
    ]);
    if let Some(names) = &info.preprocessing.feature_names {
        metadata.push(("feature_names", json(names)));
    }
    metadata
}

/// Whether the network has a hidden layer (more than input and output sizes).
fn has_hidden(info: &ModelInfo) -> bool {
    info.layer_sizes.len() > 2
}

/// The activations for the graph's description: "relu hidden, sigmoid output",
/// or only the output's for a network without a hidden layer.
fn activations(info: &ModelInfo) -> String {
    let output = format!("{} output", info.output_activation);
    if has_hidden(info) {
        format!("{} hidden, {output}", info.hidden_activation.name())
    } else {
        output
    }
}

/// A metadata value as JSON text.
fn json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("metadata serialises")
}

#[cfg(test)]
mod tests {
    use ndarray::array;

    use super::*;
    use crate::data::{Preprocessing, Standardization};
    use crate::model_io::FORMAT;

    /// A 2-2-1 leaky-ReLU network on pictures ÷255, standardised.
    fn model(precision: &str) -> (ModelInfo, AnyNetwork) {
        let params = vec![
            (array![[1.0, 2.0], [3.0, 4.0]], array![[0.5], [-0.5]]),
            (array![[1.0, -1.0]], array![[0.25]]),
        ];
        let net = Network::<f64>::from_parameters(params, Activation::leaky_relu()).unwrap();
        let info = ModelInfo {
            format: FORMAT.into(),
            backprop_version: "0".into(),
            layer_sizes: vec![2, 2, 1],
            hidden_activation: Activation::leaky_relu(),
            output_activation: "sigmoid".into(),
            precision: precision.into(),
            classes: vec!["non-cat".into(), "cat".into()],
            preprocessing: Preprocessing {
                scale: 1.0 / 255.0,
                standardization: Some(Standardization {
                    mean: vec![0.1, 0.2],
                    std: vec![1.0, 2.0],
                    signed_log: Vec::new(),
                    log_above: None,
                }),
                ..Default::default()
            },
            picture: None,
            picture_layers: Vec::new(),
            batch_norm: None,
        };
        (info, AnyNetwork::F64(net))
    }

    #[test]
    fn the_graph_is_preprocessing_then_matmul_add_max_then_both_outputs() {
        let (info, net) = model("f64");
        let e = to_onnx(&info, &net, &OnnxOptions::default()).unwrap();
        let ops: Vec<&str> = e.ops.iter().map(String::as_str).collect();
        assert_eq!(
            ops,
            [
                "Div", "Sub", "Div", "MatMul", "Add", "Mul", "Max", "MatMul", "Add", "Sigmoid",
                "Sub", "Concat", "ArgMax", "Gather"
            ]
        );
        assert_eq!((e.opset, e.required_opset), (DEFAULT_OPSET, 8));
        assert!(!e.integer_labels);
        let m = ModelProto::decode(e.bytes.as_slice()).unwrap();
        assert_eq!(m.ir_version, IR_VERSION);
        let g = m.graph.unwrap();
        let w1 = g.initializer.iter().find(|t| t.name == "W1_T").unwrap();
        assert_eq!(w1.dims, [2, 2]);
        let values: Vec<f64> = w1
            .raw_data
            .chunks_exact(8)
            .map(|c| f64::from_le_bytes(c.try_into().unwrap()))
            .collect();
        assert_eq!(values, [1.0, 3.0, 2.0, 4.0], "W1 is stored transposed");
        let divisor = g
            .initializer
            .iter()
            .find(|t| t.name == "scale_divisor")
            .unwrap();
        assert_eq!(divisor.raw_data, 255.0f64.to_le_bytes());
        assert_eq!(g.output[0].name, LABEL);
        assert_eq!(g.output[1].name, PROBABILITIES);
    }

    #[test]
    fn a_multi_label_graph_gives_each_labels_probability_and_a_0_1_label_each() {
        let (mut info, _) = model("f64");
        let params = vec![
            (array![[1.0, 2.0], [3.0, 4.0]], array![[0.5], [-0.5]]),
            (array![[1.0, -1.0], [0.5, 2.0]], array![[0.25], [0.0]]),
        ];
        let mut net = Network::<f64>::from_parameters(params, Activation::leaky_relu()).unwrap();
        net.set_output(Output::Sigmoids).unwrap();
        info.layer_sizes = vec![2, 2, 2];
        info.output_activation = net.output().name().into();
        info.classes = vec!["0".into(), "1".into()];
        let e = to_onnx(&info, &AnyNetwork::F64(net), &OnnxOptions::default()).unwrap();
        let ops: Vec<&str> = e.ops.iter().map(String::as_str).collect();
        assert_eq!(ops[ops.len() - 3..], ["Sigmoid", "Greater", "Cast"]);
        assert!(e.multilabel);
        let g = ModelProto::decode(e.bytes.as_slice())
            .unwrap()
            .graph
            .unwrap();
        let label = g.output[0]
            .r#type
            .as_ref()
            .unwrap()
            .tensor_type
            .as_ref()
            .unwrap();
        assert_eq!(label.elem_type, data_type::INT64);
        let dims = &label.shape.as_ref().unwrap().dim;
        assert_eq!(dims.len(), 2, "a row of 0/1 per example, one a label");
    }

    #[test]
    fn a_float32_graph_needs_an_older_opset_and_refuses_one_below_it() {
        let (info, net) = model("f64");
        let f32 = OnnxOptions {
            precision: Some(Precision::F32),
            opset: Some(7),
        };
        let e = to_onnx(&info, &net, &f32).unwrap();
        assert_eq!(e.required_opset, 7);
        let w1 = ModelProto::decode(e.bytes.as_slice())
            .unwrap()
            .graph
            .unwrap();
        assert_eq!(
            w1.input[0]
                .r#type
                .as_ref()
                .unwrap()
                .tensor_type
                .as_ref()
                .unwrap()
                .elem_type,
            data_type::FLOAT
        );
        let f64_at_7 = OnnxOptions {
            precision: None,
            opset: Some(7),
        };
        let err = to_onnx(&info, &net, &f64_at_7).unwrap_err().to_string();
        assert!(err.starts_with("opset 7 is below the 8"), "{err}");
    }
}
