//! Batch-normalised networks in model files and checkpoints: γ, β (= b), the
//! running μ and σ² saved and loaded whole (predictions bit for bit), a
//! damaged running σ² refused, and a run resumed from a checkpoint ending
//! with exactly the uninterrupted run's parameters and running statistics.

use backprop::data::Preprocessing;
use backprop::engine::{checkpoint, Controls, Session, Start, TrainingData};
use backprop::gradcheck::{generic_network, random_problem};
use backprop::model_io;
use backprop::optim::{AdamConfig, OptimizerConfig};
use backprop::{Activation, AnyNetwork, BatchNormConfig, Float, GdConfig, Network};
use ndarray::Array2;

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("backprop-bn-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn net() -> Network<f64> {
    let mut net = generic_network(&[3, 6, 4, 1], Activation::Relu, 4).unwrap();
    let config = BatchNormConfig {
        momentum: 0.8,
        epsilon: 1e-3,
    };
    net.set_batch_norm(config).unwrap();
    net
}

/// Adam at α = 0.01 on mini-batches of 8 (the last one of each epoch smaller).
fn adam(epochs: usize) -> GdConfig {
    let optimizer = OptimizerConfig::Adam(AdamConfig::default());
    let mut config = GdConfig::default();
    (config.learning_rate, config.optimizer) = (0.01, optimizer);
    (config.batch_size, config.epochs) = (Some(8), Some(epochs));
    config
}

/// Every W, b, γ and running statistic, as bits.
fn bits<T: Float>(net: &Network<T>) -> Vec<u64> {
    let dense = net
        .layers()
        .iter()
        .flat_map(|l| l.w.iter().chain(l.b.iter()));
    let norms = net.norm_tensors().into_iter().flat_map(|(_, t)| t.iter());
    dense.chain(norms).map(|v| v.as_f64().to_bits()).collect()
}

fn train(net: Network<f64>, x: &Array2<f64>, y: &Array2<f64>, epochs: usize) -> Network<f64> {
    let data = TrainingData::new(x.view(), y.view());
    let mut s = Session::start(net, data, adam(epochs), Start::default()).unwrap();
    s.run(&mut Controls::default()).unwrap();
    s.finish().0
}

#[test]
fn a_model_file_keeps_gamma_beta_and_the_running_statistics() {
    let (x, y) = random_problem(3, 40, 11);
    let trained = train(net(), &x, &y, 5);
    let dir = temp_dir("model");
    let classes = ["0".to_string(), "1".to_string()];
    let prep = Preprocessing {
        input: "array".into(),
        example_shape: vec![3],
        scale: 1.0,
        ..Preprocessing::default()
    };
    let info = model_io::save(&dir, &trained, &classes, &prep).unwrap();
    assert_eq!(info.batch_norm, trained.batch_norm());
    let names: Vec<String> = trained.norm_tensors().into_iter().map(|(n, _)| n).collect();
    assert_eq!(
        names,
        [
            "gamma1",
            "running_mean1",
            "running_var1",
            "gamma2",
            "running_mean2",
            "running_var2"
        ]
    );
    let (_, loaded) = model_io::load(&dir).unwrap();
    let AnyNetwork::F64(loaded) = loaded else {
        panic!("saved in f64")
    };
    assert_eq!(bits(&loaded), bits(&trained));
    assert_eq!(loaded.batch_norm(), trained.batch_norm());
    let (p, q) = (
        trained.predict_proba(x.view()),
        loaded.predict_proba(x.view()),
    );
    assert_eq!(p, q, "predictions bit for bit, with the running statistics");

    // A running σ² below 0 cannot normalise: the folder is refused as damaged.
    let mut broken = trained.clone();
    broken.layers_mut()[0]
        .norm
        .as_deref_mut()
        .unwrap()
        .running_var[[0, 0]] = -1.0;
    model_io::save(&dir, &broken, &classes, &prep).unwrap();
    let e = model_io::load(&dir).unwrap_err().to_string();
    assert!(e.contains("running_var1 holds a variance below 0"), "{e}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_resumed_run_ends_bit_for_bit_where_the_uninterrupted_one_does() {
    let (x, y) = random_problem(3, 44, 12);
    let whole = train(net(), &x, &y, 6);

    let dir = temp_dir("resume");
    let data = TrainingData::new(x.view(), y.view());
    let mut first = Session::start(net(), data, adam(6), Start::default()).unwrap();
    first.advance(2, &mut Controls::default()).unwrap();
    let (n, state) = first.checkpoint();
    let null = serde_json::Value::Null;
    checkpoint::save(&dir, &null, &null, n, state).unwrap();

    let mut fresh = net();
    let (_, state) = checkpoint::restore(&dir, &adam(6), &mut fresh).unwrap();
    let data = TrainingData::new(x.view(), y.view());
    let start = Start {
        state: Some(state),
        ..Start::default()
    };
    let mut second = Session::start(fresh, data, adam(6), start).unwrap();
    second.run(&mut Controls::default()).unwrap();
    let resumed = second.finish().0;
    assert_eq!(bits(&resumed), bits(&whole));
    let _ = std::fs::remove_dir_all(&dir);
}
