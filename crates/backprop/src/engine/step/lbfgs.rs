//! L-BFGS over a network: the objective ([`Objective`]) is the full batch's
//! cost with its L2 term, J(θ) = Σ wᵢ·lᵢ / Σ wᵢ + λ/(2·Σ wᵢ)·Σ‖W‖², of the
//! parameters θ = (W\[1\], b\[1\], W\[2\], …) flattened in that order, and its
//! gradient is the hand-derived backward pass's dW, db plus (λ/Σ wᵢ)·W —
//! scikit-learn's `_loss_grad_lbfgs`. The algorithm is [`crate::optim::lbfgs`]'s,
//! in f64 whatever the network's precision.
//!
//! With [`GdConfig::penalty_scale`] the first layer's column j enters the L2
//! term as sⱼ·W\[1\]\[:, j\] (its gradient (λ/Σ wᵢ)·sⱼ²·W). With an L1 term
//! λ₁/Σ wᵢ·Σ|W| (sⱼ·|W\[1\]\[:, j\]| in the first layer) the run is OWL-QN: the
//! objective gives the smooth part, the run adds the L1 term itself.
//!
//! The session calls [`LbfgsRun::iterate`] once per iteration. Its memory
//! (the last m pairs) lives here, not in checkpoints: a resumed run starts a
//! fresh L-BFGS from the checkpoint's weights, as scikit-learn's `warm_start`
//! does, and counts `max_fun` afresh.

use ndarray::{s, ArrayView1, ArrayView2};

use crate::collective::{share, Collective};
use crate::layer::Dense;
use crate::linalg::Float;
use crate::network::Network;
use crate::optim::lbfgs::{Iterated, Lbfgs};
use crate::optim::LbfgsConfig;
use crate::sparse::SparseView;
use crate::train::GdConfig;

use super::general::{self, Batch};

/// The cost and gradient of a network on the whole training set.
pub(crate) struct Objective<'o, T: Float> {
    pub net: &'o mut Network<T>,
    pub x: ArrayView2<'o, T>,
    pub y: ArrayView2<'o, T>,
    pub weights: Option<ArrayView1<'o, T>>,
    /// The sparse X, when the run's X is sparse (`x` is then 0 × m).
    pub sparse: Option<SparseView<'o, T>>,
    /// The L2 strength as the network's term takes it (see `general::l2_strength`).
    pub l2: f64,
    /// The L1 strength as the network's term takes it (see `l1::strength`);
    /// the run adds this term, not the objective.
    pub l1: f64,
    pub config: &'o GdConfig,
    pub collective: &'o dyn Collective,
    pub reduce_buf: &'o mut Vec<f64>,
    pub allreduce_seconds: &'o mut f64,
}

impl<T: Float> Objective<'_, T> {
    /// J(θ), writing ∇J(θ) into `grad` (and θ into the network).
    pub(crate) fn evaluate(&mut self, theta: &[f64], grad: &mut [f64]) -> f64 {
        unflatten(self.net, theta);
        let m = self.x.ncols();
        let (lo, hi) = share(m, self.collective.rank(), self.collective.size());
        let batch = Batch {
            x: self.x.slice(s![.., lo..hi]),
            y: self.y.slice(s![.., lo..hi]),
            w: self.weights.as_ref().map(|w| w.slice(s![lo..hi])),
            size: m,
            sparse: self.sparse.map(|sx| sx.columns(lo, hi)),
        };
        let scale = &self.config.penalty_scale;
        let cost = general::gradients(
            self.net,
            batch,
            0,
            self.config,
            if scale.is_empty() { self.l2 } else { 0.0 },
            0.0, // the L1 term is the run's (OWL-QN)
            self.collective,
            self.reduce_buf,
            self.allreduce_seconds,
        );
        let cost = if !scale.is_empty() {
            cost + scaled_l2(self.net, self.l2 / m as f64, scale)
        } else {
            if self.l2 != 0.0 {
                self.net.add_l2_gradient(self.l2, m);
            }
            cost
        };
        // Held biases (fit_intercept false) have no gradient: they never move.
        let fit_b = match self.config.optimizer {
            crate::optim::OptimizerConfig::Lbfgs(c) => c.fit_intercept,
            _ => true,
        };
        let grads = self.net.layers().iter().flat_map(|l| {
            let b =
                l.db.iter()
                    .map(move |&v| if fit_b { v.as_f64() } else { 0.0 });
            l.dw.iter().map(|&v| v.as_f64()).chain(b)
        });
        for (g, v) in grad.iter_mut().zip(grads) {
            *g = v;
        }
        cost
    }
}

