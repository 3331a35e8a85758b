//! A training job from start to end: config → data → network → training →
//! metrics → run folder. The CLI's `train` and `demo` are thin layers over it.
//!
//! Everything that can fail on the user's input (paths, formats, sizes, an
//! existing output folder) is checked before training starts, and the run
//! folder appears only when complete.

use std::path::{Path, PathBuf};

use ndarray::ArrayView2;
use serde::{Deserialize, Serialize};

use crate::activation::Activation;
use crate::data::{self, Dataset, LoadOptions};
use crate::error::Error;
use crate::fsutil::{write_atomic, RunDir};
use crate::init::Init;
use crate::linalg::{Float, Threads};
use crate::metrics::accuracy;
use crate::model_io;
use crate::network::Network;
use crate::plot;
use crate::rng::NumpyRng;
use crate::train::{fit_with_test, GdConfig, History, Progress};

/// The element type the network computes in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Precision {
    /// 32-bit floats (the default: twice the speed).
    F32,
    /// 64-bit floats (for checking numbers against the course).
    F64,
}

impl std::str::FromStr for Precision {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "f32" => Ok(Precision::F32),
            "f64" => Ok(Precision::F64),
            other => Err(format!("unknown precision '{other}' (expected f32 or f64)")),
        }
    }
}

/// What to train and how: everything but the data.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ModelSpec {
    /// Hidden layer sizes n_1 … n_{L-1}; empty for logistic regression.
    pub hidden: Vec<usize>,
    /// The hidden layers' activation.
    pub activation: Activation,
    /// How the weights start.
    pub init: Init,
    /// Gradient descent's settings.
    pub gd: GdConfig,
    /// `np.random.seed` before the weights are drawn.
    pub seed: u32,
    /// f32 or f64.
    pub precision: Precision,
    /// Threads for the matrix products.
    pub threads: usize,
}

/// A `train` job: the data paths, the model, and where the run folder goes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrainConfig {
    /// The training set.
    pub train: PathBuf,
    /// An optional test set, made the same way.
    pub test: Option<PathBuf>,
    /// HDF5 dataset / CSV column choices.
    pub load: LoadOptions,
    /// The model and its training.
    pub model: ModelSpec,
    /// The run folder.
    pub out: PathBuf,
    /// Replace an existing run folder.
    pub force: bool,
    /// Standardise the features with the training set's mean and std.
    pub standardize: bool,
}

/// The numbers a run produced: what metrics.json holds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Metrics {
    /// (iteration, cost) at every `record_every`-th iteration.
    pub costs: Vec<(usize, f64)>,
    /// (iteration, test-set cost) at the same iterations; empty without a test set.
    pub test_costs: Vec<(usize, f64)>,
    /// The last iteration's cost.
    pub final_cost: f64,
    /// Fraction of training examples classified right.
    pub train_accuracy: f64,
    /// Fraction of test examples classified right; `None` without a test set.
    pub test_accuracy: Option<f64>,
    /// Training examples m.
    pub train_examples: usize,
    /// Test examples.
    pub test_examples: Option<usize>,
    /// Iterations run.
    pub iterations: usize,
    /// Seconds in the training loop.
    pub train_seconds: f64,
    /// α.
    pub learning_rate: f64,
    /// [n_x, n_1, …, 1].
    pub layer_sizes: Vec<usize>,
    /// The whole configuration of the run.
    pub config: serde_json::Value,
}

/// A trained network in the precision it was trained in, with its numbers.
pub struct Trained {
    /// The network.
    pub network: TrainedNetwork,
    /// Its metrics.
    pub metrics: Metrics,
    /// Training files skipped by `--skip-bad`, with their reasons.
    pub skipped: Vec<String>,
}

/// The network of a [`Trained`], f32 or f64.
pub enum TrainedNetwork {
    /// An f32 network.
    F32(Network<f32>),
    /// An f64 network.
    F64(Network<f64>),
}

