//! What to train and how, apart from the data and the weights: [`GdConfig`]
//! (the optimisation), [`ModelSpec`] (the network plus its training),
//! [`TrainConfig`] (a whole `train` job) and [`Precision`].
//!
//! A leaf: it imports no part of the training engine, so the engine,
//! checkpoints and every front (CLI, Python, playground) can depend on it.
//! Each struct's `Default` is the one set of defaults; the CLI shows and uses
//! them. `validate()` checks every range once, before any work, for every
//! entry point (the CLI, the library's `fit`/`train_on`, `--resume`); its
//! messages name the flag a command-line user knows, e.g.
//! `--learning-rate must be > 0, got -1`.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::activation::Activation;
use crate::data::LoadOptions;
use crate::error::Error;
use crate::init::Init;
use crate::optim::{LrSchedule, OptimizerConfig};

/// The seed every default uses: numpy's `np.random.seed(1)`, the course's, so a
/// default run draws the course's weights (the CLI's `--seed` defaults to it).
pub const DEFAULT_SEED: u32 = 1;

/// The decay rate r of a learning-rate schedule when none is given.
pub const DEFAULT_DECAY_RATE: f64 = 1.0;
/// The step decay's interval (epochs) when none is given.
pub const DEFAULT_DECAY_INTERVAL: usize = 1000;

/// Most iterations (or epochs) a run may ask for: more is a typo, not a plan.
pub const MAX_ITERATIONS: usize = 100_000_000;
/// Most units in one hidden layer.
pub const MAX_LAYER_UNITS: usize = 1_000_000;
/// Most hidden layers.
pub const MAX_HIDDEN_LAYERS: usize = 1_000;
/// Most threads for the matrix products.
pub const MAX_THREADS: usize = 1_024;
/// Largest picture side (pixels) pictures are resized to (checked with the
/// memory budget by the picture loader, before any picture is decoded).
pub use crate::data::MAX_IMAGE_SIZE;

/// The element type the network computes in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Precision {
    /// 32-bit floats (the default: twice the speed).
    #[default]
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

impl std::fmt::Display for Precision {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Precision::F32 => "f32",
            Precision::F64 => "f64",
        })
    }
}

/// The settings of training. The defaults are the notes' full-batch gradient
/// descent; the engine's planner picks how each update is computed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GdConfig {
    /// α, the step size (the base of a schedule).
    pub learning_rate: f64,
    /// How many iterations (updates) to run, unless `epochs` is given.
    pub iterations: usize,
    /// Record the cost every this many iterations (or epochs), the first
    /// first. Default (`None`): every 100 iterations, or every epoch with `epochs`.
    #[serde(default)]
    pub record_every: Option<usize>,
    /// Examples per update (default: all of them, full batch).
    #[serde(default)]
    pub batch_size: Option<usize>,
    /// Train this many passes over the data instead of `iterations` updates;
    /// costs are then recorded per epoch (the mean over its mini-batches).
    #[serde(default)]
    pub epochs: Option<usize>,
    /// The optimiser (default: plain gradient descent).
    #[serde(default = "default_optimizer")]
    pub optimizer: OptimizerConfig,
    /// How α changes with the epoch.
    #[serde(default = "default_schedule")]
    pub schedule: LrSchedule,
    /// λ of the L2 term λ/(2m)·Σ‖W‖², in the cost and in dW (0: none).
    #[serde(default)]
    pub l2: f64,
    /// Inverted dropout's keep probability: one for every hidden layer, or
    /// one per hidden layer (empty: none). Training only.
    #[serde(default)]
    pub keep_prob: Vec<f64>,
    /// Seed of the mini-batch shuffles (epoch e uses `np.random.seed(seed + e + 1)`,
    /// as the course's `random_mini_batches`) and of the dropout masks.
    #[serde(default)]
    pub seed: u32,
    /// Stop when the validation cost has not improved for this many epochs
    /// (with `epochs`; else recorded evaluations), and keep the best weights.
    /// Needs a validation set.
    #[serde(default)]
    pub early_stopping: Option<usize>,
    /// Reshuffle the examples every epoch (default). Off: mini-batches are
    /// contiguous slices of X in order, trained on in place, without a copy.
    #[serde(default = "default_shuffle")]
    pub shuffle: bool,
}

