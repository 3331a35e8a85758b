//! A network's picture layers as ONNX nodes, between the preprocessing and
//! the dense layers.
//!
//! The graph's input is the pictures as `predict` reads them, channels last:
//! `X` is N × n_H × n_W × n_C (the course's and the Python package's layout),
//! raw pixel values (the model's ÷255 and standardisation are the graph's
//! first nodes, as for tables). Each layer of the list becomes:
//! ```text
//! float32:  convolution   Transpose(NCHW) ─ Conv(W as M × C × f × f, pads, strides)
//!           max pooling   MaxPool(kernel f, strides)          (NCHW)
//!           average       AveragePool(kernel f, strides)      (NCHW; no padding, so count_include_pad is moot)
//! float64:  convolution   [Pad] ─ Reshape ─ Gather(windows) ─ Reshape ─ MatMul(W as f·f·C × M) ─ Add b ─ Reshape   (NHWC)
//!           max pooling   Transpose(NCHW) ─ MaxPool
//!           average       Gather(windows) ─ MatMul(the f·f·C × C averaging matrix)                           (NHWC)
//! both:     activation    Relu, Tanh, Sigmoid, Identity, leaky ReLU as Max(Z, αZ)
//!           flatten       Transpose(NHWC) ─ Flatten: each example's volume in h, w, c order, as the library's
//! ```
//! A float64 graph has no `Conv` or `AveragePool` node because onnxruntime
//! (1.32) has no float64 kernel for either; the window gather computes the
//! same sums (`Z[i,h,w,c] = Σ A_pad[i, h·s+p, w·s+q, k]·W[p,q,k,c] + b[c]`),
//! in a different order, so the float64 graph agrees with `predict` to ~1e-15.

use ndarray::{Array2, Array4};

use super::graph::{int_attr, ints_attr, Graph};
use crate::config::Precision;
use crate::layers::{spec::shapes, Picture, PictureLayer, Pooling};
use crate::linalg::Float;
use crate::network::Network;

/// A network's picture layers, their convolutions' W (f × f × n_C_prev × n_C) and b in f64.
pub(super) struct Front {
    pub(super) picture: Picture,
    pub(super) spec: Vec<PictureLayer>,
    convs: Vec<(Array4<f64>, Array4<f64>)>,
}

impl Front {
    /// The picture layers of `net`, if it has any (f32 parameters are exact in f64).
    pub(super) fn of<T: Float>(net: &Network<T>) -> Option<Front> {
        let stack = net.front()?;
        Some(Front {
            picture: stack.picture(),
            spec: stack.spec().to_vec(),
            convs: stack
                .convs()
                .map(|c| (c.w.mapv(T::as_f64), c.b.mapv(T::as_f64)))
                .collect(),
        })
    }

    /// The input's dimensions after N: n_H, n_W, n_C.
    pub(super) fn input_dims(&self) -> [usize; 3] {
        let p = self.picture;
        [p.height, p.width, p.channels]
    }
}

/// Where the channels are in a volume between nodes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Layout {
    /// N × H × W × C, the library's (and the input's).
    Nhwc,
    /// N × C × H × W, ONNX's `Conv` and pools'.
    Nchw,
}

/// A volume: its tensor, layout and shape.
struct Volume {
    name: String,
    layout: Layout,
    shape: Picture,
}

impl Volume {
    /// The volume in `layout`, through a Transpose when it is in the other.
    fn into_layout(self, g: &mut Graph, layout: Layout) -> Volume {
        if self.layout == layout {
            return self;
        }
        let perm = match layout {
            Layout::Nchw => [0, 3, 1, 2],
            Layout::Nhwc => [0, 2, 3, 1],
        };
        let name = g.node("Transpose", &[&self.name], vec![ints_attr("perm", &perm)]);
        Volume {
            name,
            layout,
            shape: self.shape,
        }
    }
}

/// The picture layers over `x` (N × n_H × n_W × n_C, preprocessed), flattened
/// in the library's h, w, c order: returns the N × n_flat input of the dense layer 1.
pub(super) fn picture_layers(g: &mut Graph, front: &Front, x: String) -> String {
    let out = shapes(front.picture, &front.spec).expect("the network's own layers");
    let mut v = Volume {
        name: x,
        layout: Layout::Nhwc,
        shape: front.picture,
    };
    let mut convs = front.convs.iter();
    let f64 = g.precision == Precision::F64;
    for (i, (layer, &shape)) in front.spec.iter().zip(&out).enumerate() {
        let tag = format!("p{}", i + 1);
        v = match *layer {
            PictureLayer::Conv { stride, pad, .. } => {
                let (w, b) = convs.next().expect("a W, b per convolution");
                let layer = ConvLayer {
                    w,
                    b,
                    stride,
                    pad,
                    tag: &tag,
                };
                if f64 {
                    conv_gather(g, v, &layer, shape)
                } else {
                    conv_op(g, v, &layer, shape)
                }
            }
            PictureLayer::Activation { g: act } => Volume {
                name: g.activation(act, &v.name, &tag),
                ..v
            },
            PictureLayer::Pool { mode, f, stride } => match mode {
                Pooling::Average if f64 => average_gather(g, v, (f, stride), shape, &tag),
                _ => pool_op(g, v, mode, (f, stride), shape),
            },
        };
    }
    let v = v.into_layout(g, Layout::Nhwc);
    g.node("Flatten", &[&v.name], vec![int_attr("axis", 1)])
}

