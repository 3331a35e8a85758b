//! A training job from start to end: config → data → network → training →
//! metrics → run folder. The CLI's `train` and `demo` are thin layers over it.
//!
//! Everything that can fail on the user's input (paths, formats, sizes, an
//! existing output folder) is checked before training starts, and the run
//! folder appears only when complete.

use std::path::Path;
use std::sync::atomic::AtomicBool;

use ndarray::ArrayView2;
use serde::{Deserialize, Serialize};

use crate::checkpoint;
use crate::collective::Collective;
pub use crate::config::{ModelSpec, Precision, TrainConfig};
use crate::data::{self, Dataset};
use crate::error::Error;
use crate::fsutil::{self, write_atomic, RunDir};
use crate::linalg::{Float, Threads};
use crate::metrics::accuracy;
use crate::minibatch::{self, Extras, TrainState};
use crate::model_io;
use crate::network::Network;
use crate::plot;
use crate::rng::NumpyRng;
use crate::train::{fit_with, Path as FitPath, Progress};

/// The numbers a run produced: what metrics.json holds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Metrics {
    /// (iteration or epoch, cost) at every `record_every`-th one.
    pub costs: Vec<(usize, f64)>,
    /// (iteration, test-set cost) at the same iterations; empty without a test set.
    pub test_costs: Vec<(usize, f64)>,
    /// (iteration, validation cost); empty without `--validation`.
    pub validation_costs: Vec<(usize, f64)>,
    /// (iteration, validation accuracy); empty without `--validation`.
    pub validation_accuracies: Vec<(usize, f64)>,
    /// Whether the costs are per epoch rather than per iteration.
    pub per_epoch: bool,
    /// The last iteration's (or epoch's) cost.
    pub final_cost: f64,
    /// Fraction of training examples classified right.
    pub train_accuracy: f64,
    /// Fraction of test examples classified right; `None` without a test set.
    pub test_accuracy: Option<f64>,
    /// Training examples m (after holding out the validation set).
    pub train_examples: usize,
    /// Test examples.
    pub test_examples: Option<usize>,
    /// Validation examples.
    pub validation_examples: Option<usize>,
    /// Iterations (or epochs) run.
    pub iterations: usize,
    /// Seconds in the training loop.
    pub train_seconds: f64,
    /// α.
    pub learning_rate: f64,
    /// [n_x, n_1, …, n_L].
    pub layer_sizes: Vec<usize>,
    /// Early stopping: the iteration (or epoch) whose weights were kept.
    pub best_at: Option<usize>,
    /// Whether early stopping ended the run.
    pub stopped_early: bool,
    /// Whether the run was interrupted (a checkpoint holds where it stopped).
    pub interrupted: bool,
    /// Updates (mini-batch steps) taken.
    pub updates: usize,
    /// Data-parallel runs: seconds in the gradient all-reduce, over all updates.
    pub allreduce_seconds: f64,
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

/// A job's data: training, test and validation sets.
pub struct JobData {
    /// The training set (without the validation examples).
    pub train: Dataset,
    /// The test set, if given.
    pub test: Option<Dataset>,
    /// The held-out validation set, with `--validation`.
    pub validation: Option<Dataset>,
}

/// Loads and checks a job's data: the training set, a test set with the same
/// number of features, and the validation split. With `standardize`, all are
/// standardised with the (remaining) training set's statistics.
/// `progress` hears (done, total) while pictures are decoded.
pub fn load_data(
    config: &TrainConfig,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<JobData, Error> {
    let mut train = data::load_with_progress(&config.train, &config.load, progress)?;
    let mut test = match &config.test {
        Some(path) => {
            let mut options = config.load.clone();
            if train.preprocessing.image_size.is_some() && train.classes.len() == 2 {
                // The test folder's positive class is the training set's, by name.
                options.positive = Some(train.classes[1].clone());
            }
            let test = data::load_with_progress(path, &options, progress)?;
            train.check_same_features(&test)?;
            Some(test)
        }
        None => None,
    };
    let mut validation = None;
    if let Some(fraction) = config.validation {
        let (t, v) = train.split_validation(fraction, config.model.seed)?;
        train = t;
        validation = Some(v);
    }
    if config.standardize {
        let s = train.standardize();
        for d in [&mut test, &mut validation].into_iter().flatten() {
            d.apply_standardization(&s);
        }
    }
    Ok(JobData {
        train,
        test,
        validation,
    })
}

/// Where a `train` job reports as it goes (the library never prints), and how it is stopped.
pub struct Hooks<'a> {
    /// (done, total) while pictures are decoded, from any thread.
    pub load_progress: &'a (dyn Fn(usize, usize) + Sync),
    /// The training data, once loaded and checked, before training starts.
    pub loaded: &'a mut dyn FnMut(&Dataset, Option<&Dataset>),
    /// Every iteration.
    pub iteration: &'a mut dyn FnMut(Progress),
    /// When set (by a signal handler), training stops, writes a checkpoint and returns.
    pub stop: Option<&'a AtomicBool>,
    /// The ranks of data-parallel training; only rank 0 writes files.
    pub collective: Option<&'a dyn Collective>,
}