fn default_shuffle() -> bool {
    true
}

fn default_optimizer() -> OptimizerConfig {
    OptimizerConfig::Gd
}

fn default_schedule() -> LrSchedule {
    LrSchedule::None
}

impl Default for GdConfig {
    /// The course's deep network: α = 0.0075, 2500 full-batch iterations,
    /// the cost recorded every 100 iterations (every epoch with `epochs`), seed [`DEFAULT_SEED`].
    fn default() -> Self {
        GdConfig {
            learning_rate: 0.0075,
            iterations: 2500,
            record_every: None,
            batch_size: None,
            epochs: None,
            optimizer: OptimizerConfig::Gd,
            schedule: LrSchedule::None,
            l2: 0.0,
            keep_prob: Vec::new(),
            seed: DEFAULT_SEED,
            early_stopping: None,
            shuffle: true,
        }
    }
}

impl GdConfig {
    /// Whether this is the notes' plain gradient descent on the whole batch
    /// of m examples (no optimiser state, L2, dropout or schedule), which the
    /// engine may compute by a faster road than the general loop.
    pub fn is_plain(&self, m: usize) -> bool {
        self.batch_size.is_none_or(|b| b >= m)
            && self.optimizer == OptimizerConfig::Gd
            && self.schedule == LrSchedule::None
            && self.l2 == 0.0
            && self.keep_prob.iter().all(|&p| p >= 1.0)
    }

    /// Examples per update on a training set of `m`: the batch size, the
    /// whole set when none is given or it is larger, at least 1. The one clamp
    /// of the batch size, for every door.
    pub fn batch_size_for(&self, m: usize) -> usize {
        self.batch_size.unwrap_or(m).clamp(1, m.max(1))
    }

    /// Units (iterations, or epochs with `epochs`) between two recorded costs.
    pub fn record_interval(&self) -> usize {
        self.record_every
            .unwrap_or(if self.epochs.is_some() { 1 } else { 100 })
    }

    /// The number of recorded units (epochs or iterations) the run lasts.
    pub fn total_units(&self) -> usize {
        self.epochs.unwrap_or(self.iterations)
    }

    /// Checks every range of the optimisation settings (not `keep_prob`'s
    /// count, which needs the layers: see [`GdConfig::validate_for`]).
    ///
    /// ```
    /// let gd = backprop::GdConfig { learning_rate: -1.0, ..Default::default() };
    /// let err = gd.validate().unwrap_err().to_string();
    /// assert_eq!(err, "--learning-rate must be > 0, got -1");
    /// ```
    pub fn validate(&self) -> Result<(), Error> {
        positive_finite("--learning-rate", self.learning_rate)?;
        match self.epochs {
            Some(e) => at_least_one_at_most("--epochs", e, MAX_ITERATIONS)?,
            None => at_least_one_at_most("--iterations", self.iterations, MAX_ITERATIONS)?,
        }
        if let Some(r) = self.record_every {
            at_least_one_at_most("--record-every", r, MAX_ITERATIONS)?;
        }
        if let Some(b) = self.batch_size {
            at_least_one_at_most("--batch-size", b, usize::MAX)?;
        }
        if !(self.l2.is_finite() && self.l2 >= 0.0) {
            return Err(bad(format!("--l2 must be ≥ 0, got {}", self.l2)));
        }
        if let Some(p) = self.keep_prob.iter().find(|p| !(**p > 0.0 && **p <= 1.0)) {
            return Err(bad(format!("--keep-prob must be in (0, 1], got {p}")));
        }
        if self.early_stopping == Some(0) {
            return Err(bad("--early-stopping must be at least 1, got 0"));
        }
        match self.optimizer {
            OptimizerConfig::Gd => {}
            OptimizerConfig::Momentum(c) => unit_interval("--beta", c.beta)?,
            OptimizerConfig::RmsProp(c) => {
                unit_interval("--beta2", c.beta2)?;
                positive_finite("--epsilon", c.epsilon)?;
            }
            OptimizerConfig::Adam(c) => {
                unit_interval("--beta1", c.beta1)?;
                unit_interval("--beta2", c.beta2)?;
                positive_finite("--epsilon", c.epsilon)?;
            }
        }
        match self.schedule {
            LrSchedule::None => {}
            LrSchedule::InverseTime { rate } => non_negative("--lr-decay-rate", rate)?,
            LrSchedule::Exponential { rate } => {
                if !(rate > 0.0 && rate <= 1.0) {
                    return Err(bad(format!(
                        "--lr-decay-rate must be in (0, 1] for exponential decay, got {rate}"
                    )));
                }
            }
            LrSchedule::Step { rate, interval } => {
                non_negative("--lr-decay-rate", rate)?;
                if interval == 0 {
                    return Err(bad("--lr-decay-interval must be at least 1, got 0"));
                }
            }
        }
        Ok(())
    }

