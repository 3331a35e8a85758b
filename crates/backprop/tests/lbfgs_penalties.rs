//! L-BFGS's penalties: an L1 term runs OWL-QN, whose answer has exact zeros
//! and is a minimum of the penalised cost (no coordinate step lowers it);
//! per-feature penalty factors (`penalty_scale`) penalise sⱼ·W\[1\]\[:, j\] —
//! fitting x/σ with sⱼ = 1/σⱼ gives the raw features' penalised solution
//! (divided by σ); factors that do not fit are refused by name. The numbers
//! against scikit-learn are in `python/tests/test_logistic_penalties.py`.

use backprop::data::planar;
use backprop::engine::{Controls, Session, TrainingData};
use backprop::optim::{LbfgsConfig, OptimizerConfig};
use backprop::{Activation, GdConfig, Init, Network, NumpyRng, Setting};
use ndarray::{Array1, Array2, Axis};

fn lbfgs(l2: f64, l1: f64, scale: Vec<f64>) -> GdConfig {
    GdConfig {
        optimizer: OptimizerConfig::Lbfgs(LbfgsConfig {
            tol: 1e-10,
            ..LbfgsConfig::default()
        }),
        iterations: 2000,
        l2,
        l1,
        penalty_scale: scale,
        ..GdConfig::default()
    }
}

/// The flower's points with a third, noise column (a logistic regression's data).
fn data() -> (Array2<f64>, Array2<f64>) {
    let flower = planar::flower();
    let m = flower.x.ncols();
    let noise = Array1::from_shape_fn(m, |j| ((j * 7919) % 101) as f64 / 50.0 - 1.0);
    let mut x = flower.x.clone();
    x.push_row(noise.view()).unwrap();
    (x, flower.y.clone())
}

/// A logistic regression fitted by L-BFGS from zeros.
fn fit(x: &Array2<f64>, y: &Array2<f64>, config: GdConfig) -> Network<f64> {
    let net = Network::new(
        &[x.nrows(), 1],
        Activation::Tanh,
        Init::Zeros,
        &mut NumpyRng::new(1),
    );
    let data = TrainingData::new(x.view(), y.view());
    let mut session = Session::new(net.unwrap(), data, config).unwrap();
    session.run(&mut Controls::default()).unwrap();
    session.finish().0
}

/// The penalised cost J + λ₂/2m·‖W‖² + λ₁/m·‖W‖₁.
fn cost(net: &Network<f64>, (x, y): (&Array2<f64>, &Array2<f64>), l2: f64, l1: f64) -> f64 {
    let m = x.ncols();
    net.cost_on(x.view(), y.view()) + net.l2_penalty(l2, m) + net.l1_penalty(l1, m)
}

#[test]
fn an_l1_term_gives_exact_zeros_at_a_minimum_of_the_penalised_cost() {
    let (x, y) = data();
    let (l2, l1) = (0.5, 12.0);
    let net = fit(&x, &y, lbfgs(l2, l1, Vec::new()));
    let w = net.layers()[0].w.clone();
    assert!(w.iter().any(|&v| v == 0.0), "{w}");
    assert!(w.iter().any(|&v| v != 0.0), "{w}");
    let best = cost(&net, (&x, &y), l2, l1);
    for j in 0..w.ncols() {
        for h in [1e-4, -1e-4] {
            let mut moved = net.clone();
            moved.layers_mut()[0].w[(0, j)] += h;
            assert!(cost(&moved, (&x, &y), l2, l1) >= best - 1e-12, "w[{j}] {h}");
        }
    }
    // A strength past the gradient at zero keeps every weight at exactly 0.
    let none = fit(&x, &y, lbfgs(0.0, 1e4, Vec::new()));
    assert!(none.layers()[0].w.iter().all(|&v| v == 0.0));
}

#[test]
fn per_feature_factors_give_the_raw_features_penalised_solution() {
    let (x, y) = data();
    let sigma = [0.5, 4.0, 2.0];
    let mut scaled = x.clone();
    for (mut row, s) in scaled.axis_iter_mut(Axis(0)).zip(sigma) {
        row /= s;
    }
    let scale: Vec<f64> = sigma.iter().map(|s| 1.0 / s).collect();
    for (l2, l1) in [(3.0, 0.0), (0.5, 2.0)] {
        let raw = fit(&x, &y, lbfgs(l2, l1, Vec::new()));
        let fitted = fit(&scaled, &y, lbfgs(l2, l1, scale.clone()));
        // Equal to the runs' stopping accuracy (scipy's ftol: |Δw| ~ 1e-5 here);
        // the same fit without the factors is 1e-3 or more away.
        let unscaled = fit(&scaled, &y, lbfgs(l2, l1, Vec::new()));
        let gap = |net: &Network<f64>| {
            (0..3)
                .map(|j| (raw.layers()[0].w[(0, j)] - net.layers()[0].w[(0, j)] / sigma[j]).abs())
                .fold(0.0, f64::max)
        };
        assert!(gap(&fitted) < 1e-4, "λ {l2} {l1}: {}", gap(&fitted));
        assert!(gap(&unscaled) > 1e-3, "λ {l2} {l1}: {}", gap(&unscaled));
        let (a, b) = (raw.layers()[0].b[(0, 0)], fitted.layers()[0].b[(0, 0)]);
        assert!((a - b).abs() < 1e-4, "b {a} {b}");
    }
}

#[test]
fn per_feature_factors_that_do_not_fit_are_refused_by_name() {
    let (x, y) = data();
    let refused = |config: GdConfig| {
        let net = Network::new(
            &[3, 1],
            Activation::Tanh,
            Init::Zeros,
            &mut NumpyRng::new(1),
        );
        Session::new(net.unwrap(), TrainingData::new(x.view(), y.view()), config)
            .err()
            .map(|e| (e.setting(), e.to_string()))
    };
    let (setting, text) = refused(lbfgs(1.0, 0.0, vec![1.0, 2.0])).unwrap();
    assert_eq!(setting, Some(Setting::L2));
    assert!(text.contains("are 2 for 3 input features"), "{text}");
    let (_, text) = refused(lbfgs(1.0, 0.0, vec![1.0, 0.0, 1.0])).unwrap();
    assert!(text.contains("finite and > 0, got 0"), "{text}");
    let adam = GdConfig {
        optimizer: OptimizerConfig::Adam(Default::default()),
        penalty_scale: vec![1.0; 3],
        ..GdConfig::default()
    };
    let (_, text) = refused(adam).unwrap();
    assert!(text.contains("lbfgs only"), "{text}");
    assert!(refused(lbfgs(1.0, 0.0, vec![1.0; 3])).is_none());
}
