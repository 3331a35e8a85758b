//! The training toolkit on the CS231n spiral: mini-batch Adam on a
//! [2, 100, 3] ReLU/softmax net learns it; a linear softmax model cannot.

use backprop::data::spiral::spiral;
use backprop::job::{train_on, JobData};
use backprop::optim::{AdamConfig, OptimizerConfig};
use backprop::{Activation, GdConfig, Init, ModelSpec, Precision};

fn spec(hidden: Vec<usize>, gd: GdConfig) -> ModelSpec {
    ModelSpec {
        layers: Vec::new(),
        hidden,
        activation: Activation::Relu,
        init: Init::He,
        gd,
        precision: Precision::F64,
        threads: 1,
        batch_norm: None,
    }
}

fn adam(epochs: usize) -> GdConfig {
    GdConfig {
        learning_rate: 0.01,
        batch_size: Some(64),
        epochs: Some(epochs),
        optimizer: OptimizerConfig::Adam(AdamConfig::default()),
        record_every: Some(10),
        ..GdConfig::default()
    }
}

#[test]
fn adam_on_a_relu_softmax_net_learns_the_3_class_spiral() {
    let data = spiral(100, 3, 0);
    let t = train_on(
        &data,
        None,
        &spec(vec![100], adam(300)),
        serde_json::Value::Null,
        &mut |_| {},
    )
    .unwrap();
    eprintln!(
        "[2, 100, 3] Adam: train accuracy {}",
        t.metrics.train_accuracy
    );
    assert_eq!(t.metrics.layer_sizes, vec![2, 100, 3]);
    assert!(
        t.metrics.train_accuracy >= 0.95,
        "{}",
        t.metrics.train_accuracy
    );
    assert!(t.metrics.per_epoch);
    assert_eq!(t.metrics.costs.first().unwrap().0, 0);

    let linear = train_on(
        &data,
        None,
        &spec(vec![], adam(300)),
        serde_json::Value::Null,
        &mut |_| {},
    )
    .unwrap();
    eprintln!(
        "[2, 3] linear softmax: train accuracy {}",
        linear.metrics.train_accuracy
    );
    assert!(
        linear.metrics.train_accuracy < 0.6,
        "{}",
        linear.metrics.train_accuracy
    );
}

#[test]
fn every_optimiser_and_regulariser_trains_the_spiral_down() {
    use backprop::optim::{LrSchedule, MomentumConfig, RmsPropConfig};
    let data = spiral(100, 3, 0);
    let variants: Vec<(&str, GdConfig)> = vec![
        (
            "momentum",
            GdConfig {
                optimizer: OptimizerConfig::Momentum(MomentumConfig::default()),
                learning_rate: 0.1,
                ..adam(100)
            },
        ),
        (
            "rmsprop",
            GdConfig {
                optimizer: OptimizerConfig::RmsProp(RmsPropConfig::default()),
                ..adam(100)
            },
        ),
        (
            "adam + l2",
            GdConfig {
                l2: 0.01,
                ..adam(100)
            },
        ),
        (
            "adam + dropout",
            GdConfig {
                keep_prob: vec![0.9],
                ..adam(100)
            },
        ),
        (
            "adam + decay",
            GdConfig {
                schedule: LrSchedule::InverseTime { rate: 0.01 },
                ..adam(100)
            },
        ),
    ];
    for (name, gd) in variants {
        let t = train_on(
            &data,
            None,
            &spec(vec![100], gd),
            serde_json::Value::Null,
            &mut |_| {},
        )
        .unwrap();
        let (first, last) = (t.metrics.costs[0].1, t.metrics.final_cost);
        eprintln!(
            "{name}: cost {first:.4} → {last:.4}, accuracy {}",
            t.metrics.train_accuracy
        );
        assert!(last < 0.6 * first, "{name}: {first} → {last}");
    }
}

#[test]
fn validation_is_recorded_and_early_stopping_keeps_the_best_weights() {
    let data = spiral(100, 3, 0);
    let (train, validation) = data.split_validation(0.2, 3).unwrap();
    let gd = GdConfig {
        early_stopping: Some(3),
        record_every: None,
        learning_rate: 0.05,
        ..adam(2000)
    };
    let job = JobData {
        train,
        test: None,
        validation: Some(validation),
        weights: None,
    };
    let t =
        backprop::job::train_on_with(&job, &spec(vec![100], gd), Default::default(), &mut |_| {})
            .unwrap();
    let m = &t.metrics;
    assert_eq!(m.validation_examples, Some(60));
    assert_eq!(m.validation_costs.len(), m.costs.len());
    assert_eq!(m.validation_accuracies.len(), m.costs.len());
    assert!(m.stopped_early, "a 2000-epoch run at this rate stops early");
    let best_at = m.best_at.unwrap();
    let best = m
        .validation_costs
        .iter()
        .find(|(i, _)| *i == best_at)
        .unwrap()
        .1;
    assert!(
        m.validation_costs.iter().all(|(_, c)| *c >= best),
        "best_at is the lowest validation cost"
    );
    assert_eq!(
        m.validation_costs.last().unwrap().0,
        best_at + 3,
        "stopped 3 epochs after the best (every epoch recorded by default)"
    );
    eprintln!(
        "early stop at epoch {} (best {best_at}), validation accuracy {:?}",
        m.iterations,
        m.validation_accuracies.last()
    );
}
