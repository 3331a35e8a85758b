//! `_core.fit`: trains a network with the GIL released and returns the new
//! weights, the optimiser's state and the record of the fit.
//!
//! One road: the library's training loop ([`Session`]) on an epoch run,
//! advanced one epoch at a time. Between epochs come scikit-learn's rules,
//! which the library has no setting for: the stopping rule (training loss,
//! or validation accuracy with the best weights kept, not better by `tol`
//! for more than `n_iter_no_change` epochs), the `adaptive` and `invscaling`
//! learning rates ([`Session::set_learning_rate`]), the course's "Cost after
//! iteration i" lines, and Ctrl-C: Python's signal handlers run only on the
//! main thread holding the GIL, so the loop takes the GIL back briefly to run
//! them, and a KeyboardInterrupt ends the fit. The planner keeps its fast
//! roads: a full-batch `gd` epoch is one update on the Gram, fused, streamed
//! or layered road, as `backprop train` takes it.
//!
//! `partial_fit` and `warm_start` continue a run: the epoch count (so the
//! shuffles and dropout masks go on where they were) and, for `partial_fit`,
//! the optimiser's moments. Sample weights (`sample_weight` × `class_weight`)
//! are the library's per-example weights: J = Σ wᵢ·lᵢ / Σ wᵢ.

use backprop::engine::{Advanced, Controls, Parameters, Session, Start, TrainState, TrainingData};
use backprop::optim::{Optimizer, Slot};
use backprop::{Error, Float, GdConfig, Network, NumpyRng, Threads};
use ndarray::{Array2, ArrayView1};
use numpy::{Element, IntoPyArray, PyReadonlyArray1, PyReadonlyArray2};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

use crate::arrays::{is_f32, pair, params_from_py, params_to_py, value_error};
use crate::console::Console;
use crate::spec::{Checked, Schedule};

/// The smallest learning rate `adaptive` divides down to (scikit-learn's).
const SMALLEST_ADAPTIVE_RATE: f64 = 1e-6;

/// `fit`'s arrays and state, as Python gives them.
struct Inputs<'a, 'py> {
    x: &'a Bound<'py, PyAny>,
    labels: &'a Bound<'py, PyAny>,
    seed: u32,
    params: Option<&'a Bound<'py, PyAny>>,
    opt_state: Option<&'a Bound<'py, PyAny>>,
    epochs_done: usize,
    validation: Option<&'a Bound<'py, PyAny>>,
    sample_weight: Option<&'a Bound<'py, PyAny>>,
}

/// An optional argument, `None` when Python passed None.
fn given<'a, 'py>(v: Option<&'a Bound<'py, PyAny>>) -> Option<&'a Bound<'py, PyAny>> {
    v.filter(|v| !v.is_none())
}

/// Trains on X (m × n_x) and `labels` (class indices, length m) with the
/// settings `spec` (from `_core.check`).
///
/// `params` are the starting weights ((W, b) pairs in the notes' shapes;
/// `None`: the library draws them as `spec`'s `init` says from its seed);
/// `opt_state` continues an optimiser (partial_fit) and `epochs_done` a run;
/// `validation` is (X_val, labels_val) for scikit-learn's early stopping.
/// Returns a dict: `params`, `opt_state`, `loss_curve`, `validation_scores`,
/// `n_iter` (epochs run), `stop` ("converged", "max_iter", "interrupted",
/// or "lr" when an adaptive rate fell below 1e-6).
#[pyfunction]
#[pyo3(signature = (x, labels, spec, seed, params=None, opt_state=None, epochs_done=0, validation=None, sample_weight=None))]
#[allow(clippy::too_many_arguments)]
pub fn fit<'py>(
    py: Python<'py>,
    x: &Bound<'py, PyAny>,
    labels: &Bound<'py, PyAny>,
    spec: &Bound<'py, Checked>,
    seed: u32,
    params: Option<&Bound<'py, PyAny>>,
    opt_state: Option<&Bound<'py, PyAny>>,
    epochs_done: usize,
    validation: Option<&Bound<'py, PyAny>>,
    sample_weight: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyDict>> {
    let inputs = Inputs {
        x,
        labels,
        seed,
        params: given(params),
        opt_state: given(opt_state),
        epochs_done,
        validation: given(validation),
        sample_weight: given(sample_weight),
    };
    if is_f32(x)? {
        fit_typed::<f32>(py, spec.get(), inputs)
    } else {
        fit_typed::<f64>(py, spec.get(), inputs)
    }
}

