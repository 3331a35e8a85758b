//! The run folder: a trained network's files (model.safetensors + model.json,
//! metrics.json, the learning curve, the decision boundary, the final
//! checkpoint), written so that nothing is ever half-written.
//!
//! A new folder is filled under a temporary name and renamed into place when
//! complete; a folder that already holds this run's checkpoints (a run with
//! `--checkpoint-every`, or one resumed in place) is completed file by file,
//! each file atomic and the checkpoint last, so that at every moment it holds
//! a checkpoint `--resume` continues from.

use std::cell::Cell;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::data::Dataset;
use crate::engine::checkpoint;
use crate::error::Error;
use crate::figure::{Boundary, Curve};
use crate::fsutil::{claim_fresh, claim_out, write_atomic, RunDir, RunLock};
use crate::model_io;
use crate::network::{with_any, AnyNetwork};
use crate::plot;

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
    /// L-BFGS: why it ended before its iterations, if it did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lbfgs_stop: Option<crate::optim::LbfgsStop>,
    /// L-BFGS: the cost evaluations made.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lbfgs_evaluations: Option<usize>,
    /// Whether the run was interrupted (a checkpoint holds where it stopped).
    pub interrupted: bool,
    /// How many training examples the trained model assigns to each class.
    #[serde(default)]
    pub predicted_counts: Vec<usize>,
    /// How many test examples it assigns to each class, with a test set.
    #[serde(default)]
    pub test_predicted_counts: Option<Vec<usize>>,
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
    pub network: AnyNetwork,
    /// Its metrics.
    pub metrics: Metrics,
    /// Training files skipped by `--skip-bad`, with their reasons.
    pub skipped: Vec<String>,
    /// The run's final state as checkpoint bytes (jobs only), written into the
    /// run folder so that it can be continued.
    pub checkpoint: Option<Vec<u8>>,
}

/// Fills the existing folder `dir` with a run's files: the model
/// (model.safetensors + model.json), metrics.json, the learning curve and, for
/// 2-feature data, the decision boundary (PNG and SVG; `test`'s points drawn
/// apart). A stop (Ctrl-C, SIGTERM) asked for meanwhile ends it between files
/// with [`Error::Stopped`] (the plots poll it between pictures too), except
/// in a [`crate::stop::finishing`] phase (a job's final write).
pub fn write_run_contents(
    dir: &Path,
    trained: &Trained,
    train: &Dataset,
    test: Option<&Dataset>,
) -> Result<(), Error> {
    let poll = || crate::stop::check(&format!("writing the run folder {}", dir.display()));
    poll()?;
    write_model(dir, trained, train)?;
    poll()?;
    let m = &trained.metrics;
    let metrics = serde_json::to_string_pretty(m).expect("metrics serialise");
    write_atomic(&dir.join("metrics.json"), metrics.as_bytes())?;
    poll()?;
    plot::learning_curve(dir, &learning_curve(m))?;
    if train.features() == 2 {
        let boundary = decision_boundary(m, train, test);
        let classify = |grid: &ndarray::Array2<f64>| trained.network.predict_classes(grid);
        // Features near ±1.8e308 (unstandardised) have no figure: none is drawn.
        if boundary.extent().is_some() {
            plot::decision_boundary(dir, "decision_boundary", &boundary, &classify)?;
        }
    }
    Ok(())
}

/// The learning curve of a run: its costs, its validation accuracies and
/// the trained model's accuracies.
fn learning_curve(m: &Metrics) -> Curve<'_> {
    let mut costs = vec![("train", m.costs.as_slice())];
    if !m.test_costs.is_empty() {
        costs.push(("test", m.test_costs.as_slice()));
    }
    if !m.validation_costs.is_empty() {
        costs.push(("validation", m.validation_costs.as_slice()));
    }
    let mut accuracies = Vec::new();
    if !m.validation_accuracies.is_empty() {
        accuracies.push(("validation", m.validation_accuracies.as_slice()));
    }
    let mut final_accuracies = vec![("train", m.train_accuracy)];
    if let Some(t) = m.test_accuracy {
        final_accuracies.push(("test", t));
    }
    Curve {
        title: crate::figure::title_from_config(&m.layer_sizes, &m.config, m.learning_rate),
        unit: if m.per_epoch { "epochs" } else { "iterations" },
        costs,
        accuracies,
        final_accuracies,
        trained_at: m
            .best_at
            .filter(|_| m.stopped_early)
            .or(m.costs.last().map(|p| p.0))
            .unwrap_or(0),
    }
}

/// The decision boundary of a run on 2-feature data: its title, the axes
/// named after the features, the training and test points.
fn decision_boundary<'a>(
    m: &Metrics,
    train: &'a Dataset,
    test: Option<&'a Dataset>,
) -> Boundary<'a> {
    let mut title = format!(
        "Decision boundary, layers {:?}: train accuracy {:.2} %",
        m.layer_sizes,
        m.train_accuracy * 100.0
    );
    if let Some(t) = m.test_accuracy {
        title.push_str(&format!(", test {:.2} %", t * 100.0));
    }
    let names = train
        .preprocessing
        .feature_names
        .clone()
        .unwrap_or_default();
    let standardised = train.preprocessing.standardization.is_some();
    let axis = |i: usize| {
        let name = names
            .get(i)
            .cloned()
            .unwrap_or_else(|| format!("x{}", i + 1));
        if standardised {
            format!("{name} (standardised)")
        } else {
            name
        }
    };
    Boundary {
        title,
        axes: [axis(0), axis(1)],
        classes: &train.classes,
        train: (&train.x, &train.y),
        test: test.map(|t| (&t.x, &t.y)),
    }
}

