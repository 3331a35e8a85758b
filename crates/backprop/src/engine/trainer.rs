//! The one training loop: epochs of (shuffled) batches, recording, the
//! divergence check, the stop flag, checkpoints, validation and early
//! stopping, whatever strategy computes the updates ([`super::plan`]).
//!
//! Everything random is a function of the seed and the position, never of a
//! generator's running state: epoch e shuffles with `np.random.seed(seed + e + 1)`
//! (the course's `random_mini_batches`), and update t draws its dropout masks
//! from a generator seeded by (seed, t). With the strategy's own state saved
//! beside the weights, a run stopped after any update and resumed from its
//! [`TrainState`] ends with the same weights, bit for bit.
//!
//! Speed (see `docs/PERFORMANCE.md`): on the full-batch roads the cost (two
//! logs and an exp an example) is computed only on recorded iterations and
//! the last one; on the others a bound with no logs proves it finite, and
//! where it cannot the cost is computed, so divergence is still caught at the
//! iteration it happens. After its first iteration the loop allocates nothing
//! (unless early stopping keeps a copy of better weights, or a checkpoint is due).

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use ndarray::{Array1, Array2, ArrayView1, ArrayView2, ShapeBuilder};

use crate::collective::{share, Collective, Single};
use crate::error::Error;
use crate::linalg::Float;
use crate::metrics::accuracy;
use crate::network::Network;
use crate::optim::Optimizer;
use crate::rng::NumpyRng;
use crate::train::{GdConfig, History, Progress};

use super::plan::{self, Facts, Path, Plan};
use super::step::general::{self, Batch};
use super::step::Strategy;

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
    /// Σ (batch cost × batch weight) over the epoch's batches so far.
    pub epoch_cost: f64,
    /// What has been recorded so far.
    pub history: History,
    /// Early stopping: the best validation cost and the weights that gave it.
    pub best: Option<(f64, Parameters<T>)>,
    /// Early stopping: recorded evaluations (epochs, in epoch runs) since the best one.
    pub since_best: usize,
    /// Whether early stopping ended the run.
    pub stopped_early: bool,
    /// The strategy the run computes its updates with (`None`: not started).
    pub plan: Option<Plan>,
    /// The strategy's own state (Gram: W₀ and C; fused: the pending W·X), by name.
    pub strategy: HashMap<String, Array2<T>>,
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
            plan: None,
            strategy: HashMap::new(),
        }
    }

    /// Iterations (or epochs, in epoch runs) done.
    pub fn units_done(&self, config: &GdConfig) -> usize {
        if config.epochs.is_some() {
            self.epoch
        } else {
            self.step
        }
    }
}

/// A checkpoint callback: saves the network and the state (the trainer
/// decides when, the caller where).
pub type SaveCheckpoint<'a, T> = dyn FnMut(&Network<T>, &TrainState<T>) -> Result<(), Error> + 'a;

/// Data beside the training set, and how the run may be stopped or saved.
#[derive(Default)]
pub struct Extras<'a, T: Float> {
    /// A test set (X, Y as trained on): its cost is recorded.
    pub test: Option<(ArrayView2<'a, T>, ArrayView2<'a, T>)>,
    /// A validation set (X, Y as trained on, labels 1 × m): cost and accuracy recorded, early stopping.
    pub validation: Option<(ArrayView2<'a, T>, ArrayView2<'a, T>, ArrayView2<'a, T>)>,
    /// Per-example weights of the training set (length m, finite, ≥ 0, not all 0):
    /// J = Σ wᵢ·lᵢ / Σ wᵢ over each batch.
    pub weights: Option<&'a [f64]>,
    /// Checked after every update: when set, the run stops and returns its state.
    pub stop: Option<&'a AtomicBool>,
    /// Call `checkpoint` every this many iterations (or epochs).
    pub checkpoint_every: Option<usize>,
    /// The ranks of data-parallel training (default: this process alone).
    pub collective: Option<&'a dyn Collective>,
    /// Saves the network and state.
    pub checkpoint: Option<&'a mut SaveCheckpoint<'a, T>>,
}

/// How a run ended.
pub struct Outcome<T: Float> {
    /// The state at the end (its history is the run's), strategy state included.
    pub state: TrainState<T>,
    /// Whether the stop flag ended it before its total.
    pub interrupted: bool,
}

