//! scikit-learn's parameters as the library's settings: `_core.check` reads
//! an estimator's parameters (scikit-learn's names) into the library's
//! [`ModelSpec`] and has the library check them once — every range, and the
//! memory the network would take ([`backprop::data::budget::check_network`])
//! — before Python or Rust allocates weights, targets or buffers. Its answer,
//! a [`Checked`] spec, is what `_core.fit` trains with.
//!
//! The library names a setting by a mark that each door renders; here the
//! Python parameter (`alpha`, not `l2`), as scikit-learn words it:
//! `ValueError: learning_rate_init must be > 0, got -1`. What the library has
//! no setting for (the learning-rate schedules, `tol` of the stochastic
//! solvers, `n_iter_no_change`, `verbose`) is read here into [`Rules`], the
//! stopping rules `fit` applies between epochs; `solver="lbfgs"`'s `max_iter`,
//! `tol` and `max_fun` are the library's L-BFGS settings.

use backprop::optim::{AdamConfig, LbfgsConfig, MomentumConfig, OptimizerConfig, RmsPropConfig};
use backprop::{GdConfig, Init, ModelSpec, Precision, Setting};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyInt};

use crate::arrays::{activation, activation_name, value_error};
use crate::names::name;
use crate::picture::Front;
use crate::rules::{Rules, Schedule};

/// The settings of one fit, checked by the library.
#[pyclass(frozen, module = "backprop._core")]
pub struct Checked {
    /// The network and its training, as the user gave them (scikit-learn's
    /// step size: see [`Checked::config`] for the library's).
    pub model: ModelSpec,
    /// `None`: the weights start as given (scikit-learn's initialisation, drawn in Python).
    pub init: Option<Init>,
    /// Layer sizes: the features, the hidden layers, the outputs.
    #[pyo3(get)]
    pub sizes: Vec<usize>,
    /// Classes of the labels (2 gives one sigmoid output), or the labels of
    /// a multi-label fit (one sigmoid each).
    pub classes: usize,
    /// Multi-label: `classes` independent yes/no labels, the targets an
    /// indicator matrix, the output [`backprop::Output::Sigmoids`].
    pub multilabel: bool,
    pub rules: Rules,
    /// The picture layers in front of the dense ones (`layers`), if any.
    pub front: Option<Front>,
    /// scikit-learn's `sgd` step η is the library's α·(1 − μ): α = η · this.
    lr_factor: f64,
    /// The course's full-batch `gd`, which ignores `batch_size`.
    full_batch: bool,
}

impl Checked {
    /// The library's settings for a run of `epochs` epochs in all, its
    /// shuffles and dropout masks drawn from `seed`.
    pub fn config(&self, epochs: usize, seed: u32) -> GdConfig {
        let gd = &self.model.gd;
        if self.is_lbfgs() {
            // Full-batch iterations, `max_iter` of them (already in `gd`).
            return GdConfig {
                seed,
                record_every: Some(1),
                ..gd.clone()
            };
        }
        GdConfig {
            seed,
            learning_rate: gd.learning_rate * self.lr_factor,
            epochs: Some(epochs),
            record_every: Some(1),
            batch_size: if self.full_batch { None } else { gd.batch_size },
            ..gd.clone()
        }
    }

    /// `solver="lbfgs"`: a run of `max_iter` L-BFGS iterations, which
    /// scikit-learn's between-epoch rules do not apply to.
    pub fn is_lbfgs(&self) -> bool {
        matches!(self.model.gd.optimizer, OptimizerConfig::Lbfgs(_))
    }

    /// The library's α for scikit-learn's step size η.
    pub fn library_rate(&self, eta: f64) -> f64 {
        eta * self.lr_factor
    }

    /// The bytes of one number of the network.
    pub fn element_bytes(&self) -> usize {
        match self.model.precision {
            Precision::F32 => 4,
            Precision::F64 => 8,
        }
    }
}

/// What Python reads of a checked spec with picture layers.
#[pymethods]
impl Checked {
    /// The dense hidden layers' g, by its Python name (a layer list names it).
    #[getter]
    fn activation(&self) -> &'static str {
        activation_name(self.model.activation)
    }

    /// n_flat, the values the picture layers hand the dense layer 1 (None without them).
    #[getter]
    fn flat_features(&self) -> Option<usize> {
        self.front.as_ref().map(Front::outputs)
    }
}

