//! The one training loop, as a session a caller steps: created from a
//! network, its data and its settings (checked once, there), advanced by k
//! units at a time ([`Session::advance`]: iterations, or epochs in an epoch
//! run), observed between steps (the history, the weights), stopped,
//! checkpointed and resumed. `backprop train` runs it to the end; the
//! playground advances it an epoch per frame; Python's `fit` epoch by epoch.
//!
//! Everything random is a function of the seed and the position, never of a
//! generator's running state: epoch e shuffles with `np.random.seed(seed + e + 1)`
//! (the course's `random_mini_batches`), and update t draws its dropout masks
//! from a generator seeded by (seed, t). With the strategy's own state saved
//! beside the weights, a run stopped after any update and resumed from its
//! [`TrainState`] ends with the same weights, bit for bit; so does a run
//! advanced in steps of any size.
//!
//! Speed (see `docs/PERFORMANCE.md`): on the full-batch roads the cost (two
//! logs and an exp an example) is computed only on recorded iterations and
//! the last one; on the others a bound with no logs proves it finite, and
//! where it cannot the cost is computed, so divergence is still caught at the
//! iteration it happens. After its first iteration the loop allocates nothing
//! (unless early stopping keeps a copy of better weights, or a checkpoint is due).
//!
//! ```
//! use backprop::data::planar;
//! use backprop::engine::{Advanced, Controls, Session, TrainingData};
//! use backprop::{Activation, GdConfig, Init, Network, NumpyRng};
//!
//! let flower = planar::flower();
//! let net = Network::<f64>::new(&[2, 4, 1], Activation::Tanh, Init::Small, &mut NumpyRng::new(2))?;
//! let config = GdConfig { learning_rate: 1.2, iterations: 1000, ..Default::default() };
//! let data = TrainingData::new(flower.x.view(), flower.y.view());
//! let mut session = Session::new(net, data, config)?;
//! // 100 iterations at a time, looking at the weights in between.
//! while session.advance(100, &mut Controls::default())? == Advanced::Paused {
//!     assert_eq!(session.network().layers()[0].w.dim(), (4, 2));
//! }
//! let history = session.history().clone();
//! assert!(history.final_cost < history.costs[0].1);
//! # Ok::<(), backprop::Error>(())
//! ```

mod lbfgs;

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use ndarray::{Array1, CowArray};

use crate::collective::{share, Collective, Single};
use crate::error::Error;
use crate::linalg::Float;
use crate::network::Network;
use crate::sparse::SparseColumns;
use crate::train::{GdConfig, History, Progress};

use super::batching::{batch_weight, Batching};
use super::check::check_run;
use super::plan::{self, Facts, Path, Plan};
use super::record::{evaluate, reserve_records, Scored};
use super::state::{SaveCheckpoint, TrainState};
use super::step::lbfgs::LbfgsRun;
use super::step::Strategy;
use super::step::{general, l1};
use super::training_data::{Matrix, TrainingData};

/// How a session starts, beyond its network, data and settings.
pub struct Start<'a, T: Float> {
    /// Continue from this state (a checkpoint's), rather than from the first update.
    pub state: Option<TrainState<T>>,
    /// A caller's say in the planner's choice (default: none).
    pub path: Path,
    /// The ranks of data-parallel training (default: this process alone).
    pub collective: Option<&'a dyn Collective>,
}

impl<T: Float> Default for Start<'_, T> {
    fn default() -> Self {
        Start {
            state: None,
            path: Path::Auto,
            collective: None,
        }
    }
}

/// What may act on a session while it advances: a stop flag, checkpoints, an observer.
pub struct Controls<'c, T: Float> {
    /// Checked after every update: when set, the session returns [`Advanced::Interrupted`].
    pub stop: Option<&'c AtomicBool>,
    /// Call `checkpoint` every this many iterations (or epochs).
    pub checkpoint_every: Option<usize>,
    /// Saves the network and state.
    pub checkpoint: Option<&'c mut SaveCheckpoint<'c, T>>,
    /// Hears every iteration (or epoch).
    pub observe: Option<&'c mut dyn FnMut(Progress)>,
}

impl<T: Float> Default for Controls<'_, T> {
    fn default() -> Self {
        Controls {
            stop: None,
            checkpoint_every: None,
            checkpoint: None,
            observe: None,
        }
    }
}

impl<T: Float> Controls<'_, T> {
    fn stop_requested(&self) -> bool {
        self.stop.is_some_and(|f| f.load(Ordering::SeqCst))
    }

    fn observe(&mut self, p: Progress) {
        if let Some(o) = self.observe.as_mut() {
            o(p);
        }
    }
}