/// Inputs with at most this many features are copied row by row for the
/// full-batch roads: the small products (`linalg::SMALL_FLOPS`) want each row
/// of X contiguous.
const NARROW_INPUTS: usize = 16;

/// Trains networks with one configuration.
#[derive(Clone, Debug, Default)]
pub struct Trainer {
    /// The settings.
    pub config: GdConfig,
    /// A caller's say in the planner's choice (default: none).
    pub path: Path,
}

impl Trainer {
    /// A trainer with these settings; the planner chooses the strategy.
    pub fn new(config: GdConfig) -> Self {
        Trainer {
            config,
            path: Path::Auto,
        }
    }

    /// Forces a road for plain full-batch gradient descent (benches, tests).
    pub fn with_path(mut self, path: Path) -> Self {
        self.path = path;
        self
    }

    /// Trains `net` on X (n_x × m) and Y (1 × m, or K × m one-hot) from the
    /// start, calling `observe` after every iteration (or epoch). Stops with
    /// [`Error::Diverged`] at the first NaN or infinite cost.
    pub fn fit<T: Float>(
        &self,
        net: &mut Network<T>,
        x: ArrayView2<'_, T>,
        y: ArrayView2<'_, T>,
        extras: Extras<'_, T>,
        observe: &mut dyn FnMut(Progress),
    ) -> Result<History, Error> {
        let state = TrainState::new(&self.config);
        Ok(self.run(net, x, y, state, extras, observe)?.state.history)
    }

