//! Sample weights and early stopping in the engine: the weighted cost's
//! backward pass is gradient-checked; weights of all ones give the unweighted
//! run bit for bit; integer weights equal duplicated examples; early stopping
//! keeps exactly the weights of its best epoch, and refuses to run without a
//! validation set.

use backprop::data::spiral::spiral;
use backprop::engine::{self, Extras, Trainer};
use backprop::optim::{AdamConfig, OptimizerConfig};
use backprop::GdConfig;
use backprop::{Activation, Gaussian, Init, Network, NumpyRng};
use ndarray::{Array1, Array2};

fn params(net: &Network<f64>) -> Vec<f64> {
    net.layers()
        .iter()
        .flat_map(|l| l.w.iter().chain(l.b.iter()).copied())
        .collect()
}

/// The weighted cost at the network's current parameters (fills the gradients too).
fn weighted_cost(net: &mut Network<f64>, x: &Array2<f64>, y: &Array2<f64>, w: &Array1<f64>) -> f64 {
    net.forward(x.view());
    engine::weighted_backward(net, x.view(), y.view(), w.view())
}

fn gradient_check(k: usize) {
    let mut rng = NumpyRng::new(5);
    let m = 12;
    let x = Array2::from_shape_fn((3, m), |_| rng.randn());
    let rows = if k > 2 { k } else { 1 };
    let y = Array2::from_shape_fn((rows, m), |(r, j)| {
        f64::from(if k > 2 { j % k == r } else { j % 2 == 1 })
    });
    let w = Array1::from_shape_fn(m, |_| rng.uniform() * 3.0);
    let mut net =
        Network::<f64>::new(&[3, 5, rows], Activation::Tanh, Init::Xavier, &mut rng).unwrap();
    weighted_cost(&mut net, &x, &y, &w);
    let grad: Vec<f64> = net
        .layers()
        .iter()
        .flat_map(|l| l.dw.iter().chain(l.db.iter()).copied())
        .collect();
    let eps = 1e-7;
    let mut approx = Vec::new();
    for l in 0..net.layers().len() {
        for which in 0..2 {
            let n = if which == 0 {
                net.layers()[l].w.len()
            } else {
                net.layers()[l].b.len()
            };
            for i in 0..n {
                let at = |d: f64, net: &mut Network<f64>| {
                    let layer = &mut net.layers_mut()[l];
                    let p = if which == 0 {
                        &mut layer.w
                    } else {
                        &mut layer.b
                    };
                    p.as_slice_mut().unwrap()[i] += d;
                };
                at(eps, &mut net);
                let plus = weighted_cost(&mut net, &x, &y, &w);
                at(-2.0 * eps, &mut net);
                let minus = weighted_cost(&mut net, &x, &y, &w);
                at(eps, &mut net);
                approx.push((plus - minus) / (2.0 * eps));
            }
        }
    }
    let norm = |v: &[f64]| v.iter().map(|a| a * a).sum::<f64>().sqrt();
    let diff: Vec<f64> = grad.iter().zip(&approx).map(|(a, b)| a - b).collect();
    let rel = norm(&diff) / (norm(&grad) + norm(&approx));
    eprintln!("{k} classes: relative difference {rel:.3e}");
    assert!(rel < 1e-7, "{k} classes: {rel}");
}

#[test]
fn the_weighted_cost_is_gradient_checked() {
    gradient_check(2);
    gradient_check(3);
}

fn adam_config(epochs: usize) -> GdConfig {
    GdConfig {
        learning_rate: 0.01,
        epochs: Some(epochs),
        batch_size: Some(32),
        optimizer: OptimizerConfig::Adam(AdamConfig::default()),
        l2: 0.05,
        seed: 2,
        ..GdConfig::default()
    }
}

fn spiral_net() -> Network<f64> {
    Network::new(
        &[2, 12, 3],
        Activation::Relu,
        Init::He,
        &mut NumpyRng::new(1),
    )
    .unwrap()
}

