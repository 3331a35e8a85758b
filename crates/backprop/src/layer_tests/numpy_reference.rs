//! The layers against numpy: `tests/reference/layers.py` computes each layer
//! from its equations (one window offset at a time, with einsum), and every
//! output and gradient must agree to 1e-12 in f64. Needs `$BACKPROP_PYTHON`
//! with numpy (ignored without it, except under `CI=true`).

use std::io::Write;
use std::process::{Command, Stdio};

use ndarray::{Array2, Array4, ArrayD, IxDyn};
use serde_json::{json, Value};

use super::{randn4, random_conv};
use crate::layers::{BatchNorm, BatchNormConfig, Pool, PoolMode};
use crate::linalg::Threads;
use crate::rng::NumpyRng;

/// An array as the script reads it.
pub(super) fn to_json<D: ndarray::Dimension>(a: &ndarray::Array<f64, D>) -> Value {
    json!({"shape": a.shape(), "data": a.iter().copied().collect::<Vec<_>>()})
}

/// An array as the script writes it.
pub(super) fn from_json(v: &Value) -> ArrayD<f64> {
    let shape: Vec<usize> = serde_json::from_value(v["shape"].clone()).expect("a shape");
    let data: Vec<f64> = serde_json::from_value(v["data"].clone()).expect("numbers");
    ArrayD::from_shape_vec(IxDyn(&shape), data).expect("data fills the shape")
}

/// Runs the reference on `cases` and returns its results, one per case.
pub(super) fn numpy(cases: &[Value]) -> Vec<Value> {
    let python = std::env::var("BACKPROP_PYTHON").expect("BACKPROP_PYTHON (a Python with numpy)");
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/reference/layers.py");
    let mut child = Command::new(&python)
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {python}: {e}"));
    let input = serde_json::to_vec(cases).expect("JSON");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(&input)
        .expect("write");
    let output = child.wait_with_output().expect("the reference ends");
    assert!(
        output.status.success(),
        "{script} failed (is numpy installed for {python}?)"
    );
    serde_json::from_slice(&output.stdout).expect("the reference's JSON")
}

/// Every entry within 1e-12 of numpy's (relative to the entry's size, at least 1).
pub(super) fn assert_agrees<D: ndarray::Dimension>(
    ours: &ndarray::Array<f64, D>,
    reference: &Value,
    what: &str,
) {
    let reference = from_json(reference);
    assert_eq!(ours.shape(), reference.shape(), "{what}: shape");
    for (a, b) in ours.iter().zip(&reference) {
        assert!(
            (a - b).abs() <= 1e-12 * b.abs().max(1.0),
            "{what}: {a} vs numpy's {b}"
        );
    }
}

/// (m, n_H_prev, n_W_prev, n_C_prev, f, n_C, stride, pad).
pub(super) type ConvCase = (usize, usize, usize, usize, usize, usize, usize, usize);

/// Odd sizes, stride over 1, padding wider than the window's reach, f = 1, the course's case.
const CONVS: [ConvCase; 6] = [
    (2, 5, 7, 3, 3, 4, 1, 1),
    (3, 6, 5, 2, 2, 3, 2, 0),
    (10, 4, 4, 3, 2, 8, 2, 2),
    (2, 7, 7, 1, 5, 2, 3, 2),
    (2, 4, 6, 3, 1, 2, 1, 0),
    (1, 9, 8, 2, 4, 3, 3, 1),
];

#[test]
#[cfg_attr(no_python, ignore = "needs $BACKPROP_PYTHON with numpy")]
fn convolution_agrees_with_numpy_to_1e_12() {
    let mut cases = Vec::new();
    let mut layers = Vec::new();
    for (seed, &(m, h, w, k, f, c, stride, pad)) in CONVS.iter().enumerate() {
        let mut rng = NumpyRng::new(seed as u32 + 10);
        let a_prev = randn4(&mut rng, (m, h, w, k));
        let mut conv = random_conv(&mut rng, (f, k, c), stride, pad);
        conv.forward(a_prev.view(), Threads(2)).unwrap();
        let dz = randn4(&mut rng, conv.z.dim());
        conv.backward(dz.view(), 1.0, true, Threads(2));
        cases.push(
            json!({"op": "conv", "a_prev": to_json(&a_prev), "w": to_json(&conv.w),
            "b": to_json(&conv.b), "dz": to_json(&dz), "stride": stride, "pad": pad}),
        );
        layers.push(conv);
    }
    for (i, (conv, r)) in layers.iter().zip(numpy(&cases)).enumerate() {
        let what = |name: &str| format!("conv case {i} {:?}: {name}", CONVS[i]);
        assert_agrees(&conv.z, &r["z"], &what("Z"));
        assert_agrees(&conv.da_prev, &r["da_prev"], &what("dA_prev"));
        assert_agrees(&conv.dw, &r["dw"], &what("dW"));
        assert_agrees(&conv.db, &r["db"], &what("db"));
    }
}