/// Where [`Session::advance`] left the run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Advanced {
    /// The units asked for are done; more remain.
    Paused,
    /// The run reached its total, or early stopping ended it.
    Finished,
    /// The stop flag was set.
    Interrupted,
}

/// Inputs with at most this many features are copied row by row for the
/// full-batch roads: the small products (`linalg::SMALL_FLOPS`) want each row
/// of X contiguous.
const NARROW_INPUTS: usize = 16;

/// The one process of a run that is not data-parallel.
static SINGLE: Single = Single;

/// A training run in progress (see the module's documentation).
pub struct Session<'a, T: Float> {
    net: Network<T>,
    x: Matrix<'a, T>,
    y: Matrix<'a, T>,
    test: Option<(Matrix<'a, T>, Matrix<'a, T>)>,
    validation: Option<(Matrix<'a, T>, Matrix<'a, T>, Matrix<'a, T>)>,
    weights: Option<Array1<T>>,
    /// The sparse X when the run trains on one (`x` is then 0 × m).
    sparse: Option<&'a SparseColumns<T>>,
    sparse_validation: Option<&'a SparseColumns<T>>,
    total_weight: f64,
    config: GdConfig,
    state: TrainState<T>,
    strategy: Strategy<T>,
    batching: Batching<T>,
    collective: &'a dyn Collective,
    reduce_buf: Vec<f64>,
    /// Units (iterations, or epochs) of the whole run.
    total: usize,
    /// Units between two recorded costs.
    every: usize,
    per_epoch: bool,
    /// L-BFGS's run, when the settings ask for it (`session/lbfgs.rs`).
    lbfgs: Option<Box<LbfgsRun>>,
    /// L-BFGS ended the run before its iterations (converged, or could not go on).
    converged: bool,
}

impl<'a, T: Float> Session<'a, T> {
    /// A session from the first update, the planner choosing the strategy.
    /// Checks the settings against the network and data (once, here).
    pub fn new(
        net: Network<T>,
        data: TrainingData<'a, T>,
        config: GdConfig,
    ) -> Result<Self, Error> {
        Session::start(net, data, config, Start::default())
    }

    /// A session as `start` says: from a saved state, on a forced road, across ranks.
    pub fn start(
        mut net: Network<T>,
        data: TrainingData<'a, T>,
        config: GdConfig,
        start: Start<'a, T>,
    ) -> Result<Self, Error> {
        let mut state = start.state.unwrap_or_else(|| TrainState::new(&config));
        let collective = start.collective.unwrap_or(&SINGLE);
        check_run(&config, &net, &data, &state, collective)?;
        let m = data.x.ncols();
        let (weights, total_weight) = example_weights(data.weights, m);
        let batch_size = config.batch_size_for(m);
        let (per_epoch, total) = (config.epochs.is_some(), config.total_units());
        let facts = run_facts(&config, m, weights.is_some(), collective.size());
        let resumed = state.plan.is_some();
        let plan = choose_plan(&config, &net, &data, &state, start.path, facts)?;
        state.plan = Some(plan);
        let x = narrow_by_rows(data.x, plan);
        let mut strategy = Strategy::start(plan, &net, x.view());
        if resumed {
            strategy.restore(&mut net, x.view(), &mut state.strategy)?;
        }
        state.strategy.clear();
        let (n_x, k) = (x.nrows(), data.y.nrows());
        let batching = Batching::new(batch_size, m, n_x, k, config.shuffle, weights.is_some());
        let every = config.record_interval();
        let scored = (data.test.is_some(), data.validation.is_some());
        reserve_records(&mut state.history, scored, total.div_ceil(every) + 1);
        if collective.size() > 1 && state.step == 0 {
            general::broadcast_parameters(&mut net, collective);
        }
        Ok(Session {
            lbfgs: LbfgsRun::for_config(&config, &net).map(Box::new),
            net,
            x,
            y: data.y,
            test: data.test,
            validation: data.validation,
            weights,
            sparse: data.sparse,
            sparse_validation: data.sparse_validation,
            total_weight,
            config,
            state,
            strategy,
            batching,
            collective,
            reduce_buf: Vec::new(),
            total,
            every,
            per_epoch,
            converged: false,
        })
    }

