//! Networks with picture layers exported to ONNX: onnxruntime runs each graph
//! on random pictures (raw pixels, N × n_H × n_W × n_C) and its
//! `probabilities` agree with `Network::predict_proba` on the same pictures
//! ÷255 (and standardised): within 1e-10 in float64 graphs (measured ~1e-16)
//! and 1e-5 in float32, with the same labels in float64. Layer lists: stride
//! 2 with padding, average pooling with stride 1, mixed activations (leaky
//! ReLU, tanh, sigmoid, identity) before a dense hidden layer, sigmoid and
//! softmax outputs. Needs `$BACKPROP_PYTHON` with onnx and onnxruntime
//! (ignored without it, except under `CI=true`).

use std::process::Command;

use backprop::data::{Preprocessing, Standardization};
use backprop::export::onnx::{to_onnx, OnnxOptions};
use backprop::model_io::{ModelInfo, FORMAT};
use backprop::{
    Activation, AnyNetwork, Float, Gaussian, Init, Network, NumpyRng, Picture, PictureLayer,
    Pooling,
};
use ndarray::Array2;
use serde_json::{json, Value};

/// One network to export: its picture, layers, dense sizes after the flatten, hidden g.
struct Net {
    name: &'static str,
    picture: Picture,
    layers: Vec<PictureLayer>,
    dense: Vec<usize>,
    hidden: Activation,
    standardize: bool,
}

/// A network: its name, picture (n_H, n_W, n_C), layers, dense sizes, hidden g, standardised or not.
fn net(
    name: &'static str,
    (height, width, channels): (usize, usize, usize),
    layers: Vec<PictureLayer>,
    (dense, hidden): (&[usize], Activation),
    standardize: bool,
) -> Net {
    let picture = Picture {
        height,
        width,
        channels,
    };
    let dense = dense.to_vec();
    Net {
        name,
        picture,
        layers,
        dense,
        hidden,
        standardize,
    }
}

fn nets() -> Vec<Net> {
    use Activation::{Identity, Relu, Sigmoid, Tanh};
    use PictureLayer as L;
    let (max, avg, g) = (Pooling::Max, Pooling::Average, L::activation);
    let leaky = Activation::leaky_relu();
    vec![
        net(
            "stride 2 + pad, max pool, sigmoid output",
            (9, 9, 3),
            vec![L::conv(4, 3, 2, 1), g(Relu), L::pool(max, 2, 2)],
            (&[1], Relu),
            false,
        ),
        net(
            "average pool stride 1, tanh, softmax of 3",
            (8, 7, 2),
            vec![L::conv(3, 3, 1, 1), g(Tanh), L::pool(avg, 2, 1)]
                .into_iter()
                .chain([L::conv(5, 2, 1, 0), g(Sigmoid), L::pool(avg, 3, 2)])
                .collect(),
            (&[3], Relu),
            true,
        ),
        net(
            "mixed activations, stride 3 pad 2, dense tanh, softmax of 4",
            (10, 11, 3),
            vec![
                L::conv(6, 4, 3, 2),
                g(leaky),
                L::conv(4, 2, 1, 1),
                g(Identity),
            ]
            .into_iter()
            .chain([L::pool(max, 2, 1), L::conv(3, 1, 1, 0), g(Relu)])
            .chain([L::pool(avg, 2, 2)])
            .collect(),
            (&[7, 4], Tanh),
            false,
        ),
        net(
            "conv straight into a dense leaky-ReLU net, sigmoid output",
            (5, 6, 1),
            vec![L::conv(2, 2, 1, 0)],
            (&[6, 5, 1], leaky),
            true,
        ),
    ]
}

/// The network `spec` at precision T, its weights drawn with seed `seed`.
fn build<T: Float>(spec: &Net, seed: u32) -> Network<T> {
    let mut sizes = vec![spec.picture.len()];
    sizes.extend(&spec.dense);
    Network::<T>::builder(&sizes)
        .picture(spec.picture, &spec.layers)
        .activation(spec.hidden)
        .init(Init::Xavier)
        .seed(seed)
        .build()
        .unwrap_or_else(|e| panic!("{}: {e}", spec.name))
}

