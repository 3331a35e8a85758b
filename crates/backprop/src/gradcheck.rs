//! Gradient checking: every parameter's backprop derivative against a central difference.
//!
//! For each parameter θ_i, gradapprox_i = (J(θ + ε·e_i) − J(θ − ε·e_i)) / 2ε,
//! and the course's relative difference ‖grad − gradapprox‖ / (‖grad‖ + ‖gradapprox‖)
//! is computed over all parameters together (the course's number, which must
//! be < 1e-7) and, as a diagnostic, per tensor (dW1, db1, …). A tensor whose
//! gradient is nearly zero (an early layer of a deep sigmoid net) can show a
//! large per-tensor ratio from rounding noise alone (≈1e-16/ε per entry), so
//! the verdict rests on the overall difference, as in the course.

use ndarray::{Array2, ArrayView2};

use crate::activation::Activation;
use crate::difference::relative;
use crate::error::Error;
use crate::init::Init;
use crate::layers::{Picture, PictureLayer};
use crate::network::Network;
use crate::rng::{Gaussian, NumpyRng};
use crate::setting::{compact, Setting};

pub use crate::difference::{EPSILON, THRESHOLD};

/// One tensor's comparison.
#[derive(Clone, Debug)]
pub struct TensorCheck {
    /// "W1", "b1", …
    pub name: String,
    /// Number of parameters checked.
    pub count: usize,
    /// ‖grad − gradapprox‖ / (‖grad‖ + ‖gradapprox‖) over this tensor.
    pub relative_difference: f64,
}

/// The whole check.
#[derive(Clone, Debug)]
pub struct GradCheckReport {
    /// One entry per W\[l\] and b\[l\], in order.
    pub tensors: Vec<TensorCheck>,
    /// The relative difference over all parameters together (the course's number).
    pub overall: f64,
}

impl GradCheckReport {
    /// Whether the overall difference is below [`THRESHOLD`].
    pub fn passed(&self) -> bool {
        self.overall < THRESHOLD
    }
}

/// Checks `net`'s backward pass on (X, Y) with central differences of step `epsilon`.
/// The parameters are left as they were. Fails as [`check_with_l2`] does.
pub fn check(
    net: &mut Network<f64>,
    x: ArrayView2<'_, f64>,
    y: ArrayView2<'_, f64>,
    epsilon: f64,
) -> Result<GradCheckReport, Error> {
    check_with_l2(net, x, y, epsilon, 0.0)
}

/// [`check`] of the cost with the L2 term λ/(2m)·Σ‖W‖² and its gradient.
/// Dropout masks already drawn on `net` stay fixed throughout (as a check needs).
///
/// It polls the stop flag ([`crate::stop`]) between parameters, so Ctrl-C
/// ends even a check of 10⁵ parameters at once ([`Error::Stopped`]), and it
/// refuses ([`Error::Config`]) a cost or gradient that is not finite, where a
/// relative difference would be NaN and say nothing about the backward pass.
pub fn check_with_l2(
    net: &mut Network<f64>,
    x: ArrayView2<'_, f64>,
    y: ArrayView2<'_, f64>,
    epsilon: f64,
    lambda: f64,
) -> Result<GradCheckReport, Error> {
    let m = x.ncols();
    net.forward(x);
    let cost = net.cost(y) + net.l2_penalty(lambda, m);
    net.backward(x, y);
    if lambda != 0.0 {
        net.add_l2_gradient(lambda, m);
    }
    let analytic = analytic_gradients(net);
    let all_finite = analytic
        .iter()
        .all(|(_, g)| g.iter().all(|v| v.is_finite()));
    if !(cost.is_finite() && all_finite) {
        return Err(not_finite(cost, lambda));
    }
    let cost_at = |net: &mut Network<f64>| {
        net.forward(x);
        net.cost(y) + net.l2_penalty(lambda, m)
    };
    let mut tensors = Vec::new();
    let (mut grads, mut approxes) = (Vec::new(), Vec::new());
    for (t, (name, grad)) in analytic.into_iter().enumerate() {
        let approx = numeric_slopes(net, t, grad.len(), epsilon, lambda, &cost_at)?;
        tensors.push(TensorCheck {
            name,
            count: grad.len(),
            relative_difference: relative(&grad, &approx),
        });
        grads.extend(grad);
        approxes.extend(approx);
    }
    Ok(GradCheckReport {
        tensors,
        overall: relative(&grads, &approxes),
    })
}