/// Loads and checks a job's data: the training set and, when given, a test
/// set with the same number of features.
/// With `standardize`, both are standardised with the training set's statistics.
/// `progress` hears (done, total) while pictures are decoded.
pub fn load_data(
    config: &TrainConfig,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<(Dataset, Option<Dataset>), Error> {
    let mut train = data::load_with_progress(&config.train, &config.load, progress)?;
    let mut test = match &config.test {
        Some(path) => {
            let mut options = config.load.clone();
            if train.preprocessing.image_size.is_some() {
                // The test folder's positive class is the training set's, by name.
                options.positive = Some(train.classes[1].clone());
            }
            let test = data::load_with_progress(path, &options, progress)?;
            train.check_same_features(&test)?;
            Some(test)
        }
        None => None,
    };
    if config.standardize {
        let s = train.standardize();
        if let Some(t) = &mut test {
            t.apply_standardization(&s);
        }
    }
    Ok((train, test))
}

/// Where a `train` job reports as it goes (the library never prints).
pub struct Hooks<'a> {
    /// (done, total) while pictures are decoded, from any thread.
    pub load_progress: &'a (dyn Fn(usize, usize) + Sync),
    /// The data, once loaded and checked, before training starts.
    pub loaded: &'a mut dyn FnMut(&Dataset, Option<&Dataset>),
    /// Every iteration.
    pub iteration: &'a mut dyn FnMut(Progress),
}

/// Runs a whole `train` job and writes its run folder. Returns the trained network and metrics.
pub fn run_train(config: &TrainConfig, hooks: Hooks<'_>) -> Result<Trained, Error> {
    check_out(&config.out, config.force)?;
    let (train, test) = load_data(config, hooks.load_progress)?;
    (hooks.loaded)(&train, test.as_ref());
    let job_json = serde_json::to_value(config).expect("config serialises");
    let mut trained = train_on(
        &train,
        test.as_ref(),
        &config.model,
        job_json,
        hooks.iteration,
    )?;
    trained.skipped = train.skipped.clone();
    let dir = RunDir::create(&config.out, config.force)?;
    write_run_contents(&dir.path(""), &trained, &train)?;
    dir.commit()?;
    Ok(trained)
}

/// Refuses an output folder that exists (unless forced), before any work is done.
pub fn check_out(out: &Path, force: bool) -> Result<(), Error> {
    if out.exists() && !force {
        return Err(Error::format(
            out,
            "already exists; choose another --out or pass --force to replace it",
        ));
    }
    Ok(())
}

/// Trains `spec` on an in-memory training set and scores it on both sets.
/// `config` is recorded in the metrics as given.
pub fn train_on(
    train: &Dataset,
    test: Option<&Dataset>,
    spec: &ModelSpec,
    config: serde_json::Value,
    observe: &mut dyn FnMut(Progress),
) -> Result<Trained, Error> {
    if spec.hidden.contains(&0) {
        return Err(Error::Config(
            "--hidden: every layer needs at least one unit".into(),
        ));
    }
    if spec.gd.iterations == 0 {
        return Err(Error::Config("--iterations must be at least 1".into()));
    }
    if !(spec.gd.learning_rate.is_finite() && spec.gd.learning_rate > 0.0) {
        return Err(Error::Config(
            "--learning-rate must be a positive number".into(),
        ));
    }
    match spec.precision {
        Precision::F32 => {
            let (net, metrics) = train_typed::<f32>(train, test, spec, config, observe)?;
            Ok(Trained {
                network: TrainedNetwork::F32(net),
                metrics,
                skipped: Vec::new(),
            })
        }
        Precision::F64 => {
            let (net, metrics) = train_typed::<f64>(train, test, spec, config, observe)?;
            Ok(Trained {
                network: TrainedNetwork::F64(net),
                metrics,
                skipped: Vec::new(),
            })
        }
    }
}

