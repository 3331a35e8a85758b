//! L-BFGS through the library's one settings type and steppable session:
//! advancing in steps gives the run to the end bit for bit; the stop flag
//! ends it between iterations; a non-finite cost is the engine's divergence
//! error; the settings it cannot honour are refused by name; it converges
//! on the flower (the course's planar data) where gradient descent's
//! 10 000 iterations reach a higher cost. The numbers against scikit-learn
//! are in `crates/backprop-cli/tests/lbfgs_sklearn.rs`.

use std::sync::atomic::{AtomicBool, Ordering};

use backprop::data::planar;
use backprop::engine::{Advanced, Controls, Session, TrainingData};
use backprop::optim::{LbfgsConfig, LbfgsStop, OptimizerConfig};
use backprop::{Activation, Error, GdConfig, Init, Network, NumpyRng, Setting};

fn lbfgs(iterations: usize) -> GdConfig {
    GdConfig {
        optimizer: OptimizerConfig::Lbfgs(LbfgsConfig::default()),
        iterations,
        l2: 0.01,
        ..GdConfig::default()
    }
}

fn flower_net() -> Network<f64> {
    Network::new(
        &[2, 4, 1],
        Activation::Tanh,
        Init::Small,
        &mut NumpyRng::new(2),
    )
    .unwrap()
}

#[test]
fn advancing_in_steps_gives_the_run_to_the_end_bit_for_bit() {
    let flower = planar::flower();
    let data = || TrainingData::new(flower.x.view(), flower.y.view());
    let mut whole = Session::new(flower_net(), data(), lbfgs(60)).unwrap();
    assert_eq!(
        whole.run(&mut Controls::default()).unwrap(),
        Advanced::Finished
    );
    let mut steps = Session::new(flower_net(), data(), lbfgs(60)).unwrap();
    while steps.advance(7, &mut Controls::default()).unwrap() == Advanced::Paused {}
    let ((a, ha), (b, hb)) = (whole.finish(), steps.finish());
    assert_eq!(ha.history.costs, hb.history.costs);
    assert_eq!(
        ha.history.final_cost.to_bits(),
        hb.history.final_cost.to_bits()
    );
    assert_eq!(a.layers()[0].w, b.layers()[0].w);
    assert_eq!(ha.history.iterations, 60);
}

#[test]
fn it_converges_on_the_flower_below_gradient_descents_cost() {
    let flower = planar::flower();
    let data = || TrainingData::new(flower.x.view(), flower.y.view());
    let mut s = Session::new(flower_net(), data(), lbfgs(15_000)).unwrap();
    s.run(&mut Controls::default()).unwrap();
    let h = s.finish().1.history;
    assert!(h.lbfgs_stop.is_some(), "{h:?}");
    assert!(h.iterations < 15_000);
    let gd = GdConfig {
        learning_rate: 1.2,
        iterations: 10_000,
        l2: 0.01,
        ..GdConfig::default()
    };
    let mut s = Session::new(flower_net(), data(), gd).unwrap();
    s.run(&mut Controls::default()).unwrap();
    let gd_cost = s.finish().1.history.final_cost;
    eprintln!(
        "lbfgs {} after {} iterations ({:?}); gd {gd_cost}",
        h.final_cost, h.iterations, h.lbfgs_stop
    );
    assert!(h.final_cost < gd_cost, "{} vs {gd_cost}", h.final_cost);
}

#[test]
fn the_stop_flag_ends_the_run_between_iterations() {
    let flower = planar::flower();
    let stop = AtomicBool::new(false);
    let mut observe = |p: backprop::train::Progress| {
        if p.iteration == 4 {
            stop.store(true, Ordering::SeqCst);
        }
    };
    let mut controls = Controls {
        stop: Some(&stop),
        observe: Some(&mut observe),
        ..Controls::default()
    };
    let data = TrainingData::new(flower.x.view(), flower.y.view());
    let mut s = Session::new(flower_net(), data, lbfgs(100)).unwrap();
    assert_eq!(s.run(&mut controls).unwrap(), Advanced::Interrupted);
    assert_eq!(s.units_done(), 5);
}

