//! A sparse X (compressed columns) trains to the weights its dense form
//! trains to, for every optimiser (mini-batches shuffled or in order, sample
//! weights, L-BFGS's full batch, a softmax output), predicts the same
//! probabilities, and is refused with its fix when malformed. The sparse
//! products sum each example's entries in stored order where the dense
//! product sums all features: the two differ by rounding alone, bounded here
//! at 1e-9 (relative to the weights' scale) after every run.

use backprop::engine::{Controls, Session, TrainingData};
use backprop::optim::{AdamConfig, LbfgsConfig, MomentumConfig, OptimizerConfig};
use backprop::sparse::SparseColumns;
use backprop::{Activation, GdConfig, Init, Network, NumpyRng};
use ndarray::Array2;

/// A 40 × 150 X at about 10 % density (some examples empty, some columns'
/// indices stored in falling order), with labels of `classes` classes.
fn table(classes: usize) -> (SparseColumns<f64>, Array2<f64>) {
    let (n_x, m) = (40, 150);
    let mut state = 12345u64;
    let mut next = move || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (state >> 33) as f64 / (1u64 << 31) as f64
    };
    let (mut indptr, mut indices, mut values) = (vec![0], Vec::new(), Vec::new());
    let mut y = Array2::zeros((if classes == 2 { 1 } else { classes }, m));
    for j in 0..m {
        let mut col: Vec<(usize, f64)> = Vec::new();
        for i in 0..n_x {
            if next() < 0.1 {
                col.push((i, 4.0 * next() - 1.0));
            }
        }
        if j % 3 == 0 {
            col.reverse(); // unsorted indices are accepted
        }
        let score: f64 = col
            .iter()
            .map(|&(i, v)| if i % 2 == 0 { v } else { -v })
            .sum();
        let class = if classes == 2 {
            usize::from(score > 0.0)
        } else {
            (score.abs() * 2.0) as usize % classes
        };
        match classes {
            2 => y[(0, j)] = class as f64,
            _ => y[(class, j)] = 1.0,
        }
        indices.extend(col.iter().map(|c| c.0));
        values.extend(col.iter().map(|c| c.1));
        indptr.push(indices.len());
    }
    (
        SparseColumns::new(n_x, m, indptr, indices, values).unwrap(),
        y,
    )
}

fn net(k: usize) -> Network<f64> {
    Network::new(
        &[40, 7, k],
        Activation::Relu,
        Init::He,
        &mut NumpyRng::new(3),
    )
    .unwrap()
}

/// Trains on `data` and returns the network.
fn train(data: TrainingData<'_, f64>, config: &GdConfig, k: usize) -> Network<f64> {
    let mut s = Session::new(net(k), data, config.clone()).unwrap();
    s.run(&mut Controls::default()).unwrap();
    s.finish().0
}

/// The sparse run's weights are the dense run's within 1e-9 of their scale.
fn assert_same_fit(config: GdConfig, classes: usize, weights: Option<&[f64]>) {
    let (sx, y) = table(classes);
    let dense = sx.to_dense();
    let k = y.nrows();
    let mut d = TrainingData::new(dense.view(), y.view());
    d.weights = weights;
    let mut s = TrainingData::sparse(&sx, y.view());
    s.weights = weights;
    let (a, b) = (train(d, &config, k), train(s, &config, k));
    for (la, lb) in a.layers().iter().zip(b.layers()) {
        let scale = la.w.iter().fold(1.0f64, |m, v| m.max(v.abs()));
        let worst = (&la.w - &lb.w).iter().fold(0.0f64, |m, v| m.max(v.abs()));
        assert!(
            worst <= 1e-9 * scale,
            "{:?}: W differs by {worst}",
            config.optimizer
        );
        let worst_b = (&la.b - &lb.b).iter().fold(0.0f64, |m, v| m.max(v.abs()));
        assert!(
            worst_b <= 1e-9 * scale,
            "{:?}: b differs by {worst_b}",
            config.optimizer
        );
    }
    assert_ne!(a.layers()[0].w, net(k).layers()[0].w, "the run trained");
}

fn epochs(optimizer: OptimizerConfig, shuffle: bool) -> GdConfig {
    GdConfig {
        optimizer,
        learning_rate: 0.05,
        batch_size: Some(16),
        epochs: Some(5),
        shuffle,
        l2: 0.01,
        ..GdConfig::default()
    }
}

#[test]
fn sgd_with_momentum_on_shuffled_batches_fits_as_the_dense_x() {
    let momentum = OptimizerConfig::Momentum(MomentumConfig {
        beta: 0.9,
        nesterov: true,
    });
    assert_same_fit(epochs(momentum, true), 2, None);
}