fn fit_typed<'py, T: Float + Element>(
    py: Python<'py>,
    spec: &Checked,
    inputs: Inputs<'_, 'py>,
) -> PyResult<Bound<'py, PyDict>> {
    let x: PyReadonlyArray2<'py, T> = inputs.x.extract()?;
    let labels: PyReadonlyArray1<'py, i64> = inputs.labels.extract()?;
    let net = start_network::<T>(spec, inputs.params, inputs.seed)?;
    let y = targets::<T>(labels.as_array(), spec.classes)?;
    let validation = match inputs.validation {
        Some(v) => {
            let vx: PyReadonlyArray2<'py, T> = v.get_item(0)?.extract()?;
            let vl: PyReadonlyArray1<'py, i64> = v.get_item(1)?.extract()?;
            let rows = vl
                .as_array()
                .mapv(|l| T::cast(l as f64))
                .insert_axis(ndarray::Axis(0));
            Some((vx, targets::<T>(vl.as_array(), spec.classes)?, rows))
        }
        None => None,
    };
    let weights: Option<Vec<f64>> = match inputs.sample_weight {
        Some(w) => Some(
            w.extract::<PyReadonlyArray1<'py, f64>>()?
                .as_array()
                .to_vec(),
        ),
        None => None,
    };
    let m = labels.as_array().len();
    let run = Run {
        spec,
        seed: inputs.seed,
    };
    let state = train_state::<T>(run, inputs.opt_state, inputs.epochs_done, m)?;
    // The notes' X: the transpose of scikit-learn's, as a view (no copy).
    let data = TrainingData {
        x: x.as_array().reversed_axes().into(),
        y: y.view().into(),
        test: None,
        validation: validation.as_ref().map(|(vx, vy, vl)| {
            let vx = vx.as_array().reversed_axes();
            (vx.into(), vy.view().into(), vl.view().into())
        }),
        weights: weights.as_deref(),
    };
    let outcome = py
        .detach(|| train(net, data, run, state))
        .map_err(value_error)?;
    outcome.into_py(py)
}

/// The network to train: the given weights, or the library's initialisation.
fn start_network<T: Float + Element>(
    spec: &Checked,
    params: Option<&Bound<'_, PyAny>>,
    seed: u32,
) -> PyResult<Network<T>> {
    let g = spec.model.activation;
    let mut net = match (params, spec.init) {
        (Some(p), _) => Network::from_parameters(params_from_py(p)?, g),
        (None, Some(init)) => Network::new(&spec.sizes, g, init, &mut NumpyRng::new(seed)),
        (None, None) => return Err(PyValueError::new_err("fit: no starting weights")),
    }
    .map_err(value_error)?;
    if net.sizes() != spec.sizes {
        return Err(PyValueError::new_err(format!(
            "the weights' layers {:?} are not the settings' {:?}; fit afresh (warm_start=False)",
            net.sizes(),
            spec.sizes
        )));
    }
    net.set_threads(Threads(spec.model.threads));
    Ok(net)
}

/// The targets of `labels` (class indices): 1 × m of 0/1 for two classes,
/// one-hot K × m for more.
fn targets<T: Float>(labels: ArrayView1<'_, i64>, classes: usize) -> PyResult<Array2<T>> {
    if let Some(bad) = labels.iter().find(|&&l| l < 0 || l as usize >= classes) {
        return Err(PyValueError::new_err(format!(
            "label index {bad} is not one of the {classes} classes"
        )));
    }
    let m = labels.len();
    Ok(if classes <= 2 {
        Array2::from_shape_fn((1, m), |(_, j)| T::cast(labels[j] as f64))
    } else {
        Array2::from_shape_fn((classes, m), |(c, j)| {
            if labels[j] as usize == c {
                T::one()
            } else {
                T::zero()
            }
        })
    })
}

