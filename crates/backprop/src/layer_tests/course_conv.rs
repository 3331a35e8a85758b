//! "Convolutional Neural Networks: Step by Step" (course 4, week 1): the
//! notebook's printed outputs for zero_pad, conv_single_step, conv_forward and
//! conv_backward, from the same np.random.seed(1) draws, by the course's loops
//! (to the last printed digit) and by the products of [`Conv`].
//! The values are quoted from the notebook's two public editions (the
//! 2017 one: pad 2, stride 2 on 10 × 4 × 4 × 3; the later one: pad 1, stride 2
//! on 2 × 5 × 7 × 4) and its public tests.

use ndarray::{array, s, Array4};

use super::{assert_prints, numpy_mean_all, randn4};
use crate::layers::course::{
    conv_backward, conv_forward, conv_single_step, zero_pad, ConvCache, Hparameters,
};
use crate::layers::Conv;
use crate::linalg::Threads;
use crate::rng::NumpyRng;

#[test]
fn zero_pad_prints_as_the_notebook() {
    // np.random.seed(1); x = np.random.randn(4, 3, 3, 2); x_pad = zero_pad(x, 2)
    let x = randn4(&mut NumpyRng::new(1), (4, 3, 3, 2));
    let x_pad = zero_pad(x.view(), 2);
    assert_eq!(x_pad.dim(), (4, 7, 7, 2));
    let printed = [
        0.90085595,
        -0.68372786,
        -0.12289023,
        -0.93576943,
        -0.26788808,
        0.53035547,
    ];
    assert_prints(
        x.slice(s![1, 1, .., ..]).flatten().view(),
        &printed,
        "x[1,1]",
    );
    assert!(
        x_pad.slice(s![1, 1, .., ..]).iter().all(|&v| v == 0.0),
        "x_pad[1,1] is zeros"
    );
    // The later edition pads by 3: (4, 9, 9, 2), the middle is x.
    let x_pad = zero_pad(x.view(), 3);
    assert_eq!(x_pad.dim(), (4, 9, 9, 2));
    assert_eq!(x_pad.slice(s![.., 3..6, 3..6, ..]), x);
    assert_eq!(x_pad.iter().filter(|&&v| v != 0.0).count(), x.len());
}

#[test]
fn conv_single_step_gives_the_printed_z() {
    // np.random.seed(1); a_slice_prev, W = randn(4, 4, 3) each; b = randn(1, 1, 1)
    let mut rng = NumpyRng::new(1);
    let a = randn4(&mut rng, (1, 4, 4, 3));
    let w = randn4(&mut rng, (1, 4, 4, 3));
    let b = randn4(&mut rng, (1, 1, 1, 1))[[0, 0, 0, 0]];
    let z = conv_single_step(a.slice(s![0, .., .., ..]), w.slice(s![0, .., .., ..]), b);
    assert_eq!(z, -6.999089450680221);
    // The public tests: np.random.seed(3), windows of 5 × 5 × 3.
    let mut rng = NumpyRng::new(3);
    let a = randn4(&mut rng, (1, 5, 5, 3));
    let w = randn4(&mut rng, (1, 5, 5, 3));
    let b = randn4(&mut rng, (1, 1, 1, 1))[[0, 0, 0, 0]];
    let z = conv_single_step(a.slice(s![0, .., .., ..]), w.slice(s![0, .., .., ..]), b);
    assert_eq!(z, -3.5443670581382474);
}

/// np.random.seed(1); A_prev, W, b = randn(a_prev), randn(w), randn(1, 1, 1, n_C).
fn draws(
    a_prev: (usize, usize, usize, usize),
    w: (usize, usize, usize, usize),
) -> [Array4<f64>; 3] {
    let mut rng = NumpyRng::new(1);
    let a = randn4(&mut rng, a_prev);
    let wt = randn4(&mut rng, w);
    let b = randn4(&mut rng, (1, 1, 1, w.3));
    [a, wt, b]
}

/// Z by the products of the layer.
fn layer_z(
    a: &Array4<f64>,
    w: &Array4<f64>,
    b: &Array4<f64>,
    stride: usize,
    pad: usize,
) -> Conv<f64> {
    let mut conv = Conv::new(w.clone(), b.clone(), stride, pad).unwrap();
    conv.forward(a.view(), Threads(1)).unwrap();
    conv
}