#[test]
fn adam_on_batches_in_order_fits_as_the_dense_x() {
    assert_same_fit(
        epochs(OptimizerConfig::Adam(AdamConfig::default()), false),
        2,
        None,
    );
}

#[test]
fn adam_with_a_softmax_output_and_sample_weights_fits_as_the_dense_x() {
    let w: Vec<f64> = (0..150).map(|j| (j % 4) as f64 * 0.5).collect();
    assert_same_fit(
        epochs(OptimizerConfig::Adam(AdamConfig::default()), true),
        3,
        Some(&w),
    );
}

#[test]
fn lbfgs_fits_as_the_dense_x() {
    let config = GdConfig {
        optimizer: OptimizerConfig::Lbfgs(LbfgsConfig::default()),
        iterations: 40,
        l2: 0.01,
        ..GdConfig::default()
    };
    assert_same_fit(config.clone(), 2, None);
    assert_same_fit(config, 3, None);
}

#[test]
fn sparse_probabilities_are_the_dense_ones() {
    let (sx, y) = table(3);
    let model = net(y.nrows());
    let (p, q) = (
        model.predict_proba(sx.to_dense().view()),
        model.sparse_predict_proba(&sx),
    );
    assert_eq!(p.dim(), q.dim());
    let worst = (&p - &q).iter().fold(0.0f64, |m, v| m.max(v.abs()));
    assert!(worst < 1e-12, "{worst}");
}

#[test]
fn a_malformed_sparse_x_is_refused_with_its_fix() {
    let bad = |r: Result<SparseColumns<f64>, backprop::Error>, words: &str| {
        let msg = r.unwrap_err().to_string();
        assert!(msg.contains(words), "{msg}");
    };
    bad(
        SparseColumns::new(3, 2, vec![0, 1, 2], vec![0, 3], vec![1.0, 1.0]),
        "indices must lie in [0, 3)",
    );
    bad(
        SparseColumns::new(3, 2, vec![0, 2], vec![0, 1], vec![1.0, 1.0]),
        "it needs m + 1 = 3",
    );
    bad(
        SparseColumns::new(3, 2, vec![0, 2, 1], vec![0, 1], vec![1.0, 1.0]),
        "out of order",
    );
    bad(
        SparseColumns::new(3, 2, vec![0, 1, 2], vec![0, 1], vec![1.0, f64::NAN]),
        "impute or drop",
    );
    bad(
        SparseColumns::new(3, 2, vec![0, 1, 2], vec![0, 1], vec![1.0]),
        "must pair up",
    );
    bad(
        SparseColumns::from_slices(3, 1, &[0i64, 1], &[-1i64], &[1.0]),
        "out of range",
    );
    // A network whose input layer is not X's features: the session says both shapes.
    let (sx, y) = table(2);
    let wrong = Network::new(
        &[39, 3, 1],
        Activation::Relu,
        Init::He,
        &mut NumpyRng::new(1),
    )
    .unwrap();
    let err = Session::new(
        wrong,
        TrainingData::sparse(&sx, y.view()),
        GdConfig::default(),
    )
    .err()
    .unwrap();
    assert!(err.to_string().contains("X is 40×150"), "{err}");
}

#[test]
fn a_sparse_validation_set_scores_and_stops_as_its_dense_form() {
    let (sx, y) = table(3);
    let (vx, vy) = table(3); // the same table as its own validation set
    let labels = vy
        .map_axis(ndarray::Axis(0), |c| {
            c.iter().position(|&v| v == 1.0).unwrap() as f64
        })
        .insert_axis(ndarray::Axis(0));
    let config = GdConfig {
        early_stopping: Some(2),
        ..epochs(OptimizerConfig::Adam(AdamConfig::default()), true)
    };
    let (dx, dvx) = (sx.to_dense(), vx.to_dense());
    let mut d = TrainingData::new(dx.view(), y.view());
    d.validation = Some((dvx.view().into(), vy.view().into(), labels.view().into()));
    let mut s = TrainingData::sparse(&sx, y.view());
    let empty = Array2::<f64>::zeros((0, vx.ncols()));
    s.validation = Some((empty.view().into(), vy.view().into(), labels.view().into()));
    s.sparse_validation = Some(&vx);
    let run = |data| {
        let mut session = Session::new(net(3), data, config.clone()).unwrap();
        session.run(&mut Controls::default()).unwrap();
        session.finish().1.history
    };
    let (hd, hs) = (run(d), run(s));
    assert_eq!(hd.validation_accuracies, hs.validation_accuracies);
    assert_eq!(hd.validation_costs.len(), hs.validation_costs.len());
    for ((i, a), (j, b)) in hd.validation_costs.iter().zip(&hs.validation_costs) {
        assert!(i == j && (a - b).abs() < 1e-9, "{a} vs {b}");
    }
    assert!(!hd.validation_costs.is_empty());
}
