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
use backprop::{Error, Float, GdConfig, Network, NumpyRng, Output, Threads};
use ndarray::Array2;
use numpy::{Element, IntoPyArray, PyReadonlyArray1, PyReadonlyArray2};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

use crate::arrays::{is_f32, pair, params_from_py, value_error};
use crate::console::Console;
use crate::rules::{Course, Stopper};
use crate::sparse::Input;
use crate::spec::Checked;

mod lbfgs;
mod targets;

/// `fit`'s arrays, as Python gives them.
struct Inputs<'a, 'py> {
    x: &'a Bound<'py, PyAny>,
    labels: &'a Bound<'py, PyAny>,
    params: Option<&'a Bound<'py, PyAny>>,
    validation: Option<&'a Bound<'py, PyAny>>,
    sample_weight: Option<&'a Bound<'py, PyAny>>,
}

/// An optional argument, `None` when Python passed None.
fn given<'a, 'py>(v: Option<&'a Bound<'py, PyAny>>) -> Option<&'a Bound<'py, PyAny>> {
    v.filter(|v| !v.is_none())
}

/// Trains on X (m × n_x) and `labels` (class indices, length m; for a
/// multi-label spec the m × K indicator matrix of 0/1) with the
/// settings `spec` (from `_core.check`), continuing `run`.
///
/// `run` is where the run stands, as the estimator keeps it between fits:
/// `seed` (of the shuffles and dropout masks, and of the library's
/// initialisation), `epochs_done`, and for `warm_start` and `partial_fit`
/// the stopping rule's `stopper` (count, best loss, best score), for
/// `partial_fit` also the optimiser's `opt_state` (t, [(v, s), …]) and the
/// step size `rate` it had reached. `params` are the starting weights ((W, b)
/// pairs in the notes' shapes; `None`: the library draws them as `spec`'s
/// `init` says); `seen` counts the examples seen so far (scikit-learn's
/// `t_`, of the `invscaling` rate); `validation` is (X_val, labels_val) for scikit-learn's
/// early stopping. Returns a dict: `params`, `opt_state`, `rate`, `stopper`,
/// `loss_curve`, `validation_scores`, `n_iter` (epochs run), `stop`
/// ("converged", "max_iter", "interrupted", or "lr" when an adaptive rate
/// fell below 1e-6; lbfgs's "max_fun" and "line_search") and `loss` (the
/// last epoch's, or the cost at L-BFGS's final weights).
#[pyfunction]
#[pyo3(signature = (x, labels, spec, run, params=None, validation=None, sample_weight=None))]
#[allow(clippy::too_many_arguments)] // Python's keyword arguments
pub fn fit<'py>(
    py: Python<'py>,
    x: &Bound<'py, PyAny>,
    labels: &Bound<'py, PyAny>,
    spec: &Bound<'py, Checked>,
    run: &Bound<'py, PyDict>,
    params: Option<&Bound<'py, PyAny>>,
    validation: Option<&Bound<'py, PyAny>>,
    sample_weight: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyDict>> {
    let inputs = Inputs {
        x,
        labels,
        params: given(params),
        validation: given(validation),
        sample_weight: given(sample_weight),
    };
    if is_f32(x)? {
        fit_typed::<f32>(py, spec.get(), run, inputs)
    } else {
        fit_typed::<f64>(py, spec.get(), run, inputs)
    }
}

fn fit_typed<'py, T: Float + Element>(
    py: Python<'py>,
    spec: &Checked,
    run: &Bound<'py, PyDict>,
    inputs: Inputs<'_, 'py>,
) -> PyResult<Bound<'py, PyDict>> {
    let x = Input::<T>::read(inputs.x)?;
    let carried = Carried::<T>::read(run, spec)?;
    let net = start_network::<T>(spec, inputs.params, carried.seed)?;
    let (y, _) = targets::read::<T>(inputs.labels, spec)?;
    let validation = match inputs.validation {
        Some(v) => Some(validation_set::<T>(v, spec)?),
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
    // The notes' X: the transpose of scikit-learn's, as a view (no copy);
    // a sparse X by its columns, never densified.
    let mut data = TrainingData::new(x.matrix(), y.view());
    data.sparse = x.sparse();
    data.validation = validation
        .as_ref()
        .map(|(vx, vy, vl)| (vx.matrix().into(), vy.view().into(), vl.view().into()));
    data.sparse_validation = validation.as_ref().and_then(|(vx, _, _)| vx.sparse());
    data.weights = weights.as_deref();
    let outcome = py
        .detach(|| train(net, data, spec, carried))
        .map_err(value_error)?;
    outcome.into_py(py)
}

