//! `_core.fit`: trains a network from given weights, with the GIL released,
//! and returns the new weights, the optimiser's state and the run's record.
//!
//! scikit-learn's stopping rules apply between epochs (training loss or
//! validation accuracy not better by `tol` for more than `n_iter_no_change`
//! epochs; `adaptive` and `invscaling` learning rates); the course's "Cost
//! after iteration i" lines are printed when asked, and Ctrl-C is checked:
//! Python's signal handlers run only on the main thread holding the GIL, so
//! the loop takes the GIL back briefly to run them, and a KeyboardInterrupt
//! sets the library's stop flag. Three roads, the fastest that applies:
//! plain full-batch gradient descent is one call of the library's fast loop
//! (Gram / fused paths), checked per iteration; a constant learning rate
//! without a validation set is one call of the library's trainer for all
//! epochs, checked per epoch; the rest (validation, schedules) call the
//! trainer once an epoch. Sample weights (`sample_weight` × `class_weight`)
//! are the library's per-example weights: J = Σ wᵢ·lᵢ / Σ wᵢ.

use std::sync::atomic::{AtomicBool, Ordering};

use backprop::engine::{self, Extras, Path, TrainState, Trainer};
use backprop::optim::{
    AdamConfig, MomentumConfig, Optimizer, OptimizerConfig, RmsPropConfig, Slot,
};
use backprop::GdConfig;
use backprop::{Float, Network, Threads};
use ndarray::{Array2, ArrayView1, ArrayView2};
use numpy::{Element, IntoPyArray, PyReadonlyArray1, PyReadonlyArray2};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

use crate::arrays::{is_f32, network_from_py, pair, params_to_py, value_error};
use crate::console::Console;

/// The learning rate's course over epochs, as scikit-learn's `learning_rate`.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Schedule {
    Constant,
    /// η = η₀ / (t + 1)^power_t after each epoch, t the examples seen.
    InvScaling(f64),
    /// η ÷ 5 when the stopping rule fires, until η < 1e-6.
    Adaptive,
}

/// Everything `fit` needs besides the arrays, read from the dict the Python side builds.
struct Spec {
    activation: String,
    solver: String,
    learning_rate: f64,
    schedule: Schedule,
    batch_size: Option<usize>,
    max_iter: usize,
    tol: f64,
    n_iter_no_change: usize,
    beta_1: f64,
    beta_2: f64,
    epsilon: f64,
    momentum: f64,
    shuffle: bool,
    seed: u32,
    alpha: f64,
    keep_prob: Vec<f64>,
    n_threads: usize,
    verbose: usize,
    incremental: bool,
    epoch0: usize,
    step0: usize,
}

fn get<'py, T: FromPyObjectOwned<'py>>(d: &Bound<'py, PyDict>, key: &str) -> PyResult<T> {
    d.get_item(key)?
        .ok_or_else(|| PyValueError::new_err(format!("fit: missing setting '{key}'")))?
        .extract::<T>()
        .map_err(|e| {
            let e: PyErr = e.into();
            PyValueError::new_err(format!("fit: setting '{key}': {e}"))
        })
}

impl Spec {
    fn read(d: &Bound<'_, PyDict>) -> PyResult<Spec> {
        let schedule = match get::<String>(d, "learning_rate_schedule")?.as_str() {
            "constant" => Schedule::Constant,
            "invscaling" => Schedule::InvScaling(get(d, "power_t")?),
            "adaptive" => Schedule::Adaptive,
            other => {
                return Err(PyValueError::new_err(format!(
                    "learning_rate '{other}' is not constant, invscaling or adaptive"
                )))
            }
        };
        Ok(Spec {
            activation: get(d, "activation")?,
            solver: get(d, "solver")?,
            learning_rate: get(d, "learning_rate_init")?,
            schedule,
            batch_size: get(d, "batch_size")?,
            max_iter: get(d, "max_iter")?,
            tol: get(d, "tol")?,
            n_iter_no_change: get(d, "n_iter_no_change")?,
            beta_1: get(d, "beta_1")?,
            beta_2: get(d, "beta_2")?,
            epsilon: get(d, "epsilon")?,
            momentum: get(d, "momentum")?,
            shuffle: get(d, "shuffle")?,
            seed: get(d, "seed")?,
            alpha: get(d, "alpha")?,
            keep_prob: get(d, "keep_prob")?,
            n_threads: get::<usize>(d, "n_threads")?.max(1),
            verbose: get(d, "verbose")?,
            incremental: get(d, "incremental")?,
            epoch0: get(d, "epoch0")?,
            step0: get(d, "step0")?,
        })
    }

