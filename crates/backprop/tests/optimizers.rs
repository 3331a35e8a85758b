//! Each optimiser against numpy, three steps on a tiny case, to 1e-10 (f64).
//! The expected values are printed by `tests/reference/optimizers.py` (the
//! course's update rules written in numpy).

use backprop::optim::{AdamConfig, MomentumConfig, Optimizer, OptimizerConfig, RmsPropConfig};
use ndarray::{array, Array2};

fn run(config: OptimizerConfig) -> Array2<f64> {
    let mut w = array![[1.0, -2.0], [0.5, 3.0]];
    let grads = [
        array![[0.1, -0.2], [0.3, 0.4]],
        array![[-0.5, 0.25], [0.05, -0.1]],
        array![[0.2, 0.2], [-0.3, 0.1]],
    ];
    let mut opt = Optimizer::new(config);
    for g in &grads {
        opt.begin_step();
        opt.update(0, &mut w, g, 0.01);
    }
    w
}

fn assert_close(got: Array2<f64>, want: [f64; 4]) {
    for (g, w) in got.iter().zip(want) {
        assert!((g - w).abs() < 1e-10, "{g} vs numpy {w}");
    }
}

#[test]
fn gradient_descent_matches_numpy() {
    assert_close(run(OptimizerConfig::Gd), [1.002, -2.0025, 0.4995, 2.996]);
}

#[test]
fn momentum_matches_numpy() {
    assert_close(
        run(OptimizerConfig::Momentum(MomentumConfig::default())),
        [1.0004790000000001, -2.000133, 0.499392, 2.999006],
    );
}

#[test]
fn rmsprop_matches_numpy() {
    assert_close(
        run(OptimizerConfig::RmsProp(RmsPropConfig::default())),
        [
            0.8783438597097406,
            -2.09837831812321,
            0.35394064923231705,
            2.685901113192648,
        ],
    );
}

#[test]
fn adam_with_bias_correction_matches_numpy() {
    assert_close(
        run(OptimizerConfig::Adam(AdamConfig::default())),
        [
            0.9979554918874278,
            -1.996080189231454,
            0.4823462588954313,
            2.980271673219535,
        ],
    );
}