    /// Refuses an L2 strength that makes plain gradient descent or momentum
    /// diverge by itself on batches from `m` examples. The L2 term adds
    /// (λ/b)·W to dW, so each update scales W by 1 − α·λ/b before the data's
    /// gradient acts: that stays a contraction only while α·λ/b < 2 (with
    /// momentum β, the heavy-ball bound 2(1+β)/(1−β)); past it the weights
    /// flip sign and grow every update until the cost overflows. Adam and
    /// RMSprop divide the gradient by its own size, so no such bound applies.
    ///
    /// ```
    /// let gd = backprop::GdConfig { l2: 1e19, ..Default::default() };
    /// let e = gd.validate_for_examples(60).unwrap_err().to_string();
    /// assert!(e.starts_with("--l2 10000000000000000000 is too large"), "{e}");
    /// ```
    pub fn validate_for_examples(&self, m: usize) -> Result<(), Error> {
        let beta = match self.optimizer {
            OptimizerConfig::Gd => 0.0,
            OptimizerConfig::Momentum(c) => c.beta,
            OptimizerConfig::RmsProp(_) | OptimizerConfig::Adam(_) => return Ok(()),
        };
        let b = self.batch_size.unwrap_or(m).clamp(1, m.max(1)) as f64;
        let limit = 2.0 * (1.0 + beta) / (1.0 - beta);
        let decay = self.learning_rate * self.l2 / b;
        if decay < limit {
            return Ok(());
        }
        Err(bad(format!(
            "--l2 {} is too large for --learning-rate {} on batches of {b} examples: the weight decay α·λ/b = {decay:.3e} \
             must stay below {limit} or every update grows the weights until the cost overflows; keep --l2 below {:.3e}",
            self.l2,
            self.learning_rate,
            limit * b / self.learning_rate
        )))
    }

