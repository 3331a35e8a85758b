//! Batch normalisation in dense networks through the one engine: gradient
//! checks of the whole network (γ, β = b, W), training vs prediction (the
//! running averages, computed here by hand), every optimiser stepping γ, and
//! the roads that cannot take it refusing it by name.

use backprop::engine::{fit, Path, Plan, Session, Start, TrainingData};
use backprop::gradcheck::{check, generic_network, random_problem, random_targets, EPSILON};
use backprop::optim::{AdamConfig, LbfgsConfig, MomentumConfig, OptimizerConfig, RmsPropConfig};
use backprop::{Activation, BatchNormConfig, Gaussian, GdConfig, Network, NumpyRng, Setting};
use ndarray::{array, Array2};

/// A network at a generic point with normalised hidden layers and γ away from 1.
fn normalised(sizes: &[usize], g: Activation, seed: u32) -> Network<f64> {
    let mut net = generic_network(sizes, g, seed).unwrap();
    net.set_batch_norm(BatchNormConfig::default()).unwrap();
    let mut rng = NumpyRng::new(seed + 7);
    for layer in net.layers_mut() {
        if let Some(norm) = layer.norm.as_deref_mut() {
            norm.gamma.mapv_inplace(|_| 1.0 + 0.4 * rng.randn());
        }
    }
    net
}

#[test]
fn a_normalised_net_with_a_sigmoid_output_passes_the_gradient_check() {
    for g in [Activation::Relu, Activation::Tanh, Activation::Sigmoid] {
        let (x, y) = random_problem(4, 10, 3);
        let mut net = normalised(&[4, 5, 3, 1], g, 3);
        let report = check(&mut net, x.view(), y.view(), EPSILON).unwrap();
        let names: Vec<&str> = report.tensors.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(
            names,
            ["W1", "b1", "W2", "b2", "W3", "b3", "gamma1", "gamma2"]
        );
        assert!(report.passed(), "{g:?}: overall {:e}", report.overall);
    }
}

#[test]
fn a_normalised_net_with_a_softmax_output_passes_the_gradient_check() {
    let (x, _) = random_problem(4, 12, 5);
    let y = random_targets(3, 12, 5);
    let mut net = normalised(&[4, 6, 5, 3], Activation::Relu, 5);
    let report = check(&mut net, x.view(), y.view(), EPSILON).unwrap();
    assert_eq!(report.tensors.len(), 6 + 2);
    assert!(report.passed(), "overall {:e}", report.overall);
}

#[test]
fn the_normalisation_is_part_of_the_checked_backward_pass() {
    let (x, y) = random_problem(3, 10, 6);
    let mut net = normalised(&[3, 4, 1], Activation::Tanh, 6);
    let good = check(&mut net, x.view(), y.view(), EPSILON).unwrap();
    assert!(good.passed());
    // Without the normalisation the same weights give another gradient:
    // a network whose backward pass ignored it would fail the check.
    net.forward(x.view());
    net.backward(x.view(), y.view());
    let with_norm = net.layers()[0].dw.clone();
    let mut plain = net.clone();
    plain.layers_mut()[0].norm = None;
    plain.forward(x.view());
    plain.backward(x.view(), y.view());
    assert!((&plain.layers()[0].dw - &with_norm)
        .iter()
        .any(|d| d.abs() > 1e-6));
}

/// W = [[1, 0], [0, 2]], b = 0 hidden (identity-like) and a 1-unit output.
fn two_unit_net(momentum: f64) -> Network<f64> {
    let w1 = array![[1.0, 0.0], [0.0, 2.0]];
    let w2 = array![[1.0, -1.0]];
    let params = vec![(w1, Array2::zeros((2, 1))), (w2, Array2::zeros((1, 1)))];
    let mut net = Network::from_parameters(params, Activation::Relu).unwrap();
    net.set_batch_norm(BatchNormConfig {
        momentum,
        epsilon: 1e-5,
    })
    .unwrap();
    net
}