/// Where the run stands: `epochs_done` epochs on `m` examples, and the
/// optimiser's (t, [(v, s), …]) when `partial_fit` continues it.
fn train_state<T: Float + Element>(
    run: Run<'_>,
    opt_state: Option<&Bound<'_, PyAny>>,
    epochs_done: usize,
    m: usize,
) -> PyResult<TrainState<T>> {
    let config = run.config(epochs_done.saturating_add(1));
    let mut state = TrainState::new(&config);
    if let Some(saved) = opt_state {
        state.optimizer = optimizer_from_py(&config.optimizer, saved)?;
    }
    let batches = m.div_ceil(config.batch_size_for(m));
    state.epoch = epochs_done;
    state.step = epochs_done.saturating_mul(batches);
    Ok(state)
}

fn optimizer_from_py<T: Float + Element>(
    config: &backprop::optim::OptimizerConfig,
    saved: &Bound<'_, PyAny>,
) -> PyResult<Optimizer<T>> {
    let mut optimizer = Optimizer::<T>::new(*config);
    optimizer.t = saved.get_item(0)?.extract()?;
    for slot in saved.get_item(1)?.try_iter()? {
        let slot = slot?;
        let v: PyReadonlyArray2<'_, T> = slot.get_item(0)?.extract()?;
        let s: PyReadonlyArray2<'_, T> = slot.get_item(1)?.extract()?;
        let (v, s) = (v.as_array().to_owned(), s.as_array().to_owned());
        // Plain gradient descent's slots are empty; the others' v and s alike.
        if v.dim() != s.dim() && !v.is_empty() && !s.is_empty() {
            return Err(PyValueError::new_err("the optimiser's state does not fit"));
        }
        optimizer.slots.push(Slot { v, s });
    }
    Ok(optimizer)
}

/// The settings of a fit and the seed of its random streams.
#[derive(Clone, Copy)]
struct Run<'s> {
    spec: &'s Checked,
    seed: u32,
}

impl Run<'_> {
    fn config(&self, epochs: usize) -> GdConfig {
        self.spec.config(epochs, self.seed)
    }
}

/// What one fit did.
struct Outcome<T: Float> {
    net: Network<T>,
    optimizer: Optimizer<T>,
    loss_curve: Vec<f64>,
    validation_scores: Vec<f64>,
    epochs: usize,
    stop: &'static str,
}

impl<T: Float + Element> Outcome<T> {
    fn into_py(self, py: Python<'_>) -> PyResult<Bound<'_, PyDict>> {
        let out = PyDict::new(py);
        out.set_item("params", params_to_py(py, &self.net)?)?;
        let slots = self
            .optimizer
            .slots
            .into_iter()
            .map(|s| pair(py, s.v, s.s))
            .collect::<PyResult<Vec<_>>>()?;
        out.set_item("opt_state", (self.optimizer.t, PyList::new(py, slots)?))?;
        out.set_item("loss_curve", self.loss_curve.into_pyarray(py))?;
        out.set_item("validation_scores", self.validation_scores)?;
        out.set_item("n_iter", self.epochs)?;
        out.set_item("stop", self.stop)?;
        Ok(out)
    }
}

/// The training itself, without the GIL: a session advanced an epoch at a
/// time, scikit-learn's rules applied after each.
fn train<T: Float>(
    net: Network<T>,
    data: TrainingData<'_, T>,
    run: Run<'_>,
    state: TrainState<T>,
) -> Result<Outcome<T>, Error> {
    let spec = run.spec;
    let (epoch0, m) = (state.epoch, data.x.ncols());
    let epochs = if spec.rules.incremental {
        1
    } else {
        spec.model.gd.total_units()
    };
    let config = run.config(epoch0.saturating_add(epochs));
    let start = Start {
        state: Some(state),
        ..Start::default()
    };
    let mut session = Session::start(net, data, config, start)?;
    let mut watch = Watch::new(spec, m);
    let stop = loop {
        let advanced = session.advance(1, &mut Controls::default())?;
        if let Some(reason) = watch.after_epoch(&mut session)? {
            break reason;
        }
        if advanced != Advanced::Paused {
            break "max_iter";
        }
    };
    let (mut net, state) = session.finish();
    if let Some(best) = watch.best {
        for (layer, (w, b)) in net.layers_mut().iter_mut().zip(best) {
            layer.w = w;
            layer.b = b;
        }
    }
    let h = state.history;
    Ok(Outcome {
        net,
        optimizer: state.optimizer,
        loss_curve: h.costs.iter().map(|c| c.1).collect(),
        validation_scores: h.validation_accuracies.iter().map(|a| a.1).collect(),
        epochs: state.epoch - epoch0,
        stop,
    })
}

/// scikit-learn's rules between epochs: the stopping rule, the schedules,
/// the best weights, the printed costs, Ctrl-C.
struct Watch<'s, T: Float> {
    spec: &'s Checked,
    m: usize,
    stopper: Stopper,
    console: Console,
    /// scikit-learn's step size η now.
    rate: f64,
    /// Early stopping: the weights of the best validation score.
    best: Option<Parameters<T>>,
}