    /// [`GdConfig::validate`], plus the dropout settings against a network
    /// with `hidden_layers` hidden layers: one keep probability, or one per
    /// hidden layer, and none for logistic regression.
    pub fn validate_for(&self, hidden_layers: usize) -> Result<(), Error> {
        self.validate()?;
        let n = self.keep_prob.len();
        if n > 0 && hidden_layers == 0 {
            return Err(bad(
                "--keep-prob does not apply: logistic regression (--hidden none) has no hidden layer to drop units from",
            ));
        }
        if n > 1 && n != hidden_layers {
            return Err(bad(format!(
                "--keep-prob has {n} values for {hidden_layers} hidden layers; give one value, or one per hidden layer"
            )));
        }
        Ok(())
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

impl Default for ModelSpec {
    /// The course's deep network (hidden 20, 7, 5; ReLU; Xavier-style
    /// N(0,1)/√n initialisation; seed 1), in f32 on every core.
    fn default() -> Self {
        ModelSpec {
            hidden: vec![20, 7, 5],
            activation: Activation::Relu,
            init: Init::Xavier,
            gd: GdConfig::default(),
            seed: DEFAULT_SEED,
            precision: Precision::F32,
            threads: std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(1),
        }
    }
}

impl ModelSpec {
    /// The defaults for a table (a CSV file), chosen by measuring candidates
    /// against scikit-learn on five public tables (`bench/defaults.py`,
    /// docs/DEFAULTS.md): one hidden layer of 64 ReLU units, Adam with
    /// α = 0.01, mini-batches of 32 for 50 epochs. Everything else is
    /// [`ModelSpec::default`]'s, which pictures and HDF5 files keep (the course's).
    ///
    /// ```
    /// let t = backprop::ModelSpec::table_default();
    /// assert_eq!(t.hidden, vec![64]);
    /// assert_eq!(t.seed, backprop::ModelSpec::default().seed);
    /// ```
    pub fn table_default() -> Self {
        ModelSpec {
            hidden: vec![64],
            gd: GdConfig {
                learning_rate: 0.01,
                optimizer: OptimizerConfig::Adam(crate::optim::AdamConfig::default()),
                batch_size: Some(32),
                epochs: Some(50),
                ..GdConfig::default()
            },
            ..ModelSpec::default()
        }
    }

    /// The defaults for the training set at `path`: [`ModelSpec::table_default`]
    /// for a CSV file, [`ModelSpec::default`] (the course's network) for anything else.
    pub fn default_for(path: &Path) -> Self {
        if DataKind::of(path) == DataKind::Csv {
            ModelSpec::table_default()
        } else {
            ModelSpec::default()
        }
    }

    /// Checks the layers, the threads and every training setting.
    ///
    /// ```
    /// let spec = backprop::ModelSpec { hidden: vec![20, 0], ..Default::default() };
    /// assert!(spec.validate().unwrap_err().to_string().starts_with("--hidden"));
    /// ```
    pub fn validate(&self) -> Result<(), Error> {
        if self.hidden.len() > MAX_HIDDEN_LAYERS {
            return Err(bad(format!(
                "--hidden lists {} layers; at most {MAX_HIDDEN_LAYERS}",
                self.hidden.len()
            )));
        }
        for &n in &self.hidden {
            at_least_one_at_most("--hidden: every layer's size", n, MAX_LAYER_UNITS)?;
        }
        if let Activation::LeakyRelu { slope } = self.activation {
            // As a model file's check requires: a negative or steeper slope is
            // not a leaky ReLU, and its model would not load.
            if !(0.0..1.0).contains(&slope) {
                return Err(bad(format!(
                    "leaky ReLU's slope must be in [0, 1), got {slope}"
                )));
            }
        }
        at_least_one_at_most("--threads", self.threads, MAX_THREADS)?;
        self.gd.validate_for(self.hidden.len())
    }
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
    /// Hold out this fraction of the training set (stratified, seeded) for validation.
    #[serde(default)]
    pub validation: Option<f64>,
    /// Write a checkpoint into the run folder every this many iterations (or epochs).
    #[serde(default)]
    pub checkpoint_every: Option<usize>,
}

impl TrainConfig {
    /// A job on `train` writing to `out`, with every other setting at its default.
    pub fn new(train: impl Into<PathBuf>, out: impl Into<PathBuf>) -> Self {
        TrainConfig {
            train: train.into(),
            test: None,
            load: LoadOptions::default(),
            model: ModelSpec::default(),
            out: out.into(),
            force: false,
            standardize: false,
            validation: None,
            checkpoint_every: None,
        }
    }

    /// Checks the model and every job setting, and refuses loading options
    /// that do not apply to the training set's kind (`--x-key` on a CSV,
    /// `--positive` on an HDF5 file, …).
    pub fn validate(&self) -> Result<(), Error> {
        self.model.validate()?;
        if let Some(f) = self.validation {
            if !(f > 0.0 && f < 1.0) {
                return Err(bad(format!("--validation must be in (0, 1), got {f}")));
            }
        }
        if self.checkpoint_every == Some(0) {
            return Err(bad("--checkpoint-every must be at least 1, got 0"));
        }
        if self.model.gd.early_stopping.is_some() && self.validation.is_none() {
            return Err(bad(
                "--early-stopping needs a validation set to watch: add --validation (e.g. 0.2)",
            ));
        }
        self.validate_load_options()
    }

    fn validate_load_options(&self) -> Result<(), Error> {
        let load = &self.load;
        // Over MAX_IMAGE_SIZE is refused by the picture loader, which can say
        // what the folder would take against the memory budget.
        if load.image_size == Some(0) {
            return Err(bad(format!(
                "--image-size must be between 1 and {MAX_IMAGE_SIZE}, got 0"
            )));
        }
        let kind = DataKind::of(&self.train);
        let refuse = |flag: &str, applies_to: &str| {
            Err(bad(format!(
                "{flag} applies to {applies_to} only, and {} is {}",
                self.train.display(),
                kind.describe()
            )))
        };
        if kind != DataKind::Hdf5 {
            if load.x_key.is_some() {
                return refuse("--x-key", "HDF5 files");
            }
            if load.y_key.is_some() {
                return refuse("--y-key", "HDF5 files");
            }
        }
        for (flag, given) in [
            ("--label-column", load.label_column.is_some()),
            ("--index-column", load.index_column.is_some()),
            ("--features", !load.features.is_empty()),
            ("--drop", !load.drop.is_empty()),
            ("--missing", load.missing != crate::data::Missing::default()),
        ] {
            csv_only(flag, given, &self.train)?;
        }
        self.validate_columns()?;
        if kind != DataKind::Pictures && kind != DataKind::Csv && load.positive.is_some() {
            return refuse("--positive", "folders of pictures and CSV tables");
        }
        if kind != DataKind::Pictures {
            if load.skip_bad {
                return refuse("--skip-bad", "folders of pictures");
            }
            if load.image_size.is_some() {
                return refuse("--image-size", "folders of pictures");
            }
            if load.grayscale.is_some() {
                return refuse("--grayscale", "folders of pictures");
            }
        }
        Ok(())
    }

    /// Refuses CSV column flags that contradict each other before any file is
    /// read: a column listed twice in `--features` (it would enter the
    /// network twice) or `--drop`, and an `--index-column` that is the label
    /// column (the loader would take the labels as row ids).
    fn validate_columns(&self) -> Result<(), Error> {
        let load = &self.load;
        for (flag, names) in [("--features", &load.features), ("--drop", &load.drop)] {
            if let Some(name) = first_repeat(names.iter().map(String::as_str)) {
                return Err(bad(format!(
                    "{flag} lists '{name}' twice; name each column once"
                )));
            }
        }
        let label = load
            .label_column
            .as_deref()
            .unwrap_or(crate::data::DEFAULT_LABEL_COLUMN);
        if load.index_column.as_deref() == Some(label) {
            return Err(bad(format!(
                "--index-column '{label}' is the label column; the row ids and the labels must be two columns (see --label-column)"
            )));
        }
        Ok(())
    }
}

/// Refuses a CSV-only `flag` (given when `given`) for `data` that is not a
/// CSV file: the one check `train`'s options and `evaluate`'s
/// `--label-column` share, so both refuse it alike rather than one ignoring it.
///
/// ```
/// use std::path::Path;
/// use backprop::config::csv_only;
/// assert!(csv_only("--label-column", true, Path::new("d.csv")).is_ok());
/// let e = csv_only("--label-column", true, Path::new("d.h5")).unwrap_err();
/// assert_eq!(e.to_string(), "--label-column applies to CSV files only, and d.h5 is an HDF5 file");
/// ```
pub fn csv_only(flag: &str, given: bool, data: &Path) -> Result<(), Error> {
    let kind = DataKind::of(data);
    if given && kind != DataKind::Csv {
        return Err(bad(format!(
            "{flag} applies to CSV files only, and {} is {}",
            data.display(),
            kind.describe()
        )));
    }
    Ok(())
}

/// The first name `names` holds twice, if any, in linear time (flags and
/// model.json's columns and categories).
pub(crate) fn first_repeat<'a>(names: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let mut seen = std::collections::HashSet::new();
    names.into_iter().find(|n| !seen.insert(*n))
}

/// The kind of a training set, told from its path as the loaders tell it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum DataKind {
    Pictures,
    Hdf5,
    Csv,
    Other,
}