/// The validation set (X_val, labels): X, its targets and the labels as
/// the accuracy compares them ([`targets::read`]).
fn validation_set<'py, T: Float + Element>(
    v: &Bound<'py, PyAny>,
    spec: &Checked,
) -> PyResult<(Input<'py, T>, Array2<T>, Array2<T>)> {
    let x = Input::<T>::read(&v.get_item(0)?)?;
    let (y, compared) = targets::read::<T>(&v.get_item(1)?, spec)?;
    Ok((x, y, compared))
}

/// The network to train: the given weights, or the library's initialisation.
fn start_network<T: Float + Element>(
    spec: &Checked,
    params: Option<&Bound<'_, PyAny>>,
    seed: u32,
) -> PyResult<Network<T>> {
    let g = spec.model.activation;
    let mut net = match (params, spec.init, &spec.front) {
        (Some(p), _, Some(front)) => front.network(p, g)?,
        (None, Some(init), Some(front)) => Network::builder(&spec.sizes)
            .picture(front.picture, &front.layers)
            .activation(g)
            .init(init)
            .seed(seed)
            .build()
            .map_err(value_error)?,
        (Some(p), _, None) => {
            Network::from_parameters(params_from_py(p)?, g).map_err(value_error)?
        }
        (None, Some(init), None) => {
            Network::new(&spec.sizes, g, init, &mut NumpyRng::new(seed)).map_err(value_error)?
        }
        (None, None, _) => return Err(PyValueError::new_err("fit: no starting weights")),
    };
    if spec.multilabel {
        net.set_output(Output::Sigmoids).map_err(value_error)?;
    }
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

/// Where a run stands between fits (see [`fit`]'s `run`).
struct Carried<T: Float> {
    seed: u32,
    epochs_done: usize,
    optimizer: Option<Optimizer<T>>,
    /// scikit-learn's step size η to go on with.
    rate: f64,
    stopper: Stopper,
    /// Examples seen so far (scikit-learn's `t_`).
    seen: usize,
}

impl<T: Float + Element> Carried<T> {
    fn read(run: &Bound<'_, PyDict>, spec: &Checked) -> PyResult<Self> {
        let get = |key: &str| -> PyResult<Option<Bound<'_, PyAny>>> {
            Ok(run.get_item(key)?.filter(|v| !v.is_none()))
        };
        let stopper = match get("stopper")? {
            Some(s) => {
                let (count, best_loss, best_score) = s.extract()?;
                Stopper {
                    count,
                    best_loss,
                    best_score,
                }
            }
            None => Stopper::default(),
        };
        Ok(Carried {
            seed: get("seed")?.map_or(Ok(0), |s| s.extract())?,
            epochs_done: get("epochs_done")?.map_or(Ok(0), |e| e.extract())?,
            optimizer: match get("opt_state")? {
                Some(saved) => Some(optimizer_from_py(spec, &saved)?),
                None => None,
            },
            rate: get("rate")?.map_or(Ok(spec.model.gd.learning_rate), |r| r.extract())?,
            stopper,
            seen: get("seen")?.map_or(Ok(0), |t| t.extract())?,
        })
    }
}

impl<T: Float> Carried<T> {
    /// The library's state of the run: `epochs_done` epochs on `m`
    /// examples, the optimiser's moments when they go on.
    fn state(&mut self, config: &GdConfig, m: usize) -> TrainState<T> {
        let mut state = TrainState::new(config);
        if let Some(optimizer) = self.optimizer.take() {
            state.optimizer = optimizer;
        }
        let batches = m.div_ceil(config.batch_size_for(m));
        state.epoch = self.epochs_done;
        state.step = self.epochs_done.saturating_mul(batches);
        state
    }
}