/// Kernel, strides and (for a convolution) pads as ONNX attributes.
fn window_attrs(f: usize, stride: usize, pad: Option<usize>) -> Vec<super::proto::AttributeProto> {
    let mut attrs = vec![
        ints_attr("kernel_shape", &[f, f]),
        ints_attr("strides", &[stride, stride]),
    ];
    if let Some(pad) = pad {
        attrs.push(ints_attr("pads", &[pad; 4]));
    }
    attrs
}

/// A convolution's W (f × f × n_C_prev × n_C), b, stride, padding and name prefix.
struct ConvLayer<'a> {
    w: &'a Array4<f64>,
    b: &'a Array4<f64>,
    stride: usize,
    pad: usize,
    tag: &'a str,
}

/// `Conv` in NCHW with W\[p,q,k,c\] stored as ONNX's W\[c,k,p,q\] (M × C × f × f).
fn conv_op(g: &mut Graph, v: Volume, layer: &ConvLayer<'_>, shape: Picture) -> Volume {
    let ConvLayer {
        w,
        b,
        stride,
        pad,
        tag,
    } = *layer;
    let v = v.into_layout(g, Layout::Nchw);
    let (f, _, k, c) = w.dim();
    let onnx_w: Vec<f64> = w
        .view()
        .permuted_axes([3, 2, 0, 1])
        .iter()
        .copied()
        .collect();
    let w_name = g.constant(&format!("{tag}_W"), &[c, k, f, f], &onnx_w);
    let bias: Vec<f64> = b.iter().copied().collect();
    let b_name = g.constant(&format!("{tag}_b"), &[c], &bias);
    let name = g.node(
        "Conv",
        &[&v.name, &w_name, &b_name],
        window_attrs(f, stride, Some(pad)),
    );
    Volume {
        name,
        layout: Layout::Nchw,
        shape,
    }
}

/// `MaxPool` or `AveragePool` in NCHW (no padding, as the library's pooling).
fn pool_op(
    g: &mut Graph,
    v: Volume,
    mode: Pooling,
    (f, stride): (usize, usize),
    shape: Picture,
) -> Volume {
    let v = v.into_layout(g, Layout::Nchw);
    let op = match mode {
        Pooling::Max => "MaxPool",
        Pooling::Average => "AveragePool",
    };
    let name = g.node(op, &[&v.name], window_attrs(f, stride, None));
    Volume {
        name,
        layout: Layout::Nchw,
        shape,
    }
}

/// The convolution as products over gathered windows (NHWC): the input
/// zero-padded, each output position's f × f × C window gathered into a row
/// (p, q, k order), times W seen as (f·f·C) × M, plus b.
fn conv_gather(g: &mut Graph, v: Volume, layer: &ConvLayer<'_>, shape: Picture) -> Volume {
    let (w, b, stride, pad, tag) = (layer.w, layer.b, layer.stride, layer.pad, layer.tag);
    let mut v = v.into_layout(g, Layout::Nhwc);
    let (f, _, k, c) = w.dim();
    if pad > 0 {
        let pads = [0, pad, pad, 0, 0, pad, pad, 0].map(|p| p as i64);
        let pads = g.int64s(&format!("{tag}_pads"), &[8], &pads);
        v.name = g.node("Pad", &[&v.name, &pads], vec![]);
        v.shape.height += 2 * pad;
        v.shape.width += 2 * pad;
    }
    let rows = windows(g, &v, (f, stride), shape, tag);
    let matrix = w
        .view()
        .into_shape_with_order((f * f * k, c))
        .expect("W is owned, standard layout");
    let product = matmul_constant(g, &rows, &matrix.to_owned(), &format!("{tag}_W"));
    let bias: Vec<f64> = b.iter().copied().collect();
    let b_name = g.constant(&format!("{tag}_b"), &[c], &bias);
    let z = g.node("Add", &[&product, &b_name], vec![]);
    back_to_volume(g, &z, shape, tag)
}