impl DataKind {
    fn of(path: &Path) -> Self {
        match crate::data::FileKind::of(path) {
            crate::data::FileKind::Pictures => DataKind::Pictures,
            crate::data::FileKind::Hdf5 => DataKind::Hdf5,
            crate::data::FileKind::Csv => DataKind::Csv,
            _ => DataKind::Other,
        }
    }

    fn describe(self) -> &'static str {
        match self {
            DataKind::Pictures => "a folder of pictures",
            DataKind::Hdf5 => "an HDF5 file",
            DataKind::Csv => "a CSV file",
            DataKind::Other => "neither",
        }
    }
}

fn bad(message: impl Into<String>) -> Error {
    Error::Config(message.into())
}

fn positive_finite(flag: &str, v: f64) -> Result<(), Error> {
    if v.is_finite() && v > 0.0 {
        Ok(())
    } else {
        Err(bad(format!("{flag} must be > 0, got {v}")))
    }
}

fn non_negative(flag: &str, v: f64) -> Result<(), Error> {
    if v.is_finite() && v >= 0.0 {
        Ok(())
    } else {
        Err(bad(format!("{flag} must be ≥ 0, got {v}")))
    }
}

fn unit_interval(flag: &str, v: f64) -> Result<(), Error> {
    if (0.0..1.0).contains(&v) {
        Ok(())
    } else {
        Err(bad(format!("{flag} must be in [0, 1), got {v}")))
    }
}