impl<'s, T: Float> Watch<'s, T> {
    fn new(spec: &'s Checked, m: usize) -> Self {
        Watch {
            spec,
            m,
            stopper: Stopper::new(spec.rules.tol, spec.rules.patience),
            console: Console::new(spec.rules.verbose),
            rate: spec.model.gd.learning_rate,
            best: None,
        }
    }

    /// Applies the rules to the epoch just run; `Some(reason)` ends the fit.
    fn after_epoch(&mut self, session: &mut Session<'_, T>) -> Result<Option<&'static str>, Error> {
        let epoch = session.units_done() - 1;
        let h = session.history();
        let loss = h.final_cost;
        self.console.cost(epoch, loss);
        let fired = match h.validation_at(epoch) {
            Some((_, score)) => {
                let (fired, improved) = self.stopper.on_score(score);
                if improved {
                    keep(&mut self.best, session.network());
                }
                fired
            }
            None => self.stopper.on_loss(loss),
        };
        if let Schedule::InvScaling(power) = self.spec.rules.schedule {
            let seen = (epoch + 1) as f64 * self.m as f64;
            self.rate = self.spec.model.gd.learning_rate / (seen + 1.0).powf(power);
            if !self.set_rate(session)? {
                return Ok(Some("lr"));
            }
        }
        if self.console.interrupted(false) {
            return Ok(Some("interrupted"));
        }
        if !fired || self.spec.rules.incremental {
            return Ok(None);
        }
        if !self.spec.adapts() {
            return Ok(Some("converged"));
        }
        if self.rate <= SMALLEST_ADAPTIVE_RATE {
            return Ok(Some("lr"));
        }
        self.rate /= 5.0;
        self.stopper.count = 0;
        Ok((!self.set_rate(session)?).then_some("lr"))
    }

    /// Gives the session the rate η now; false when it has decayed to nothing.
    fn set_rate(&self, session: &mut Session<'_, T>) -> Result<bool, Error> {
        let alpha = self.spec.library_rate(self.rate);
        if !(alpha > 0.0 && alpha.is_finite()) {
            return Ok(false);
        }
        session.set_learning_rate(alpha)?;
        Ok(true)
    }
}

/// Copies the network's weights into `best` (in place after the first time).
fn keep<T: Float>(best: &mut Option<Parameters<T>>, net: &Network<T>) {
    match best {
        Some(params) => {
            for ((w, b), layer) in params.iter_mut().zip(net.layers()) {
                w.assign(&layer.w);
                b.assign(&layer.b);
            }
        }
        None => {
            *best = Some(
                net.layers()
                    .iter()
                    .map(|l| (l.w.clone(), l.b.clone()))
                    .collect(),
            )
        }
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

    /// Counts an epoch by its validation score: (whether the rule fires,
    /// whether this score is the best so far).
    fn on_score(&mut self, score: f64) -> (bool, bool) {
        if score < self.best_score + self.tol {
            self.count += 1;
        } else {
            self.count = 0;
        }
        let improved = score > self.best_score;
        if improved {
            self.best_score = score;
        }
        (self.count > self.patience, improved)
    }
}
