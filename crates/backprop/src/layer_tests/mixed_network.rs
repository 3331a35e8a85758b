//! A small conv net composed by hand from the layers, checked whole against
//! central differences: X (m × 5 × 5 × 2) → conv 3×3, 3 filters, pad 1 → relu
//! → max pool 2, stride 2 → flatten (each example's h, w, c row-major, as the
//! course's `X.reshape(m, -1).T`) → dense σ unit → the notes' cross-entropy J.
//! The dense part follows the notes (dZ = A − Y, dW = (1/m)·dZ·Aᵀ, dA = Wᵀ·dZ
//! per example), so the conv layer's α is 1/m.

use ndarray::{Array2, Array4};

use super::randn4;
use crate::activation::Activation;
use crate::difference::{relative, EPSILON, THRESHOLD};
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

/// X (4 × 5 × 5 × 2), the parameters and Y of a check, drawn from `seed`.
fn problem(seed: u32) -> (Array4<f64>, Params, [f64; 4]) {
    let mut rng = NumpyRng::new(seed);
    let x = randn4(&mut rng, (4, 5, 5, 2));
    let p = Params {
        w1: randn4(&mut rng, (3, 3, 2, 3)) * 0.5,
        b1: randn4(&mut rng, (1, 1, 1, 3)) * 0.5,
        w2: Array2::from_shape_vec((1, 12), rng.randn_vec(12)).unwrap() * 0.5,
        b2: 0.1,
    };
    let y = [1.0, 0.0, 0.0, 1.0];
    (x, p, y)
}

#[test]
fn conv_relu_pool_flatten_dense_passes_the_check() {
    let (x, p, y) = problem(80);
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

/// The same net built as the engine builds it (picture layers in front of a
/// dense network): its cost and every gradient are the hand-composed ones, so
/// the stack reads X's columns and flattens its volume as the course does.
#[test]
fn the_engines_conv_net_is_the_hand_composed_one() {
    use crate::layers::{ConvStack, Picture, PictureLayer, Pooling};
    use crate::network::Network;
    let (x, p, y) = problem(81);
    let spec = [
        PictureLayer::conv(3, 3, 1, 1),
        PictureLayer::activation(Activation::Relu),
        PictureLayer::pool(Pooling::Max, 2, 2),
    ];
    let picture = Picture {
        height: 5,
        width: 5,
        channels: 2,
    };
    let front =
        ConvStack::from_parameters(picture, &spec, vec![(p.w1.clone(), p.b1.clone())]).unwrap();
    let dense = vec![(p.w2.clone(), Array2::from_elem((1, 1), p.b2))];
    let mut net = Network::from_parameters(dense, Activation::Relu)
        .unwrap()
        .with_front(front)
        .unwrap();
    // X as the course's X.reshape(m, -1).T: n_x × m.
    let xs = x.to_shape((4, 50)).unwrap().t().to_owned();
    let ys = Array2::from_shape_vec((1, 4), y.to_vec()).unwrap();
    net.forward(xs.view());
    let (j, j_hand) = (net.cost(ys.view()), forward(&p, &x, &y).0);
    assert!((j - j_hand).abs() < 1e-13, "{j} vs {j_hand}");
    net.backward(xs.view(), ys.view());
    let conv = net.front().unwrap().convs().next().unwrap();
    let dense = &net.layers()[0];
    let mut got: Vec<f64> = conv.dw.iter().chain(conv.db.iter()).copied().collect();
    got.extend(dense.dw.iter().chain(dense.db.iter()));
    let want = backward(&p, &x, &y);
    assert_eq!(got.len(), want.len());
    for (g, w) in got.iter().zip(&want) {
        assert!((g - w).abs() <= 1e-14 * w.abs().max(1.0), "{g} vs {w}");
    }
}