fn train_typed<T: Float>(
    train: &Dataset,
    test: Option<&Dataset>,
    spec: &ModelSpec,
    config: serde_json::Value,
    observe: &mut dyn FnMut(Progress),
) -> Result<(Network<T>, Metrics), Error> {
    let mut sizes = vec![train.features()];
    sizes.extend(&spec.hidden);
    sizes.push(1);
    let mut net = Network::<T>::new(
        &sizes,
        spec.activation,
        spec.init,
        &mut NumpyRng::new(spec.seed),
    )?;
    net.set_threads(Threads(spec.threads.max(1)));
    let (x, y) = (train.x_as::<T>(), train.y_as::<T>());
    let test_xy = test.map(|t| (t.x_as::<T>(), t.y_as::<T>()));
    let test_views = test_xy.as_ref().map(|(tx, ty)| (tx.view(), ty.view()));
    let history: History =
        fit_with_test(&mut net, x.view(), y.view(), test_views, &spec.gd, observe)?;
    let score = |x: ArrayView2<'_, T>, y: ArrayView2<'_, T>| accuracy(net.predict(x).view(), y);
    let train_accuracy = score(x.view(), y.view());
    let test_accuracy = test_views.map(|(tx, ty)| score(tx, ty));
    let metrics = Metrics {
        costs: history.costs,
        test_costs: history.test_costs,
        final_cost: history.final_cost,
        train_accuracy,
        test_accuracy,
        train_examples: train.examples(),
        test_examples: test.map(Dataset::examples),
        iterations: history.iterations,
        train_seconds: history.train_seconds,
        learning_rate: spec.gd.learning_rate,
        layer_sizes: sizes,
        config,
    };
    Ok((net, metrics))
}

/// Fills the existing folder `dir` with a run's files: the model
/// (model.safetensors + model.json), metrics.json, the learning curve and, for
/// 2-feature data, the decision boundary (PNG and SVG).
pub fn write_run_contents(dir: &Path, trained: &Trained, train: &Dataset) -> Result<(), Error> {
    write_model(dir, trained, train)?;
    let metrics = serde_json::to_string_pretty(&trained.metrics).expect("metrics serialise");
    write_atomic(&dir.join("metrics.json"), metrics.as_bytes())?;
    let lr = trained.metrics.learning_rate;
    let mut series = vec![("train", trained.metrics.costs.as_slice())];
    if !trained.metrics.test_costs.is_empty() {
        series.push(("test", trained.metrics.test_costs.as_slice()));
    }
    plot::learning_curve(dir, &series, lr)?;
    if train.features() == 2 {
        let title = format!(
            "Decision boundary, layers {:?}: accuracy {:.2} %",
            trained.metrics.layer_sizes,
            trained.metrics.train_accuracy * 100.0
        );
        let proba = |grid: &ndarray::Array2<f64>| trained.network.predict_proba(grid);
        plot::decision_boundary(dir, "decision_boundary", &title, &train.x, &train.y, &proba)?;
    }
    Ok(())
}

impl TrainedNetwork {
    /// P(y = 1) for each column of X (f64 in, computed in the network's precision).
    pub fn predict_proba(&self, x: &ndarray::Array2<f64>) -> Vec<f64> {
        fn go<T: Float>(net: &Network<T>, x: &ndarray::Array2<f64>) -> Vec<f64> {
            net.predict_proba(x.mapv(T::cast).view())
                .iter()
                .map(|p| p.as_f64())
                .collect()
        }
        match self {
            TrainedNetwork::F32(n) => go(n, x),
            TrainedNetwork::F64(n) => go(n, x),
        }
    }
}

/// Writes the model files of `trained` into the existing folder `dir`.
pub fn write_model(dir: &Path, trained: &Trained, train: &Dataset) -> Result<(), Error> {
    match &trained.network {
        TrainedNetwork::F32(n) => model_io::save(dir, n, &train.classes, &train.preprocessing),
        TrainedNetwork::F64(n) => model_io::save(dir, n, &train.classes, &train.preprocessing),
    }
    .map(|_| ())
}