    /// The library's optimiser for `solver`, and the factor that turns
    /// scikit-learn's step size into the library's for it.
    ///
    /// `sgd` is scikit-learn's classical momentum, v = μ·v − η·g, θ += v; the
    /// library's momentum is the course's v = β·v + (1 − β)·g, θ −= α·v, the
    /// same update with β = μ and α = η / (1 − μ).
    fn optimizer(&self) -> PyResult<(OptimizerConfig, f64)> {
        Ok(match self.solver.as_str() {
            "gd" => (OptimizerConfig::Gd, 1.0),
            "sgd" if self.momentum == 0.0 => (OptimizerConfig::Gd, 1.0),
            "sgd" => (
                OptimizerConfig::Momentum(MomentumConfig {
                    beta: self.momentum,
                }),
                1.0 / (1.0 - self.momentum),
            ),
            "momentum" => (
                OptimizerConfig::Momentum(MomentumConfig {
                    beta: self.momentum,
                }),
                1.0,
            ),
            "rmsprop" => (
                OptimizerConfig::RmsProp(RmsPropConfig {
                    beta2: self.beta_2,
                    epsilon: self.epsilon,
                }),
                1.0,
            ),
            "adam" => (
                OptimizerConfig::Adam(AdamConfig {
                    beta1: self.beta_1,
                    beta2: self.beta_2,
                    epsilon: self.epsilon,
                }),
                1.0,
            ),
            other => {
                return Err(PyValueError::new_err(format!(
                    "solver '{other}' is not one of sgd, adam, gd, momentum, rmsprop"
                )))
            }
        })
    }

    /// Whether the library's fast full-batch loop runs the whole fit in one call.
    fn is_plain_gd(&self, validation: bool, weighted: bool) -> bool {
        let (opt, _) = self
            .optimizer()
            .unwrap_or((OptimizerConfig::Adam(AdamConfig::default()), 1.0));
        opt == OptimizerConfig::Gd
            && self.batch_size.is_none()
            && self.alpha == 0.0
            && self.keep_prob.iter().all(|&p| p >= 1.0)
            && self.schedule == Schedule::Constant
            && !validation
            && !weighted
            && !self.incremental
    }
}

/// scikit-learn's rule for ending a fit (`_update_no_improvement_count`).
struct Stopper {
    tol: f64,
    patience: usize,
    best_loss: f64,
    best_score: f64,
    count: usize,
}

impl Stopper {
    fn new(tol: f64, patience: usize) -> Self {
        Stopper {
            tol,
            patience,
            best_loss: f64::INFINITY,
            best_score: f64::NEG_INFINITY,
            count: 0,
        }
    }

    /// Counts an epoch by its training loss; true when the rule fires.
    fn on_loss(&mut self, loss: f64) -> bool {
        if loss > self.best_loss - self.tol {
            self.count += 1;
        } else {
            self.count = 0;
        }
        self.best_loss = self.best_loss.min(loss);
        self.count > self.patience
    }

    /// Counts an epoch by its validation score; true when the rule fires.
    /// `improved` says whether this score is the best so far.
    fn on_score(&mut self, score: f64, improved: &mut bool) -> bool {
        if score < self.best_score + self.tol {
            self.count += 1;
        } else {
            self.count = 0;
        }
        *improved = score > self.best_score;
        if *improved {
            self.best_score = score;
        }
        self.count > self.patience
    }
}

/// What one fit did.
struct Outcome<T: Float> {
    net: Network<T>,
    optimizer: Optimizer<T>,
    loss_curve: Vec<f64>,
    validation_scores: Vec<f64>,
    epochs: usize,
    steps: usize,
    stop: &'static str,
}

