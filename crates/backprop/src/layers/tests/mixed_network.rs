//! A small conv net composed by hand from the layers, checked whole against
//! central differences: X (m × 5 × 5 × 2) → conv 3×3, 3 filters, pad 1 → relu
//! → max pool 2, stride 2 → flatten (each example's h, w, c row-major, as the
//! course's `X.reshape(m, -1).T`) → dense σ unit → the notes' cross-entropy J.
//! The dense part follows the notes (dZ = A − Y, dW = (1/m)·dZ·Aᵀ, dA = Wᵀ·dZ
//! per example), so the conv layer's α is 1/m.

use ndarray::{Array2, Array4};

use super::randn4;
use crate::activation::Activation;
use crate::gradcheck::{relative, EPSILON, THRESHOLD};
use crate::layers::{Conv, Pool, PoolMode};
use crate::linalg::Threads;
use crate::rng::NumpyRng;

/// The net's parameters: the conv's W1, b1 and the dense unit's w2 (1 × 12), b2.
#[derive(Clone)]
struct Params {
    w1: Array4<f64>,
    b1: Array4<f64>,
    w2: Array2<f64>,
    b2: f64,
}

/// The forward pass: J and the layers that hold its caches.
fn forward(
    p: &Params,
    x: &Array4<f64>,
    y: &[f64],
) -> (f64, Conv<f64>, Pool<f64>, Array2<f64>, Array2<f64>) {
    let mut conv = Conv::new(p.w1.clone(), p.b1.clone(), 1, 1).unwrap();
    conv.forward(x.view(), Threads(1)).unwrap();
    let a1 = conv.z.mapv(|z| Activation::Relu.forward(z));
    let mut pool = Pool::new(2, 2, PoolMode::Max).unwrap();
    pool.forward(a1.view()).unwrap();
    let m = x.dim().0;
    let flat = pool
        .a
        .to_shape((m, pool.a.len() / m))
        .unwrap()
        .t()
        .to_owned();
    let a2 = (p.w2.dot(&flat) + p.b2).mapv(|z| 1.0 / (1.0 + (-z).exp()));
    let j = -a2
        .iter()
        .zip(y)
        .map(|(&a, &y)| y * a.ln() + (1.0 - y) * (1.0 - a).ln())
        .sum::<f64>()
        / m as f64;
    (j, conv, pool, flat, a2)
}

/// Backprop through the whole net: (dW1, db1, dw2, db2).
fn backward(p: &Params, x: &Array4<f64>, y: &[f64]) -> Vec<f64> {
    let (_, mut conv, mut pool, flat, a2) = forward(p, x, y);
    let m = x.dim().0;
    let dz2 = &a2 - &Array2::from_shape_vec((1, m), y.to_vec()).unwrap();
    let dw2 = dz2.dot(&flat.t()) / m as f64;
    let db2 = dz2.sum() / m as f64;
    let dflat = p.w2.t().dot(&dz2);
    let dpool = dflat
        .t()
        .as_standard_layout()
        .into_owned()
        .into_shape_with_order(pool.a.dim())
        .unwrap();
    pool.backward(dpool.view());
    let dz1 = ndarray::Zip::from(&pool.da_prev)
        .and(&conv.z)
        .map_collect(|&da, &z| da * Activation::Relu.derivative(z, Activation::Relu.forward(z)));
    conv.backward(dz1.view(), 1.0 / m as f64, false, Threads(1));
    let mut grads: Vec<f64> = conv.dw.iter().chain(conv.db.iter()).copied().collect();
    grads.extend(dw2.iter());
    grads.push(db2);
    grads
}

/// The parameters as one vector, in backward's order, and back.
fn flatten(p: &Params) -> Vec<f64> {
    let mut v: Vec<f64> =
        p.w1.iter()
            .chain(p.b1.iter())
            .chain(p.w2.iter())
            .copied()
            .collect();
    v.push(p.b2);
    v
}

fn unflatten(p: &Params, v: &[f64]) -> Params {
    let (n1, n2) = (p.w1.len(), p.b1.len());
    let mut q = p.clone();
    q.w1.iter_mut().zip(&v[..n1]).for_each(|(a, &b)| *a = b);
    q.b1.iter_mut()
        .zip(&v[n1..n1 + n2])
        .for_each(|(a, &b)| *a = b);
    q.w2.iter_mut()
        .zip(&v[n1 + n2..v.len() - 1])
        .for_each(|(a, &b)| *a = b);
    q.b2 = v[v.len() - 1];
    q
}

#[test]
fn conv_relu_pool_flatten_dense_passes_the_check() {
    let mut rng = NumpyRng::new(80);
    let x = randn4(&mut rng, (4, 5, 5, 2));
    let p = Params {
        w1: randn4(&mut rng, (3, 3, 2, 3)) * 0.5,
        b1: randn4(&mut rng, (1, 1, 1, 3)) * 0.5,
        w2: Array2::from_shape_vec((1, 12), rng.randn_vec(12)).unwrap() * 0.5,
        b2: 0.1,
    };
    let y = [1.0, 0.0, 0.0, 1.0];
    let grads = backward(&p, &x, &y);
    let theta = flatten(&p);
    let approx: Vec<f64> = (0..theta.len())
        .map(|i| {
            let mut t = theta.clone();
            t[i] = theta[i] + EPSILON;
            let plus = forward(&unflatten(&p, &t), &x, &y).0;
            t[i] = theta[i] - EPSILON;
            let minus = forward(&unflatten(&p, &t), &x, &y).0;
            (plus - minus) / (2.0 * EPSILON)
        })
        .collect();
    assert_eq!(
        grads.len(),
        3 * 3 * 2 * 3 + 3 + 12 + 1,
        "every parameter is checked"
    );
    let d = relative(&grads, &approx);
    assert!(d < THRESHOLD, "conv → relu → pool → dense: {d:e}");
}
