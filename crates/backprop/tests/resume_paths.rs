//! Resume, bit for bit, on every strategy: a run stopped by its stop flag (what
//! SIGINT/SIGTERM set), a run resumed from a periodic checkpoint, and a
//! finished run continued to a larger total each end with exactly the
//! weights of the uninterrupted run, and so does a session advanced a few
//! units at a time — on the general loop, plain layers, the
//! streamed, Gram and fused roads, the course's deep cat net (W3) on Gram,
//! and a network with picture layers (convolutions, poolings) on plain
//! gradient descent and on mini-batch Adam, whose filters and their Adam
//! moments go through the checkpoint beside the dense layers'.
//! Every checkpoint goes through its file (`engine::checkpoint`).

mod common;

use std::sync::atomic::{AtomicBool, Ordering};

use backprop::data::{self, spiral::spiral, LoadOptions};
use backprop::engine::{
    checkpoint, Advanced, Controls, Extras, Path, Plan, Session, Start, TrainState, Trainer,
    TrainingData,
};
use backprop::optim::{AdamConfig, OptimizerConfig};
use backprop::GdConfig;
use backprop::{Activation, Float, Gaussian, Init, Network, NumpyRng};
use ndarray::{Array2, ShapeBuilder};

/// Every W and b (the picture layers' too), as bits.
use common::conv::bits;

struct Case<'a, T: Float> {
    name: &'a str,
    x: &'a Array2<T>,
    y: &'a Array2<T>,
    net: &'a dyn Fn() -> Network<T>,
    config: GdConfig,
    path: Path,
    plan: Plan,
    /// Units (iterations or epochs) of the whole run, and where it is cut.
    total: usize,
    cut: usize,
}

