//! The general update: any optimiser, L2, inverted dropout, per-example
//! weights, data-parallel ranks. One mini-batch (or the whole batch) at a time:
//! [`gradients`] (dropout masks, forward, cost, backward, all-reduce) and then
//! [`update`] (the L2 term and the optimiser's step).
//!
//! Everything random is a function of the seed and the position: update t
//! draws its dropout masks from a generator seeded by (seed, t). So a run
//! resumed at any update does the same arithmetic as the run it continues.
//!
//! Sample weights w: J = Σ wᵢ·lᵢ / Σ wᵢ over the batch, so dZ\[L\]'s column i
//! (the gradient of lᵢ, the rest of the backward pass dividing by the batch's
//! m) is scaled by wᵢ·m / Σ w; weights all equal give the unweighted J. The L2
//! term is λ/(2·Σ w)·‖W‖² ([`l2_strength`]), so integer weights give the run
//! on the data set with each example repeated that many times.

use std::time::Instant;

use ndarray::{s, ArrayView1, ArrayView2};

use crate::builder::ParameterId;
use crate::collective::Collective;
use crate::linalg::Float;
use crate::network::Network;
use crate::optim::Optimizer;
use crate::output::{bce_from_logit, bce_sum, softmax_cost, Output};
use crate::rng::NumpyRng;
use crate::sparse::{first_layer_forward, first_layer_gradients, SparseView};
use crate::train::GdConfig;

/// The dropout generator's seed for update `step` of a run seeded `seed`
/// (public so that other fronts stepping a network draw the same masks).
pub fn dropout_seed(seed: u32, step: usize) -> u32 {
    seed.wrapping_mul(0x9E37_79B9)
        .wrapping_add((step as u32).wrapping_mul(0x85EB_CA6B))
        .wrapping_add(1)
}

/// This rank's share of one batch.
pub(crate) struct Batch<'a, T: Float> {
    /// X of this rank's examples (n_x × ml).
    pub x: ArrayView2<'a, T>,
    /// Y of them.
    pub y: ArrayView2<'a, T>,
    /// Their weights, when the run has sample weights.
    pub w: Option<ArrayView1<'a, T>>,
    /// The examples of the whole batch, over all ranks (mb).
    pub size: usize,
    /// X of these examples when the run's X is sparse (`x` is then 0 × ml).
    pub sparse: Option<SparseView<'a, T>>,
}

/// The λ that, divided by the batch's size m as the network's L2 term does,
/// gives λ/Σ w for a weighted batch of total weight `batch_weight` (scikit-learn's
/// and repeated examples' convention); the configured λ otherwise.
pub(crate) fn l2_strength(config: &GdConfig, weighted: bool, batch_weight: f64, m: usize) -> f64 {
    if weighted && batch_weight > 0.0 {
        config.l2 * (m as f64 / batch_weight)
    } else {
        config.l2
    }
}

/// Dropout masks, forward, cost, backward and the ranks' all-reduce for update
/// number `step`: leaves every layer's dW, db the batch's mean gradient and
/// returns the batch's cost, L2 term (of strength `l2`, see [`l2_strength`])
/// and L1 term (of strength `l1`, [`super::l1::strength`]) included. `allreduce_seconds` gains the all-reduce's time.
#[allow(clippy::too_many_arguments)]
pub(crate) fn gradients<T: Float>(
    net: &mut Network<T>,
    batch: Batch<'_, T>,
    step: usize,
    config: &GdConfig,
    l2: f64,
    l1: f64,
    coll: &dyn Collective,
    reduce_buf: &mut Vec<f64>,
    allreduce_seconds: &mut f64,
) -> f64 {
    let ml = batch.x.ncols();
    if config.keep_prob.iter().any(|&p| p < 1.0) {
        net.draw_dropout(
            &config.keep_prob,
            ml,
            &mut NumpyRng::new(dropout_seed(config.seed, step)),
        );
    }
    let mut cost = 0.0;
    if ml > 0 {
        match batch.sparse {
            Some(sx) => first_layer_forward(net, sx),
            None => net.forward(batch.x),
        }
        cost = match batch.w {
            None => {
                let cost = net.cost(batch.y);
                net.backward_above_first(batch.y);
                cost
            }
            Some(w) => weighted_output_gradient(net, batch.y, w),
        };
        match batch.sparse {
            Some(sx) => first_layer_gradients(net, sx),
            None => net.first_layer_gradients(batch.x),
        }
    } else {
        for layer in net.layers_mut() {
            layer.dw.fill(T::zero());
            layer.db.fill(T::zero());
        }
    }
    if coll.size() > 1 {
        let t = Instant::now();
        cost = all_reduce_gradients(net, cost, ml, batch.size, coll, reduce_buf);
        *allreduce_seconds += t.elapsed().as_secs_f64();
    }
    cost + net.l2_penalty(l2, batch.size) + net.l1_penalty(l1, batch.size)
}