/// Trains the network given by `params` on X (m × n_x) and targets Y (m × k:
/// one column of 0/1, or k ≥ 2 one-hot columns).
///
/// `validation` is (X_val, labels_val as class indices) for early stopping
/// on validation accuracy; `opt_state` continues an optimiser (partial_fit).
/// Returns a dict: `params`, `opt_state`, `loss_curve`, `validation_scores`,
/// `n_iter` (epochs run), `steps` (updates run), `stop` ("converged",
/// "max_iter", "interrupted", or "lr" when an adaptive rate fell below 1e-6).
#[pyfunction]
#[pyo3(signature = (x, y, params, spec, opt_state=None, validation=None, sample_weight=None))]
#[allow(clippy::too_many_arguments)]
pub fn fit<'py>(
    py: Python<'py>,
    x: &Bound<'py, PyAny>,
    y: &Bound<'py, PyAny>,
    params: &Bound<'py, PyAny>,
    spec: &Bound<'py, PyDict>,
    opt_state: Option<&Bound<'py, PyAny>>,
    validation: Option<&Bound<'py, PyAny>>,
    sample_weight: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyDict>> {
    if is_f32(x)? {
        fit_typed::<f32>(py, x, y, params, spec, opt_state, validation, sample_weight)
    } else {
        fit_typed::<f64>(py, x, y, params, spec, opt_state, validation, sample_weight)
    }
}

#[allow(clippy::too_many_arguments)]
fn fit_typed<'py, T: Float + Element>(
    py: Python<'py>,
    x: &Bound<'py, PyAny>,
    y: &Bound<'py, PyAny>,
    params: &Bound<'py, PyAny>,
    spec: &Bound<'py, PyDict>,
    opt_state: Option<&Bound<'py, PyAny>>,
    validation: Option<&Bound<'py, PyAny>>,
    sample_weight: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyDict>> {
    let spec = Spec::read(spec)?;
    let (opt_config, _) = spec.optimizer()?;
    let mut net: Network<T> = network_from_py(params, &spec.activation)?;
    net.set_threads(Threads(spec.n_threads));
    let x: PyReadonlyArray2<'py, T> = x.extract()?;
    let y: PyReadonlyArray2<'py, T> = y.extract()?;
    let weights: Option<PyReadonlyArray1<'py, f64>> = match sample_weight.filter(|s| !s.is_none()) {
        Some(w) => Some(w.extract()?),
        None => None,
    };
    let weights: Option<Vec<f64>> = weights.map(|w| w.as_array().to_vec());
    let validation: Option<(PyReadonlyArray2<'py, T>, PyReadonlyArray1<'py, i64>)> =
        match validation.filter(|v| !v.is_none()) {
            Some(v) => Some((v.get_item(0)?.extract()?, v.get_item(1)?.extract()?)),
            None => None,
        };
    let mut optimizer = Optimizer::<T>::new(opt_config);
    if let Some(state) = opt_state.filter(|s| !s.is_none()) {
        optimizer.t = state.get_item(0)?.extract()?;
        for slot in state.get_item(1)?.try_iter()? {
            let slot = slot?;
            let v: PyReadonlyArray2<'py, T> = slot.get_item(0)?.extract()?;
            let s: PyReadonlyArray2<'py, T> = slot.get_item(1)?.extract()?;
            optimizer.slots.push(Slot {
                v: v.as_array().to_owned(),
                s: s.as_array().to_owned(),
            });
        }
    }
    // The notes' X and Y: transposes of scikit-learn's, as views (no copy).
    let (xv, yv) = (x.as_array().reversed_axes(), y.as_array().reversed_axes());
    if xv.nrows() != net.sizes()[0] || yv.ncols() != xv.ncols() {
        return Err(PyValueError::new_err(format!(
            "X is {}×{} and Y {}×{} for a network taking {} features",
            xv.ncols(),
            xv.nrows(),
            yv.ncols(),
            yv.nrows(),
            net.sizes()[0]
        )));
    }
    let val = validation
        .as_ref()
        .map(|(vx, vl)| (vx.as_array().reversed_axes(), vl.as_array()));
    let outcome = py
        .detach(|| run(net, optimizer, xv, yv, val, weights.as_deref(), &spec))
        .map_err(value_error)?;
    let out = PyDict::new(py);
    out.set_item("params", params_to_py(py, &outcome.net)?)?;
    let slots = outcome
        .optimizer
        .slots
        .into_iter()
        .map(|s| pair(py, s.v, s.s))
        .collect::<PyResult<Vec<_>>>()?;
    out.set_item("opt_state", (outcome.optimizer.t, PyList::new(py, slots)?))?;
    out.set_item("loss_curve", outcome.loss_curve.into_pyarray(py))?;
    out.set_item("validation_scores", outcome.validation_scores)?;
    out.set_item("n_iter", outcome.epochs)?;
    out.set_item("steps", outcome.steps)?;
    out.set_item("stop", outcome.stop)?;
    Ok(out)
}

