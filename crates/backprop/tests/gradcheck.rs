//! Every backward pass against central differences (ε = 1e-7, f64): the course's
//! relative difference ‖grad − approx‖ / (‖grad‖ + ‖approx‖) over all
//! parameters must be < 1e-7.

use backprop::gradcheck::{check, generic_network, random_problem, EPSILON, EXAMPLES, THRESHOLD};
use backprop::{Activation, Init, Network, NumpyRng};

fn assert_passes(sizes: &[usize], g: Activation, seed: u32) {
    let (x, y) = random_problem(sizes[0], EXAMPLES, seed);
    let mut net = generic_network(sizes, g, seed).unwrap();
    let before: Vec<_> = net.layers().iter().map(|l| l.w.clone()).collect();
    let report = check(&mut net, x.view(), y.view(), EPSILON).unwrap();
    assert!(
        report.overall < THRESHOLD,
        "{sizes:?} {g:?}: overall {:e}",
        report.overall
    );
    let count: usize = report.tensors.iter().map(|t| t.count).sum();
    let expected: usize = sizes.windows(2).map(|p| p[1] * p[0] + p[1]).sum();
    assert_eq!(count, expected, "every parameter is checked");
    let after: Vec<_> = net.layers().iter().map(|l| l.w.clone()).collect();
    assert_eq!(
        before, after,
        "the check leaves the parameters as they were"
    );
}

const HIDDEN: [Activation; 4] = [
    Activation::Relu,
    Activation::Tanh,
    Activation::Sigmoid,
    Activation::LeakyRelu { slope: 0.01 },
];

#[test]
fn logistic_regression_without_hidden_layer() {
    assert_passes(&[4, 1], Activation::Relu, 1);
}

#[test]
fn one_hidden_layer_of_four_for_each_activation() {
    for g in HIDDEN {
        assert_passes(&[3, 4, 1], g, 2);
    }
}

#[test]
fn deep_5_3_2_1_for_each_activation() {
    for g in HIDDEN {
        assert_passes(&[4, 5, 3, 2, 1], g, 3);
    }
}

#[test]
fn the_check_can_fail() {
    // With ε = 0.5 the central difference carries a visible truncation error:
    // the same comparison must report it, so a passing check means something.
    let (x, y) = random_problem(3, 10, 4);
    let mut net = Network::<f64>::new(
        &[3, 4, 1],
        Activation::Tanh,
        Init::Xavier,
        &mut NumpyRng::new(4),
    )
    .unwrap();
    let coarse = check(&mut net, x.view(), y.view(), 0.5).unwrap();
    assert!(!coarse.passed(), "ε = 0.5 gave {:e}", coarse.overall);
}

#[test]
fn with_l2_regularisation() {
    use backprop::gradcheck::check_with_l2;
    for g in HIDDEN {
        let (x, y) = random_problem(4, EXAMPLES, 5);
        let mut net = generic_network(&[4, 5, 3, 1], g, 5).unwrap();
        let r = check_with_l2(&mut net, x.view(), y.view(), EPSILON, 0.7).unwrap();
        assert!(r.overall < THRESHOLD, "{g:?} with L2: {:e}", r.overall);
    }
}

#[test]
fn with_dropout_under_a_fixed_mask() {
    for g in HIDDEN {
        let (x, y) = random_problem(4, EXAMPLES, 6);
        let mut net = generic_network(&[4, 6, 5, 1], g, 6).unwrap();
        net.draw_dropout(&[0.8, 0.6], EXAMPLES, &mut NumpyRng::new(6));
        let dropped = net.layers()[0]
            .mask
            .as_ref()
            .unwrap()
            .iter()
            .filter(|&&k| k == 0.0)
            .count();
        assert!(dropped > 0, "the mask drops some units");
        let r = check(&mut net, x.view(), y.view(), EPSILON).unwrap();
        assert!(r.overall < THRESHOLD, "{g:?} with dropout: {:e}", r.overall);
    }
}

/// A 4-5-K net of `output` on 3 × m targets `y(k, j)`: the check passes
/// without and with an L2 term, for every hidden g.
fn assert_output_passes(output: backprop::Output, seed: u32, y: impl Fn(usize, usize) -> bool) {
    let y = ndarray::Array2::from_shape_fn((3, EXAMPLES), |(k, j)| f64::from(u8::from(y(k, j))));
    for g in HIDDEN {
        let (x, _) = random_problem(4, EXAMPLES, seed);
        let mut rng = NumpyRng::new(seed);
        let mut net = Network::<f64>::new(&[4, 5, 3], g, Init::Xavier, &mut rng).unwrap();
        net.set_output(output).unwrap();
        assert_eq!(net.output(), output);
        let r = check(&mut net, x.view(), y.view(), EPSILON).unwrap();
        assert!(r.overall < THRESHOLD, "{g:?} {output:?}: {:e}", r.overall);
        let r =
            backprop::gradcheck::check_with_l2(&mut net, x.view(), y.view(), EPSILON, 0.3).unwrap();
        let ratio = r.overall;
        assert!(ratio < THRESHOLD, "{g:?} {output:?} with L2: {ratio:e}");
    }
}

#[test]
fn with_a_softmax_output() {
    // One-hot labels of 3 classes.
    assert_output_passes(backprop::Output::Softmax, 7, |k, j| k == (j * 7 + 3) % 3);
}

#[test]
fn with_independent_sigmoid_outputs_multi_label() {
    // 3 yes/no labels per example, any number of them 1 (none, one, several).
    assert_output_passes(backprop::Output::Sigmoids, 11, |k, j| {
        (j * 5 + k * 3) % 4 < 2
    });
}

#[test]
fn an_l2_near_f64s_range_gives_a_true_ratio_and_an_overflow_is_refused() {
    use backprop::gradcheck::check_with_l2;
    let (x, y) = random_problem(4, EXAMPLES, 8);
    let mut net = generic_network(&[4, 5, 1], Activation::Tanh, 8).unwrap();
    // ‖grad‖² overflows f64 here: unscaled norms gave ∞/∞ = NaN.
    let r = check_with_l2(&mut net, x.view(), y.view(), EPSILON, 1e300).unwrap();
    assert!(r.overall < THRESHOLD, "λ = 1e300: {:e}", r.overall);
    for layer in net.layers_mut() {
        layer.w.mapv_inplace(|w| w * 1e3);
    }
    let e = check_with_l2(&mut net, x.view(), y.view(), EPSILON, f64::MAX).unwrap_err();
    assert!(
        e.to_string()
            .contains("with l2 1.7976931348623157e308 overflows f64"),
        "{e}"
    );
}