    /// Trains `units` more iterations (or epochs, in an epoch run), fewer if
    /// the run ends or is stopped first. Stops with [`Error::Diverged`] at
    /// the first NaN or infinite cost.
    pub fn advance(
        &mut self,
        units: usize,
        controls: &mut Controls<'_, T>,
    ) -> Result<Advanced, Error> {
        let target = self.units_done().saturating_add(units);
        // Subnormal weights (L2 walks them through that range) are flushed
        // to zero: arithmetic on them is tens of times slower.
        let _flushing = crate::subnormal::Flushing::start();
        let start = Instant::now();
        let advanced = self.advance_to(target, controls);
        self.state.history.train_seconds += start.elapsed().as_secs_f64();
        if advanced.is_err() {
            self.net.clear_dropout();
        }
        advanced
    }

    /// Trains to the end of the run (or until stopped).
    pub fn run(&mut self, controls: &mut Controls<'_, T>) -> Result<Advanced, Error> {
        self.advance(usize::MAX, controls)
    }

    /// Whether the run has reached its total or stopped early.
    pub fn is_done(&self) -> bool {
        self.state.stopped_early || self.converged || self.units_done() >= self.total
    }

    /// Iterations (or epochs, in an epoch run) done.
    pub fn units_done(&self) -> usize {
        self.state.units_done(&self.config)
    }

    /// What has been recorded so far.
    pub fn history(&self) -> &History {
        &self.state.history
    }

    /// The state so far (without the strategy's own, which
    /// [`Session::checkpoint`] adds).
    pub fn state(&self) -> &TrainState<T> {
        &self.state
    }

    /// The settings.
    pub fn config(&self) -> &GdConfig {
        &self.config
    }

    /// The strategy the planner chose.
    pub fn plan(&self) -> Plan {
        self.state.plan.unwrap_or(Plan::General)
    }

    /// The network with its current weights (the Gram road writes W\[1\] =
    /// W₀ + C·Xᵀ first; the run goes on unchanged).
    pub fn network(&mut self) -> &Network<T> {
        self.strategy.sync(&mut self.net, self.x.view());
        &self.net
    }

    /// Changes α from the next update on (Python's schedules, between epochs).
    pub fn set_learning_rate(&mut self, learning_rate: f64) -> Result<(), Error> {
        let mut config = self.config.clone();
        config.learning_rate = learning_rate;
        config.validate()?;
        self.config = config;
        Ok(())
    }

    /// The network and the whole state, strategy included: what a checkpoint saves.
    pub fn checkpoint(&mut self) -> (&Network<T>, &TrainState<T>) {
        self.keep_strategy_state();
        (&self.net, &self.state)
    }

    /// Ends the session: the network (with early stopping's best weights
    /// where it ended the run) and the final state, strategy included.
    pub fn finish(mut self) -> (Network<T>, TrainState<T>) {
        self.net.clear_dropout();
        self.keep_strategy_state();
        if let Some((_, params)) = self
            .state
            .best
            .as_ref()
            .filter(|_| self.state.stopped_early)
        {
            for (layer, (w, b)) in self.net.layers_mut().iter_mut().zip(params) {
                layer.w.assign(w);
                layer.b.assign(b);
            }
        }
        self.state.history.stopped_early = self.state.stopped_early;
        (self.net, self.state)
    }

    fn advance_to(
        &mut self,
        target: usize,
        controls: &mut Controls<'_, T>,
    ) -> Result<Advanced, Error> {
        while !self.is_done() {
            self.batching.order_for(self.state.epoch, self.config.seed);
            while self.state.batch < self.batching.count {
                if self.train_batch(controls)? {
                    return Ok(Advanced::Finished);
                }
                if controls.stop_requested() {
                    return Ok(Advanced::Interrupted);
                }
                if !self.per_epoch && self.state.step >= target {
                    return Ok(Advanced::Paused);
                }
            }
            self.complete_epoch(controls)?;
            if self.per_epoch && !self.is_done() {
                if controls.stop_requested() {
                    return Ok(Advanced::Interrupted);
                }
                if self.state.epoch >= target {
                    return Ok(Advanced::Paused);
                }
            }
        }
        Ok(Advanced::Finished)
    }

    /// One update on the next batch, with its recording; true when it ends the run.
    fn train_batch(&mut self, controls: &mut Controls<'_, T>) -> Result<bool, Error> {
        if self.lbfgs.is_some() {
            return self.lbfgs_iteration(controls);
        }
        let per_epoch = self.per_epoch;
        let unit = if per_epoch {
            self.state.epoch
        } else {
            self.state.step
        };
        let recorded = !per_epoch && unit % self.every == 0;
        if recorded {
            // Before the update: the weights this iteration's cost is of.
            self.evaluate(unit);
        }
        let m = self.x.ncols();
        let first = self.state.batch * self.batching.size;
        let mb = (first + self.batching.size).min(m) - first;
        let (cost, weight) = if let Strategy::General = self.strategy {
            self.general_update(mb)
        } else {
            let last = !per_epoch && self.state.step + 1 == self.total;
            let wanted = recorded || last || per_epoch || controls.stop_requested();
            let lr = self.learning_rate();
            let (x, y) = (self.x.view(), self.y.view());
            let cost = self
                .strategy
                .full_batch_step(&mut self.net, x, y, lr, wanted);
            (cost, mb as f64)
        };
        if let Some(c) = cost.filter(|c| !c.is_finite()) {
            return Err(self.diverged(unit, c));
        }
        self.record_update(unit, recorded, cost.unwrap_or(f64::NAN), weight, controls)
    }