/// k/2·Σ (sⱼ·w)² over the first layer's weights (column j) and k/2·Σ w²
/// over the others, its gradient k·sⱼ²·w added to dW.
fn scaled_l2<T: Float>(net: &mut Network<T>, k: f64, scale: &[f64]) -> f64 {
    if k == 0.0 {
        return 0.0;
    }
    let mut sum = 0.0;
    for (l, layer) in net.layers_mut().iter_mut().enumerate() {
        for (((_, j), dw), w) in layer.dw.indexed_iter_mut().zip(layer.w.iter()) {
            let s2 = if l == 0 { scale[j] * scale[j] } else { 1.0 };
            let w = w.as_f64();
            sum += s2 * w * w;
            *dw += T::cast(k * s2 * w);
        }
    }
    0.5 * k * sum
}

/// λᵢ of the L1 term Σ λᵢ·|θᵢ| for θ's order: k·sⱼ for the first layer's
/// column j, k for the other weights, 0 for the biases.
fn l1_weights<T: Float>(net: &Network<T>, k: f64, scale: &[f64]) -> Vec<f64> {
    let mut weights = Vec::new();
    for (l, layer) in net.layers().iter().enumerate() {
        let s = |j: usize| {
            if l == 0 && !scale.is_empty() {
                scale[j]
            } else {
                1.0
            }
        };
        weights.extend(layer.w.indexed_iter().map(|((_, j), _)| k * s(j)));
        weights.extend(std::iter::repeat_n(0.0, layer.b.len()));
    }
    weights
}

/// An L-BFGS run of a session.
pub(crate) struct LbfgsRun {
    lbfgs: Lbfgs,
    /// Whether the L1 term's strengths were handed to the run (at its first iteration).
    l1_set: bool,
}

impl LbfgsRun {
    /// A run from the network's current weights, when `config` asks for L-BFGS.
    pub(crate) fn for_config<T: Float>(config: &GdConfig, net: &Network<T>) -> Option<Self> {
        let crate::optim::OptimizerConfig::Lbfgs(c) = config.optimizer else {
            return None;
        };
        Some(LbfgsRun::new(c, net))
    }

    fn new<T: Float>(config: LbfgsConfig, net: &Network<T>) -> Self {
        let x0 = net
            .layers()
            .iter()
            .flat_map(|l| l.w.iter().chain(l.b.iter()))
            .map(|v| v.as_f64())
            .collect();
        LbfgsRun {
            lbfgs: Lbfgs::new(config, x0),
            l1_set: false,
        }
    }

    /// The cost at the current iterate (NaN before the first iteration).
    pub(crate) fn cost(&self) -> f64 {
        self.lbfgs.f
    }

    /// The cost at the weights the last iteration started from.
    pub(crate) fn cost_before(&self) -> f64 {
        self.lbfgs.f_before
    }

    /// Objective evaluations so far.
    pub(crate) fn evaluations(&self) -> usize {
        self.lbfgs.evaluations
    }

    /// One iteration; the network holds the iterate after it.
    pub(crate) fn iterate<T: Float>(&mut self, objective: &mut Objective<'_, T>) -> Iterated {
        if !self.l1_set {
            self.l1_set = true;
            if objective.l1 != 0.0 {
                let k = objective.l1 / objective.x.ncols() as f64;
                let scale = &objective.config.penalty_scale;
                self.lbfgs.set_l1(l1_weights(objective.net, k, scale));
            }
        }
        let outcome = self
            .lbfgs
            .iterate(&mut |theta, grad| objective.evaluate(theta, grad));
        unflatten(objective.net, &self.lbfgs.x);
        outcome
    }
}