#[test]
fn training_passes_update_the_running_averages_as_computed_by_hand() {
    let mut net = two_unit_net(0.5);
    // Batch 1: Z = [[1, 3], [4, 8]] → μ = (2, 6), σ² = (1, 4).
    net.forward(array![[1.0, 3.0], [2.0, 4.0]].view());
    // Batch 2: Z = [[0, 4, 8], [0, 0, 6]] → μ = (4, 2), σ² = (32/3, 8).
    net.forward(array![[0.0, 4.0, 8.0], [0.0, 0.0, 3.0]].view());
    let norm = net.layers()[0].norm.as_deref().unwrap();
    // running = 0.5·(0.5·start + 0.5·batch 1) + 0.5·batch 2, from μ = 0, σ² = 1.
    let mean = [
        0.5 * (0.5 * 0.0 + 0.5 * 2.0) + 0.5 * 4.0,
        0.5 * (0.5 * 0.0 + 0.5 * 6.0) + 0.5 * 2.0,
    ];
    let var = [
        0.5 * (0.5 * 1.0 + 0.5 * 1.0) + 0.5 * (32.0 / 3.0),
        0.5 * (0.5 * 1.0 + 0.5 * 4.0) + 0.5 * 8.0,
    ];
    assert_eq!(mean, [2.5, 2.5]);
    for u in 0..2 {
        assert!((norm.running_mean[[u, 0]] - mean[u]).abs() < 1e-15);
        assert!((norm.running_var[[u, 0]] - var[u]).abs() < 1e-14);
    }
    assert!(
        net.layers()[1].norm.is_none(),
        "the output is not normalised"
    );

    // Prediction normalises with the running statistics: one example x = (3, 1).
    let x = array![[3.0], [1.0]];
    let z = [3.0, 2.0];
    let a: Vec<f64> = (0..2)
        .map(|u| ((z[u] - mean[u]) / (var[u] + 1e-5).sqrt()).max(0.0))
        .collect();
    let logit = a[0] - a[1];
    let p = net.predict_proba(x.view())[[0, 0]];
    assert!((p - 1.0 / (1.0 + (-logit).exp())).abs() < 1e-15, "{p}");
    // …and leaves the running statistics alone.
    let after = net.layers()[0].norm.as_deref().unwrap();
    assert_eq!(after.running_mean[[0, 0]], mean[0]);
    // A training pass on that one example would normalise it to 0: another output.
    net.forward(x.view());
    assert!((net.layers()[1].a[[0, 0]] - 0.5).abs() < 1e-12);
}

fn run_config(optimizer: OptimizerConfig) -> GdConfig {
    GdConfig {
        learning_rate: 0.05,
        iterations: 30,
        optimizer,
        record_every: Some(10),
        ..GdConfig::default()
    }
}

#[test]
fn every_optimiser_of_the_general_road_trains_gamma_and_beta() {
    let (x, y) = random_problem(3, 40, 8);
    let optimizers = [
        OptimizerConfig::Gd,
        OptimizerConfig::Momentum(MomentumConfig::default()),
        OptimizerConfig::RmsProp(RmsPropConfig::default()),
        OptimizerConfig::Adam(AdamConfig::default()),
    ];
    for optimizer in optimizers {
        let mut net = normalised(&[3, 6, 4, 1], Activation::Relu, 8);
        let gamma0 = net.layers()[1].norm.as_ref().unwrap().gamma.clone();
        let beta0 = net.layers()[1].b.clone();
        let mut config = run_config(optimizer);
        config.batch_size = Some(16);
        config.epochs = Some(10);
        let h = fit(&mut net, x.view(), y.view(), &config, &mut |_| {}).unwrap();
        let norm = net.layers()[1].norm.as_ref().unwrap();
        assert_ne!(norm.gamma, gamma0, "{optimizer:?} steps γ");
        assert_ne!(net.layers()[1].b, beta0, "{optimizer:?} steps β");
        let (first, last) = (h.costs[0].1, h.costs.last().unwrap().1);
        assert!(last < first, "{optimizer:?}: {first} → {last}");
    }
}

#[test]
fn plain_full_batch_descent_takes_the_layer_road_whatever_the_caller_asks() {
    let (x, y) = random_problem(6, 5, 9);
    let config = run_config(OptimizerConfig::Gd);
    let mut costs = Vec::new();
    for path in [Path::Auto, Path::Gram, Path::Layers, Path::General] {
        let net = normalised(&[6, 4, 1], Activation::Tanh, 9);
        let data = TrainingData::new(x.view(), y.view());
        let start = Start {
            path,
            ..Start::default()
        };
        let mut session = Session::start(net, data, config.clone(), start).unwrap();
        let plan = session.plan();
        assert!(
            matches!(plan, Plan::Layers | Plan::General),
            "{path:?}: {plan:?}"
        );
        session.run(&mut Default::default()).unwrap();
        costs.push(session.history().costs.clone());
    }
    for c in &costs[1..] {
        for ((_, a), (_, b)) in c.iter().zip(&costs[0]) {
            assert!((a - b).abs() <= 1e-12 * b.abs(), "{a} {b}");
        }
    }
}

#[test]
fn the_roads_that_cannot_normalise_refuse_it_by_name() {
    let (x, y) = random_problem(3, 20, 10);
    let lbfgs = run_config(OptimizerConfig::Lbfgs(LbfgsConfig::default()));
    let early = GdConfig {
        early_stopping: Some(3),
        ..run_config(OptimizerConfig::Gd)
    };
    for config in [lbfgs, early] {
        let net = normalised(&[3, 4, 1], Activation::Relu, 10);
        let data = TrainingData::new(x.view(), y.view());
        let e = Session::start(net, data, config, Start::default())
            .err()
            .unwrap();
        assert_eq!(e.setting(), Some(Setting::BatchNorm), "{e}");
        assert!(
            e.to_string().starts_with("batch_norm does not train"),
            "{e}"
        );
    }
    let bad = BatchNormConfig {
        momentum: 1.0,
        epsilon: 1e-5,
    };
    let e = generic_network(&[3, 4, 1], Activation::Relu, 1)
        .unwrap()
        .set_batch_norm(bad)
        .unwrap_err();
    assert_eq!(e.setting(), Some(Setting::BatchNorm));
}
