//! The notes' scalar loop (the oracle) against the vectorized network.

use backprop::engine::fit;
use backprop::scalar;
use backprop::GdConfig;
use backprop::{Activation, Gaussian, Network, NumpyRng};
use ndarray::Array2;

/// Trains [n, 1] logistic regression both ways from the same start; returns
/// (scalar result, vectorized w, vectorized b, vectorized last cost).
fn both(
    x: &Array2<f64>,
    y: &Array2<f64>,
    w0: f64,
    b0: f64,
    lr: f64,
    it: usize,
) -> (scalar::ScalarResult, Vec<f64>, f64, f64) {
    let (n, m) = x.dim();
    let rows: Vec<Vec<f64>> = (0..m).map(|j| x.column(j).to_vec()).collect();
    let s = scalar::train(&rows, y.as_slice().unwrap(), vec![w0; n], b0, lr, it);
    let w = Array2::from_elem((1, n), w0);
    let b = Array2::from_elem((1, 1), b0);
    let mut net = Network::from_parameters(vec![(w, b)], Activation::Relu).unwrap();
    let config = GdConfig {
        learning_rate: lr,
        iterations: it,
        record_every: Some(1),
        ..GdConfig::default()
    };
    let h = fit(&mut net, x.view(), y.view(), &config, &mut |_| {}).unwrap();
    let layer = &net.layers()[0];
    (
        s,
        layer.w.iter().copied().collect(),
        layer.b[(0, 0)],
        h.final_cost,
    )
}

#[test]
fn notes_toy_data_agrees_to_1e_12() {
    let xs = [-2.0, -1.0, 0.0, 1.0, 2.0];
    let x = Array2::from_shape_vec((1, 5), xs.to_vec()).unwrap();
    let y = x.mapv(|v: f64| 1.0 / (1.0 + (-v).exp()));
    let (s, w, b, j) = both(&x, &y, 1.0, 1.0, 0.01, 1000);
    // The reference values (../shared/reference/w5_scalar.py).
    assert!((s.w[0] - 1.028923454759702).abs() < 1e-12);
    assert!((w[0] - s.w[0]).abs() < 1e-12, "w {} vs {}", w[0], s.w[0]);
    assert!((b - s.b).abs() < 1e-12, "b {b} vs {}", s.b);
    assert!((j - s.cost).abs() < 1e-12, "J {j} vs {}", s.cost);
}

#[test]
fn random_data_with_several_features_agrees_to_1e_12() {
    let mut rng = NumpyRng::new(7);
    let x = Array2::from_shape_fn((6, 40), |_| rng.randn());
    let y = Array2::from_shape_fn((1, 40), |_| if rng.uniform() < 0.5 { 0.0 } else { 1.0 });
    let (s, w, b, j) = both(&x, &y, 0.0, 0.0, 0.1, 500);
    for (a, e) in w.iter().zip(&s.w) {
        assert!((a - e).abs() < 1e-12, "w {a} vs {e}");
    }
    assert!((b - s.b).abs() < 1e-12);
    assert!((j - s.cost).abs() < 1e-12);
}

#[test]
fn saturated_output_gives_finite_cost_and_gradients() {
    // |z| = 800: σ rounds to exactly 0 or 1, where ln(a) or ln(1 − a) is −∞.
    for precision_check in [800.0f64, -800.0] {
        let w = Array2::from_elem((1, 1), precision_check);
        let b = Array2::zeros((1, 1));
        let mut net = Network::from_parameters(vec![(w, b)], Activation::Relu).unwrap();
        let x = Array2::from_shape_vec((1, 2), vec![1.0, -1.0]).unwrap();
        let y = Array2::from_shape_vec((1, 2), vec![0.0, 0.0]).unwrap();
        net.forward(x.view());
        let cost = net.cost(y.view());
        assert_eq!(
            cost, 400.0,
            "one example wrong by a logit of 800, one right"
        );
        net.backward(x.view(), y.view());
        assert!(net.layers()[0].dw.iter().all(|v| v.is_finite()));
    }
    // The same in f32.
    let w = Array2::from_elem((1, 1), 800.0f32);
    let mut net =
        Network::from_parameters(vec![(w, Array2::zeros((1, 1)))], Activation::Relu).unwrap();
    let x = Array2::from_shape_vec((1, 2), vec![1.0f32, -1.0]).unwrap();
    net.forward(x.view());
    assert_eq!(net.cost(Array2::from_elem((1, 2), 1.0f32).view()), 400.0);
}