fn with_total(config: &GdConfig, total: usize) -> GdConfig {
    let mut c = config.clone();
    match c.epochs {
        Some(_) => c.epochs = Some(total),
        None => c.iterations = total,
    }
    c
}

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("backprop-resume-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Continues the checkpoint in `dir` on a fresh network to `total` units.
fn resume_from<T: Float>(case: &Case<'_, T>, dir: &std::path::Path, total: usize) -> Network<T> {
    let config = with_total(&case.config, total);
    let mut net = (case.net)();
    let (_, state) = checkpoint::restore(dir, &config, &mut net).unwrap();
    let trainer = Trainer::new(config).with_path(case.path);
    let out = trainer
        .run(
            &mut net,
            case.x.view(),
            case.y.view(),
            state,
            Extras::default(),
            &mut |_| {},
        )
        .unwrap();
    assert!(!out.interrupted);
    net
}

fn check<T: Float>(case: Case<'_, T>) {
    let name = case.name;
    let dir = temp_dir(name);
    let trainer = Trainer::new(case.config.clone()).with_path(case.path);
    let run = |net: &mut Network<T>, extras: Extras<'_, T>, trainer: &Trainer| {
        trainer
            .run(
                net,
                case.x.view(),
                case.y.view(),
                TrainState::new(&trainer.config),
                extras,
                &mut |_| {},
            )
            .unwrap()
    };
    // The uninterrupted run.
    let mut whole = (case.net)();
    let out = run(&mut whole, Extras::default(), &trainer);
    assert_eq!(out.state.plan, Some(case.plan), "{name}: the strategy");
    let want = bits(&whole);

    // 1. Stopped by the flag after `cut` units, checkpointed, resumed.
    let stop = AtomicBool::new(false);
    let mut net = (case.net)();
    let cut = case.cut;
    let per_epoch = case.config.epochs.is_some();
    let mut observe = |p: backprop::train::Progress| {
        if p.iteration + 1 == cut {
            stop.store(true, Ordering::SeqCst);
        }
    };
    let out = trainer
        .run(
            &mut net,
            case.x.view(),
            case.y.view(),
            TrainState::new(&case.config),
            Extras {
                stop: Some(&stop),
                ..Extras::default()
            },
            &mut observe,
        )
        .unwrap();
    assert!(out.interrupted, "{name}: the flag stops the run");
    if !per_epoch {
        assert_eq!(out.state.step, cut, "{name}");
    }
    checkpoint::save(
        &dir,
        &serde_json::Value::Null,
        &serde_json::Value::Null,
        &net,
        &out.state,
    )
    .unwrap();
    assert_eq!(
        bits(&resume_from(&case, &dir, case.total)),
        want,
        "{name}: after a stop"
    );

    // 2. Resumed from the periodic checkpoint taken at `cut` (the run goes on past it).
    let mut net = (case.net)();
    let ckpt = dir.join("periodic");
    let mut save = |n: &Network<T>, s: &TrainState<T>| {
        if s.units_done(&case.config) == cut {
            checkpoint::save(
                &ckpt,
                &serde_json::Value::Null,
                &serde_json::Value::Null,
                n,
                s,
            )?;
        }
        Ok(())
    };
    run(
        &mut net,
        Extras {
            checkpoint_every: Some(cut),
            checkpoint: Some(&mut save),
            ..Extras::default()
        },
        &trainer,
    );
    assert_eq!(bits(&net), want, "{name}: checkpointing changes nothing");
    assert_eq!(
        bits(&resume_from(&case, &ckpt, case.total)),
        want,
        "{name}: from a periodic checkpoint"
    );

    // 3. A finished run of `cut` units, continued to the total.
    let short = Trainer::new(with_total(&case.config, cut)).with_path(case.path);
    let mut net = (case.net)();
    let out = run(&mut net, Extras::default(), &short);
    let fin = dir.join("finished");
    checkpoint::save(
        &fin,
        &serde_json::Value::Null,
        &serde_json::Value::Null,
        &net,
        &out.state,
    )
    .unwrap();
    assert_eq!(
        bits(&resume_from(&case, &fin, case.total)),
        want,
        "{name}: a finished run continued"
    );

    // 4. A session stepped a few units at a time (as the playground steps
    // it an epoch a frame), with the weights looked at between steps.
    for step in [1, 7, cut] {
        let data = TrainingData::new(case.x.view(), case.y.view());
        let start = Start {
            path: case.path,
            ..Start::default()
        };
        let mut session = Session::start((case.net)(), data, case.config.clone(), start).unwrap();
        let mut pauses = 0;
        while session.advance(step, &mut Controls::default()).unwrap() == Advanced::Paused {
            assert_eq!(
                session.units_done(),
                (pauses + 1) * step,
                "{name}: by {step}"
            );
            let _ = session.network(); // the Gram road writes W[1] out; the run goes on
            pauses += 1;
        }
        assert_eq!(pauses, (case.total - 1) / step, "{name}: by {step}");
        assert_eq!(session.plan(), case.plan, "{name}: by {step}");
        let (net, _) = session.finish();
        assert_eq!(bits(&net), want, "{name}: stepped {step} at a time");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// n × m uniform features, example-contiguous as the loaders lay X out; labels 0/1.
fn random(n: usize, m: usize, seed: u32) -> (Array2<f64>, Array2<f64>) {
    let mut rng = NumpyRng::new(seed);
    let mut x = Array2::<f64>::zeros((n, m).f());
    x.mapv_inplace(|_| rng.uniform() - 0.5);
    let y = Array2::from_shape_fn((1, m), |(_, j)| f64::from(x[(0, j)] + x[(1, j)] > 0.0));
    (x, y)
}

fn network<T: Float>(sizes: &[usize], g: Activation) -> Network<T> {
    Network::new(sizes, g, Init::Xavier, &mut NumpyRng::new(3)).unwrap()
}

/// Adam (α = 0.01) on shuffled mini-batches with an L2 term: the general road.
fn mini_batch_adam(epochs: usize, batch_size: usize) -> GdConfig {
    GdConfig {
        learning_rate: 0.01,
        epochs: Some(epochs),
        batch_size: Some(batch_size),
        optimizer: OptimizerConfig::Adam(AdamConfig::default()),
        l2: 0.1,
        seed: 4,
        ..GdConfig::default()
    }
}

fn plain(lr: f64, iterations: usize) -> GdConfig {
    GdConfig {
        learning_rate: lr,
        iterations,
        record_every: Some(3),
        ..GdConfig::default()
    }
}

#[test]
fn general_loop_resumes_bit_for_bit() {
    let d = spiral(60, 3, 0);
    let (x, y) = (d.x.clone(), d.targets_as::<f64>(3));
    let net = || network::<f64>(&[2, 16, 3], Activation::Relu);
    let config = GdConfig {
        keep_prob: vec![0.9],
        ..mini_batch_adam(9, 32)
    };
    check(Case {
        name: "general",
        x: &x,
        y: &y,
        net: &net,
        config,
        path: Path::Auto,
        plan: Plan::General,
        total: 9,
        cut: 4,
    });
}

#[test]
fn plain_layers_resume_bit_for_bit() {
    let (x, y) = random(30, 200, 1);
    let net = || network::<f64>(&[30, 8, 4, 1], Activation::Tanh);
    check(Case {
        name: "layers",
        x: &x,
        y: &y,
        net: &net,
        config: plain(0.5, 40),
        path: Path::Layers,
        plan: Plan::Layers,
        total: 40,
        cut: 17,
    });
}

#[test]
fn streamed_logistic_regression_resumes_bit_for_bit() {
    // X of 1100 × 1000 f64 (8.8 MB): over the streaming threshold.
    let (x, y) = random(1100, 1000, 2);
    let net = || network::<f64>(&[1100, 1], Activation::Relu);
    check(Case {
        name: "streamed",
        x: &x,
        y: &y,
        net: &net,
        config: plain(0.1, 12),
        path: Path::Auto,
        plan: Plan::Streamed,
        total: 12,
        cut: 5,
    });
}

#[test]
fn gram_path_resumes_bit_for_bit() {
    let (x, y) = random(2000, 60, 3);
    let net = || network::<f64>(&[2000, 6, 3, 1], Activation::Relu);
    check(Case {
        name: "gram",
        x: &x,
        y: &y,
        net: &net,
        config: plain(0.05, 30),
        path: Path::Gram,
        plan: Plan::Gram,
        total: 30,
        cut: 11,
    });
}

#[test]
fn fused_path_resumes_bit_for_bit() {
    // X of 6000 × 300 f64 (14 MB), few examples: the fused first layer.
    let (x, y) = random(6000, 300, 4);
    let net = || network::<f64>(&[6000, 10, 4, 1], Activation::Relu);
    check(Case {
        name: "fused",
        x: &x,
        y: &y,
        net: &net,
        config: plain(0.05, 10),
        path: Path::Layers,
        plan: Plan::Fused,
        total: 10,
        cut: 4,
    });
}

#[test]
fn the_course_deep_cat_net_resumes_on_the_gram_path() {
    let Some(dir) = common::cat_dir() else {
        return;
    };
    let train = data::load(&dir.join("train_catvnoncat.h5"), &LoadOptions::default()).unwrap();
    let (x, y) = (train.x_as::<f64>(), train.targets_as::<f64>(2));
    let net = || {
        Network::<f64>::new(
            &[12288, 20, 7, 5, 1],
            Activation::Relu,
            Init::Xavier,
            &mut NumpyRng::new(1),
        )
        .unwrap()
    };
    let config = GdConfig {
        learning_rate: 0.0075,
        iterations: 2401,
        record_every: Some(100),
        ..GdConfig::default()
    };
    // W3: the cost at 2400, on the uninterrupted run and on the resumed one.
    let mut whole = net();
    let h = Trainer::new(config.clone())
        .fit(
            &mut whole,
            x.view(),
            y.view(),
            Extras::default(),
            &mut |_| {},
        )
        .unwrap();
    let w3 = h.costs.iter().find(|c| c.0 == 2400).unwrap().1;
    assert!((w3 - 0.092878).abs() < 1e-6, "W3 {w3}");
    let case = Case {
        name: "cat-w3",
        x: &x,
        y: &y,
        net: &net,
        config,
        path: Path::Auto,
        plan: Plan::Gram,
        total: 2401,
        cut: 1000,
    };
    check(case);
}

/// A conv net (conv → leaky ReLU → average pool → conv → max pool → dense)
/// on plain full-batch gradient descent: the layer road.
#[test]
fn a_conv_net_resumes_bit_for_bit_on_plain_gradient_descent() {
    let (x, y) = common::conv::pictures::<f64>(30, 1, 5);
    let net = || common::conv::net::<f64>(&[4], 1);
    check(Case {
        name: "conv-layers",
        x: &x,
        y: &y,
        net: &net,
        config: plain(0.3, 14),
        path: Path::Auto,
        plan: Plan::Layers,
        total: 14,
        cut: 6,
    });
}

/// The same conv net, three classes, on mini-batch Adam with L2 and a
/// shuffle (the general road), in f32 and f64: the filters' Adam moments
/// (slots 2L, 2L + 1, …) are checkpointed and restored.
#[test]
fn a_conv_net_resumes_bit_for_bit_on_mini_batch_adam() {
    fn case<T: Float>(name: &str) {
        let (x, y) = common::conv::pictures::<T>(40, 3, 6);
        let net = || common::conv::net::<T>(&[5], 3);
        let case = Case {
            name,
            x: &x,
            y: &y,
            net: &net,
            config: mini_batch_adam(8, 16),
            path: Path::Auto,
            plan: Plan::General,
            total: 8,
            cut: 3,
        };
        stopped_after_every_update(&case, 8 * 3);
        check(case);
    }
    case::<f64>("conv-adam-f64");
    case::<f32>("conv-adam-f32");
}

/// A run stopped after every single update (its stop flag already set, as
/// SIGTERM sets it: mostly mid-epoch), checkpointed through its file and
/// resumed on a fresh network each time, ends with the uninterrupted run's
/// weights, having resumed after every one of its `updates` updates.
fn stopped_after_every_update<T: Float>(case: &Case<'_, T>, updates: usize) {
    let trainer = Trainer::new(case.config.clone()).with_path(case.path);
    let run = |net: &mut Network<T>, state: TrainState<T>, stop: Option<&AtomicBool>| {
        let extras = Extras {
            stop,
            ..Extras::default()
        };
        trainer
            .run(
                net,
                case.x.view(),
                case.y.view(),
                state,
                extras,
                &mut |_| {},
            )
            .unwrap()
    };
    let mut whole = (case.net)();
    run(&mut whole, TrainState::new(&case.config), None);
    let dir = temp_dir(&format!("{}-hops", case.name));
    let stop = AtomicBool::new(true);
    let mut net = (case.net)();
    let mut out = run(&mut net, TrainState::new(&case.config), Some(&stop));
    let mut resumed_at = Vec::new();
    while out.interrupted {
        let null = serde_json::Value::Null;
        checkpoint::save(&dir, &null, &null, &net, &out.state).unwrap();
        net = (case.net)();
        let (_, state) = checkpoint::restore(&dir, &case.config, &mut net).unwrap();
        resumed_at.push(state.step);
        out = run(&mut net, state, Some(&stop));
    }
    // Each update position once; an epoch's end a second time (the stop
    // comes before the epoch is completed, then again after it).
    resumed_at.dedup();
    assert_eq!(
        resumed_at,
        (1..=updates).collect::<Vec<_>>(),
        "{}",
        case.name
    );
    assert_eq!(
        bits(&net),
        bits(&whole),
        "{}: stopped after every update",
        case.name
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
