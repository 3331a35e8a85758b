//! The general training loop: epochs of shuffled mini-batches, any optimiser,
//! a learning-rate schedule, L2, dropout, a validation set with early
//! stopping, checkpoints and interruption. (Plain full-batch gradient descent
//! takes the fast loop in [`crate::train`].)
//!
//! Everything random is a function of the seed and the position, never of a
//! generator's running state: epoch e shuffles with `np.random.seed(seed + e + 1)`
//! (the course's `random_mini_batches`), and update t draws its dropout masks
//! from a generator seeded by (seed, t). So a run stopped after any update and
//! resumed from its [`TrainState`] ends with the same weights, bit for bit.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use ndarray::{Array2, ArrayView2, ShapeBuilder};

use crate::collective::{share, Collective, Single};
use crate::error::Error;
use crate::linalg::Float;
use crate::metrics::accuracy;
use crate::network::Network;
use crate::optim::Optimizer;
use crate::rng::NumpyRng;
use crate::train::{GdConfig, History, Progress};

/// Each layer's (W, b), layer 1 first.
pub type Parameters<T> = Vec<(Array2<T>, Array2<T>)>;

/// Where a run stands: enough, with the network's weights, to continue it exactly.
#[derive(Clone, Debug, PartialEq)]
pub struct TrainState<T: Float> {
    /// The optimiser and its moments.
    pub optimizer: Optimizer<T>,
    /// Updates done.
    pub step: usize,
    /// The epoch in progress (from 0).
    pub epoch: usize,
    /// The next mini-batch of that epoch.
    pub batch: usize,
    /// Σ (batch cost × batch size) over the epoch's batches so far.
    pub epoch_cost: f64,
    /// What has been recorded so far.
    pub history: History,
    /// Early stopping: the best validation cost and the weights that gave it.
    pub best: Option<(f64, Parameters<T>)>,
    /// Recorded evaluations since the best one.
    pub since_best: usize,
    /// Whether early stopping ended the run.
    pub stopped_early: bool,
}

impl<T: Float> TrainState<T> {
    /// The state before the first update.
    pub fn new(config: &GdConfig) -> Self {
        TrainState {
            optimizer: Optimizer::new(config.optimizer),
            step: 0,
            epoch: 0,
            batch: 0,
            epoch_cost: 0.0,
            history: History {
                per_epoch: config.epochs.is_some(),
                final_cost: f64::NAN,
                ..History::default()
            },
            best: None,
            since_best: 0,
            stopped_early: false,
        }
    }
}

/// Data beside the training set, and how the run may be stopped or saved.
#[derive(Default)]
pub struct Extras<'a, T: Float> {
    /// A test set (X, Y as trained on): its cost is recorded.
    pub test: Option<(ArrayView2<'a, T>, ArrayView2<'a, T>)>,
    /// A validation set (X, Y as trained on, labels 1 × m): cost and accuracy recorded, early stopping.
    pub validation: Option<(ArrayView2<'a, T>, ArrayView2<'a, T>, ArrayView2<'a, T>)>,
    /// Checked after every update: when set, the run stops and returns its state.
    pub stop: Option<&'a AtomicBool>,
    /// Call `checkpoint` every this many iterations (or epochs).
    pub checkpoint_every: Option<usize>,
    /// The ranks of data-parallel training (default: this process alone).
    pub collective: Option<&'a dyn Collective>,
    /// Saves the network and state (the library decides when, the caller where).
    #[allow(clippy::type_complexity)]
    pub checkpoint: Option<&'a mut dyn FnMut(&Network<T>, &TrainState<T>) -> Result<(), Error>>,
}

/// How a run ended.
pub struct Outcome<T: Float> {
    /// The state at the end (its history is the run's).
    pub state: TrainState<T>,
    /// Whether the stop flag ended it before its total.
    pub interrupted: bool,
}

/// The dropout generator's seed for update `step` of a run seeded `seed`
/// (public so that other fronts stepping a network draw the same masks).
pub fn dropout_seed(seed: u32, step: usize) -> u32 {
    seed.wrapping_mul(0x9E37_79B9)
        .wrapping_add((step as u32).wrapping_mul(0x85EB_CA6B))
        .wrapping_add(1)
}