/// `_core.check(settings, n_features, n_examples)`: reads an estimator's
/// parameters and has the library check them, and the network's memory on
/// `n_examples` examples, before anything is allocated.
#[pyfunction]
pub fn check(
    settings: &Bound<'_, PyDict>,
    n_features: usize,
    n_examples: usize,
) -> PyResult<Checked> {
    let mut given = Given::default();
    let checked = read(settings, n_features, &mut given)?;
    let estimator: String = match settings.get_item("estimator")? {
        Some(name) => name.extract()?,
        None => "the estimator".to_string(),
    };
    let budget = || {
        backprop::data::budget::check_network(&checked.sizes, n_examples, checked.element_bytes())
    };
    if let Err(e) = checked.model.validate() {
        return Err(given.invalid(settings.py(), e, &estimator));
    }
    match &checked.front {
        Some(front) => front.check_budget(&checked.sizes, n_examples, checked.element_bytes())?,
        None => budget().map_err(|e| given.error(e))?,
    }
    Ok(checked)
}

/// Python values the library's types cannot hold (a negative count, an
/// integer past 2⁶⁴), stood in for by values the library refuses, so that
/// its message can give the value the user gave: (setting, stand-in, repr).
#[derive(Default)]
struct Given(Vec<(Setting, usize, String)>);

impl Given {
    /// The value the user gave for the setting of `p`, as written.
    fn value(&self, p: &backprop::Problem) -> Option<String> {
        let stood_in = self.0.iter().find(|(s, stand_in, _)| {
            *s == p.setting() && p.given() == Some(stand_in.to_string().as_str())
        });
        match stood_in {
            Some((_, _, value)) => Some(value.clone()),
            None => p.given().map(str::to_string),
        }
    }

    /// The library's error as Python's `ValueError`, naming parameters.
    fn error(&self, e: backprop::Error) -> PyErr {
        if let backprop::Error::Setting(p) = &e {
            if let (Some(value), Some(allowed)) = (self.value(p), p.allowed()) {
                return PyValueError::new_err(format!(
                    "{} must be {allowed}, got {value}",
                    name(p.setting())
                ));
            }
        }
        value_error(e)
    }

    /// A setting the library refuses, as scikit-learn's `InvalidParameterError`
    /// (a `ValueError`) in its words: "The 'alpha' parameter of MLPClassifier
    /// must be ≥ 0. Got -1 instead."
    fn invalid(&self, py: Python<'_>, e: backprop::Error, estimator: &str) -> PyErr {
        let message = match &e {
            backprop::Error::Setting(p) => match (self.value(p), p.allowed()) {
                (Some(value), Some(allowed)) => format!(
                    "The '{}' parameter of {estimator} must be {allowed}. Got {value} instead.",
                    name(p.setting())
                ),
                _ => e.render(&name),
            },
            _ => return self.error(e),
        };
        let class = py
            .import("sklearn.utils._param_validation")
            .and_then(|m| m.getattr("InvalidParameterError"));
        match class.and_then(|c| c.call1((message.clone(),))) {
            Ok(err) => PyErr::from_value(err),
            Err(_) => PyValueError::new_err(message),
        }
    }
}

fn item<'py>(d: &Bound<'py, PyDict>, key: &str) -> PyResult<Bound<'py, PyAny>> {
    d.get_item(key)?
        .ok_or_else(|| PyValueError::new_err(format!("fit: missing setting '{key}'")))
}

fn repr(v: &Bound<'_, PyAny>) -> String {
    v.repr()
        .map_or_else(|_| "?".to_string(), |r| r.to_string_lossy().into_owned())
}

fn number(d: &Bound<'_, PyDict>, key: &str) -> PyResult<f64> {
    let v = item(d, key)?;
    v.extract::<f64>()
        .map_err(|_| PyValueError::new_err(format!("{key} must be a number, got {}", repr(&v))))
}

/// An optional yes/no setting, false when absent.
fn flag(d: &Bound<'_, PyDict>, key: &str) -> PyResult<bool> {
    match d.get_item(key)? {
        Some(v) => v.is_truthy(),
        None => Ok(false),
    }
}

fn text(d: &Bound<'_, PyDict>, key: &str) -> PyResult<String> {
    let v = item(d, key)?;
    v.extract::<String>()
        .map_err(|_| PyValueError::new_err(format!("{key} must be a string, got {}", repr(&v))))
}

/// A count for `setting`; an integer a `usize` cannot hold stands in as 0
/// (negative) or `usize::MAX` (past 2⁶⁴), both of which the library refuses.
fn count_of(
    v: &Bound<'_, PyAny>,
    key: &str,
    setting: Setting,
    given: &mut Given,
) -> PyResult<usize> {
    if let Ok(n) = v.extract::<usize>() {
        return Ok(n);
    }
    if !v.is_instance_of::<PyInt>() {
        return Err(PyValueError::new_err(format!(
            "{key} must be an integer, got {}",
            repr(v)
        )));
    }
    let stand_in = if v.lt(0)? { 0 } else { usize::MAX };
    given.0.push((setting, stand_in, repr(v)));
    Ok(stand_in)
}