    /// Runs (or continues, from `state`) training on X and Y.
    pub fn run<T: Float>(
        &self,
        net: &mut Network<T>,
        x: ArrayView2<'_, T>,
        y: ArrayView2<'_, T>,
        mut state: TrainState<T>,
        mut extras: Extras<'_, T>,
        observe: &mut dyn FnMut(Progress),
    ) -> Result<Outcome<T>, Error> {
        let config = &self.config;
        let m = x.ncols();
        self.check(net, x, y, &state, &extras)?;
        let every = config.record_interval();
        let b = config.batch_size.unwrap_or(m).clamp(1, m.max(1));
        let batches = m.div_ceil(b);
        let per_epoch = config.epochs.is_some();
        let total = config.total_units();
        let single = Single;
        let coll: &dyn Collective = extras.collective.unwrap_or(&single);
        let weights: Option<Array1<T>> = extras
            .weights
            .map(|w| w.iter().map(|&v| T::cast(v)).collect());
        let facts = Facts {
            weighted: weights.is_some(),
            ranks: coll.size(),
            updates: if per_epoch { total * batches } else { total },
        };
        let chosen = plan::choose(config, net, x, y, self.path, facts);
        let resumed = state.plan.is_some();
        let plan = match state.plan {
            Some(saved) if saved != chosen && !plan::applies(saved, config, net, x, y, facts) => {
                return Err(Error::Config(format!(
                    "the checkpoint's strategy ({saved:?}) does not apply to this run"
                )));
            }
            Some(saved) => saved,
            None => chosen,
        };
        state.plan = Some(plan);
        // Narrow inputs (the flower's 2 features) go feature by feature on the
        // full-batch roads.
        let x_rows;
        let x = if plan != Plan::General && x.nrows() <= NARROW_INPUTS && !x.is_standard_layout() {
            x_rows = x.as_standard_layout().into_owned();
            x_rows.view()
        } else {
            x
        };
        let mut strategy = Strategy::start(plan, net, x);
        if resumed {
            strategy.restore(net, x, &mut state.strategy)?;
        }
        state.strategy.clear();

        // Batch buffers, example-contiguous like the loaders' X; the last
        // partial batch is a narrower view. Shuffled batches are gathered into
        // them; unshuffled ones are views of X.
        let (n_x, k) = (x.nrows(), y.nrows());
        let shuffled = config.shuffle && b < m;
        let cap = if shuffled { b } else { 0 };
        let mut xb = Array2::<T>::zeros((n_x, cap).f());
        let mut yb = Array2::<T>::zeros((k, cap).f());
        let mut wb = Array1::<T>::zeros(if weights.is_some() { cap } else { 0 });
        let mut order = vec![0usize; if shuffled { m } else { 0 }];
        let mut reduce_buf: Vec<f64> = Vec::new();
        // Up to 65 536 records are reserved up front (the loop then allocates
        // nothing); beyond, the history grows as recorded, so a huge count
        // never reserves gigabytes before the first iteration.
        reserve_records(
            &mut state.history,
            &extras,
            (total.div_ceil(every) + 1).min(1 << 16),
        );
        if coll.size() > 1 && state.step == 0 {
            general::broadcast_parameters(net, coll);
        }
        let total_weight = weights
            .as_ref()
            .map_or(m as f64, |w| w.iter().map(|v| v.as_f64()).sum::<f64>());
        let start = Instant::now();
        let mut interrupted = false;
        let done = |s: &TrainState<T>| s.stopped_early || s.units_done(config) >= total;
        'epochs: while !done(&state) {
            if shuffled {
                NumpyRng::new(config.seed.wrapping_add(state.epoch as u32).wrapping_add(1))
                    .permutation_into(&mut order);
            }
            let lr = T::cast(config.schedule.at(config.learning_rate, state.epoch));
            while state.batch < batches {
                let unit = if per_epoch { state.epoch } else { state.step };
                let recorded = !per_epoch && unit % every == 0;
                let last = !per_epoch && state.step + 1 == total;
                if recorded {
                    // Before the update: the weights this iteration's cost is of.
                    evaluate(net, &strategy, x, &mut state, &extras, unit, config);
                }
                let first = state.batch * b;
                let mb = ((state.batch + 1) * b).min(m) - first;
                let cost = if let Strategy::General = strategy {
                    // Data parallelism: this rank's share of the batch (all of it in one process).
                    let (lo, hi) = share(mb, coll.rank(), coll.size());
                    let ml = hi - lo;
                    let batch = if shuffled {
                        let cols = &order[first + lo..first + hi];
                        gather_columns(x, cols, &mut xb);
                        gather_columns(y, cols, &mut yb);
                        if let Some(w) = &weights {
                            for (c, &j) in cols.iter().enumerate() {
                                wb[c] = w[j];
                            }
                        }
                        let cut = ndarray::s![.., ..ml];
                        Batch {
                            x: xb.slice(cut),
                            y: yb.slice(cut),
                            w: weights.as_ref().map(|_| wb.slice(ndarray::s![..ml])),
                            size: mb,
                        }
                    } else {
                        let cols = ndarray::s![.., first + lo..first + hi];
                        Batch {
                            x: x.slice(cols),
                            y: y.slice(cols),
                            w: weights
                                .as_ref()
                                .map(|w| w.slice(ndarray::s![first + lo..first + hi])),
                            size: mb,
                        }
                    };
                    let batch_weight = batch_weight(&batch, mb);
                    let l2 = general::l2_strength(config, batch.w.is_some(), batch_weight, mb);
                    let cost = general::gradients(
                        net,
                        batch,
                        state.step,
                        config,
                        l2,
                        coll,
                        &mut reduce_buf,
                        &mut state.history.allreduce_seconds,
                    );
                    if cost.is_finite() {
                        general::update(net, &mut state.optimizer, l2, lr, mb);
                    }
                    (Some(cost), batch_weight)
                } else {
                    let wanted = recorded
                        || last
                        || per_epoch
                        || extras.stop.is_some_and(|f| f.load(Ordering::SeqCst));
                    (strategy.full_batch_step(net, x, y, lr, wanted), mb as f64)
                };
                let (cost, batch_weight) = cost;
                if let Some(c) = cost.filter(|c| !c.is_finite()) {
                    net.clear_dropout();
                    return Err(super::diverged::diagnose(config, x, unit, c));
                }
                let cost = cost.unwrap_or(f64::NAN);
                if recorded {
                    state.history.costs.push((unit, cost));
                }
                state.step += 1;
                state.batch += 1;
                state.epoch_cost += cost * batch_weight;
                if !per_epoch {
                    state.history.final_cost = cost;
                    state.history.iterations = state.step;
                    observe(Progress {
                        iteration: unit,
                        cost,
                        recorded,
                        total,
                        per_epoch,
                        validation: state.history.validation_at(unit),
                    });
                    if state.step >= total || state.stopped_early {
                        break 'epochs;
                    }
                    self.checkpoint_if_due(net, &strategy, x, &mut state, &mut extras)?;
                }
                if extras.stop.is_some_and(|f| f.load(Ordering::SeqCst)) {
                    interrupted = true;
                    break 'epochs;
                }
            }
            // The epoch is complete.
            let epoch_cost = state.epoch_cost / total_weight;
            let finished = state.epoch;
            state.batch = 0;
            state.epoch_cost = 0.0;
            state.epoch += 1;
            if per_epoch {
                let recorded = finished % every == 0 || state.epoch >= total;
                if recorded {
                    state.history.costs.push((finished, epoch_cost));
                }
                if recorded || config.early_stopping.is_some() {
                    evaluate(net, &strategy, x, &mut state, &extras, finished, config);
                }
                state.history.final_cost = epoch_cost;
                state.history.iterations = state.epoch;
                observe(Progress {
                    iteration: finished,
                    cost: epoch_cost,
                    recorded,
                    total,
                    per_epoch,
                    validation: state.history.validation_at(finished),
                });
                self.checkpoint_if_due(net, &strategy, x, &mut state, &mut extras)?;
                if extras.stop.is_some_and(|f| f.load(Ordering::SeqCst)) && !done(&state) {
                    interrupted = true;
                    break 'epochs;
                }
            }
        }
        net.clear_dropout();
        strategy.sync(net, x);
        keep_state(&strategy, net, &mut state);
        if let Some((_, params)) = state.best.as_ref().filter(|_| state.stopped_early) {
            for (layer, (w, b)) in net.layers_mut().iter_mut().zip(params) {
                layer.w.assign(w);
                layer.b.assign(b);
            }
        }
        state.history.stopped_early = state.stopped_early;
        state.history.train_seconds += start.elapsed().as_secs_f64();
        Ok(Outcome { state, interrupted })
    }

    /// Refuses what the loop cannot run, before any work: an empty record
    /// interval or batch, early stopping without a validation set, weights of
    /// the wrong length or not usable, a position the data cannot have.
    fn check<T: Float>(
        &self,
        net: &Network<T>,
        x: ArrayView2<'_, T>,
        y: ArrayView2<'_, T>,
        state: &TrainState<T>,
        extras: &Extras<'_, T>,
    ) -> Result<(), Error> {
        let config = &self.config;
        let m = x.ncols();
        // Every range, for the library's callers too (config.rs).
        config.validate_for(net.sizes().len().saturating_sub(2))?;
        config.validate_for_examples(m)?;
        if config.record_every == Some(0) {
            return Err(Error::Config("--record-every must be at least 1".into()));
        }
        if config.batch_size == Some(0) {
            return Err(Error::Config("--batch-size must be at least 1".into()));
        }
        if config.early_stopping == Some(0) {
            return Err(Error::Config("--early-stopping must be at least 1".into()));
        }
        if config.early_stopping.is_some() && extras.validation.is_none() {
            return Err(Error::Config(
                "--early-stopping needs a validation set (--validation FRACTION)".into(),
            ));
        }
        let sizes = net.sizes();
        if x.nrows() != sizes[0] || y.ncols() != m || y.nrows() != *sizes.last().unwrap_or(&0) {
            return Err(Error::Config(format!(
                "X is {}×{} and Y {}×{}, but the network's layers are {sizes:?}",
                x.nrows(),
                m,
                y.nrows(),
                y.ncols()
            )));
        }
        if let Some(w) = extras.weights {
            if w.len() != m {
                return Err(Error::Config(format!(
                    "{} sample weights for {m} examples",
                    w.len()
                )));
            }
            if w.iter().any(|v| !(v.is_finite() && *v >= 0.0)) || w.iter().all(|v| *v == 0.0) {
                return Err(Error::Config(
                    "sample weights must be finite, ≥ 0 and not all 0".into(),
                ));
            }
            if extras.collective.is_some_and(|c| c.size() > 1) {
                return Err(Error::Config(
                    "sample weights are not supported across data-parallel ranks".into(),
                ));
            }
        }
        let b = config.batch_size.unwrap_or(m).clamp(1, m.max(1));
        let batches = m.div_ceil(b);
        let done = state.units_done(config);
        if state.batch > batches || state.step != state.epoch * batches + state.batch {
            return Err(Error::Config(format!(
                "the checkpoint's position (update {}, epoch {}, batch {}) is impossible with {batches} batches an epoch",
                state.step, state.epoch, state.batch
            )));
        }
        if done > config.total_units() {
            let unit = if config.epochs.is_some() {
                "--epochs"
            } else {
                "--iterations"
            };
            return Err(Error::Config(format!(
                "the run has already done {done}; {unit} must be at least that"
            )));
        }
        Ok(())
    }

    fn checkpoint_if_due<T: Float>(
        &self,
        net: &mut Network<T>,
        strategy: &Strategy<T>,
        x: ArrayView2<'_, T>,
        state: &mut TrainState<T>,
        extras: &mut Extras<'_, T>,
    ) -> Result<(), Error> {
        let units = state.units_done(&self.config);
        if let (Some(every), Some(save)) = (extras.checkpoint_every, extras.checkpoint.as_mut()) {
            if every > 0 && units % every == 0 {
                strategy.sync(net, x);
                keep_state(strategy, net, state);
                save(net, state)?;
                state.strategy.clear();
            }
        }
        Ok(())
    }
}

