//! Logistic regression on an X larger than the caches, which an iteration
//! streams in blocks of examples (`Dense::step_in_blocks`), against the
//! notes' scalar loop (the oracle), to 1e-12.

use backprop::engine::{fit_with, Path};
use backprop::scalar;
use backprop::GdConfig;
use backprop::{Activation, Gaussian, Network, NumpyRng, Threads};
use ndarray::Array2;

#[test]
fn streamed_logistic_regression_agrees_with_the_notes_loop() {
    // 100 features × 12 000 examples of f64: 9.6 MB, above the 8 MB threshold.
    let (n, m) = (100, 12_000);
    let mut rng = NumpyRng::new(4);
    let x = Array2::from_shape_fn((m, n), |_| rng.randn()).reversed_axes();
    let y = Array2::from_shape_fn((1, m), |(_, j)| (x[(0, j)] + x[(1, j)] > 0.0) as u8 as f64);
    let rows: Vec<Vec<f64>> = (0..m).map(|j| x.column(j).to_vec()).collect();
    let oracle = scalar::train(&rows, y.as_slice().unwrap(), vec![0.0; n], 0.0, 0.1, 20);
    for threads in [1, 2] {
        let params = vec![(Array2::zeros((1, n)), Array2::zeros((1, 1)))];
        let mut net = Network::from_parameters(params, Activation::Relu).unwrap();
        net.set_threads(Threads(threads));
        let config = GdConfig {
            learning_rate: 0.1,
            iterations: 20,
            record_every: Some(5),
            ..GdConfig::default()
        };
        let h = fit_with(
            &mut net,
            x.view(),
            y.view(),
            None,
            &config,
            Path::Layers,
            None,
            &mut |_| {},
        )
        .unwrap();
        let layer = &net.layers()[0];
        for (w, o) in layer.w.iter().zip(&oracle.w) {
            assert!((w - o).abs() < 1e-12, "{threads} threads: w {w} vs {o}");
        }
        assert!((layer.b[(0, 0)] - oracle.b).abs() < 1e-12);
        assert!((h.final_cost - oracle.cost).abs() < 1e-12);
    }
}