fn count(d: &Bound<'_, PyDict>, key: &str, setting: Setting, given: &mut Given) -> PyResult<usize> {
    count_of(&item(d, key)?, key, setting, given)
}

/// Reads the settings (scikit-learn's names) into the library's spec.
fn read(d: &Bound<'_, PyDict>, n_features: usize, given: &mut Given) -> PyResult<Checked> {
    let (front, hidden, g) = match crate::picture::read(d, n_features)? {
        Some((front, hidden, g)) => (Some(front), hidden, g),
        None => (
            None,
            hidden_sizes(d, given)?,
            activation(&text(d, "activation")?)?,
        ),
    };
    let classes = count(d, "n_classes", Setting::Classes, given)?;
    let multilabel = flag(d, "multilabel")?;
    let mut sizes = vec![n_features];
    sizes.extend(&hidden);
    sizes.push(if classes > 2 || multilabel {
        classes
    } else {
        1
    });
    let solver = text(d, "solver")?;
    let (optimizer, lr_factor) = optimizer(d, &solver, given)?;
    let init = init(d)?;
    let model = ModelSpec {
        layers: Vec::new(),
        hidden,
        activation: g,
        init: init.unwrap_or(Init::Zeros),
        gd: gd_config(d, optimizer, given)?,
        precision: match text(d, "dtype")?.as_str() {
            "float32" => Precision::F32,
            _ => Precision::F64,
        },
        threads: count(d, "n_threads", Setting::Threads, given)?,
        batch_norm: None,
    };
    Ok(Checked {
        model,
        init,
        sizes,
        classes,
        multilabel,
        rules: rules(d, !matches!(optimizer, OptimizerConfig::Adam(_)))?,
        front,
        lr_factor,
        full_batch: solver == "gd",
    })
}

/// `hidden_layer_sizes`: n_1, n_2, … of the hidden layers.
fn hidden_sizes(d: &Bound<'_, PyDict>, given: &mut Given) -> PyResult<Vec<usize>> {
    let mut hidden = Vec::new();
    for size in item(d, "hidden_layer_sizes")?.try_iter()? {
        let key = "hidden_layer_sizes";
        hidden.push(count_of(&size?, key, Setting::Hidden, given)?);
    }
    Ok(hidden)
}

/// The training settings, scikit-learn's step size as given.
fn gd_config(
    d: &Bound<'_, PyDict>,
    optimizer: OptimizerConfig,
    given: &mut Given,
) -> PyResult<GdConfig> {
    let batch_size = item(d, "batch_size")?;
    let batch_size = match batch_size.is_none() {
        true => None,
        false => Some(count_of(
            &batch_size,
            "batch_size",
            Setting::BatchSize,
            given,
        )?),
    };
    // lbfgs: `max_iter` full-batch iterations (scikit-learn ignores batch_size).
    let lbfgs = matches!(optimizer, OptimizerConfig::Lbfgs(_));
    let (epochs, iterations) = match lbfgs {
        true => (None, count(d, "max_iter", Setting::Iterations, given)?),
        false => (Some(count(d, "max_iter", Setting::Epochs, given)?), 0),
    };
    Ok(GdConfig {
        learning_rate: number(d, "learning_rate_init")?,
        epochs,
        iterations,
        batch_size: if lbfgs { None } else { batch_size },
        optimizer,
        l2: number(d, "alpha")?,
        l1: number(d, "l1")?,
        // LogisticRegression's 1/σⱼ of its standardised columns (MLPClassifier has none).
        penalty_scale: match d.get_item("penalty_scale")? {
            Some(v) if !v.is_none() => v.extract()?,
            _ => Vec::new(),
        },
        keep_prob: keep_prob(&item(d, "dropout")?)?,
        shuffle: item(d, "shuffle")?.is_truthy()?,
        ..GdConfig::default()
    })
}

/// `init`: scikit-learn's `glorot` (`None`: drawn in Python), or the library's.
fn init(d: &Bound<'_, PyDict>) -> PyResult<Option<Init>> {
    match text(d, "init")?.as_str() {
        "glorot" => Ok(None),
        name => name.parse::<Init>().map(Some).map_err(|_| {
            PyValueError::new_err(format!(
                "init must be one of glorot, xavier, he, small, zeros, got '{name}'"
            ))
        }),
    }
}

/// `dropout`: none, one keep probability for every hidden layer, or one each.
fn keep_prob(v: &Bound<'_, PyAny>) -> PyResult<Vec<f64>> {
    if v.is_none() {
        return Ok(Vec::new());
    }
    if let Ok(p) = v.extract::<f64>() {
        return Ok(vec![p]);
    }
    v.extract::<Vec<f64>>().map_err(|_| {
        PyValueError::new_err(format!(
            "dropout must be a keep probability or one per hidden layer, got {}",
            repr(v)
        ))
    })
}

