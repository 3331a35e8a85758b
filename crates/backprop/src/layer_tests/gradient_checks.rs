//! Each layer's backward pass against central differences (ε = 1e-7, f64):
//! the course's relative difference ‖grad − approx‖ / (‖grad‖ + ‖approx‖) over
//! all of a layer's gradients together must be < 1e-7. The cost is
//! J = Σ (G ⊙ out + ½·out²) for a fixed random G, so dout = G + out and J is
//! not linear in the parameters.

use ndarray::{Array, Array2, Array4, Dimension};

use super::randn4;
use crate::difference::{relative, EPSILON, THRESHOLD};
use crate::layers::{BatchNorm, BatchNormConfig, Conv, Pool, PoolMode};
use crate::linalg::Threads;
use crate::rng::NumpyRng;

/// J = Σ (G ⊙ out + ½·out²).
fn cost(out: &Array4<f64>, g: &Array4<f64>) -> f64 {
    out.iter().zip(g).map(|(&o, &g)| g * o + 0.5 * o * o).sum()
}

/// (J(x + ε·e_i) − J(x − ε·e_i)) / 2ε for every entry i of x.
fn slopes<D: Dimension>(x: &Array<f64, D>, j: &dyn Fn(&Array<f64, D>) -> f64) -> Vec<f64> {
    let mut x = x.clone();
    (0..x.len())
        .map(|i| {
            let original = x.as_slice().expect("standard")[i];
            x.as_slice_mut().expect("standard")[i] = original + EPSILON;
            let plus = j(&x);
            x.as_slice_mut().expect("standard")[i] = original - EPSILON;
            let minus = j(&x);
            x.as_slice_mut().expect("standard")[i] = original;
            (plus - minus) / (2.0 * EPSILON)
        })
        .collect()
}

/// The overall relative difference of the analytic gradients against the slopes.
fn difference<D: Dimension>(pairs: &[(&Array<f64, D>, Vec<f64>)]) -> f64 {
    let grad: Vec<f64> = pairs.iter().flat_map(|(g, _)| g.iter().copied()).collect();
    let approx: Vec<f64> = pairs.iter().flat_map(|(_, a)| a.iter().copied()).collect();
    relative(&grad, &approx)
}

/// dW, db and dA_prev of a convolution against central differences.
fn check_conv(
    shape: (usize, usize, usize, usize),
    f: usize,
    n_c: usize,
    stride: usize,
    pad: usize,
    seed: u32,
) -> f64 {
    let mut rng = NumpyRng::new(seed);
    let a = randn4(&mut rng, shape);
    let (w, b) = (
        randn4(&mut rng, (f, f, shape.3, n_c)),
        randn4(&mut rng, (1, 1, 1, n_c)),
    );
    let z_of = |a: &Array4<f64>, w: &Array4<f64>, b: &Array4<f64>| {
        let mut conv = Conv::new(w.clone(), b.clone(), stride, pad).unwrap();
        conv.forward(a.view(), Threads(1)).unwrap();
        conv
    };
    let mut conv = z_of(&a, &w, &b);
    let g = randn4(&mut rng, conv.z.dim());
    let dz = &conv.z + &g;
    conv.backward(dz.view(), 1.0, true, Threads(1));
    difference(&[
        (&conv.dw, slopes(&w, &|w| cost(&z_of(&a, w, &b).z, &g))),
        (&conv.db, slopes(&b, &|b| cost(&z_of(&a, &w, b).z, &g))),
        (&conv.da_prev, slopes(&a, &|a| cost(&z_of(a, &w, &b).z, &g))),
    ])
}

#[test]
fn convolution_gradients_pass_the_check() {
    // (shape, f, n_C, stride, pad): stride 2 with padding, stride 1 with padding wider
    // than the window, no padding with an uneven fit, and f = 1.
    let cases = [
        ((2, 5, 5, 3), 3, 4, 2, 1),
        ((2, 4, 3, 2), 2, 3, 1, 2),
        ((3, 6, 7, 2), 3, 2, 2, 0),
        ((2, 3, 4, 3), 1, 2, 1, 0),
    ];
    for (seed, (shape, f, n_c, stride, pad)) in cases.into_iter().enumerate() {
        let d = check_conv(shape, f, n_c, stride, pad, seed as u32 + 30);
        assert!(
            d < THRESHOLD,
            "conv {shape:?} f {f} stride {stride} pad {pad}: {d:e}"
        );
    }
}