/// dst's first `cols.len()` columns = src's columns `cols`, in that order.
///
/// As slice copies when both are column-major and contiguous (X as loaded,
/// example by example, and the batch buffers): several times faster than
/// ndarray's per-column `assign` on 50-feature examples, whose set-up cost more
/// than the copy (`docs/PERFORMANCE.md`, Python section).
fn gather_columns<T: Float>(src: ArrayView2<'_, T>, cols: &[usize], dst: &mut Array2<T>) {
    let rows = src.nrows();
    // Column-major on both sides (the transposes are row-major): each column
    // is one contiguous run, copied whole.
    let columns = (
        src.reversed_axes().to_slice(),
        dst.view_mut().reversed_axes().into_slice(),
    );
    if let (Some(s), Some(d)) = columns {
        for (c, (to, &j)) in d.chunks_exact_mut(rows.max(1)).zip(cols).enumerate() {
            if let Some(&ahead) = cols.get(c + PREFETCH_AHEAD) {
                prefetch(&s[ahead * rows..(ahead + 1) * rows]);
            }
            to.copy_from_slice(&s[j * rows..(j + 1) * rows]);
        }
        return;
    }
    for (c, &j) in cols.iter().enumerate() {
        dst.column_mut(c).assign(&src.column(j));
    }
}