/// model.json for `net`: classes "0", "1", … and pictures ÷255, standardised
/// with a made-up mean and std per entry when asked.
fn info(spec: &Net, sizes: Vec<usize>, precision: &str) -> ModelInfo {
    let n_x = spec.picture.len();
    let k = *sizes.last().unwrap();
    let classes: Vec<String> = (0..k.max(2)).map(|c| c.to_string()).collect();
    let standardization = spec.standardize.then(|| Standardization {
        mean: (0..n_x).map(|i| 0.3 + 0.01 * (i % 7) as f64).collect(),
        std: (0..n_x).map(|i| 0.2 + 0.05 * (i % 5) as f64).collect(),
        signed_log: Vec::new(),
        log_above: None,
    });
    let preprocessing = Preprocessing {
        scale: 1.0 / 255.0,
        standardization,
        ..Default::default()
    };
    serde_json::from_value(json!({
        "format": FORMAT,
        "backprop_version": "test",
        "layer_sizes": sizes,
        "hidden_activation": spec.hidden,
        "output_activation": if k == 1 { "sigmoid" } else { "softmax" },
        "precision": precision,
        "classes": classes,
        "preprocessing": preprocessing,
    }))
    .expect("a model.json")
}

/// Raw pixels 0…255, m pictures, as the graph's N × n_H × n_W × n_C (row-major).
fn raw_pictures(spec: &Net, m: usize, seed: u32) -> Vec<f64> {
    let mut rng = NumpyRng::new(seed);
    (0..m * spec.picture.len())
        .map(|_| (rng.uniform() * 255.0).round())
        .collect()
}

/// X as `predict` takes it: n_x × m, each column a picture ÷255 (standardised).
fn predict_input<T: Float>(raw: &[f64], info: &ModelInfo, n_x: usize) -> Array2<T> {
    let m = raw.len() / n_x;
    let pre = &info.preprocessing;
    Array2::from_shape_fn((n_x, m), |(i, j)| {
        let mut v = raw[j * n_x + i] / (1.0 / pre.scale);
        if let Some(s) = &pre.standardization {
            v = (v - s.mean[i]) / s.std[i];
        }
        T::cast(v)
    })
}

/// P(class | x), m × K, as the graph's `probabilities` (a sigmoid's [1 − p, p]).
fn probabilities<T: Float>(net: &Network<T>, x: &Array2<T>) -> Array2<f64> {
    let p = net.predict_proba(x.view()).mapv(T::as_f64);
    if p.nrows() == 1 {
        Array2::from_shape_fn((p.ncols(), 2), |(j, c)| {
            if c == 1 {
                p[[0, j]]
            } else {
                1.0 - p[[0, j]]
            }
        })
    } else {
        p.reversed_axes().to_owned()
    }
}