/// Average pooling as products over gathered windows (NHWC): each window's
/// row times the (f·f·C) × C matrix with 1/f² where the row's channel is the column's.
fn average_gather(
    g: &mut Graph,
    v: Volume,
    (f, stride): (usize, usize),
    shape: Picture,
    tag: &str,
) -> Volume {
    let v = v.into_layout(g, Layout::Nhwc);
    let channels = shape.channels;
    let rows = windows(g, &v, (f, stride), shape, tag);
    let share = 1.0 / (f * f) as f64;
    let mean = Array2::from_shape_fn((f * f * channels, channels), |(r, col)| {
        if r % channels == col {
            share
        } else {
            0.0
        }
    });
    let z = matmul_constant(g, &rows, &mean, &format!("{tag}_mean"));
    back_to_volume(g, &z, shape, tag)
}

/// Each output position's f × f window of the (padded) NHWC volume `v`, as
/// N × (n_H·n_W) × (f·f·C): the volume seen as N × (H·W) × C, rows gathered
/// by the window's pixel indices (h·s + p)·W + (w·s + q).
fn windows(
    g: &mut Graph,
    v: &Volume,
    (f, stride): (usize, usize),
    out: Picture,
    tag: &str,
) -> String {
    let (h, w, c) = (v.shape.height, v.shape.width, v.shape.channels);
    let pixels = g.int64s(
        &format!("{tag}_pixels"),
        &[3],
        &[-1, (h * w) as i64, c as i64],
    );
    let flat = g.node("Reshape", &[&v.name, &pixels], vec![]);
    let positions = out.height * out.width;
    let mut index = Vec::with_capacity(positions * f * f);
    for (oh, ow) in (0..out.height).flat_map(|oh| (0..out.width).map(move |ow| (oh, ow))) {
        for (p, q) in (0..f).flat_map(|p| (0..f).map(move |q| (p, q))) {
            index.push(((oh * stride + p) * w + ow * stride + q) as i64);
        }
    }
    let index = g.int64s(&format!("{tag}_windows"), &[positions, f * f], &index);
    let gathered = g.node("Gather", &[&flat, &index], vec![int_attr("axis", 1)]);
    let rows = g.int64s(
        &format!("{tag}_rows"),
        &[3],
        &[-1, positions as i64, (f * f * c) as i64],
    );
    g.node("Reshape", &[&gathered, &rows], vec![])
}

/// `rows` (N × P × r) times the constant `matrix` (r × M).
fn matmul_constant(g: &mut Graph, rows: &str, matrix: &Array2<f64>, name: &str) -> String {
    let values: Vec<f64> = matrix.iter().copied().collect();
    let m = g.constant(name, &[matrix.nrows(), matrix.ncols()], &values);
    g.node("MatMul", &[rows, &m], vec![])
}

/// N × (n_H·n_W) × n_C back to the N × n_H × n_W × n_C volume of `shape`.
fn back_to_volume(g: &mut Graph, z: &str, shape: Picture, tag: &str) -> Volume {
    let dims = [
        -1,
        shape.height as i64,
        shape.width as i64,
        shape.channels as i64,
    ];
    let dims = g.int64s(&format!("{tag}_volume"), &[4], &dims);
    Volume {
        name: g.node("Reshape", &[z, &dims], vec![]),
        layout: Layout::Nhwc,
        shape,
    }
}