#[test]
fn weights_of_all_ones_give_the_unweighted_run_bit_for_bit() {
    let d = spiral(50, 3, 0);
    let (x, y) = (d.x.clone(), d.targets_as::<f64>(3));
    let ones = vec![1.0; x.ncols()];
    let trainer = Trainer::new(adam_config(6));
    let (mut a, mut b) = (spiral_net(), spiral_net());
    let ha = trainer
        .fit(&mut a, x.view(), y.view(), Extras::default(), &mut |_| {})
        .unwrap();
    let extras = Extras {
        weights: Some(&ones),
        ..Extras::default()
    };
    let hb = trainer
        .fit(&mut b, x.view(), y.view(), extras, &mut |_| {})
        .unwrap();
    assert_eq!(params(&a), params(&b));
    assert_eq!(ha.costs, hb.costs);
}

#[test]
fn integer_weights_equal_duplicated_examples() {
    let d = spiral(30, 3, 1);
    let (x, y) = (d.x.clone(), d.targets_as::<f64>(3));
    let m = x.ncols();
    let w: Vec<f64> = (0..m).map(|j| (j % 3) as f64).collect();
    // The data set with example j repeated w[j] times.
    let cols: Vec<usize> = (0..m)
        .flat_map(|j| std::iter::repeat_n(j, w[j] as usize))
        .collect();
    let xd = x.select(ndarray::Axis(1), &cols);
    let yd = y.select(ndarray::Axis(1), &cols);
    let config = GdConfig {
        learning_rate: 0.5,
        iterations: 50,
        record_every: Some(10),
        ..GdConfig::default()
    };
    let trainer = Trainer::new(config);
    let (mut a, mut b) = (spiral_net(), spiral_net());
    let extras = Extras {
        weights: Some(&w),
        ..Extras::default()
    };
    let ha = trainer
        .fit(&mut a, x.view(), y.view(), extras, &mut |_| {})
        .unwrap();
    let hb = trainer
        .fit(&mut b, xd.view(), yd.view(), Extras::default(), &mut |_| {})
        .unwrap();
    for (p, q) in params(&a).iter().zip(params(&b)) {
        assert!((p - q).abs() <= 1e-10 * (1.0 + q.abs()), "{p} vs {q}");
    }
    for ((_, c), (_, d)) in ha.costs.iter().zip(&hb.costs) {
        assert!((c - d).abs() < 1e-12, "{c} vs {d}");
    }
    // Unusable weights are refused.
    let bad = vec![-1.0; m];
    let extras = Extras {
        weights: Some(&bad),
        ..Extras::default()
    };
    assert!(trainer
        .fit(&mut a, x.view(), y.view(), extras, &mut |_| {})
        .is_err());
}

#[test]
fn early_stopping_keeps_the_best_epochs_weights() {
    let d = spiral(100, 3, 0);
    let (train, validation) = d.split_validation(0.2, 3).unwrap();
    let (x, y) = (train.x.clone(), train.targets_as::<f64>(3));
    let (vx, vy, vl) = (
        validation.x.clone(),
        validation.targets_as::<f64>(3),
        validation.y_as::<f64>(),
    );
    let config = GdConfig {
        learning_rate: 0.05,
        early_stopping: Some(3),
        ..adam_config(2000)
    };
    let mut stopped = spiral_net();
    let extras = Extras {
        validation: Some((vx.view(), vy.view(), vl.view())),
        ..Extras::default()
    };
    let h = Trainer::new(config.clone())
        .fit(&mut stopped, x.view(), y.view(), extras, &mut |_| {})
        .unwrap();
    assert!(h.stopped_early, "a 2000-epoch run at this rate stops early");
    let best = h.best_at.unwrap();
    assert_eq!(
        h.iterations,
        best + 4,
        "3 epochs without improvement after the best"
    );
    assert_eq!(
        h.validation_costs.len(),
        h.iterations,
        "every epoch evaluated"
    );
    // The best epoch's weights: those of the same run stopped after that epoch.
    let plain = GdConfig {
        early_stopping: None,
        epochs: Some(best + 1),
        ..config.clone()
    };
    let mut reference = spiral_net();
    Trainer::new(plain)
        .fit(
            &mut reference,
            x.view(),
            y.view(),
            Extras::default(),
            &mut |_| {},
        )
        .unwrap();
    assert_eq!(params(&stopped), params(&reference), "bit for bit");

    // Without a validation set, early stopping is refused.
    let err = Trainer::new(config)
        .fit(
            &mut spiral_net(),
            x.view(),
            y.view(),
            Extras::default(),
            &mut |_| {},
        )
        .unwrap_err();
    assert!(err.to_string().contains("validation"), "{err}");
}