/// Backprop's gradient of every tensor, named as the notes name them
/// (`W1`, `b1`, …, then a picture layer's `conv1.W`, `conv1.b`, …), in the
/// order [`param_mut`] counts them.
fn analytic_gradients(net: &Network<f64>) -> Vec<(String, Vec<f64>)> {
    let grads = net.layers().iter().flat_map(|layer| [&layer.dw, &layer.db]);
    let mut all: Vec<(String, Vec<f64>)> = net
        .parameters()
        .zip(grads)
        .map(|(p, grad)| (p.name, grad.iter().copied().collect()))
        .collect();
    for (j, c) in net.front().into_iter().flat_map(|f| f.convs()).enumerate() {
        all.push((format!("conv{}.W", j + 1), c.dw.iter().copied().collect()));
        all.push((format!("conv{}.b", j + 1), c.db.iter().copied().collect()));
    }
    for (l, layer) in net.layers().iter().enumerate() {
        if let Some(norm) = layer.norm.as_deref() {
            all.push((
                format!("gamma{}", l + 1),
                norm.dgamma.iter().copied().collect(),
            ));
        }
    }
    all
}

/// The central difference (J(θ+ε) − J(θ−ε)) / 2ε of `cost_at` for each of
/// the `len` values of tensor `t`, each put back after; polls the stop flag
/// before each and refuses a slope that is not finite.
fn numeric_slopes(
    net: &mut Network<f64>,
    t: usize,
    len: usize,
    epsilon: f64,
    lambda: f64,
    cost_at: &dyn Fn(&mut Network<f64>) -> f64,
) -> Result<Vec<f64>, Error> {
    let mut approx = Vec::with_capacity(len);
    for i in 0..len {
        crate::stop::check("checking gradients")?;
        let original = param_mut(net, t, i).to_owned();
        *param_mut(net, t, i) = original + epsilon;
        let plus = cost_at(net);
        *param_mut(net, t, i) = original - epsilon;
        let minus = cost_at(net);
        *param_mut(net, t, i) = original;
        let slope = (plus - minus) / (2.0 * epsilon);
        if !slope.is_finite() {
            return Err(not_finite(
                if plus.is_finite() { minus } else { plus },
                lambda,
            ));
        }
        approx.push(slope);
    }
    Ok(approx)
}

/// The refusal of a cost (or a slope of it) that is not finite: the L2 term
/// overflowing f64 when λ > 0, else the network's own cost.
fn not_finite(cost: f64, lambda: f64) -> Error {
    let cause = if lambda > 0.0 {
        format!(
            "the L2 term λ/(2m)·Σ‖W‖² with {l2} {} overflows f64; use a smaller {l2}",
            compact(lambda),
            l2 = Setting::L2
        )
    } else {
        "the network's cost overflows f64 at the check's parameters".to_string()
    };
    Error::Config(format!(
        "the gradient check cannot compare: the cost is {cost} or its gradient is not finite ({cause})"
    ))
}