/// Runs (or continues, from `state`) the general loop on X (n_x × m) and
/// targets Y (1 × m, or K × m one-hot), labels being Y's class indices.
pub fn run<T: Float>(
    net: &mut Network<T>,
    x: ArrayView2<'_, T>,
    y: ArrayView2<'_, T>,
    config: &GdConfig,
    mut state: TrainState<T>,
    mut extras: Extras<'_, T>,
    observe: &mut dyn FnMut(Progress),
) -> Result<Outcome<T>, Error> {
    if config.record_every == 0 {
        return Err(Error::Config("--record-every must be at least 1".into()));
    }
    let m = x.ncols();
    let b = config.batch_size.unwrap_or(m).clamp(1, m.max(1));
    if config.batch_size == Some(0) {
        return Err(Error::Config("--batch-size must be at least 1".into()));
    }
    let batches = m.div_ceil(b);
    let per_epoch = config.epochs.is_some();
    let total = config.total_units();
    let dropout = config.keep_prob.iter().any(|&p| p < 1.0);
    let (n_x, k) = (x.nrows(), y.nrows());
    // Batch buffers, example-contiguous like the loaders' X; the last partial batch is a narrower view.
    // Shuffled batches are gathered into buffers; unshuffled ones are views of X.
    let shuffled = config.shuffle && b < m;
    let cap = if shuffled { b } else { 0 };
    let mut xb = Array2::<T>::zeros((n_x, cap).f());
    let mut yb = Array2::<T>::zeros((k, cap).f());
    let single = Single;
    let coll: &dyn Collective = extras.collective.unwrap_or(&single);
    let mut reduce_buf: Vec<f64> = Vec::new();
    if coll.size() > 1 && state.step == 0 {
        broadcast_parameters(net, coll);
    }
    let start = Instant::now();
    let mut interrupted = false;

    let done = |s: &TrainState<T>| {
        s.stopped_early
            || if per_epoch {
                s.epoch >= total
            } else {
                s.step >= total
            }
    };
    'epochs: while !done(&state) {
        // None: the data's own order, each rank's share a contiguous view of X.
        let order: Option<Vec<usize>> = shuffled.then(|| {
            NumpyRng::new(config.seed.wrapping_add(state.epoch as u32).wrapping_add(1))
                .permutation(m)
        });
        let lr = T::cast(config.schedule.at(config.learning_rate, state.epoch));
        while state.batch < batches {
            let first = state.batch * b;
            let mb = ((state.batch + 1) * b).min(m) - first;
            // Data parallelism: this rank's share of the batch (all of it in one process).
            let (lo, hi) = share(mb, coll.rank(), coll.size());
            let ml = hi - lo;
            let (xv, yv) = match &order {
                None => {
                    let cols = ndarray::s![.., first + lo..first + hi];
                    (x.slice(cols), y.slice(cols))
                }
                Some(order) => {
                    for (c, &j) in order[first + lo..first + hi].iter().enumerate() {
                        xb.column_mut(c).assign(&x.column(j));
                        yb.column_mut(c).assign(&y.column(j));
                    }
                    (
                        xb.slice(ndarray::s![.., ..ml]),
                        yb.slice(ndarray::s![.., ..ml]),
                    )
                }
            };
            if dropout {
                net.draw_dropout(
                    &config.keep_prob,
                    ml,
                    &mut NumpyRng::new(dropout_seed(config.seed, state.step)),
                );
            }
            let mut cost = 0.0;
            if ml > 0 {
                net.forward(xv);
                cost = net.cost(yv);
                net.backward(xv, yv);
            } else {
                for layer in net.layers_mut() {
                    layer.dw.fill(T::zero());
                    layer.db.fill(T::zero());
                }
            }
            if coll.size() > 1 {
                let t = Instant::now();
                cost = all_reduce_gradients(net, cost, ml, mb, coll, &mut reduce_buf);
                state.history.allreduce_seconds += t.elapsed().as_secs_f64();
            }
            let cost = cost + net.l2_penalty(config.l2, mb);
            let unit = if per_epoch { state.epoch } else { state.step };
            if !cost.is_finite() {
                net.clear_dropout();
                return Err(Error::Diverged {
                    iteration: unit,
                    cost,
                });
            }
            if !per_epoch && unit % config.record_every == 0 {
                record(net, &mut state, &mut extras, unit, cost, config)?; // before the update: this cost's weights
            }
            if config.l2 != 0.0 {
                net.add_l2_gradient(config.l2, mb);
            }
            state.optimizer.begin_step();
            for (l, layer) in net.layers_mut().iter_mut().enumerate() {
                state.optimizer.update(2 * l, &mut layer.w, &layer.dw, lr);
                state
                    .optimizer
                    .update(2 * l + 1, &mut layer.b, &layer.db, lr);
            }
            state.step += 1;
            state.batch += 1;
            state.epoch_cost += cost * mb as f64;
            if !per_epoch {
                state.history.final_cost = cost;
                state.history.iterations = state.step;
                observe(Progress {
                    iteration: unit,
                    cost,
                    recorded: unit % config.record_every == 0,
                    total,
                    per_epoch,
                });
                if state.step >= total || state.stopped_early {
                    break 'epochs;
                }
                checkpoint_if_due(net, &state, &mut extras, state.step)?;
            }
            if extras.stop.is_some_and(|f| f.load(Ordering::SeqCst)) {
                interrupted = true;
                break 'epochs;
            }
        }
        // The epoch is complete.
        let epoch_cost = state.epoch_cost / m as f64;
        let finished = state.epoch;
        state.batch = 0;
        state.epoch_cost = 0.0;
        state.epoch += 1;
        if per_epoch {
            let recorded = finished % config.record_every == 0 || state.epoch >= total;
            if recorded {
                record(net, &mut state, &mut extras, finished, epoch_cost, config)?;
            }
            state.history.final_cost = epoch_cost;
            state.history.iterations = state.epoch;
            observe(Progress {
                iteration: finished,
                cost: epoch_cost,
                recorded,
                total,
                per_epoch,
            });
            checkpoint_if_due(net, &state, &mut extras, state.epoch)?;
        }
    }
    net.clear_dropout();
    if let Some((_, params)) = state.best.as_ref().filter(|_| state.stopped_early) {
        for (layer, (w, b)) in net.layers_mut().iter_mut().zip(params) {
            layer.w.assign(w);
            layer.b.assign(b);
        }
    }
    state.history.train_seconds += start.elapsed().as_secs_f64();
    Ok(Outcome { state, interrupted })
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
fn broadcast_parameters<T: Float>(net: &mut Network<T>, coll: &dyn Collective) {
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

fn checkpoint_if_due<T: Float>(
    net: &Network<T>,
    state: &TrainState<T>,
    extras: &mut Extras<'_, T>,
    units_done: usize,
) -> Result<(), Error> {
    if let (Some(every), Some(save)) = (extras.checkpoint_every, extras.checkpoint.as_mut()) {
        if every > 0 && units_done % every == 0 {
            save(net, state)?;
        }
    }
    Ok(())
}

/// Records the cost of unit `i` and the test and validation scores at the current weights.
fn record<T: Float>(
    net: &Network<T>,
    state: &mut TrainState<T>,
    extras: &mut Extras<'_, T>,
    i: usize,
    cost: f64,
    config: &GdConfig,
) -> Result<(), Error> {
    let h = &mut state.history;
    h.costs.push((i, cost));
    if let Some((tx, ty)) = extras.test {
        h.test_costs.push((i, net.cost_on(tx, ty)));
    }
    if let Some((vx, vy, labels)) = extras.validation {
        let vc = net.cost_on(vx, vy);
        h.validation_costs.push((i, vc));
        h.validation_accuracies
            .push((i, accuracy(net.predict(vx).view(), labels)));
        if let Some(patience) = config.early_stopping {
            if state.best.as_ref().is_none_or(|(best, _)| vc < *best) {
                let params = net
                    .layers()
                    .iter()
                    .map(|l| (l.w.clone(), l.b.clone()))
                    .collect();
                state.best = Some((vc, params));
                state.history.best_at = Some(i);
                state.since_best = 0;
            } else {
                state.since_best += 1;
                if state.since_best >= patience {
                    state.stopped_early = true;
                }
            }
        }
    }
    Ok(())
}