#[test]
fn a_non_finite_cost_is_the_engines_divergence() {
    let flower = planar::flower();
    let mut net = flower_net();
    net.layers_mut()[1].w.fill(f64::INFINITY);
    let data = TrainingData::new(flower.x.view(), flower.y.view());
    let mut s = Session::new(net, data, lbfgs(10)).unwrap();
    let e = s.run(&mut Controls::default()).unwrap_err();
    assert!(matches!(e, Error::Diverged { .. }), "{e}");
}

#[test]
fn a_start_at_a_minimum_ends_with_no_iteration() {
    let flower = planar::flower();
    let mut net = flower_net();
    for layer in net.layers_mut() {
        layer.w.fill(0.0);
        layer.b.fill(0.0);
    }
    // All zeros: the hidden units are dead (tanh 0), only b[2] has a gradient;
    // with tol that large the start already passes.
    let config = GdConfig {
        optimizer: OptimizerConfig::Lbfgs(LbfgsConfig {
            tol: 1.0,
            ..Default::default()
        }),
        ..lbfgs(10)
    };
    let data = TrainingData::new(flower.x.view(), flower.y.view());
    let mut s = Session::new(net, data, config).unwrap();
    assert_eq!(s.run(&mut Controls::default()).unwrap(), Advanced::Finished);
    let h = s.finish().1.history;
    assert_eq!(
        (h.iterations, h.lbfgs_stop, h.lbfgs_evaluations),
        (0, Some(LbfgsStop::Gradient), Some(1))
    );
    assert!(
        (h.final_cost - std::f64::consts::LN_2).abs() < 1e-12,
        "{}",
        h.final_cost
    );
}

#[test]
fn settings_lbfgs_cannot_honour_are_refused_by_name() {
    let flower = planar::flower();
    let refused = |config: GdConfig| {
        let data = TrainingData::new(flower.x.view(), flower.y.view());
        Session::new(flower_net(), data, config)
            .err()
            .and_then(|e| e.setting())
    };
    assert_eq!(
        refused(GdConfig {
            epochs: Some(5),
            ..lbfgs(10)
        }),
        Some(Setting::Epochs)
    );
    assert_eq!(
        refused(GdConfig {
            batch_size: Some(50),
            ..lbfgs(10)
        }),
        Some(Setting::BatchSize)
    );
    assert_eq!(
        refused(GdConfig {
            keep_prob: vec![0.8],
            ..lbfgs(10)
        }),
        Some(Setting::KeepProb)
    );
    let bad_tol = OptimizerConfig::Lbfgs(LbfgsConfig {
        tol: -1.0,
        ..Default::default()
    });
    assert_eq!(
        refused(GdConfig {
            optimizer: bad_tol,
            ..lbfgs(10)
        }),
        Some(Setting::Tol)
    );
    let no_fun = OptimizerConfig::Lbfgs(LbfgsConfig {
        max_fun: 0,
        ..Default::default()
    });
    assert_eq!(
        refused(GdConfig {
            optimizer: no_fun,
            ..lbfgs(10)
        }),
        Some(Setting::MaxFun)
    );
    // The whole batch as a batch size is no mini-batch: accepted.
    assert_eq!(
        refused(GdConfig {
            batch_size: Some(400),
            ..lbfgs(10)
        }),
        None
    );
}

#[test]
fn fit_intercept_false_holds_the_biases_where_they_start() {
    let flower = planar::flower();
    let data = || TrainingData::new(flower.x.view(), flower.y.view());
    let held = LbfgsConfig {
        fit_intercept: false,
        ..LbfgsConfig::default()
    };
    let config = GdConfig {
        optimizer: OptimizerConfig::Lbfgs(held),
        ..lbfgs(200)
    };
    let start = flower_net();
    let mut s = Session::new(start.clone(), data(), config).unwrap();
    s.run(&mut Controls::default()).unwrap();
    let (net, state) = s.finish();
    let mut fitted = Session::new(flower_net(), data(), lbfgs(200)).unwrap();
    fitted.run(&mut Controls::default()).unwrap();
    let (free, _) = fitted.finish();
    for (layer, first) in net.layers().iter().zip(start.layers()) {
        assert_eq!(layer.b, first.b, "a held b moved");
        assert_ne!(layer.w, first.w, "W trains");
    }
    assert_ne!(free.layers()[1].b, start.layers()[1].b, "fitted b moves");
    assert!(
        state.history.final_cost < 0.6,
        "{}",
        state.history.final_cost
    );
}