/// The update after [`gradients`]: dW += (λ/m)·W with λ = `l2`, dW +=
/// (λ₁/m)·sign(W) with λ₁ = `l1`, then the optimiser's step at α.
pub(crate) fn update<T: Float>(
    net: &mut Network<T>,
    optimizer: &mut Optimizer<T>,
    (l2, l1): (f64, f64),
    learning_rate: T,
    batch_size: usize,
) {
    if l2 != 0.0 {
        net.add_l2_gradient(l2, batch_size);
    }
    super::l1::add_gradient(net, l1, batch_size);
    optimizer.begin_step();
    for (l, layer) in net.layers_mut().iter_mut().enumerate() {
        let [w, b] = ParameterId::of_layer(l + 1);
        optimizer.update(w.slot(), &mut layer.w, &layer.dw, learning_rate);
        optimizer.update(b.slot(), &mut layer.b, &layer.db, learning_rate);
    }
    net.update_front(optimizer, learning_rate);
    net.update_norms(optimizer, learning_rate);
}

/// After a forward pass on X: J = Σ wᵢ·lᵢ / Σ wᵢ and the backward pass of
/// that cost (dW, db of every layer). A batch whose weights sum to 0 has cost
/// 0 and zero gradients.
pub(crate) fn weighted_backward<T: Float>(
    net: &mut Network<T>,
    x: ArrayView2<'_, T>,
    y: ArrayView2<'_, T>,
    w: ArrayView1<'_, T>,
) -> f64 {
    let cost = weighted_output_gradient(net, y, w);
    net.first_layer_gradients(x);
    cost
}

/// [`weighted_backward`] but the first layer's dW, db (left to the caller,
/// whose X may be dense or sparse).
fn weighted_output_gradient<T: Float>(
    net: &mut Network<T>,
    y: ArrayView2<'_, T>,
    w: ArrayView1<'_, T>,
) -> f64 {
    let m = y.ncols();
    let total: f64 = w.iter().map(|v| v.as_f64()).sum();
    let cost = if total > 0.0 {
        weighted_cost(net, y, w) / total
    } else {
        0.0
    };
    net.output_gradient(y);
    {
        let out = net.layers_mut().last_mut().expect("at least one layer");
        for (mut column, &wi) in out.dz.columns_mut().into_iter().zip(w.iter()) {
            let scale = if total > 0.0 {
                T::cast(wi.as_f64() * m as f64 / total)
            } else {
                T::zero()
            };
            column.mapv_inplace(|d| d * scale);
        }
    }
    net.backward_from_output();
    cost
}

/// Σ wᵢ·lᵢ over the columns of the last forward pass, each loss from its logits.
fn weighted_cost<T: Float>(net: &Network<T>, y: ArrayView2<'_, T>, w: ArrayView1<'_, T>) -> f64 {
    let z = &net.layers().last().expect("at least one layer").z;
    (0..z.ncols())
        .map(|j| {
            let loss = match net.output() {
                Output::Softmax => {
                    softmax_cost(z.slice(s![.., j..j + 1]), y.slice(s![.., j..j + 1]))
                }
                Output::Sigmoid => bce_from_logit(z[(0, j)].as_f64(), y[(0, j)].as_f64()),
                Output::Sigmoids => {
                    bce_sum(z.column(j).iter().copied(), y.column(j).iter().copied())
                }
            };
            w[j].as_f64() * loss
        })
        .sum()
}

/// Sums the ranks' gradients into every rank's dW, db (each rank's share
/// weighted by its size, so the result is the whole batch's mean gradient)
/// and returns the whole batch's cost, in one all-reduce of a flat buffer.
fn all_reduce_gradients<T: Float>(
    net: &mut Network<T>,
    cost: f64,
    ml: usize,
    mb: usize,
    coll: &dyn Collective,
    buf: &mut Vec<f64>,
) -> f64 {
    let weight = ml as f64 / mb as f64;
    buf.clear();
    for layer in net.layers() {
        buf.extend(
            layer
                .dw
                .iter()
                .chain(layer.db.iter())
                .map(|g| g.as_f64() * weight),
        );
    }
    buf.push(if ml > 0 { cost * weight } else { 0.0 });
    coll.all_reduce_sum(buf);
    let mut values = buf.iter();
    for layer in net.layers_mut() {
        for g in layer.dw.iter_mut().chain(layer.db.iter_mut()) {
            *g = T::cast(*values.next().expect("one value a gradient"));
        }
    }
    *values.next().expect("the cost")
}

/// Makes every rank start from rank 0's weights.
pub(crate) fn broadcast_parameters<T: Float>(net: &mut Network<T>, coll: &dyn Collective) {
    let mut buf: Vec<f64> = net
        .layers()
        .iter()
        .flat_map(|l| l.w.iter().chain(l.b.iter()).map(|v| v.as_f64()))
        .collect();
    coll.broadcast(&mut buf, 0);
    let mut values = buf.into_iter();
    for layer in net.layers_mut() {
        for v in layer.w.iter_mut().chain(layer.b.iter_mut()) {
            *v = T::cast(values.next().expect("one value a parameter"));
        }
    }
}
