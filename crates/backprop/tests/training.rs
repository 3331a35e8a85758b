//! The training loop's bookkeeping: recorded iterations and the test-set cost.

use backprop::engine::{fit, fit_with, Path};
use backprop::GdConfig;
use backprop::{Activation, Gaussian, Init, Network, NumpyRng};
use ndarray::Array2;

fn problem() -> (Array2<f64>, Array2<f64>) {
    let mut rng = NumpyRng::new(3);
    let x = Array2::from_shape_fn((3, 50), |_| rng.randn());
    let y = x
        .row(0)
        .mapv(|v| if v > 0.0 { 1.0 } else { 0.0 })
        .insert_axis(ndarray::Axis(0));
    (x, y)
}

#[test]
fn test_cost_on_the_training_set_equals_the_training_cost() {
    // Measured at the same parameters as each iteration's forward pass, the
    // "test" cost of the training set itself must be that iteration's cost.
    let (x, y) = problem();
    let mut net = Network::<f64>::new(
        &[3, 4, 1],
        Activation::Tanh,
        Init::Small,
        &mut NumpyRng::new(1),
    )
    .unwrap();
    let config = GdConfig {
        learning_rate: 0.5,
        iterations: 300,
        record_every: Some(50),
        ..GdConfig::default()
    };
    let h = fit_with(
        &mut net,
        x.view(),
        y.view(),
        Some((x.view(), y.view())),
        &config,
        Path::Auto,
        None,
        &mut |_| {},
    )
    .unwrap();
    assert_eq!(h.costs.len(), 6);
    assert_eq!(h.test_costs.len(), 6);
    for ((i, c), (j, t)) in h.costs.iter().zip(&h.test_costs) {
        assert_eq!(i, j);
        assert!((c - t).abs() < 1e-12, "iteration {i}: {c} vs {t}");
    }
}

#[test]
fn costs_are_recorded_from_iteration_0_every_n_and_final_cost_is_the_last() {
    let (x, y) = problem();
    let mut net = Network::<f64>::new(
        &[3, 1],
        Activation::Relu,
        Init::Zeros,
        &mut NumpyRng::new(1),
    )
    .unwrap();
    let config = GdConfig {
        learning_rate: 0.1,
        iterations: 7,
        record_every: Some(3),
        ..GdConfig::default()
    };
    let mut seen = Vec::new();
    let h = fit(&mut net, x.view(), y.view(), &config, &mut |p| {
        seen.push((p.iteration, p.cost))
    })
    .unwrap();
    let its: Vec<usize> = h.costs.iter().map(|c| c.0).collect();
    assert_eq!(its, vec![0, 3, 6]);
    assert!(
        (h.costs[0].1 - std::f64::consts::LN_2).abs() < 1e-15,
        "zero weights: J = ln 2 at iteration 0"
    );
    assert_eq!(seen.len(), 7);
    assert_eq!(h.final_cost, seen[6].1);
    assert!(h.test_costs.is_empty());
}

#[test]
fn test_cost_is_right_on_the_gram_path_too() {
    // n_x ≫ m: the first layer trains through XᵀX and W[1] is only materialised
    // on demand; the test cost must still be measured at W[1] of that iteration.
    let mut rng = NumpyRng::new(4);
    let x = Array2::from_shape_fn((300, 20), |_| rng.randn());
    let y = Array2::from_shape_fn((1, 20), |(_, j)| (j % 2) as f64);
    let mut net = Network::<f64>::new(
        &[300, 5, 1],
        Activation::Relu,
        Init::Xavier,
        &mut NumpyRng::new(2),
    )
    .unwrap();
    let config = GdConfig {
        learning_rate: 0.05,
        iterations: 200,
        record_every: Some(40),
        ..GdConfig::default()
    };
    let h = fit_with(
        &mut net,
        x.view(),
        y.view(),
        Some((x.view(), y.view())),
        &config,
        Path::Gram,
        None,
        &mut |_| {},
    )
    .unwrap();
    for ((i, c), (_, t)) in h.costs.iter().zip(&h.test_costs) {
        assert!(
            (c - t).abs() < 1e-12 * c.abs().max(1.0),
            "iteration {i}: {c} vs {t}"
        );
    }
}