fn at_least_one_at_most(flag: &str, v: usize, max: usize) -> Result<(), Error> {
    if v == 0 {
        Err(bad(format!("{flag} must be at least 1, got 0")))
    } else if v > max {
        Err(bad(format!("{flag} must be at most {max}, got {v}")))
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::optim::AdamConfig;

    fn message(r: Result<(), Error>) -> String {
        r.unwrap_err().to_string()
    }

    #[test]
    fn the_defaults_are_valid() {
        GdConfig::default().validate().unwrap();
        ModelSpec::default().validate().unwrap();
        TrainConfig::new("data.csv", "out").validate().unwrap();
    }

    #[test]
    fn each_bad_range_names_its_flag() {
        let gd = |f: fn(&mut GdConfig)| {
            let mut g = GdConfig::default();
            f(&mut g);
            message(g.validate())
        };
        assert_eq!(
            gd(|g| g.learning_rate = -1.0),
            "--learning-rate must be > 0, got -1"
        );
        assert!(gd(|g| g.learning_rate = f64::NAN).starts_with("--learning-rate"));
        assert_eq!(gd(|g| g.l2 = -1.0), "--l2 must be ≥ 0, got -1");
        assert!(gd(|g| g.l2 = f64::NAN).starts_with("--l2"));
        assert!(gd(|g| g.iterations = 0).starts_with("--iterations"));
        assert!(gd(|g| g.iterations = 1_000_000_000_000).starts_with("--iterations"));
        assert!(gd(|g| g.epochs = Some(0)).starts_with("--epochs"));
        assert!(gd(|g| g.record_every = Some(0)).starts_with("--record-every"));
        assert!(gd(|g| g.batch_size = Some(0)).starts_with("--batch-size"));
        assert!(gd(|g| g.keep_prob = vec![0.0]).starts_with("--keep-prob"));
        assert!(gd(|g| g.keep_prob = vec![1.5]).starts_with("--keep-prob"));
        assert!(gd(|g| g.early_stopping = Some(0)).starts_with("--early-stopping"));
        let adam = |beta1, beta2, epsilon| {
            OptimizerConfig::Adam(AdamConfig {
                beta1,
                beta2,
                epsilon,
            })
        };
        let opt = |o: OptimizerConfig| {
            message(
                GdConfig {
                    optimizer: o,
                    ..Default::default()
                }
                .validate(),
            )
        };
        assert_eq!(
            opt(adam(1.0, 0.999, 1e-8)),
            "--beta1 must be in [0, 1), got 1"
        );
        assert!(opt(adam(0.9, -0.1, 1e-8)).starts_with("--beta2"));
        assert!(opt(adam(0.9, 0.999, 0.0)).starts_with("--epsilon"));
        let sched = |s: LrSchedule| {
            message(
                GdConfig {
                    schedule: s,
                    ..Default::default()
                }
                .validate(),
            )
        };
        assert!(sched(LrSchedule::InverseTime { rate: -1.0 }).starts_with("--lr-decay-rate"));
        assert!(sched(LrSchedule::Step {
            rate: 1.0,
            interval: 0
        })
        .starts_with("--lr-decay-interval"));
    }

    #[test]
    fn model_and_job_settings_are_checked() {
        let spec = |f: fn(&mut ModelSpec)| {
            let mut s = ModelSpec::default();
            f(&mut s);
            message(s.validate())
        };
        assert!(spec(|s| s.threads = 0).starts_with("--threads"));
        assert!(spec(|s| s.hidden = vec![usize::MAX]).starts_with("--hidden"));
        assert!(spec(|s| s.gd.keep_prob = vec![0.8, 0.9]).contains("2 values for 3 hidden"));
        assert!(spec(|s| {
            s.hidden.clear();
            s.gd.keep_prob = vec![0.8]
        })
        .starts_with("--keep-prob does not apply"));
        let job = |f: fn(&mut TrainConfig)| {
            let mut c = TrainConfig::new("data.csv", "out");
            f(&mut c);
            message(c.validate())
        };
        assert!(job(|c| c.checkpoint_every = Some(0)).starts_with("--checkpoint-every"));
        assert!(job(|c| c.validation = Some(1.0)).starts_with("--validation"));
        assert!(job(|c| c.model.gd.early_stopping = Some(3)).contains("add --validation"));
        assert!(job(|c| c.load.x_key = Some("x".into())).starts_with("--x-key applies"));
        assert!(job(|c| {
            c.train = "data.h5".into();
            c.load.positive = Some("cat".into())
        })
        .starts_with("--positive"));
        assert!(job(|c| {
            c.train = "data.h5".into();
            c.load.missing = crate::data::Missing::Drop
        })
        .starts_with("--missing applies to CSV files"));
        assert!(job(|c| c.load.image_size = Some(0)).starts_with("--image-size"));
        assert!(job(|c| {
            c.train = "data.h5".into();
            c.load.label_column = Some("y".into())
        })
        .starts_with("--label-column"));
    }

    #[test]
    fn serde_format_is_unchanged() {
        assert_eq!(serde_json::to_string(&Precision::F64).unwrap(), "\"f64\"");
        // A GdConfig written before the optional fields existed still reads.
        let old = r#"{"learning_rate":0.1,"iterations":5,"record_every":1}"#;
        let gd: GdConfig = serde_json::from_str(old).unwrap();
        assert_eq!(gd.optimizer, OptimizerConfig::Gd);
        assert!(gd.shuffle);
    }
}