    /// Books an update's cost (recorded, into its epoch's, as the last) and,
    /// in an iteration run, reports it and checkpoints; true when the run ends.
    fn record_update(
        &mut self,
        unit: usize,
        recorded: bool,
        cost: f64,
        weight: f64,
        controls: &mut Controls<'_, T>,
    ) -> Result<bool, Error> {
        let s = &mut self.state;
        if recorded {
            s.history.costs.push((unit, cost));
        }
        s.step += 1;
        s.batch += 1;
        s.epoch_cost += cost * weight;
        if self.per_epoch {
            return Ok(false);
        }
        s.history.final_cost = cost;
        s.history.iterations = s.step;
        controls.observe(Progress {
            iteration: unit,
            cost,
            recorded,
            total: self.total,
            per_epoch: false,
            validation: s.history.validation_at(unit),
        });
        if s.step >= self.total || s.stopped_early {
            return Ok(true);
        }
        self.checkpoint_if_due(controls)?;
        Ok(false)
    }

    /// The general update of batch `mb` (this rank's share of it): gather,
    /// gradients, all-reduce, the optimiser's step. Returns (cost, batch weight).
    fn general_update(&mut self, mb: usize) -> (Option<f64>, f64) {
        let coll = self.collective;
        let (lo, hi) = share(mb, coll.rank(), coll.size());
        let lr = self.learning_rate();
        let config = &self.config;
        let data = (
            self.x.view(),
            self.y.view(),
            self.weights.as_ref().map(|w| w.view()),
            self.sparse.map(|sx| sx.view()),
        );
        let batch = self.batching.batch(data, self.state.batch, (lo, hi), mb);
        let weight = batch_weight(&batch);
        let l2 = general::l2_strength(config, batch.w.is_some(), weight, mb);
        let l1 = l1::strength(config, batch.w.is_some(), weight, mb);
        let cost = general::gradients(
            &mut self.net,
            batch,
            self.state.step,
            config,
            l2,
            l1,
            coll,
            &mut self.reduce_buf,
            &mut self.state.history.allreduce_seconds,
        );
        if cost.is_finite() {
            general::update(&mut self.net, &mut self.state.optimizer, (l2, l1), lr, mb);
        }
        (Some(cost), weight)
    }

    /// [`Error::Diverged`] for the non-finite `cost` of `unit`, its cause
    /// diagnosed from the data, the settings and the weights now.
    fn diverged(&mut self, unit: usize, cost: f64) -> Error {
        self.strategy.sync(&mut self.net, self.x.view());
        // ‖W‖²: the L2 penalty of strength 2 on one example.
        let weights_sq = self.net.l2_penalty(2.0, 1);
        match self.sparse {
            Some(sx) => super::diverged::diagnose_sparse::<T>(
                &self.config,
                (sx.view().largest(), sx.ncols()),
                weights_sq,
                unit,
                cost,
            ),
            None => super::diverged::diagnose(&self.config, self.x.view(), weights_sq, unit, cost),
        }
    }

    /// Closes the epoch: its cost, and in an epoch run its recording, its
    /// report and a checkpoint when due. An epoch cost that is not finite
    /// (its batches' finite costs summing past f64's range, as a huge L2
    /// strength makes them) ends the run as a batch's would.
    fn complete_epoch(&mut self, controls: &mut Controls<'_, T>) -> Result<(), Error> {
        let s = &mut self.state;
        let epoch_cost = s.epoch_cost / self.total_weight;
        let finished = s.epoch;
        s.batch = 0;
        s.epoch_cost = 0.0;
        s.epoch += 1;
        if !self.per_epoch {
            return Ok(());
        }
        if !epoch_cost.is_finite() {
            return Err(self.diverged(finished, epoch_cost));
        }
        let s = &mut self.state;
        let recorded = finished % self.every == 0 || s.epoch >= self.total;
        if recorded {
            s.history.costs.push((finished, epoch_cost));
        }
        if recorded || self.config.early_stopping.is_some() {
            self.evaluate(finished);
        }
        let h = &mut self.state.history;
        h.final_cost = epoch_cost;
        h.iterations = self.state.epoch;
        controls.observe(Progress {
            iteration: finished,
            cost: epoch_cost,
            recorded,
            total: self.total,
            per_epoch: true,
            validation: h.validation_at(finished),
        });
        self.checkpoint_if_due(controls)
    }