/// The optimiser's (t, [(v, s), …]) as Python keeps it.
fn optimizer_from_py<T: Float + Element>(
    spec: &Checked,
    saved: &Bound<'_, PyAny>,
) -> PyResult<Optimizer<T>> {
    let mut optimizer = Optimizer::<T>::new(spec.model.gd.optimizer);
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

/// What one fit did.
struct Outcome<T: Float> {
    net: Network<T>,
    optimizer: Optimizer<T>,
    rate: f64,
    stopper: Stopper,
    loss_curve: Vec<f64>,
    validation_scores: Vec<f64>,
    epochs: usize,
    /// The cost at the final weights (scikit-learn's `loss_`).
    loss: f64,
    stop: &'static str,
}

impl<T: Float + Element> Outcome<T> {
    fn into_py(self, py: Python<'_>) -> PyResult<Bound<'_, PyDict>> {
        let out = PyDict::new(py);
        out.set_item("params", crate::picture::params_to_py(py, &self.net)?)?;
        let slots = self
            .optimizer
            .slots
            .into_iter()
            .map(|s| pair(py, s.v, s.s))
            .collect::<PyResult<Vec<_>>>()?;
        out.set_item("opt_state", (self.optimizer.t, PyList::new(py, slots)?))?;
        out.set_item("rate", self.rate)?;
        let s = self.stopper;
        out.set_item("stopper", (s.count, s.best_loss, s.best_score))?;
        out.set_item("loss_curve", self.loss_curve.into_pyarray(py))?;
        out.set_item("validation_scores", self.validation_scores)?;
        out.set_item("n_iter", self.epochs)?;
        out.set_item("loss", self.loss)?;
        out.set_item("stop", self.stop)?;
        Ok(out)
    }
}

/// The training itself, without the GIL: a session advanced an epoch at a
/// time, scikit-learn's rules applied after each.
fn train<T: Float>(
    net: Network<T>,
    data: TrainingData<'_, T>,
    spec: &Checked,
    mut carried: Carried<T>,
) -> Result<Outcome<T>, Error> {
    if spec.is_lbfgs() {
        return lbfgs::train(net, data, spec, carried);
    }
    let (epoch0, m) = (carried.epochs_done, data.x.ncols());
    let epochs = if spec.rules.incremental {
        1
    } else {
        spec.model.gd.total_units()
    };
    let mut config = spec.config(epoch0.saturating_add(epochs), carried.seed);
    config.learning_rate = spec.library_rate(carried.rate);
    let start = Start {
        state: Some(carried.state(&config, m)),
        ..Start::default()
    };
    let mut session = Session::start(net, data, config, start)?;
    let eta0 = spec.model.gd.learning_rate;
    let rates = (eta0, carried.rate);
    let course = Course::new(&spec.rules, rates, carried.stopper, carried.seen, m);
    let mut watch = Watch {
        spec,
        course,
        console: Console::new(spec.rules.verbose, spec.rules.sklearn_words),
        best: None,
    };
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
        // scikit-learn's early stopping ends on the best validation score's weights.
        for (layer, (w, b)) in net.layers_mut().iter_mut().zip(best) {
            (layer.w, layer.b) = (w, b);
        }
    }
    let h = state.history;
    Ok(Outcome {
        loss: h.costs.last().map_or(f64::NAN, |c| c.1),
        net,
        optimizer: state.optimizer,
        rate: watch.course.rate,
        stopper: watch.course.stopper,
        loss_curve: h.costs.iter().map(|c| c.1).collect(),
        validation_scores: h.validation_accuracies.iter().map(|a| a.1).collect(),
        epochs: state.epoch - epoch0,
        stop,
    })
}

/// Between epochs: scikit-learn's rules, the best weights, the printed costs, Ctrl-C.
struct Watch<'s, T: Float> {
    spec: &'s Checked,
    course: Course<'s>,
    console: Console,
    /// Early stopping: the weights of the best validation score.
    best: Option<Parameters<T>>,
}

impl<T: Float> Watch<'_, T> {
    /// Applies the rules to the epoch just run; `Some(reason)` ends the fit.
    fn after_epoch(&mut self, session: &mut Session<'_, T>) -> Result<Option<&'static str>, Error> {
        let epoch = session.units_done() - 1;
        let h = session.history();
        let loss = h.final_cost;
        self.console.cost(epoch, loss);
        let score = h.validation_at(epoch).map(|(_, accuracy)| accuracy);
        let decision = self.course.after_epoch(loss, score);
        if decision.improved {
            keep(&mut self.best, session.network());
        }
        if decision.new_rate {
            let alpha = self.spec.library_rate(self.course.rate);
            if !(alpha > 0.0 && alpha.is_finite()) {
                // Decayed to nothing: no step would change the weights.
                return Ok(Some("lr"));
            }
            session.set_learning_rate(alpha)?;
        }
        if self.console.interrupted(false) {
            return Ok(Some("interrupted"));
        }
        Ok(decision.stop)
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