/// The training itself, without the GIL.
fn run<T: Float>(
    mut net: Network<T>,
    optimizer: Optimizer<T>,
    x: ArrayView2<'_, T>,
    y: ArrayView2<'_, T>,
    validation: Option<(ArrayView2<'_, T>, ArrayView1<'_, i64>)>,
    weights: Option<&[f64]>,
    spec: &Spec,
) -> Result<Outcome<T>, backprop::Error> {
    let mut console = Console::new(spec.verbose);
    let mut stopper = Stopper::new(spec.tol, spec.n_iter_no_change);
    if spec.is_plain_gd(validation.is_some(), weights.is_some()) {
        return run_plain(net, optimizer, x, y, spec, &mut console, &mut stopper);
    }
    if validation.is_none() && spec.schedule == Schedule::Constant {
        return run_epochs(
            net,
            optimizer,
            x,
            y,
            weights,
            spec,
            &mut console,
            &mut stopper,
        );
    }
    let (opt_config, lr_factor) = spec.optimizer().expect("checked before");
    let m = x.ncols();
    let mut config = epoch_config(spec, spec.epoch0 + 1);
    let mut state = TrainState::new(&config);
    state.optimizer = optimizer;
    state.epoch = spec.epoch0;
    state.step = spec.step0;
    let mut lr = spec.learning_rate;
    let mut out = Outcome {
        net: net.clone(),
        optimizer: Optimizer::new(opt_config),
        loss_curve: Vec::new(),
        validation_scores: Vec::new(),
        epochs: 0,
        steps: 0,
        stop: "max_iter",
    };
    let mut best: Option<Vec<(Array2<T>, Array2<T>)>> = None;
    let epochs = if spec.incremental { 1 } else { spec.max_iter };
    for e in 0..epochs {
        config.epochs = Some(spec.epoch0 + e + 1);
        config.learning_rate = lr * lr_factor;
        state.history.costs.clear();
        let done = Trainer::new(config.clone()).run(
            &mut net,
            x,
            y,
            state,
            Extras {
                weights,
                ..Extras::default()
            },
            &mut |_| {},
        )?;
        state = done.state;
        let loss = state.history.final_cost;
        out.loss_curve.push(loss);
        out.epochs += 1;
        console.cost(spec.epoch0 + e, loss);
        let fired = match validation {
            Some((vx, labels)) => {
                let score = accuracy(&net, vx, labels);
                out.validation_scores.push(score);
                let mut improved = false;
                let fired = stopper.on_score(score, &mut improved);
                if improved {
                    best = Some(
                        net.layers()
                            .iter()
                            .map(|l| (l.w.clone(), l.b.clone()))
                            .collect(),
                    );
                }
                fired
            }
            None => stopper.on_loss(loss),
        };
        if let Schedule::InvScaling(power) = spec.schedule {
            let seen = ((spec.epoch0 + e + 1) * m) as f64;
            lr = spec.learning_rate / (seen + 1.0).powf(power);
        }
        if console.interrupted(true) {
            out.stop = "interrupted";
            break;
        }
        if fired && !spec.incremental {
            if spec.schedule == Schedule::Adaptive && spec.solver != "adam" {
                if lr <= 1e-6 {
                    out.stop = "lr";
                    break;
                }
                lr /= 5.0;
                stopper.count = 0;
            } else {
                out.stop = "converged";
                break;
            }
        }
    }
    if let Some(params) = best {
        for (layer, (w, b)) in net.layers_mut().iter_mut().zip(params) {
            layer.w = w;
            layer.b = b;
        }
    }
    out.steps = state.step - spec.step0;
    out.optimizer = state.optimizer;
    out.net = net;
    Ok(out)
}