/// Runs a whole `train` job and writes its run folder. Returns the trained
/// network and metrics; an interrupted run leaves a checkpoint and its
/// metrics so far in the run folder and returns [`Error::Interrupted`].
pub fn run_train(config: &TrainConfig, hooks: Hooks<'_>) -> Result<Trained, Error> {
    config.validate()?;
    let _lock = claim_run_folder(config, config.force, hooks.collective)?;
    let data = load_data(config, hooks.load_progress)?;
    (hooks.loaded)(&data.train, data.test.as_ref());
    let ctx = RunContext {
        job: Some(config),
        stop: hooks.stop,
        resume: None,
        collective: hooks.collective,
    };
    let trained = train_on_with(&data, &config.model, ctx, hooks.iteration)?;
    if hooks.collective.is_some_and(|c| c.rank() != 0) {
        return Ok(trained);
    }
    finish(config, &data, trained)
}

/// Continues the run in `dir` from its checkpoint: its own configuration and
/// data, `total` the new number of iterations (or epochs) if given, the
/// result written to `out` (default: `dir` itself).
pub fn resume_train(
    dir: &Path,
    total: Option<usize>,
    out: Option<&Path>,
    hooks: Hooks<'_>,
) -> Result<Trained, Error> {
    let info = checkpoint::read_info(dir)?;
    let mut config = info.config.clone();
    if let Some(t) = total {
        match config.model.gd.epochs {
            Some(_) => config.model.gd.epochs = Some(t),
            None => config.model.gd.iterations = t,
        }
    }
    config.out = out.unwrap_or(dir).to_path_buf();
    config.force = true;
    config.validate()?;
    // Into its own folder it replaces itself; into another, that must be new.
    let _lock = claim_run_folder(&config, out.is_none_or(|o| o == dir), hooks.collective)?;
    let data = load_data(&config, hooks.load_progress)?;
    (hooks.loaded)(&data.train, data.test.as_ref());
    let ctx = RunContext {
        job: Some(&config),
        stop: hooks.stop,
        resume: Some((dir, &info)),
        collective: hooks.collective,
    };
    let trained = train_on_with(&data, &config.model, ctx, hooks.iteration)?;
    if hooks.collective.is_some_and(|c| c.rank() != 0) {
        return Ok(trained);
    }
    finish(&config, &data, trained)
}

/// Writes the run folder of a finished (or interrupted) run.
fn finish(config: &TrainConfig, data: &JobData, mut trained: Trained) -> Result<Trained, Error> {
    trained.skipped = data.train.skipped.clone();
    if trained.metrics.interrupted {
        // The checkpoint is written; add the metrics so far beside it.
        let metrics = serde_json::to_string_pretty(&trained.metrics).expect("metrics serialise");
        write_atomic(&config.out.join("metrics.json"), metrics.as_bytes())?;
        return Err(Error::Interrupted {
            out: config.out.clone(),
            at: trained.metrics.iterations,
        });
    }
    // Checkpoints may have made the folder already: it is this run's, so replace it.
    let dir = RunDir::create(
        &config.out,
        config.force || config.checkpoint_every.is_some(),
    )?;
    write_run_contents(&dir.path(""), &trained, &data.train)?;
    if config.checkpoint_every.is_some() {
        for name in [checkpoint::TENSORS_FILE, checkpoint::STATE_FILE] {
            let from = config.out.join(name);
            if from.is_file() {
                std::fs::copy(&from, dir.path(name)).map_err(|e| Error::io(&from, e))?;
            }
        }
    }
    dir.commit()?;
    Ok(trained)
}