/// Writes θ into every layer's W and b.
fn unflatten<T: Float>(net: &mut Network<T>, theta: &[f64]) {
    let params = net.layers_mut().iter_mut().flat_map(|l| {
        let Dense { w, b, .. } = l;
        w.iter_mut().chain(b.iter_mut())
    });
    for (p, &v) in params.zip(theta) {
        *p = T::cast(v);
    }
}

#[cfg(test)]
mod tests {
    use ndarray::{Array1, Array2};

    use super::*;
    use crate::collective::Single;
    use crate::data::planar;
    use crate::init::Init;
    use crate::rng::NumpyRng;
    use crate::Activation;

    /// The objective's gradient against central differences of its cost over
    /// every parameter (the course's relative error): L2 on, sample weights on or off.
    fn check(net: Network<f64>, x: Array2<f64>, y: Array2<f64>, weights: Option<Array1<f64>>) {
        check_scaled(net, (x, y), weights, Vec::new());
    }

    /// `check` with the penalties' per-feature factors `scale`.
    fn check_scaled(
        net: Network<f64>,
        (x, y): (Array2<f64>, Array2<f64>),
        weights: Option<Array1<f64>>,
        scale: Vec<f64>,
    ) {
        let config = GdConfig {
            l2: 0.7,
            penalty_scale: scale,
            ..GdConfig::default()
        };
        let mut net = net;
        let theta = LbfgsRun::new(LbfgsConfig::default(), &net).lbfgs.x.clone();
        let mut scratch = (Vec::new(), 0.0);
        let mut objective = objective(&mut net, (&x, &y), weights.as_ref(), &config, &mut scratch);
        let n = theta.len();
        let mut grad = vec![0.0; n];
        let mut scratch = vec![0.0; n];
        objective.evaluate(&theta, &mut grad);
        let (mut diff, mut norms) = (0.0f64, (0.0f64, 0.0f64));
        for i in 0..n {
            let h = 1e-6;
            let mut plus = theta.clone();
            plus[i] += h;
            let mut minus = theta.clone();
            minus[i] -= h;
            let numeric = (objective.evaluate(&plus, &mut scratch)
                - objective.evaluate(&minus, &mut scratch))
                / (2.0 * h);
            diff += (numeric - grad[i]).powi(2);
            norms.0 += numeric * numeric;
            norms.1 += grad[i] * grad[i];
        }
        // The course's measure: ‖numeric − analytic‖ / (‖numeric‖ + ‖analytic‖).
        let error = diff.sqrt() / (norms.0.sqrt() + norms.1.sqrt());
        assert!(error < 1e-7, "relative error {error:e}");
    }

