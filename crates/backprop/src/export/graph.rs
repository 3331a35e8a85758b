//! An ONNX graph being built: its nodes in order, its constants in the
//! graph's precision, and the oldest opset its operators allow.

use super::proto::{attribute_type, data_type, AttributeProto, NodeProto, TensorProto};
use crate::activation::Activation;
use crate::config::Precision;

/// The oldest opset at which `op` on float32 (or float64, `f64`) tensors is
/// both in the ONNX standard with the semantics used here and run by
/// onnxruntime (measured with onnxruntime 1.32 from opset 6 up), with the reason.
pub fn required_opset(op: &str, f64: bool) -> (i64, &'static str) {
    match op {
        "Add" | "Sub" | "Mul" | "Div" => (
            7,
            "Add, Sub, Mul and Div broadcast from opset 7; onnxruntime has no opset-6 kernel",
        ),
        "Greater" => (
            7,
            "Greater broadcasts from opset 7 (a multi-label model's P > 0.5)",
        ),
        "Max" | "Min" if f64 => (8, "onnxruntime runs float64 Max and Min from opset 8"),
        "Sign" => (
            9,
            "Sign (a table's log-transformed columns) is in ONNX from opset 9",
        ),
        "MaxPool" if f64 => (8, "onnxruntime runs float64 MaxPool from opset 8"),
        "AveragePool" => (7, "onnxruntime runs AveragePool from opset 7"),
        "Pad" => (
            11,
            "Pad (a float64 convolution's zero padding) takes its pads as an input from opset 11",
        ),
        _ => (6, "the oldest opset this writer supports"),
    }
}

pub(super) fn int_attr(name: &str, i: i64) -> AttributeProto {
    AttributeProto {
        name: name.into(),
        r#type: attribute_type::INT,
        i: Some(i),
        ..Default::default()
    }
}

pub(super) fn ints_attr(name: &str, ints: &[usize]) -> AttributeProto {
    AttributeProto {
        name: name.into(),
        r#type: attribute_type::INTS,
        ints: ints.iter().map(|&v| v as i64).collect(),
        ..Default::default()
    }
}

pub(super) fn tensor(name: &str, dims: &[usize], data_type: i32, raw_data: Vec<u8>) -> TensorProto {
    TensorProto {
        dims: dims.iter().map(|&d| d as i64).collect(),
        data_type,
        name: name.into(),
        raw_data,
        ..Default::default()
    }
}

/// A graph being built: nodes in order, constants, and the opset it needs.
pub(super) struct Graph {
    pub(super) nodes: Vec<NodeProto>,
    pub(super) initializers: Vec<TensorProto>,
    pub(super) precision: Precision,
    /// The oldest opset the nodes so far allow, and why.
    pub(super) required: (i64, &'static str),
}

impl Graph {
    pub(super) fn new(precision: Precision) -> Self {
        Graph {
            nodes: Vec::new(),
            initializers: Vec::new(),
            precision,
            required: required_opset("", false),
        }
    }

    pub(super) fn elem_type(&self) -> i32 {
        match self.precision {
            Precision::F32 => data_type::FLOAT,
            Precision::F64 => data_type::DOUBLE,
        }
    }

    /// A constant in the graph's precision (f32 values rounded once from f64).
    pub(super) fn constant(&mut self, name: &str, dims: &[usize], values: &[f64]) -> String {
        let raw: Vec<u8> = match self.precision {
            Precision::F32 => values
                .iter()
                .flat_map(|&v| (v as f32).to_le_bytes())
                .collect(),
            Precision::F64 => values.iter().flat_map(|v| v.to_le_bytes()).collect(),
        };
        self.initializers
            .push(tensor(name, dims, self.elem_type(), raw));
        name.to_string()
    }

    /// An int64 constant (shapes, gather indices, pads).
    pub(super) fn int64s(&mut self, name: &str, dims: &[usize], values: &[i64]) -> String {
        let raw = values.iter().flat_map(|v| v.to_le_bytes()).collect();
        self.initializers
            .push(tensor(name, dims, data_type::INT64, raw));
        name.to_string()
    }

    /// Adds `op`, its output named after the node (`Op_3`); returns the output.
    pub(super) fn node(&mut self, op: &str, inputs: &[&str], attrs: Vec<AttributeProto>) -> String {
        let name = format!("{op}_{}", self.nodes.len());
        self.node_named(op, inputs, &name, attrs)
    }

    pub(super) fn node_named(
        &mut self,
        op: &str,
        inputs: &[&str],
        output: &str,
        attrs: Vec<AttributeProto>,
    ) -> String {
        let need = required_opset(op, self.precision == Precision::F64);
        if need.0 > self.required.0 {
            self.required = need;
        }
        self.nodes.push(NodeProto {
            input: inputs.iter().map(|s| s.to_string()).collect(),
            output: vec![output.to_string()],
            name: format!("{op}_{}", self.nodes.len()),
            op_type: op.into(),
            attribute: attrs,
        });
        output.to_string()
    }

    /// A = g(Z) for layer `l`'s activation.
    /// Leaky ReLU is max(z, αz), z for z > 0 and αz for z ≤ 0 whenever α ≤ 1
    /// (min for α > 1): onnxruntime has no float64 `LeakyRelu`, and its float
    /// `alpha` attribute would put 1.6e-9 of error into a float64 model.
    pub(super) fn activation(&mut self, act: Activation, z: &str, l: &str) -> String {
        match act {
            Activation::Sigmoid => self.node("Sigmoid", &[z], vec![]),
            Activation::Tanh => self.node("Tanh", &[z], vec![]),
            Activation::Relu => self.node("Relu", &[z], vec![]),
            Activation::Identity => self.node("Identity", &[z], vec![]),
            Activation::LeakyRelu { slope } => {
                let alpha = self.constant(&format!("alpha{l}"), &[], &[slope]);
                let az = self.node("Mul", &[z, &alpha], vec![]);
                self.node(if slope <= 1.0 { "Max" } else { "Min" }, &[z, &az], vec![])
            }
        }
    }
}