/// Claims the job's run folder before any work is done, for the whole run
/// (see [`fsutil::claim_out`]): refused if it exists (unless `force`), if
/// `force` would delete an input, or while another run writes it. Ranks other
/// than 0 of a data-parallel run write nothing and only check it exists.
fn claim_run_folder(
    config: &TrainConfig,
    force: bool,
    collective: Option<&dyn Collective>,
) -> Result<Option<fsutil::RunLock>, Error> {
    if collective.is_some_and(|c| c.rank() != 0) {
        return check_out(&config.out, force).map(|()| None);
    }
    let mut inputs = vec![config.train.as_path()];
    inputs.extend(config.test.as_deref());
    fsutil::claim_out(&config.out, force, &inputs).map(Some)
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

/// What a training run may do besides training: checkpoint into the job's
/// run folder, stop on a flag, continue from a checkpoint.
#[derive(Default)]
pub struct RunContext<'a> {
    /// The job (its run folder receives checkpoints; its config is saved in them).
    pub job: Option<&'a TrainConfig>,
    /// The stop flag.
    pub stop: Option<&'a AtomicBool>,
    /// Continue from the checkpoint in this folder.
    pub resume: Option<(&'a Path, &'a checkpoint::CheckpointInfo)>,
    /// The ranks of data-parallel training (only rank 0 writes checkpoints).
    pub collective: Option<&'a dyn Collective>,
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
    let data = JobData {
        train: train.clone(),
        test: test.cloned(),
        validation: None,
    };
    let mut trained = train_on_with(&data, spec, RunContext::default(), observe)?;
    trained.metrics.config = config;
    Ok(trained)
}

/// [`train_on`] with a validation set, checkpoints, a stop flag or a resume.
pub fn train_on_with(
    data: &JobData,
    spec: &ModelSpec,
    ctx: RunContext<'_>,
    observe: &mut dyn FnMut(Progress),
) -> Result<Trained, Error> {
    spec.validate()?;
    let (network, metrics) = match spec.precision {
        Precision::F32 => {
            let (n, m) = train_typed::<f32>(data, spec, ctx, observe)?;
            (TrainedNetwork::F32(n), m)
        }
        Precision::F64 => {
            let (n, m) = train_typed::<f64>(data, spec, ctx, observe)?;
            (TrainedNetwork::F64(n), m)
        }
    };
    Ok(Trained {
        network,
        metrics,
        skipped: Vec::new(),
    })
}

