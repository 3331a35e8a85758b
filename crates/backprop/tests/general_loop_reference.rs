//! The general loop against numpy: two epochs of mini-batch Adam with L2 on
//! a 3-4-1 tanh/sigmoid net (batches of 4 in order), epoch costs and final
//! parameters to 1e-12. The expected values are printed by
//! `tests/reference/general_loop.py` (the course's rules written in numpy).

use backprop::engine::{Extras, Plan, TrainState, Trainer};
use backprop::optim::{AdamConfig, OptimizerConfig};
use backprop::GdConfig;
use backprop::{Activation, Network};
use ndarray::{array, Array2};

#[test]
fn mini_batch_adam_with_l2_matches_numpy() {
    let x = array![
        [0.5, -1.2, 0.3, 2.0, -0.7, 1.1, 0.0, -1.5, 0.8, 0.25],
        [1.5, 0.4, -0.9, 0.1, 0.6, -2.0, 1.2, 0.3, -0.4, 0.9],
        [-0.3, 0.8, 1.4, -1.1, 0.2, 0.5, -0.6, 1.0, 0.7, -1.3]
    ];
    let y = array![[1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 0.0, 1.0, 1.0, 0.0]];
    let params: Vec<(Array2<f64>, Array2<f64>)> = vec![
        (
            array![
                [0.2, -0.4, 0.1],
                [0.5, 0.3, -0.2],
                [-0.1, 0.6, 0.4],
                [0.3, -0.5, 0.2]
            ],
            array![[0.01], [-0.02], [0.03], [0.0]],
        ),
        (array![[0.7, -0.3, 0.5, -0.6]], array![[0.05]]),
    ];
    let mut net = Network::from_parameters(params, Activation::Tanh).unwrap();
    let config = GdConfig {
        learning_rate: 0.01,
        epochs: Some(2),
        batch_size: Some(4),
        shuffle: false,
        optimizer: OptimizerConfig::Adam(AdamConfig::default()),
        l2: 0.1,
        ..GdConfig::default()
    };
    let out = Trainer::new(config.clone())
        .run(
            &mut net,
            x.view(),
            y.view(),
            TrainState::new(&config),
            Extras::default(),
            &mut |_| {},
        )
        .unwrap();
    assert_eq!(out.state.plan, Some(Plan::General));
    assert_eq!(out.state.step, 6, "3 batches an epoch");
    let close = |got: f64, want: f64, what: &str| {
        assert!((got - want).abs() < 1e-12, "{what}: {got} vs numpy {want}");
    };
    let costs = &out.state.history.costs;
    close(costs[0].1, 0.6781126276650535, "epoch 0 cost");
    close(costs[1].1, 0.6626944050059367, "epoch 1 cost");
    let want: [&[f64]; 4] = [
        &[
            0.1980372808722847,
            -0.39759943992464286,
            0.15300828203789463,
            0.4776031110297952,
            0.3024112931187308,
            -0.24943949577377994,
            -0.09347697666692223,
            0.555146017714449,
            0.45258266125090885,
            0.29441018841956257,
            -0.4574163679011953,
            0.14709835977979557,
        ],
        &[
            -0.006597126473988531,
            -0.03682679273317815,
            0.047963423907457954,
            0.015966143651695578,
        ],
        &[
            0.7106103130048588,
            -0.31742955086660657,
            0.5413543113993623,
            -0.5725463925376538,
        ],
        &[0.008298297325118158],
    ];
    let got: Vec<&Array2<f64>> = net.layers().iter().flat_map(|l| [&l.w, &l.b]).collect();
    for (k, (g, w)) in got.iter().zip(want).enumerate() {
        for (a, b) in g.iter().zip(w) {
            close(*a, *b, &format!("tensor {k}"));
        }
    }
}
