//! Mini-batches without reshuffling (`GdConfig::shuffle = false`, `--no-shuffle`):
//! an epoch is one gradient step on each consecutive slice of X, in order; and
//! `fit_with` hands any config that is not plain full-batch descent to the
//! general loop.

use backprop::engine::{fit_with, Extras, Path, TrainState, Trainer};
use backprop::GdConfig;
use backprop::{Activation, Init, Network, NumpyRng};
use ndarray::{s, Array2, ShapeBuilder};

/// 6 features × 50 examples, example-contiguous as the loaders lay X out; labels 0/1.
fn data() -> (Array2<f64>, Array2<f64>) {
    let mut rng = NumpyRng::new(7);
    let mut x = Array2::<f64>::zeros((6, 50).f());
    x.mapv_inplace(|_| backprop::Gaussian::randn(&mut rng));
    let y = Array2::from_shape_fn((1, 50), |(_, j)| f64::from(x[(0, j)] + x[(1, j)] > 0.0));
    (x, y)
}

fn net() -> Network<f64> {
    Network::new(
        &[6, 5, 1],
        Activation::Tanh,
        Init::Xavier,
        &mut NumpyRng::new(3),
    )
    .unwrap()
}

/// Trains `net` in the general loop from the start.
fn general(
    net: &mut Network<f64>,
    x: &Array2<f64>,
    y: &Array2<f64>,
    config: &GdConfig,
) -> TrainState<f64> {
    let state = TrainState::new(config);
    Trainer::new(config.clone())
        .run(
            net,
            x.view(),
            y.view(),
            state,
            Extras::default(),
            &mut |_| {},
        )
        .unwrap()
        .state
}

fn weights(net: &Network<f64>) -> Vec<f64> {
    net.layers()
        .iter()
        .flat_map(|l| l.w.iter().chain(l.b.iter()).copied())
        .collect()
}

#[test]
fn an_unshuffled_epoch_is_one_step_on_each_consecutive_slice() {
    let (x, y) = data();
    let config = GdConfig {
        learning_rate: 0.5,
        batch_size: Some(16),
        epochs: Some(2),
        shuffle: false,
        record_every: Some(1),
        ..GdConfig::default()
    };
    let mut trained = net();
    let state = general(&mut trained, &x, &y, &config);
    assert_eq!(state.step, 8, "4 batches (16, 16, 16, 2) an epoch");

    // The oracle: forward, backward and W −= α·dW on x[:, 0..16], x[:, 16..32], ….
    let mut by_hand = net();
    for _epoch in 0..2 {
        for lo in (0..50).step_by(16) {
            let hi = (lo + 16).min(50);
            let (xb, yb) = (x.slice(s![.., lo..hi]), y.slice(s![.., lo..hi]));
            by_hand.forward(xb);
            by_hand.backward(xb, yb);
            for layer in by_hand.layers_mut() {
                layer.descend(0.5);
            }
        }
    }
    assert_eq!(weights(&trained), weights(&by_hand));

    // Shuffled (the default) visits the examples in another order: other weights.
    let mut shuffled = net();
    let config = GdConfig {
        shuffle: true,
        ..config
    };
    general(&mut shuffled, &x, &y, &config);
    assert_ne!(weights(&shuffled), weights(&by_hand));
}

#[test]
fn fit_with_runs_mini_batch_configs_in_the_general_loop() {
    let (x, y) = data();
    let config = GdConfig {
        learning_rate: 0.5,
        batch_size: Some(10),
        epochs: Some(3),
        record_every: Some(1),
        ..GdConfig::default()
    };
    let mut fitted = net();
    let h = fit_with(
        &mut fitted,
        x.view(),
        y.view(),
        None,
        &config,
        Path::Auto,
        None,
        &mut |_| {},
    )
    .unwrap();
    let mut by_loop = net();
    let state = general(&mut by_loop, &x, &y, &config);
    assert_eq!(h.iterations, 3, "three epochs");
    assert_eq!(h.costs, state.history.costs);
    assert_eq!(weights(&fitted), weights(&by_loop));
}

#[test]
fn shuffled_batches_are_the_same_whatever_the_layout_of_x() {
    // Example-contiguous X (as loaded, and from numpy's C-order arrays) takes
    // the trainer's slice-copy gather; feature-contiguous X takes the
    // element-wise one. The batches, and so every number, must not differ.
    let (x, y) = data();
    let x_rows = x.as_standard_layout().into_owned();
    assert!(x.strides()[0] == 1 && x_rows.strides()[1] == 1);
    let config = GdConfig {
        learning_rate: 0.5,
        batch_size: Some(8), // 7 batches an epoch, the last one partial
        epochs: Some(3),
        record_every: Some(1),
        shuffle: true,
        ..GdConfig::default()
    };
    let (mut by_columns, mut by_rows) = (net(), net());
    let a = general(&mut by_columns, &x, &y, &config);
    let b = general(&mut by_rows, &x_rows, &y, &config);
    assert_eq!(a.history.costs, b.history.costs);
    assert_eq!(weights(&by_columns), weights(&by_rows));
    // And a shuffled run is not an unshuffled one.
    let mut in_order = net();
    general(
        &mut in_order,
        &x,
        &y,
        &GdConfig {
            shuffle: false,
            ..config
        },
    );
    assert_ne!(weights(&by_columns), weights(&in_order));
}