fn train_typed<T: Float>(
    data: &JobData,
    spec: &ModelSpec,
    ctx: RunContext<'_>,
    observe: &mut dyn FnMut(Progress),
) -> Result<(Network<T>, Metrics), Error> {
    let train = &data.train;
    let k = train.classes.len();
    let mut sizes = vec![train.features()];
    sizes.extend(&spec.hidden);
    sizes.push(if k > 2 { k } else { 1 });
    let mut net = Network::<T>::new(
        &sizes,
        spec.activation,
        spec.init,
        &mut NumpyRng::new(spec.seed),
    )?;
    net.set_threads(Threads(spec.threads.max(1)));
    let (x, y) = (train.x_as::<T>(), train.targets_as::<T>(k));
    let test_xy = data
        .test
        .as_ref()
        .map(|t| (t.x_as::<T>(), t.targets_as::<T>(k)));
    let test_views = test_xy.as_ref().map(|(tx, ty)| (tx.view(), ty.view()));
    let val = data
        .validation
        .as_ref()
        .map(|v| (v.x_as::<T>(), v.targets_as::<T>(k), v.y_as::<T>()));

    let writer = ctx.collective.is_none_or(|c| c.rank() == 0);
    let general = !spec.gd.is_plain(x.ncols())
        || ctx.collective.is_some_and(|c| c.size() > 1)
        || val.is_some()
        || ctx.resume.is_some()
        || ctx.job.is_some_and(|j| j.checkpoint_every.is_some());
    let updates;
    let (history, interrupted) = if general {
        let state = match ctx.resume {
            Some((dir, info)) => {
                if info.layer_sizes != sizes {
                    return Err(Error::format(
                        dir,
                        format!(
                            "the checkpoint's layers {:?} differ from the data's {sizes:?}",
                            info.layer_sizes
                        ),
                    ));
                }
                checkpoint::restore(dir, info, &mut net)?
            }
            None => TrainState::new(&spec.gd),
        };
        let job = ctx.job.filter(|_| writer);
        let mut save = |n: &Network<T>, s: &TrainState<T>| match job {
            Some(j) => checkpoint::save(&j.out, j, n, s),
            None => Ok(()),
        };
        let extras = Extras {
            test: test_views,
            validation: val
                .as_ref()
                .map(|(vx, vy, vl)| (vx.view(), vy.view(), vl.view())),
            stop: ctx.stop,
            checkpoint_every: job.and_then(|j| j.checkpoint_every),
            checkpoint: Some(&mut save),
            collective: ctx.collective,
        };
        let outcome = minibatch::run(
            &mut net,
            x.view(),
            y.view(),
            &spec.gd,
            state,
            extras,
            observe,
        )?;
        if outcome.interrupted {
            if let Some(j) = job {
                checkpoint::save(&j.out, j, &net, &outcome.state)?;
            }
        }
        updates = outcome.state.step;
        (outcome.state.history, outcome.interrupted)
    } else {
        let h = fit_with(
            &mut net,
            x.view(),
            y.view(),
            test_views,
            &spec.gd,
            FitPath::Auto,
            ctx.stop,
            observe,
        )?;
        updates = h.iterations;
        let interrupted = h.iterations < spec.gd.iterations;
        if interrupted {
            if let Some(j) = ctx.job.filter(|_| writer) {
                let mut state = TrainState::new(&spec.gd);
                state.step = h.iterations;
                state.history = h.clone();
                checkpoint::save(&j.out, j, &net, &state)?;
            }
        }
        (h, interrupted)
    };
    let labels = |d: &Dataset| d.y_as::<T>();
    let score = |x: ArrayView2<'_, T>, l: ArrayView2<'_, T>| accuracy(net.predict(x).view(), l);
    let train_accuracy = score(x.view(), labels(train).view());
    let test_accuracy = data
        .test
        .as_ref()
        .zip(test_views)
        .map(|(t, (tx, _))| score(tx, labels(t).view()));
    let metrics = Metrics {
        costs: history.costs,
        test_costs: history.test_costs,
        validation_costs: history.validation_costs,
        validation_accuracies: history.validation_accuracies,
        per_epoch: history.per_epoch,
        final_cost: history.final_cost,
        train_accuracy,
        test_accuracy,
        train_examples: train.examples(),
        test_examples: data.test.as_ref().map(Dataset::examples),
        validation_examples: data.validation.as_ref().map(Dataset::examples),
        iterations: history.iterations,
        train_seconds: history.train_seconds,
        learning_rate: spec.gd.learning_rate,
        layer_sizes: sizes,
        best_at: history.best_at,
        stopped_early: history.best_at.is_some() && history.iterations < spec.gd.total_units(),
        interrupted,
        updates,
        allreduce_seconds: history.allreduce_seconds,
        config: ctx
            .job
            .map(|j| serde_json::to_value(j).expect("config serialises"))
            .unwrap_or_default(),
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
    if !trained.metrics.validation_costs.is_empty() {
        series.push(("validation", trained.metrics.validation_costs.as_slice()));
    }
    let unit = if trained.metrics.per_epoch {
        "epochs"
    } else {
        "iterations"
    };
    plot::learning_curve(dir, &series, lr, unit)?;
    if train.features() == 2 {
        let title = format!(
            "Decision boundary, layers {:?}: accuracy {:.2} %",
            trained.metrics.layer_sizes,
            trained.metrics.train_accuracy * 100.0
        );
        let classify = |grid: &ndarray::Array2<f64>| trained.network.predict_classes(grid);
        plot::decision_boundary(
            dir,
            "decision_boundary",
            &title,
            &train.x,
            &train.y,
            &classify,
        )?;
    }
    Ok(())
}

impl TrainedNetwork {
    /// The predicted class of each column of X (f64 in, computed in the network's precision).
    pub fn predict_classes(&self, x: &ndarray::Array2<f64>) -> Vec<usize> {
        fn go<T: Float>(net: &Network<T>, x: &ndarray::Array2<f64>) -> Vec<usize> {
            net.predict(x.mapv(T::cast).view())
                .iter()
                .map(|c| c.as_f64() as usize)
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
