//! `class_weight` is the sample-weight road: a job whose classes weigh
//! "balanced" trains exactly the network the engine trains with those
//! per-example weights given by hand (scikit-learn's n / (k · n_c)), and not
//! the unweighted one.

use backprop::data::spiral::spiral;
use backprop::data::Dataset;
use backprop::engine::{Extras, Trainer};
use backprop::job::{train_on_with, JobData};
use backprop::optim::{AdamConfig, OptimizerConfig};
use backprop::{
    Activation, AnyNetwork, ClassWeight, GdConfig, Init, ModelSpec, Network, NumpyRng, Precision,
    Threads,
};
use ndarray::Axis;

/// The two-class spiral with four of five examples of class 1 left out.
fn imbalanced() -> Dataset {
    let d = spiral(100, 2, 0);
    let keep: Vec<usize> = (0..d.examples())
        .filter(|&j| d.y[(0, j)] == 0.0 || j % 5 == 0)
        .collect();
    // Each example (column) contiguous, as the loaders make X.
    let x = d.x.select(Axis(1), &keep).t().to_owned().reversed_axes();
    Dataset {
        x,
        y: d.y.select(Axis(1), &keep),
        ..d
    }
}

fn spec() -> ModelSpec {
    ModelSpec {
        layers: Vec::new(),
        hidden: vec![8],
        activation: Activation::Relu,
        init: Init::He,
        gd: GdConfig {
            learning_rate: 0.01,
            batch_size: Some(16),
            epochs: Some(20),
            optimizer: OptimizerConfig::Adam(AdamConfig::default()),
            ..GdConfig::default()
        },
        precision: Precision::F64,
        threads: 1,
        batch_norm: None,
    }
}

/// The job's network for `data` with `weights`.
fn job(data: &Dataset, weights: Option<Vec<f64>>) -> Network<f64> {
    let job = JobData {
        train: data.clone(),
        test: None,
        validation: None,
        weights,
    };
    match train_on_with(&job, &spec(), Default::default(), &mut |_| {})
        .unwrap()
        .network
    {
        AnyNetwork::F64(net) => net,
        AnyNetwork::F32(_) => unreachable!("an f64 spec"),
    }
}

fn parameters(net: &Network<f64>) -> Vec<f64> {
    (net.layers().iter())
        .flat_map(|l| l.w.iter().chain(l.b.iter()).copied())
        .collect()
}

#[test]
fn balanced_class_weights_train_as_the_same_sample_weights_do() {
    let data = imbalanced();
    let labels: Vec<usize> = data.y.iter().map(|&c| c as usize).collect();
    let (n, n1) = (labels.len(), labels.iter().filter(|&&c| c == 1).count());
    assert_eq!((n, n1), (120, 20));
    // scikit-learn's balanced weights, by hand: n / (2 · n_c).
    let by_hand: Vec<f64> = (labels.iter())
        .map(|&c| n as f64 / (2.0 * if c == 1 { n1 } else { n - n1 } as f64))
        .collect();
    let balanced = ClassWeight::Balanced
        .example_weights(&labels, &data.classes)
        .unwrap();
    assert_eq!(balanced, by_hand);

    let weighted = job(&data, Some(balanced));
    let spec = spec();
    let mut engine = Network::<f64>::new(
        &[2, 8, 1],
        spec.activation,
        spec.init,
        &mut NumpyRng::new(spec.gd.seed),
    )
    .unwrap();
    engine.set_threads(Threads(1));
    let extras = Extras {
        weights: Some(&by_hand),
        ..Extras::default()
    };
    Trainer::new(spec.gd.clone())
        .fit(
            &mut engine,
            data.x.view(),
            data.y.view(),
            extras,
            &mut |_| {},
        )
        .unwrap();
    assert_eq!(parameters(&weighted), parameters(&engine));

    let plain = job(&data, None);
    assert_ne!(parameters(&weighted), parameters(&plain));
}