#[test]
#[cfg_attr(no_python, ignore = "needs $BACKPROP_PYTHON with numpy")]
fn pooling_agrees_with_numpy_to_1e_12() {
    let shapes = [
        ((2, 5, 5, 3), 2, 2),
        ((2, 6, 5, 2), 3, 1),
        ((1, 4, 4, 3), 3, 2),
        ((3, 7, 4, 2), 2, 3),
    ];
    let mut cases = Vec::new();
    let mut layers: Vec<Pool<f64>> = Vec::new();
    for (seed, &(shape, f, stride)) in shapes.iter().enumerate() {
        for (mode, name) in [(PoolMode::Max, "max"), (PoolMode::Average, "average")] {
            let mut rng = NumpyRng::new(seed as u32 + 20);
            let a_prev: Array4<f64> = randn4(&mut rng, shape);
            let mut pool = Pool::new(f, stride, mode).unwrap();
            pool.forward(a_prev.view()).unwrap();
            let da = randn4(&mut rng, pool.a.dim());
            pool.backward(da.view());
            cases.push(
                json!({"op": "pool", "a_prev": to_json(&a_prev), "da": to_json(&da),
                "f": f, "stride": stride, "mode": name}),
            );
            layers.push(pool);
        }
    }
    for (i, (pool, r)) in layers.iter().zip(numpy(&cases)).enumerate() {
        let what = |name: &str| format!("pool case {i} ({:?}): {name}", pool.mode);
        assert_agrees(&pool.a, &r["a"], &what("A"));
        assert_agrees(&pool.da_prev, &r["da_prev"], &what("dA_prev"));
    }
}

#[test]
#[cfg_attr(no_python, ignore = "needs $BACKPROP_PYTHON with numpy")]
fn batch_normalisation_agrees_with_numpy_to_1e_12() {
    let mut cases = Vec::new();
    let mut layers = Vec::new();
    for (seed, (n, m)) in [(4, 6), (3, 1), (5, 13)].into_iter().enumerate() {
        let mut rng = NumpyRng::new(seed as u32 + 60);
        let draw = |rng: &mut NumpyRng, r: usize, c: usize, scale: f64, shift: f64| {
            Array2::from_shape_vec((r, c), rng.randn_vec(r * c)).unwrap() * scale + shift
        };
        let config = BatchNormConfig {
            epsilon: 1e-3,
            momentum: 0.8,
        };
        let mut bn = BatchNorm::new(n, config).unwrap();
        bn.gamma = draw(&mut rng, n, 1, 0.5, 1.0);
        bn.beta = draw(&mut rng, n, 1, 0.5, 0.0);
        bn.running_mean = draw(&mut rng, n, 1, 1.0, 0.0);
        bn.running_var = draw(&mut rng, n, 1, 0.1, 1.0);
        let case = json!({"op": "batchnorm", "gamma": to_json(&bn.gamma), "beta": to_json(&bn.beta),
            "running_mean": to_json(&bn.running_mean), "running_var": to_json(&bn.running_var),
            "epsilon": config.epsilon, "momentum": config.momentum});
        let z = draw(&mut rng, n, m, 3.0, 2.0);
        let g = draw(&mut rng, n, m, 1.0, 0.0);
        bn.forward(z.view());
        bn.backward(g.view(), 1.0);
        let trained = bn.z_tilde.clone();
        bn.predict(z.view());
        let mut case = case;
        case["z"] = to_json(&z);
        case["dz_tilde"] = to_json(&g);
        cases.push(case);
        layers.push((bn, trained));
    }
    for (i, ((bn, trained), r)) in layers.iter().zip(numpy(&cases)).enumerate() {
        let what = |name: &str| format!("batch norm case {i}: {name}");
        assert_agrees(trained, &r["z_tilde"], &what("Z̃"));
        assert_agrees(&bn.dz, &r["dz"], &what("dZ"));
        assert_agrees(&bn.dgamma, &r["dgamma"], &what("dγ"));
        assert_agrees(&bn.dbeta, &r["dbeta"], &what("dβ"));
        assert_agrees(&bn.running_mean, &r["running_mean"], &what("running μ"));
        assert_agrees(&bn.running_var, &r["running_var"], &what("running σ²"));
        assert_agrees(&bn.z_tilde, &r["predicted"], &what("Z̃ at prediction"));
    }
}
