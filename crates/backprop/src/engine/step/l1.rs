//! The L1 term of the cost, λ/m·Σ_l Σ|W\[l\]| ([`Network::l1_penalty`]), and its (sub)gradient
//! (λ/m)·sign(W) added to dW (0 at w = 0, as scikit-learn's and TensorFlow
//! Playground's L1). Like L2 it covers the weights, not the biases; a
//! weighted batch divides by its total weight Σ w rather than m
//! ([`strength`]), as the L2 term does.

use ndarray::Zip;

use crate::linalg::Float;
use crate::network::Network;
use crate::train::GdConfig;

/// The λ that, divided by the batch's size m, gives λ/Σ w for a weighted
/// batch of total weight `batch_weight`; the configured λ otherwise.
pub(crate) fn strength(config: &GdConfig, weighted: bool, batch_weight: f64, m: usize) -> f64 {
    if weighted && batch_weight > 0.0 {
        config.l1 * (m as f64 / batch_weight)
    } else {
        config.l1
    }
}

/// dW\[l\] += (λ/m)·sign(W\[l\]) for every layer (nothing at w = 0).
pub(crate) fn add_gradient<T: Float>(net: &mut Network<T>, lambda: f64, m: usize) {
    if lambda == 0.0 {
        return;
    }
    let k = T::cast(lambda / m as f64);
    for layer in net.layers_mut() {
        Zip::from(&mut layer.dw).and(&layer.w).for_each(|dw, &w| {
            if w > T::zero() {
                *dw += k;
            } else if w < T::zero() {
                *dw -= k;
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    /// The gradient is the cost's slope: central differences of the L1 term
    /// against (λ/m)·sign(w), away from w = 0.
    #[test]
    fn the_gradient_is_the_penalty_s_slope_and_the_penalty_its_sum() {
        let mut net = Network::<f64>::builder(&[2, 3, 1]).seed(3).build().unwrap();
        let (lambda, m) = (0.7, 5);
        let by_hand: f64 = net
            .layers()
            .iter()
            .flat_map(|l| l.w.iter())
            .map(|w| w.abs())
            .sum();
        assert!((net.l1_penalty(lambda, m) - lambda / 5.0 * by_hand).abs() < 1e-12);
        for layer in net.layers_mut() {
            layer.dw.fill(0.0);
        }
        add_gradient(&mut net, lambda, m);
        let h = 1e-6;
        for l in 0..2 {
            for idx in [(0, 0), (0, 1)] {
                let w = net.layers()[l].w[idx];
                net.layers_mut()[l].w[idx] = w + h;
                let up = net.l1_penalty(lambda, m);
                net.layers_mut()[l].w[idx] = w - h;
                let down = net.l1_penalty(lambda, m);
                net.layers_mut()[l].w[idx] = w;
                let slope = (up - down) / (2.0 * h);
                assert!(
                    (slope - net.layers()[l].dw[idx]).abs() < 1e-8,
                    "layer {l} {idx:?}"
                );
            }
        }
        // Zero weights get no push, and no penalty.
        let mut zero = net.clone();
        for layer in zero.layers_mut() {
            layer.w.fill(0.0);
            layer.dw.fill(0.0);
        }
        add_gradient(&mut zero, lambda, m);
        assert_eq!(zero.l1_penalty(lambda, m), 0.0);
        assert!(zero
            .layers()
            .iter()
            .all(|l| l.dw == array![[0.0]].broadcast(l.dw.dim()).unwrap()));
    }
}