/// scikit-learn's rules; `adapts`: an `adaptive` rate divides itself rather than ending the fit.
fn rules(d: &Bound<'_, PyDict>, adapts: bool) -> PyResult<Rules> {
    let schedule = match text(d, "learning_rate")?.as_str() {
        "constant" => Schedule::Constant,
        "invscaling" => Schedule::InvScaling(number(d, "power_t")?),
        "adaptive" => Schedule::Adaptive,
        other => {
            return Err(PyValueError::new_err(format!(
                "learning_rate must be one of constant, invscaling, adaptive, got '{other}'"
            )))
        }
    };
    Ok(Rules {
        schedule,
        tol: number(d, "tol")?,
        // Python checks it is an integer ≥ 1; past 2⁶⁴ is as good as never.
        patience: item(d, "n_iter_no_change")?.extract().unwrap_or(usize::MAX),
        verbose: item(d, "verbose")?.extract()?,
        sklearn_words: flag(d, "verbose_sklearn_words")?,
        incremental: item(d, "incremental")?.is_truthy()?,
        adapts,
    })
}

/// The library's L-BFGS with scikit-learn's `max_fun` and `tol`, and
/// LogisticRegression's `fit_intercept` and scipy options (`ftol`, `maxls`;
/// MLPClassifier passes none of these three, so scipy's defaults hold).
fn lbfgs(d: &Bound<'_, PyDict>, given: &mut Given) -> PyResult<LbfgsConfig> {
    let defaults = LbfgsConfig::default();
    Ok(LbfgsConfig {
        max_fun: count(d, "max_fun", Setting::MaxFun, given)?,
        tol: number(d, "tol")?,
        fit_intercept: match d.get_item("fit_intercept")? {
            Some(v) => v.is_truthy()?,
            None => true,
        },
        ftol: match d.get_item("ftol")? {
            Some(v) => v.extract()?,
            None => defaults.ftol,
        },
        max_line_search: match d.get_item("maxls")? {
            Some(v) => v.extract()?,
            None => defaults.max_line_search,
        },
        ..defaults
    })
}

/// The library's optimiser for `solver`, and the factor that turns
/// scikit-learn's step size into the library's for it.
///
/// `sgd` is scikit-learn's momentum, v = μ·v − η·g, θ += v (θ += μ·v − η·g
/// with `nesterovs_momentum`); the library's momentum is the course's
/// v = β·v + (1 − β)·g, θ −= α·v (θ −= α·(β·v + (1 − β)·g) with `nesterov`),
/// the same update with β = μ and α = η / (1 − μ).
///
/// `lbfgs` is the library's L-BFGS with scikit-learn's `max_fun` and `tol`
/// (the gradient's largest component, scipy's `gtol`).
fn optimizer(
    d: &Bound<'_, PyDict>,
    solver: &str,
    given: &mut Given,
) -> PyResult<(OptimizerConfig, f64)> {
    // scikit-learn's `nesterovs_momentum` (its `sgd` only; LogisticRegression passes none).
    let nesterov = solver == "sgd"
        && match d.get_item("nesterovs_momentum")? {
            Some(v) => v.is_truthy()?,
            None => false,
        };
    let momentum = || -> PyResult<_> {
        Ok(OptimizerConfig::Momentum(MomentumConfig {
            beta: number(d, "momentum")?,
            nesterov,
        }))
    };
    Ok(match solver {
        "gd" => (OptimizerConfig::Gd, 1.0),
        "sgd" if number(d, "momentum")? == 0.0 => (OptimizerConfig::Gd, 1.0),
        "sgd" => (momentum()?, 1.0 / (1.0 - number(d, "momentum")?)),
        "momentum" => (momentum()?, 1.0),
        "rmsprop" => (
            OptimizerConfig::RmsProp(RmsPropConfig {
                beta2: number(d, "beta_2")?,
                epsilon: number(d, "epsilon")?,
            }),
            1.0,
        ),
        "adam" => (
            OptimizerConfig::Adam(AdamConfig {
                beta1: number(d, "beta_1")?,
                beta2: number(d, "beta_2")?,
                epsilon: number(d, "epsilon")?,
            }),
            1.0,
        ),
        "lbfgs" => (OptimizerConfig::Lbfgs(lbfgs(d, given)?), 1.0),
        other => {
            return Err(PyValueError::new_err(format!(
                "solver must be one of lbfgs, sgd, adam, gd, momentum, rmsprop, got '{other}'"
            )))
        }
    })
}
