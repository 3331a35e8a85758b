//! Every backward pass against central differences (ε = 1e-7, f64): the course's
//! relative difference ‖grad − approx‖ / (‖grad‖ + ‖approx‖) over all
//! parameters must be < 1e-7.

use backprop::gradcheck::{check, generic_network, random_problem, EPSILON, EXAMPLES, THRESHOLD};
use backprop::{Activation, Init, Network, NumpyRng};

fn assert_passes(sizes: &[usize], g: Activation, seed: u32) {
    let (x, y) = random_problem(sizes[0], EXAMPLES, seed);
    let mut net = generic_network(sizes, g, seed).unwrap();
    let before: Vec<_> = net.layers().iter().map(|l| l.w.clone()).collect();
    let report = check(&mut net, x.view(), y.view(), EPSILON);
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
    let coarse = check(&mut net, x.view(), y.view(), 0.5);
    assert!(!coarse.passed(), "ε = 0.5 gave {:e}", coarse.overall);
}