/// The i-th entry (row-major) of tensor t, where tensors are W1, b1, W2, b2, …,
/// then each convolution's W, b, then each normalised layer's γ.
fn param_mut(net: &mut Network<f64>, t: usize, i: usize) -> &mut f64 {
    let dense = 2 * net.layers().len();
    let gammas = dense + 2 * net.front().map_or(0, |f| f.convs().count());
    if t >= gammas {
        let norm = net
            .layers_mut()
            .iter_mut()
            .filter_map(|l| l.norm.as_deref_mut())
            .nth(t - gammas)
            .expect("tensor t is a normalised layer's γ");
        return &mut norm.gamma[(i, 0)];
    }
    if t >= dense {
        let conv = net
            .front_mut()
            .and_then(|f| f.convs_mut().nth((t - dense) / 2))
            .expect("tensor t is a convolution's");
        let tensor = if (t - dense) % 2 == 0 {
            &mut conv.w
        } else {
            &mut conv.b
        };
        return &mut tensor.as_slice_mut().expect("owned, standard layout")[i];
    }
    let layer = &mut net.layers_mut()[t / 2];
    let tensor = if t % 2 == 0 {
        &mut layer.w
    } else {
        &mut layer.b
    };
    let cols = tensor.ncols();
    &mut tensor[(i / cols, i % cols)]
}

/// A random problem for checking: X ~ N(0, 1) (n_x × m), Y ∈ {0, 1} (1 × m), from `seed`.
pub fn random_problem(n_x: usize, m: usize, seed: u32) -> (Array2<f64>, Array2<f64>) {
    let mut rng = NumpyRng::new(seed);
    let x = Array2::from_shape_fn((n_x, m), |_| rng.randn());
    let y = Array2::from_shape_fn((1, m), |_| if rng.uniform() < 0.5 { 0.0 } else { 1.0 });
    (x, y)
}

/// Random labels of `k` classes for `m` examples, as the network's targets:
/// Y ∈ {0, 1} (1 × m) for two classes, one-hot K × m for more, from `seed`.
pub fn random_targets(k: usize, m: usize, seed: u32) -> Array2<f64> {
    let mut rng = NumpyRng::new(seed.wrapping_add(1));
    let labels: Vec<usize> = (0..m)
        .map(|_| ((rng.uniform() * k as f64) as usize).min(k - 1))
        .collect();
    if k <= 2 {
        return Array2::from_shape_fn((1, m), |(_, j)| labels[j] as f64);
    }
    Array2::from_shape_fn((k, m), |(c, j)| f64::from(u8::from(labels[j] == c)))
}

/// A network at a generic point for checking: Xavier weights and random
/// biases (0.5·N(0,1)), so that no ReLU sits exactly on its kink. (With zero
/// biases, a layer whose inputs are all dead has Z = 0 exactly, where ReLU has
/// no derivative and a central difference sees half of one.)
pub fn generic_network(sizes: &[usize], g: Activation, seed: u32) -> Result<Network<f64>, Error> {
    let mut rng = NumpyRng::new(seed);
    let mut net = Network::<f64>::new(sizes, g, Init::Xavier, &mut rng)?;
    for layer in net.layers_mut() {
        layer.b.mapv_inplace(|_| 0.5 * rng.randn());
    }
    Ok(net)
}

/// [`generic_network`] with picture layers in front, over pictures of
/// `picture` (`sizes[0]` its n_H·n_W·n_C): the filters drawn first (Xavier),
/// then the dense weights, every bias (the filters' too) 0.5·N(0,1).
pub fn generic_picture_network(
    sizes: &[usize],
    picture: Picture,
    layers: &[PictureLayer],
    g: Activation,
    seed: u32,
) -> Result<Network<f64>, Error> {
    let mut net = Network::<f64>::builder(sizes)
        .picture(picture, layers)
        .activation(g)
        .init(Init::Xavier)
        .seed(seed)
        .build()?;
    let mut rng = NumpyRng::new(seed.wrapping_add(100));
    for layer in net.layers_mut() {
        layer.b.mapv_inplace(|_| 0.5 * rng.randn());
    }
    for conv in net.front_mut().into_iter().flat_map(|f| f.convs_mut()) {
        conv.b.mapv_inplace(|_| 0.5 * rng.randn());
    }
    Ok(net)
}

/// The examples a check uses: few, so each one's share of J (and of its rounding) is large.
pub const EXAMPLES: usize = 10;