/// How many columns ahead [`gather_columns`] asks for: shuffled columns are
/// scattered over X, and waiting for each in turn left the gather bound by the
/// memory's latency.
const PREFETCH_AHEAD: usize = 8;

/// Asks the CPU to bring `v` into the cache (a hint: no effect on results).
#[inline(always)]
fn prefetch<T>(v: &[T]) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        let bytes = std::mem::size_of_val(v);
        let p = v.as_ptr().cast::<i8>();
        for off in (0..bytes).step_by(64) {
            // SAFETY: a prefetch reads nothing and cannot fault; the address is
            // inside `v` (off < its length in bytes).
            unsafe { _mm_prefetch::<_MM_HINT_T0>(p.add(off)) };
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = v;
}

/// The total weight of a batch: its size, or its weights' sum.
fn batch_weight<T: Float>(batch: &Batch<'_, T>, mb: usize) -> f64 {
    batch.w.map_or(mb as f64, |w: ArrayView1<'_, T>| {
        w.iter().map(|v| v.as_f64()).sum()
    })
}

/// Copies the strategy's own state into `state` (for a checkpoint or the end).
fn keep_state<T: Float>(strategy: &Strategy<T>, net: &Network<T>, state: &mut TrainState<T>) {
    state.strategy = strategy
        .state(net)
        .into_iter()
        .map(|(name, a)| (name.to_string(), a.clone()))
        .collect();
}

/// Reserves the records' room up front, so recording allocates nothing.
fn reserve_records<T: Float>(history: &mut History, extras: &Extras<'_, T>, records: usize) {
    history.costs.reserve(records);
    if extras.test.is_some() {
        history.test_costs.reserve(records);
    }
    if extras.validation.is_some() {
        history.validation_costs.reserve(records);
        history.validation_accuracies.reserve(records);
    }
}

/// Records the test and validation scores of unit `i` at the current weights,
/// and keeps early stopping's books.
fn evaluate<T: Float>(
    net: &mut Network<T>,
    strategy: &Strategy<T>,
    x: ArrayView2<'_, T>,
    state: &mut TrainState<T>,
    extras: &Extras<'_, T>,
    i: usize,
    config: &GdConfig,
) {
    if extras.test.is_none() && extras.validation.is_none() {
        return;
    }
    strategy.sync(net, x); // the scores need W[1] itself
    let h = &mut state.history;
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
}
