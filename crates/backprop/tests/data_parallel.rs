//! Data-parallel training: N ranks (threads of this process, through the
//! same `Collective` trait an MPI transport implements), each on its share of
//! every batch, end with the one-process run's weights to 1e-10 relative.

mod common;

use backprop::collective::{Collective, Threads};
use backprop::data::{self, spiral::spiral, LoadOptions};
use backprop::job::{train_on_with, JobData, RunContext, Trained};
use backprop::optim::{AdamConfig, OptimizerConfig};
use backprop::{Activation, AnyNetwork, GdConfig, Init, ModelSpec, Precision};

fn weights(t: &Trained) -> Vec<f64> {
    match &t.network {
        AnyNetwork::F64(n) => n
            .layers()
            .iter()
            .flat_map(|l| l.w.iter().chain(l.b.iter()).copied())
            .collect(),
        AnyNetwork::F32(_) => unreachable!("f64 runs"),
    }
}

/// Trains on `ranks` thread-ranks; returns rank 0's result (all ranks hold the same weights).
fn train_on_ranks(data: &JobData, spec: &ModelSpec, ranks: usize) -> Trained {
    if ranks == 1 {
        return train_on_with(data, spec, RunContext::default(), &mut |_| {}).unwrap();
    }
    let results: Vec<Trained> = std::thread::scope(|s| {
        let handles: Vec<_> = Threads::group(ranks)
            .into_iter()
            .map(|c| {
                s.spawn(move || {
                    let ctx = RunContext {
                        collective: Some(&c as &dyn Collective),
                        ..RunContext::default()
                    };
                    train_on_with(data, spec, ctx, &mut |_| {}).unwrap()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for r in &results[1..] {
        assert_eq!(
            weights(r),
            weights(&results[0]),
            "every rank holds the same weights"
        );
    }
    results.into_iter().next().unwrap()
}

/// Trains on 1 rank, then on 2 and 4: each many-rank run with its largest
/// relative weight difference from the one-rank run (printed), and that run.
fn against_one_rank(data: &JobData, spec: &ModelSpec) -> (Trained, Vec<(usize, Trained, f64)>) {
    let one = train_on_ranks(data, spec, 1);
    let many = [2, 4]
        .into_iter()
        .map(|ranks| {
            let t = train_on_ranks(data, spec, ranks);
            let d = max_relative(&weights(&one), &weights(&t));
            eprintln!("{ranks} ranks: max relative weight difference {d:e}");
            (ranks, t, d)
        })
        .collect();
    (one, many)
}

fn max_relative(a: &[f64], b: &[f64]) -> f64 {
    let scale = a.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    a.iter()
        .zip(b)
        .fold(0.0, |m, (x, y)| m.max((x - y).abs() / scale))
}

#[test]
#[cfg_attr(
    no_cat_data,
    ignore = "needs the cat data: ../shared/datasets/catvnoncat or $BACKPROP_CAT_DIR"
)]
fn full_batch_gd_on_the_cat_data_across_2_and_4_ranks() {
    let Some(dir) = common::cat_dir() else { return };
    let train = data::load(&dir.join("train_catvnoncat.h5"), &LoadOptions::default()).unwrap();
    let data = JobData {
        train,
        test: None,
        validation: None,
        weights: None,
    };
    let spec = ModelSpec {
        layers: Vec::new(),
        hidden: vec![],
        activation: Activation::Relu,
        init: Init::Zeros,
        gd: GdConfig {
            learning_rate: 0.005,
            iterations: 2000,
            ..GdConfig::default()
        },
        precision: Precision::F64,
        threads: 1,
        batch_norm: None,
    };
    for (ranks, many, d) in against_one_rank(&data, &spec).1 {
        let c = many
            .metrics
            .costs
            .iter()
            .find(|(i, _)| *i == 1900)
            .unwrap()
            .1;
        eprintln!("{ranks} ranks: cost@1900 {c}");
        assert!(d < 1e-10, "{ranks} ranks: {d:e}");
        assert!((c - 0.140872).abs() < 1e-5, "{c}");
    }
}

#[test]
fn mini_batch_adam_across_2_and_4_ranks() {
    let data = JobData {
        train: spiral(100, 3, 0),
        test: None,
        validation: None,
        weights: None,
    };
    let spec = ModelSpec {
        layers: Vec::new(),
        hidden: vec![30, 10],
        activation: Activation::Tanh,
        init: Init::Xavier,
        gd: GdConfig {
            learning_rate: 0.01,
            batch_size: Some(50),
            epochs: Some(40),
            optimizer: OptimizerConfig::Adam(AdamConfig::default()),
            l2: 0.01,
            seed: 3,
            ..GdConfig::default()
        },
        precision: Precision::F64,
        threads: 1,
        batch_norm: None,
    };
    let (one, many) = against_one_rank(&data, &spec);
    for (ranks, many, d) in many {
        assert!(d < 1e-10, "{ranks} ranks: {d:e}");
        assert_eq!(many.metrics.costs.len(), one.metrics.costs.len());
    }
}