/// dA_prev of a pooling layer against central differences.
fn check_pool(
    shape: (usize, usize, usize, usize),
    f: usize,
    stride: usize,
    mode: PoolMode,
    seed: u32,
) -> f64 {
    let mut rng = NumpyRng::new(seed);
    let a = randn4(&mut rng, shape);
    let out_of = |a: &Array4<f64>| {
        let mut pool = Pool::new(f, stride, mode).unwrap();
        pool.forward(a.view()).unwrap();
        pool
    };
    let mut pool = out_of(&a);
    let g = randn4(&mut rng, pool.a.dim());
    let da = &pool.a + &g;
    pool.backward(da.view());
    difference(&[(&pool.da_prev, slopes(&a, &|a| cost(&out_of(a).a, &g)))])
}

#[test]
fn pooling_gradients_pass_the_check() {
    // Non-overlapping, overlapping (stride < f, where one input feeds several outputs) and gapped windows.
    for (seed, (shape, f, stride)) in [
        ((2, 4, 4, 3), 2, 2),
        ((2, 5, 5, 2), 3, 1),
        ((1, 7, 6, 2), 2, 3),
    ]
    .into_iter()
    .enumerate()
    {
        for mode in [PoolMode::Max, PoolMode::Average] {
            let d = check_pool(shape, f, stride, mode, seed as u32 + 40);
            assert!(
                d < THRESHOLD,
                "{mode:?} pool {shape:?} f {f} stride {stride}: {d:e}"
            );
        }
    }
}

#[test]
fn the_layer_check_can_fail() {
    // A backward pass off by the padding (dA_prev read one position over) must be caught.
    let mut rng = NumpyRng::new(50);
    let a = randn4(&mut rng, (1, 4, 4, 1));
    let mut pool = Pool::new(2, 2, PoolMode::Average).unwrap();
    pool.forward(a.view()).unwrap();
    let g = randn4(&mut rng, pool.a.dim());
    pool.backward((&pool.a.clone() + &g).view());
    let mut shifted = pool.da_prev.clone();
    shifted.as_slice_mut().unwrap().rotate_left(1);
    let approx = slopes(&a, &|a| {
        let mut p = Pool::new(2, 2, PoolMode::Average).unwrap();
        p.forward(a.view()).unwrap();
        cost(&p.a, &g)
    });
    assert!(difference(&[(&pool.da_prev, approx.clone())]) < THRESHOLD);
    assert!(difference(&[(&shifted, approx)]) > THRESHOLD);
}

#[test]
fn batch_normalisation_gradients_pass_the_check() {
    // dγ, dβ and dZ through μ and σ² (which depend on every column), for several batch sizes.
    for (seed, (n, m)) in [(3, 5), (2, 2), (4, 9)].into_iter().enumerate() {
        let mut rng = NumpyRng::new(seed as u32 + 70);
        let mut draw = |r: usize, c: usize, scale: f64, shift: f64| {
            Array2::from_shape_vec((r, c), rng.randn_vec(r * c)).unwrap() * scale + shift
        };
        let (z, gamma, beta, g) = (
            draw(n, m, 2.0, 1.0),
            draw(n, 1, 0.5, 1.0),
            draw(n, 1, 0.5, 0.0),
            draw(n, m, 1.0, 0.0),
        );
        let config = BatchNormConfig {
            epsilon: 1e-3,
            momentum: 0.9,
        };
        let j = |z: &Array2<f64>, gamma: &Array2<f64>, beta: &Array2<f64>| {
            let mut bn = BatchNorm::new(n, config).unwrap();
            (bn.gamma, bn.beta) = (gamma.clone(), beta.clone());
            bn.forward(z.view());
            let out = &bn.z_tilde;
            (
                out.iter()
                    .zip(&g)
                    .map(|(&o, &g)| g * o + 0.5 * o * o)
                    .sum::<f64>(),
                bn,
            )
        };
        let (_, mut bn) = j(&z, &gamma, &beta);
        let dz_tilde = &bn.z_tilde + &g;
        bn.backward(dz_tilde.view(), 1.0);
        let d = difference(&[
            (&bn.dgamma, slopes(&gamma, &|gm| j(&z, gm, &beta).0)),
            (&bn.dbeta, slopes(&beta, &|bt| j(&z, &gamma, bt).0)),
            (&bn.dz, slopes(&z, &|zz| j(zz, &gamma, &beta).0)),
        ]);
        assert!(d < THRESHOLD, "batch norm {n} × {m}: {d:e}");
    }
}