#[test]
fn conv_forward_2017_edition_pad_2_stride_2() {
    let [a, w, b] = draws((10, 4, 4, 3), (2, 2, 3, 8));
    let hp = Hparameters { stride: 2, pad: 2 };
    let (z, cache) = conv_forward(a.view(), w.view(), b.view(), hp).unwrap();
    assert_eq!(z.dim(), (10, 4, 4, 8));
    assert_eq!(numpy_mean_all(&z), 0.048995203528855794, "Z's mean");
    let printed = [
        -0.61490741,
        -6.7439236,
        -2.55153897,
        1.75698377,
        3.56208902,
        0.53036437,
        5.18531798,
        8.75898442,
    ];
    assert_prints(z.slice(s![3, 2, 1, ..]), &printed, "Z[3,2,1]");
    let cached = [-0.20075807, 0.18656139, 0.41005165];
    assert_prints(
        cache.a_prev.slice(s![1, 2, 3, ..]),
        &cached,
        "cache_conv[0][1][2][3]",
    );
    let conv = layer_z(&a, &w, &b, 2, 2);
    assert_prints(
        conv.z.slice(s![3, 2, 1, ..]),
        &printed,
        "the layer's Z[3,2,1]",
    );
    assert!((numpy_mean_all(&conv.z) - 0.048995203528855794).abs() < 1e-15);
}

#[test]
fn conv_forward_later_edition_pad_1_stride_2() {
    let [a, w, b] = draws((2, 5, 7, 4), (3, 3, 4, 8));
    let hp = Hparameters { stride: 2, pad: 1 };
    let (z, cache) = conv_forward(a.view(), w.view(), b.view(), hp).unwrap();
    assert_eq!(z.dim(), (2, 3, 4, 8));
    assert_eq!(numpy_mean_all(&z), 0.5511276474566768, "Z's mean");
    let printed = [
        -2.17796037,
        8.07171329,
        -0.5772704,
        3.36286738,
        4.48113645,
        -2.89198428,
        10.99288867,
        3.03171932,
    ];
    assert_prints(z.slice(s![0, 2, 1, ..]), &printed, "Z[0,2,1]");
    let cached = [-1.1191154, 1.9560789, -0.3264995, -1.34267579];
    assert_prints(
        cache.a_prev.slice(s![1, 2, 3, ..]),
        &cached,
        "cache_conv[0][1][2][3]",
    );
    let conv = layer_z(&a, &w, &b, 2, 1);
    assert_prints(
        conv.z.slice(s![0, 2, 1, ..]),
        &printed,
        "the layer's Z[0,2,1]",
    );
    assert!((numpy_mean_all(&conv.z) - 0.5511276474566768).abs() < 1e-15);
}

#[test]
fn conv_backward_gives_the_printed_means() {
    // dA, dW, db = conv_backward(Z, cache_conv): dZ is the forward pass's Z.
    let [a, w, b] = draws((10, 4, 4, 3), (2, 2, 3, 8));
    let hp = Hparameters { stride: 2, pad: 2 };
    let (z, cache) = conv_forward(a.view(), w.view(), b.view(), hp).unwrap();
    let (da, dw, db) = conv_backward(z.view(), &cache);
    assert_eq!((da.dim(), dw.dim(), db.dim()), (a.dim(), w.dim(), b.dim()));
    assert_eq!(numpy_mean_all(&da), 1.4524377775388075, "dA_mean");
    assert_eq!(numpy_mean_all(&dw), 1.7269914583139097, "dW_mean");
    assert_eq!(numpy_mean_all(&db), 7.839232564616838, "db_mean");
    // The layer, by products: the same to rounding, db in the course's order exactly.
    let mut conv = layer_z(&a, &w, &b, 2, 2);
    let dz = conv.z.clone();
    conv.backward(dz.view(), 1.0, true, Threads(1));
    let close = |got: f64, want: f64, what: &str| {
        assert!(
            (got - want).abs() < 1e-13 * want.abs(),
            "{what}: {got} vs the course's {want}"
        );
    };
    close(
        numpy_mean_all(&conv.da_prev),
        1.4524377775388075,
        "the layer's dA_mean",
    );
    close(
        numpy_mean_all(&conv.dw),
        1.7269914583139097,
        "the layer's dW_mean",
    );
    close(
        numpy_mean_all(&conv.db),
        7.839232564616838,
        "the layer's db_mean",
    );
}

#[test]
fn course_shapes_hold_with_no_padding() {
    // pad 0: the course's `da_prev_pad[pad:-pad]` would be empty; ours crops nothing.
    let [a, w, _] = draws((2, 5, 5, 2), (3, 3, 2, 4));
    let dz = Array4::from_elem((2, 3, 3, 4), 1.0);
    let hparameters = Hparameters { stride: 1, pad: 0 };
    let cache = ConvCache {
        a_prev: a,
        w,
        b: Array4::zeros((1, 1, 1, 4)),
        hparameters,
    };
    let (da, _, db) = conv_backward(dz.view(), &cache);
    assert_eq!(da.dim(), (2, 5, 5, 2));
    assert_eq!(db, array![[[[18.0, 18.0, 18.0, 18.0]]]]);
}