/// onnxruntime's results for `cases` (run_graphs.py), handed over in `dir`.
fn onnxruntime(cases: &[Value], dir: &std::path::Path) -> Vec<Value> {
    let python = std::env::var("BACKPROP_PYTHON")
        .expect("BACKPROP_PYTHON (a Python with onnx and onnxruntime)");
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/onnx/run_graphs.py");
    let input = dir.join("cases.json");
    std::fs::write(&input, serde_json::to_vec(cases).expect("JSON")).unwrap();
    let output = Command::new(&python)
        .args([script.as_ref(), input.as_os_str()])
        .output()
        .unwrap_or_else(|e| panic!("cannot run {python}: {e}"));
    assert!(
        output.status.success(),
        "{script} failed (are onnx and onnxruntime installed for {python}?): {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("the script's JSON")
}

/// What one export is compared with.
struct Expected {
    what: String,
    probabilities: Array2<f64>,
    tolerance: f64,
    float64: bool,
}

/// Exports `spec` at precision T into `dir`; returns the case for the script and what to expect.
fn case<T: Float>(
    spec: &Net,
    precision: &str,
    dir: &std::path::Path,
    i: usize,
) -> (Value, Expected) {
    let net = build::<T>(spec, 5 + i as u32);
    let info = info(spec, net.sizes(), precision);
    let any = if precision == "f64" {
        AnyNetwork::F64(build::<f64>(spec, 5 + i as u32))
    } else {
        AnyNetwork::F32(build::<f32>(spec, 5 + i as u32))
    };
    let exported = to_onnx(&info, &any, &OnnxOptions::default())
        .unwrap_or_else(|e| panic!("{}: {e}", spec.name));
    let path = dir.join(format!("net{i}-{precision}.onnx"));
    std::fs::write(&path, &exported.bytes).unwrap();
    let m = 40;
    let raw = raw_pictures(spec, m, 11 + i as u32);
    let x = predict_input::<T>(&raw, &info, spec.picture.len());
    let p = spec.picture;
    let case =
        json!({"model": path, "x": {"shape": [m, p.height, p.width, p.channels], "data": raw}});
    let expected = Expected {
        what: format!("{} ({precision})", spec.name),
        probabilities: probabilities(&net, &x),
        tolerance: if precision == "f64" { 1e-10 } else { 1e-5 },
        float64: precision == "f64",
    };
    (case, expected)
}

#[test]
#[cfg_attr(no_python, ignore = "needs $BACKPROP_PYTHON with onnx and onnxruntime")]
fn onnxruntime_runs_exported_conv_nets_as_predict_does() {
    let dir = std::env::temp_dir().join(format!("backprop-onnx-picture-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut cases = Vec::new();
    let mut expected = Vec::new();
    for (i, spec) in nets().iter().enumerate() {
        for (case, e) in [
            case::<f64>(spec, "f64", &dir, i),
            case::<f32>(spec, "f32", &dir, i),
        ] {
            cases.push(case);
            expected.push(e);
        }
    }
    let results = onnxruntime(&cases, &dir);
    let mut worst64: f64 = 0.0;
    for (e, r) in expected.iter().zip(&results) {
        let shape: Vec<usize> =
            serde_json::from_value(r["probabilities"]["shape"].clone()).unwrap();
        let data: Vec<f64> = serde_json::from_value(r["probabilities"]["data"].clone()).unwrap();
        let got = Array2::from_shape_vec((shape[0], shape[1]), data).unwrap();
        assert_eq!(got.dim(), e.probabilities.dim(), "{}: shape", e.what);
        let diff = (&got - &e.probabilities)
            .iter()
            .fold(0.0f64, |d, v| d.max(v.abs()));
        eprintln!(
            "{}: max |p_onnxruntime − p_predict| = {diff:.3e}; ops {}",
            e.what, r["ops"]
        );
        assert!(
            diff <= e.tolerance,
            "{}: differs by {diff:e} > {}",
            e.what,
            e.tolerance
        );
        let column = got.column(0);
        let spread = column.fold(0.0f64, |a, &v| a.max(v)) - column.fold(1.0f64, |a, &v| a.min(v));
        assert!(spread > 1e-3, "{}: every picture gets about the same P ({spread:e}): the comparison would prove little", e.what);
        let input = if e.float64 {
            "tensor(double)"
        } else {
            "tensor(float)"
        };
        assert_eq!(r["input_type"], input, "{}", e.what);
        if e.float64 {
            worst64 = worst64.max(diff);
            let labels: Vec<usize> = e
                .probabilities
                .rows()
                .into_iter()
                .map(|row| (0..row.len()).fold(0, |b, c| if row[c] > row[b] { c } else { b }))
                .collect();
            let got: Vec<usize> = serde_json::from_value(r["label"].clone()).unwrap();
            assert_eq!(got, labels, "{}: labels", e.what);
        }
    }
    eprintln!("worst float64 difference: {worst64:.3e}");
    std::fs::remove_dir_all(&dir).ok();
}