/// The library's settings for an epoch run of `epochs` epochs in all.
fn epoch_config(spec: &Spec, epochs: usize) -> GdConfig {
    let (opt_config, lr_factor) = spec.optimizer().expect("checked before");
    GdConfig {
        learning_rate: spec.learning_rate * lr_factor,
        iterations: 0,
        record_every: Some(1),
        batch_size: spec.batch_size,
        epochs: Some(epochs),
        optimizer: opt_config,
        l2: spec.alpha,
        keep_prob: spec.keep_prob.clone(),
        seed: spec.seed,
        shuffle: spec.shuffle,
        ..GdConfig::default()
    }
}

/// A constant learning rate and no validation set: all epochs in one call of
/// the library's trainer (no setup between epochs); the observer applies the
/// stopping rule, prints and checks for Ctrl-C after each epoch.
#[allow(clippy::too_many_arguments)]
fn run_epochs<T: Float>(
    mut net: Network<T>,
    optimizer: Optimizer<T>,
    x: ArrayView2<'_, T>,
    y: ArrayView2<'_, T>,
    weights: Option<&[f64]>,
    spec: &Spec,
    console: &mut Console,
    stopper: &mut Stopper,
) -> Result<Outcome<T>, backprop::Error> {
    let epochs = if spec.incremental { 1 } else { spec.max_iter };
    let config = epoch_config(spec, spec.epoch0 + epochs);
    let mut state = TrainState::new(&config);
    state.optimizer = optimizer;
    state.epoch = spec.epoch0;
    state.step = spec.step0;
    let stop = AtomicBool::new(false);
    let mut reason = "max_iter";
    let mut loss_curve = Vec::with_capacity(epochs);
    let done = Trainer::new(config).run(
        &mut net,
        x,
        y,
        state,
        Extras {
            weights,
            stop: Some(&stop),
            ..Extras::default()
        },
        &mut |p| {
            loss_curve.push(p.cost);
            console.cost(p.iteration, p.cost);
            if console.interrupted(true) {
                reason = "interrupted";
                stop.store(true, Ordering::SeqCst);
            } else if stopper.on_loss(p.cost) && !spec.incremental {
                reason = "converged";
                stop.store(true, Ordering::SeqCst);
            }
        },
    )?;
    let state = done.state;
    Ok(Outcome {
        net,
        optimizer: state.optimizer,
        validation_scores: Vec::new(),
        epochs: loss_curve.len(),
        loss_curve,
        steps: state.step - spec.step0,
        stop: reason,
    })
}

/// Plain full-batch gradient descent: one call of the library's fast loop;
/// the observer applies the stopping rule and the signal checks per iteration.
fn run_plain<T: Float>(
    mut net: Network<T>,
    optimizer: Optimizer<T>,
    x: ArrayView2<'_, T>,
    y: ArrayView2<'_, T>,
    spec: &Spec,
    console: &mut Console,
    stopper: &mut Stopper,
) -> Result<Outcome<T>, backprop::Error> {
    let config = GdConfig {
        learning_rate: spec.learning_rate,
        iterations: spec.max_iter,
        record_every: Some(1),
        ..GdConfig::default()
    };
    let stop = AtomicBool::new(false);
    let mut reason = "max_iter";
    let history = engine::fit_with(
        &mut net,
        x,
        y,
        None,
        &config,
        Path::Auto,
        Some(&stop),
        &mut |p| {
            console.cost(spec.epoch0 + p.iteration, p.cost);
            if stopper.on_loss(p.cost) {
                reason = "converged";
                stop.store(true, Ordering::SeqCst);
            }
            if console.interrupted(false) {
                reason = "interrupted";
                stop.store(true, Ordering::SeqCst);
            }
        },
    )?;
    Ok(Outcome {
        net,
        optimizer,
        loss_curve: history.costs.iter().map(|c| c.1).collect(),
        validation_scores: Vec::new(),
        epochs: history.iterations,
        steps: history.iterations,
        stop: reason,
    })
}

/// The fraction of columns of X whose predicted class is the label.
fn accuracy<T: Float>(net: &Network<T>, x: ArrayView2<'_, T>, labels: ArrayView1<'_, i64>) -> f64 {
    let predicted = net.predict(x);
    let right = predicted
        .iter()
        .zip(labels)
        .filter(|(p, &l)| p.as_f64() as i64 == l)
        .count();
    right as f64 / labels.len().max(1) as f64
}