    /// The objective of `net` on (x, y), its buffers in `scratch`.
    fn objective<'o>(
        net: &'o mut Network<f64>,
        (x, y): (&'o Array2<f64>, &'o Array2<f64>),
        weights: Option<&'o Array1<f64>>,
        config: &'o GdConfig,
        scratch: &'o mut (Vec<f64>, f64),
    ) -> Objective<'o, f64> {
        let total = weights.map_or(x.ncols() as f64, |w| w.sum());
        Objective {
            net,
            x: x.view(),
            y: y.view(),
            weights: weights.map(|w| w.view()),
            sparse: None,
            l2: general::l2_strength(config, weights.is_some(), total, x.ncols()),
            l1: super::super::l1::strength(config, weights.is_some(), total, x.ncols()),
            config,
            collective: &Single,
            reduce_buf: &mut scratch.0,
            allreduce_seconds: &mut scratch.1,
        }
    }

    fn tanh_net(sizes: &[usize], init: Init, seed: u32) -> Network<f64> {
        Network::new(sizes, Activation::Tanh, init, &mut NumpyRng::new(seed)).unwrap()
    }

    #[test]
    fn the_gradient_is_the_costs_on_the_flower_with_l2() {
        let flower = planar::flower();
        let net = tanh_net(&[2, 4, 1], Init::Small, 2);
        check(net, flower.x.clone(), flower.y.clone(), None);
        let weights = Array1::from_shape_fn(flower.x.ncols(), |j| 0.5 + (j % 3) as f64);
        let net = tanh_net(&[2, 5, 3, 1], Init::Xavier, 3);
        check(net, flower.x.clone(), flower.y.clone(), Some(weights));
    }

    #[test]
    fn the_gradient_is_the_costs_with_per_feature_penalty_factors() {
        let flower = planar::flower();
        let net = tanh_net(&[2, 4, 1], Init::Xavier, 6);
        let data = (flower.x.clone(), flower.y.clone());
        let weights = Array1::from_shape_fn(flower.x.ncols(), |j| 0.5 + (j % 3) as f64);
        check_scaled(net, data, Some(weights), vec![0.25, 3.0]);
    }

    /// The scaled L2 term is the plain term of the raw-feature weights
    /// W\[1\]\[:, j\]·sⱼ: the cost's L2 part equals λ/(2m)·Σ(sⱼ·w)² written out.
    #[test]
    fn the_scaled_l2_term_is_the_plain_term_of_the_scaled_weights() {
        let mut net = tanh_net(&[2, 3, 1], Init::Xavier, 7);
        let scale = [0.5, 4.0];
        let by_hand: f64 = (net.layers()[0].w.indexed_iter())
            .map(|((_, j), w)| (w * scale[j]).powi(2))
            .sum::<f64>()
            + net.layers()[1].w.iter().map(|w| w * w).sum::<f64>();
        for layer in net.layers_mut() {
            layer.dw.fill(0.0);
        }
        let term = scaled_l2(&mut net, 0.3, &scale);
        assert!((term - 0.15 * by_hand).abs() < 1e-12, "{term} {by_hand}");
        let (w, dw) = (net.layers()[0].w[(1, 1)], net.layers()[0].dw[(1, 1)]);
        assert!((dw - 0.3 * 16.0 * w).abs() < 1e-12);
        let weights = l1_weights(&net, 2.0, &scale);
        // θ = (W[1] 3×2, b[1] 3, W[2] 1×3, b[2] 1).
        let want = [
            1.0, 8.0, 1.0, 8.0, 1.0, 8.0, 0.0, 0.0, 0.0, 2.0, 2.0, 2.0, 0.0,
        ];
        assert_eq!(weights, want);
    }

    #[test]
    fn the_gradient_is_the_costs_for_a_softmax_output() {
        let flower = planar::flower();
        // Three classes from the flower's points: the label and which half-plane.
        let m = flower.x.ncols();
        let y = Array2::from_shape_fn((3, m), |(c, j)| {
            let class = if flower.y[(0, j)] > 0.5 {
                2
            } else {
                usize::from(flower.x[(0, j)] > 0.0)
            };
            f64::from(u8::from(class == c))
        });
        let net = tanh_net(&[2, 6, 3], Init::Xavier, 4);
        check(net, flower.x.clone(), y, None);
    }

    #[test]
    fn held_intercepts_have_a_zero_gradient_and_the_weights_the_same_one() {
        let flower = planar::flower();
        let net = tanh_net(&[2, 3, 1], Init::Xavier, 5);
        let gradient = |fit_intercept: bool| {
            let lbfgs = LbfgsConfig {
                fit_intercept,
                ..LbfgsConfig::default()
            };
            let config = GdConfig {
                optimizer: crate::optim::OptimizerConfig::Lbfgs(lbfgs),
                ..GdConfig::default()
            };
            let mut net = net.clone();
            let theta = LbfgsRun::new(lbfgs, &net).lbfgs.x.clone();
            let mut grad = vec![0.0; theta.len()];
            let mut scratch = (Vec::new(), 0.0);
            objective(
                &mut net,
                (&flower.x, &flower.y),
                None,
                &config,
                &mut scratch,
            )
            .evaluate(&theta, &mut grad);
            grad
        };
        let (fitted, held) = (gradient(true), gradient(false));
        // θ = (W[1] 3×2, b[1] 3, W[2] 1×3, b[2] 1).
        let is_b = |i: usize| (6..9).contains(&i) || i == 12;
        for i in 0..fitted.len() {
            let want = if is_b(i) { 0.0 } else { fitted[i] };
            assert_eq!(held[i], want, "θ[{i}]");
        }
        assert!(fitted.iter().enumerate().any(|(i, g)| is_b(i) && *g != 0.0));
    }
}