/// The picture layers for the model's metadata: the input picture and the list (JSON).
pub(super) fn metadata(front: &Front) -> Vec<(&'static str, String)> {
    vec![
        (
            "picture",
            serde_json::to_string(&front.picture).expect("metadata serialises"),
        ),
        (
            "picture_layers",
            serde_json::to_string(&front.spec).expect("metadata serialises"),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use ndarray::Array4;
    use prost::Message;

    use crate::activation::Activation;
    use crate::config::Precision;
    use crate::export::onnx::{to_onnx, OnnxOptions};
    use crate::export::proto::ModelProto;
    use crate::layers::{ConvStack, Picture, PictureLayer, Pooling};
    use crate::model_io::ModelInfo;
    use crate::network::{AnyNetwork, Network};

    /// A 3×3×2 picture → conv 2×2 (3 filters, W[p,q,k,c] = pqkc as digits, pad `pad`) → avg pool 2 → 1 unit.
    fn model(pad: usize, pool: Pooling) -> (ModelInfo, AnyNetwork) {
        let picture = Picture {
            height: 3,
            width: 3,
            channels: 2,
        };
        let spec = [
            PictureLayer::conv(3, 2, 1, pad),
            PictureLayer::activation(Activation::Relu),
            PictureLayer::pool(pool, 2, 1),
        ];
        let w = Array4::from_shape_fn((2, 2, 2, 3), |(p, q, k, c)| {
            (1000 * p + 100 * q + 10 * k + c) as f64
        });
        let b = Array4::from_shape_fn((1, 1, 1, 3), |(.., c)| c as f64);
        let front = ConvStack::from_parameters(picture, &spec, vec![(w, b)]).unwrap();
        let n_flat = front.outputs();
        let dense = vec![(
            ndarray::Array2::ones((1, n_flat)),
            ndarray::Array2::zeros((1, 1)),
        )];
        let net = Network::<f64>::from_parameters(dense, Activation::Relu)
            .unwrap()
            .with_front(front)
            .unwrap();
        let info = serde_json::from_value(serde_json::json!({
            "format": crate::model_io::FORMAT, "backprop_version": "0",
            "layer_sizes": [18, 1], "hidden_activation": {"name": "relu"},
            "output_activation": "sigmoid", "precision": "f64", "classes": ["a", "b"],
            "preprocessing": {"input": "pictures", "scale": 1.0, "example_shape": [3, 3, 2]},
        }))
        .unwrap();
        (info, AnyNetwork::F64(net))
    }

    #[test]
    fn a_float32_graph_has_conv_with_onnxs_filter_layout_and_the_pictures_as_input() {
        let (info, net) = model(1, Pooling::Average);
        let f32 = OnnxOptions {
            precision: Some(Precision::F32),
            opset: None,
        };
        let e = to_onnx(&info, &net, &f32).unwrap();
        let ops: Vec<&str> = e.ops.iter().map(String::as_str).collect();
        assert_eq!(
            ops[..6],
            [
                "Transpose",
                "Conv",
                "Relu",
                "AveragePool",
                "Transpose",
                "Flatten"
            ]
        );
        assert_eq!(e.required_opset, 7, "AveragePool");
        let g = ModelProto::decode(e.bytes.as_slice())
            .unwrap()
            .graph
            .unwrap();
        let w = g.initializer.iter().find(|t| t.name == "p1_W").unwrap();
        assert_eq!(w.dims, [3, 2, 2, 2], "M × C × kH × kW");
        let values: Vec<f32> = w
            .raw_data
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes(c.try_into().unwrap()))
            .collect();
        // ONNX W[c,k,p,q] is the library's W[p,q,k,c] = 1000p + 100q + 10k + c.
        assert_eq!(values[..4], [0.0, 100.0, 1000.0, 1100.0]);
        assert_eq!(values[4..6], [10.0, 110.0]);
        assert_eq!(values[8], 1.0, "the second filter");
        let conv = &g.node[1];
        let attr = |n: &str| {
            conv.attribute
                .iter()
                .find(|a| a.name == n)
                .unwrap()
                .ints
                .clone()
        };
        assert_eq!(
            (attr("kernel_shape"), attr("strides"), attr("pads")),
            (vec![2, 2], vec![1, 1], vec![1, 1, 1, 1])
        );
        let input = g.input[0].r#type.clone().and_then(|t| t.tensor_type);
        let rank = input.and_then(|t| t.shape).map(|s| s.dim.len());
        assert_eq!(rank, Some(4), "N × n_H × n_W × n_C");
        let model = ModelProto::decode(e.bytes.as_slice()).unwrap();
        let meta: Vec<&str> = model
            .metadata_props
            .iter()
            .map(|p| p.key.as_str())
            .filter(|k| k.starts_with("picture"))
            .collect();
        assert_eq!(meta, ["picture", "picture_layers"]);
    }

    #[test]
    fn a_float64_graph_gathers_windows_instead_of_conv_and_average_pool() {
        let (info, net) = model(1, Pooling::Average);
        let e = to_onnx(&info, &net, &OnnxOptions::default()).unwrap();
        assert!(
            !e.ops.iter().any(|o| o == "Conv" || o == "AveragePool"),
            "{:?}",
            e.ops
        );
        assert!(e.ops.iter().any(|o| o == "Gather"));
        assert_eq!(e.required_opset, 11, "Pad takes its pads as an input");
        let below = OnnxOptions {
            precision: None,
            opset: Some(10),
        };
        let err = to_onnx(&info, &net, &below).unwrap_err().to_string();
        assert!(err.contains("below the 11 this graph needs (Pad"), "{err}");
        let (info, net) = model(0, Pooling::Max);
        let e = to_onnx(&info, &net, &OnnxOptions::default()).unwrap();
        assert!(e.ops.iter().any(|o| o == "MaxPool"));
        assert_eq!(e.required_opset, 8, "float64 MaxPool");
    }
}
