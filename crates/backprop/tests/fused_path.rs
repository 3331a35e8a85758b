//! The fused first layer (`fused.rs`: dW[1], its update and the next W[1]·X in
//! one pass over X) against the plain layer-by-layer iteration
//! (`Network::train_step`: forward, cost, backward, update): the same cost at
//! every iteration to 1e-12 relative in f64, and the same weights, on 1 and 2
//! threads, on an X large enough (12 MB) for the fused pass to be taken.

mod common;

use backprop::engine::Path;
use backprop::{Activation, Init, Network, NumpyRng, Threads};
use common::train;
use ndarray::{Array2, ShapeBuilder};

/// Pixel-like X (k/255 from a hash of the position), example-contiguous, and labels.
fn data(n_x: usize, m: usize) -> (Array2<f64>, Array2<f64>) {
    let hash = |i: usize| (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 56;
    let mut x = Array2::<f64>::zeros((n_x, m).f());
    for ((f, j), v) in x.indexed_iter_mut() {
        *v = hash(j * n_x + f) as f64 / 255.0;
    }
    let y = Array2::from_shape_fn((1, m), |(_, j)| f64::from(x[(j % n_x, j)] > 0.5));
    (x, y)
}

#[test]
fn fused_first_layer_matches_the_layer_by_layer_iteration() {
    let (x, y) = data(12288, 125);
    let sizes = [12288, 20, 7, 1];
    let (lr, iterations) = (0.0075, 40);
    for threads in [1, 2] {
        let mut plain = Network::<f64>::new(
            &sizes,
            Activation::Relu,
            Init::Xavier,
            &mut NumpyRng::new(1),
        )
        .unwrap();
        plain.set_threads(Threads(threads));
        let plain_costs: Vec<f64> = (0..iterations)
            .map(|_| plain.train_step(x.view(), y.view(), lr))
            .collect();
        let (fused, h) = train(
            &x,
            &y,
            &sizes,
            Init::Xavier,
            lr,
            iterations,
            Path::Layers,
            threads,
        );
        assert_eq!(h.costs.len(), iterations);
        let worst_cost = h
            .costs
            .iter()
            .zip(&plain_costs)
            .map(|(&(_, a), &b)| (a - b).abs() / b.abs())
            .fold(0.0, f64::max);
        let mut worst_weight: f64 = 0.0;
        for (a, b) in fused.layers().iter().zip(plain.layers()) {
            let scale = b.w.iter().fold(0.0f64, |s, v| s.max(v.abs()));
            for (p, q) in a.w.iter().zip(&b.w).chain(a.b.iter().zip(&b.b)) {
                worst_weight = worst_weight.max((p - q).abs() / scale);
            }
        }
        eprintln!(
            "{threads} threads: costs within {worst_cost:e}, weights within {worst_weight:e}"
        );
        assert!(
            worst_cost < 1e-12,
            "{threads} threads: costs differ by {worst_cost:e}"
        );
        assert!(
            worst_weight < 1e-12,
            "{threads} threads: weights differ by {worst_weight:e}"
        );
        // The costs moved: the run trained.
        assert!(plain_costs[iterations - 1] < plain_costs[0]);
        // The fused pass was taken: it leaves the first layer's Z holding the next
        // iteration's W·X (no bias yet), where the plain iteration leaves W_old·X + b.
        let first = &fused.layers()[0];
        let next = first.w.dot(&x);
        let off = first
            .z
            .iter()
            .zip(&next)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max);
        assert!(
            off < 1e-9,
            "{threads} threads: Z[1] is not the next W·X ({off:e})"
        );
    }
}