    /// α of the epoch in progress (its schedule's).
    fn learning_rate(&self) -> T {
        T::cast(
            self.config
                .schedule
                .at(self.config.learning_rate, self.state.epoch),
        )
    }

    /// Records the test and validation scores of unit `i`.
    fn evaluate(&mut self, i: usize) {
        let sets = Scored {
            test: self.test.as_ref().map(|(x, y)| (x.view(), y.view())),
            validation: self
                .validation
                .as_ref()
                .map(|(x, y, l)| (x.view(), y.view(), l.view())),
            sparse_validation: self.sparse_validation,
        };
        let x = self.x.view();
        evaluate(
            &mut self.net,
            &self.strategy,
            x,
            &mut self.state,
            sets,
            i,
            &self.config,
        );
    }

    fn checkpoint_if_due(&mut self, controls: &mut Controls<'_, T>) -> Result<(), Error> {
        let units = self.units_done();
        if let (Some(every), Some(save)) = (controls.checkpoint_every, controls.checkpoint.as_mut())
        {
            if every > 0 && units % every == 0 {
                self.strategy.sync(&mut self.net, self.x.view());
                keep_state(&self.strategy, &self.net, &mut self.state);
                save(&self.net, &self.state)?;
                self.state.strategy.clear();
            }
        }
        Ok(())
    }

    fn keep_strategy_state(&mut self) {
        self.strategy.sync(&mut self.net, self.x.view());
        keep_state(&self.strategy, &self.net, &mut self.state);
    }
}

/// What the planner weighs of a run of `m` examples: weighted or not, the
/// ranks, and the updates it makes in all.
fn run_facts(config: &GdConfig, m: usize, weighted: bool, ranks: usize) -> Facts {
    let total = config.total_units();
    let updates = if config.epochs.is_some() {
        total * m.div_ceil(config.batch_size_for(m))
    } else {
        total
    };
    Facts {
        weighted,
        ranks,
        updates,
    }
}

/// The planner's choice, or a resumed run's own strategy where it still
/// applies; a sparse X always takes the general road (its first layer's
/// sparse products are that road's).
fn choose_plan<T: Float>(
    config: &GdConfig,
    net: &Network<T>,
    data: &TrainingData<'_, T>,
    state: &TrainState<T>,
    path: Path,
    facts: Facts,
) -> Result<Plan, Error> {
    if data.sparse.is_some() {
        return Ok(Plan::General);
    }
    let (x, y) = (data.x.view(), data.y.view());
    let chosen = plan::choose(config, net, x, y, path, facts);
    match state.plan {
        Some(saved) if saved != chosen && !plan::applies(saved, config, net, x, y, facts) => {
            Err(Error::Config(format!(
                "the checkpoint's strategy ({saved:?}) does not apply to this run"
            )))
        }
        Some(saved) => Ok(saved),
        None => Ok(chosen),
    }
}

/// The examples' weights in the network's float type, and their sum (`m`
/// when every example weighs 1).
fn example_weights<T: Float>(weights: Option<&[f64]>, m: usize) -> (Option<Array1<T>>, f64) {
    let cast: Option<Array1<T>> = weights.map(|w| w.iter().map(|&v| T::cast(v)).collect());
    let total = cast
        .as_ref()
        .map_or(m as f64, |w| w.iter().map(|v| v.as_f64()).sum::<f64>());
    (cast, total)
}

/// Narrow inputs (the flower's 2 features) go feature by feature on the full-batch roads.
fn narrow_by_rows<T: Float>(x: Matrix<'_, T>, plan: Plan) -> Matrix<'_, T> {
    if plan != Plan::General && x.nrows() <= NARROW_INPUTS && !x.is_standard_layout() {
        CowArray::from(x.as_standard_layout().into_owned())
    } else {
        x
    }
}

/// Copies the strategy's own state into `state` (for a checkpoint or the end).
fn keep_state<T: Float>(strategy: &Strategy<T>, net: &Network<T>, state: &mut TrainState<T>) {
    state.strategy = strategy
        .state(net)
        .into_iter()
        .map(|(name, a)| (name.to_string(), a.clone()))
        .collect();
}