/// Writes the model files of `trained` into the existing folder `dir`.
pub fn write_model(dir: &Path, trained: &Trained, train: &Dataset) -> Result<(), Error> {
    with_any!(&trained.network, n => model_io::save(dir, n, &train.classes, &train.preprocessing))
        .map(|_| ())
}

/// Writes the run folder `out` of a finished run: in place when it holds
/// this run's checkpoints (`in_place`), else through a temporary folder
/// (replacing an old one only when `force`).
pub fn write(
    out: &Path,
    trained: &Trained,
    train: &Dataset,
    test: Option<&Dataset>,
    in_place: bool,
    force: bool,
) -> Result<(), Error> {
    if in_place && out.is_dir() {
        write_run_contents(out, trained, train, test)?;
        return write_checkpoint(out, trained);
    }
    let dir = RunDir::create(out, force || in_place)?;
    write_run_contents(&dir.path(""), trained, train, test)?;
    write_checkpoint(&dir.path(""), trained)?;
    dir.commit()?;
    Ok(())
}

/// Writes the final checkpoint of `trained`, if it has one, into `dir`.
fn write_checkpoint(dir: &Path, trained: &Trained) -> Result<(), Error> {
    match &trained.checkpoint {
        Some(bytes) => write_atomic(&dir.join(checkpoint::FILE), bytes),
        None => Ok(()),
    }
}

/// Where a job's checkpoints go: its run folder. A run forced over a folder
/// that exists replaces it whole, in one step, with its first checkpoint, so
/// the old run's files never mix with the new one's (and stay whole if the new
/// run ends before any checkpoint); from then on it writes in place.
#[derive(Debug)]
pub(crate) struct CheckpointFolder {
    out: PathBuf,
    /// The folder holds another run's files: the next checkpoint replaces it.
    replace: Cell<bool>,
    /// The folder is this run's (made or replaced by its checkpoints, or
    /// resumed in place), to be completed in place.
    own: Cell<bool>,
}

impl CheckpointFolder {
    /// The checkpoints of a run writing `out`; `own` when `out` is the run's
    /// own already (resumed in place).
    pub(crate) fn new(out: &Path, own: bool) -> Self {
        CheckpointFolder {
            out: out.to_path_buf(),
            replace: Cell::new(!own && out.exists()),
            own: Cell::new(own),
        }
    }

    /// Writes a checkpoint's `bytes` into the folder (atomically).
    pub(crate) fn save(&self, bytes: &[u8]) -> Result<(), Error> {
        if self.replace.get() {
            let dir = RunDir::create(&self.out, true)?;
            write_atomic(&dir.path(checkpoint::FILE), bytes)?;
            dir.commit()?;
            self.replace.set(false);
        } else {
            std::fs::create_dir_all(&self.out).map_err(|e| Error::io(&self.out, e))?;
            write_atomic(&self.out.join(checkpoint::FILE), bytes)?;
        }
        self.own.set(true);
        Ok(())
    }

    /// Whether the folder is the run's own now (see [`write`]'s `in_place`).
    pub(crate) fn is_own(&self) -> bool {
        self.own.get()
    }
}

/// Writes the metrics so far of an interrupted run beside its checkpoint.
pub fn write_interrupted(out: &Path, trained: &Trained) -> Result<(), Error> {
    let metrics = serde_json::to_string_pretty(&trained.metrics).expect("metrics serialise");
    write_atomic(&out.join("metrics.json"), metrics.as_bytes())
}

/// An output folder claimed for this process: refused to other runs (it is
/// locked) from the claim until this is dropped or written. A door holds it
/// while it computes what goes in the folder.
#[derive(Debug)]
#[must_use = "the folder is claimed only while the OutFolder lives"]
pub struct OutFolder {
    path: PathBuf,
    force: bool,
    _lock: RunLock,
}

impl OutFolder {
    /// Claims `out`: refused if it exists (unless `force`: it will be
    /// replaced), if it is not a regular file or folder, or while another run
    /// writes it or a folder around or inside it.
    pub fn claim(out: &Path, force: bool) -> Result<Self, Error> {
        Ok(OutFolder {
            path: out.to_path_buf(),
            force,
            _lock: claim_out(out, force, &[])?,
        })
    }

    /// Claims a fresh folder named `base`, or `base-2`, `base-3`, … when that
    /// exists or another run holds it: two runs started in the same second
    /// get different folders.
    pub fn fresh(base: &Path) -> Result<Self, Error> {
        let (path, lock) = claim_fresh(base)?;
        Ok(OutFolder {
            path,
            force: false,
            _lock: lock,
        })
    }

    /// The folder's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Writes several runs on one data set into the folder in one step
    /// (nothing is left half-written): the data as the CSV `data_file` and one
    /// sub-folder per run, named by its first element, with that run's files
    /// (model, metrics, plots, as `train` writes). `backprop demo` writes its folder with it.
    pub fn write_runs(
        self,
        data_file: &str,
        data: &Dataset,
        runs: &[(&str, Trained)],
    ) -> Result<PathBuf, Error> {
        let dir = RunDir::create(&self.path, self.force)?;
        crate::data::write_csv(&dir.path(data_file), data.x.view(), data.y.view())?;
        for (name, trained) in runs {
            let sub = dir.path(name);
            std::fs::create_dir(&sub).map_err(|e| Error::io(&sub, e))?;
            write_run_contents(&sub, trained, data, None)?;
        }
        dir.commit()
    }
}
