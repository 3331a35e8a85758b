//! What to train and how, apart from the data and the weights: [`GdConfig`]
//! (the optimisation), [`ModelSpec`] (the network plus its training),
//! [`TrainConfig`] (a whole `train` job) and [`Precision`].
//!
//! A leaf: it imports no part of the training engine, so the engine,
//! checkpoints and every front (CLI, Python, playground) can depend on it.
//! Each struct's `Default` is the one set of defaults; the CLI shows and uses
//! them. `validate()` checks every range once, before any work, for every
//! entry point (the CLI, the library's `fit`/`train_on`, a resumed run). A
//! bad value is an [`Error::Setting`]: which [`Setting`], what it may be and
//! what was given. Its message names settings by their marks, so `Display`
//! writes the field name (`learning_rate must be > 0, got -1`) and each door
//! its own through [`Error::render`] (the CLI `--learning-rate`, Python
//! `learning_rate_init`); numbers print compactly (`1e300`).

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::activation::Activation;
use crate::class_weight::ClassWeight;
use crate::data::LoadOptions;
use crate::error::Error;
use crate::init::Init;
use crate::layers::batchnorm::BatchNormConfig;
use crate::layers::PictureLayer;
use crate::optim::{LrSchedule, OptimizerConfig};
use crate::setting::{compact, Problem, Setting};

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
    /// λ of the L1 term λ/m·Σ|W|, in the cost and in dW as (λ/m)·sign(W)
    /// (0: none). Pushes weights to exactly 0 where L2 only shrinks them.
    #[serde(default)]
    pub l1: f64,
    /// One factor sⱼ per input feature for the penalties on the first
    /// layer's weights: its column j enters the L2 and L1 terms as sⱼ·W\[1\]\[:, j\]
    /// (empty: 1 for every column). Fitting standardised features
    /// x'ⱼ = (xⱼ − μⱼ)/σⱼ with sⱼ = 1/σⱼ penalises the raw features'
    /// coefficients W\[1\]\[:, j\]/σⱼ: the raw problem's solution, solved in the
    /// better-conditioned space (glmnet's `penalty.factor`). L-BFGS only.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub penalty_scale: Vec<f64>,
    /// Inverted dropout's keep probability: one for every hidden layer, or
    /// one per hidden layer (empty: none). Training only.
    #[serde(default)]
    pub keep_prob: Vec<f64>,
    /// The run's one seed: `np.random.seed(seed)` before the weights are drawn,
    /// the mini-batch shuffles (epoch e uses `np.random.seed(seed + e + 1)`, as
    /// the course's `random_mini_batches`), the dropout masks and the
    /// validation split.
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
    /// the cost recorded every 100 iterations (every epoch with `epochs`), seed 1.
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
            l1: 0.0,
            penalty_scale: Vec::new(),
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
            && self.l1 == 0.0
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
    /// use backprop::{Error, Setting};
    ///
    /// let gd = backprop::GdConfig { learning_rate: -1.0, ..Default::default() };
    /// let err = gd.validate().unwrap_err();
    /// assert_eq!(err.to_string(), "learning_rate must be > 0, got -1");
    /// assert_eq!(err.setting(), Some(Setting::LearningRate));
    /// let Error::Setting(problem) = err else { unreachable!() };
    /// assert_eq!((problem.allowed(), problem.given()), (Some("> 0"), Some("-1")));
    /// ```
    pub fn validate(&self) -> Result<(), Error> {
        positive_finite(Setting::LearningRate, self.learning_rate)?;
        match self.epochs {
            Some(e) => at_least_one_at_most(Setting::Epochs, e, MAX_ITERATIONS)?,
            None => at_least_one_at_most(Setting::Iterations, self.iterations, MAX_ITERATIONS)?,
        }
        if let Some(r) = self.record_every {
            at_least_one_at_most(Setting::RecordEvery, r, MAX_ITERATIONS)?;
        }
        if let Some(b) = self.batch_size {
            at_least_one_at_most(Setting::BatchSize, b, usize::MAX)?;
        }
        non_negative(Setting::L2, self.l2)?;
        non_negative(Setting::L1, self.l1)?;
        if let Some(p) = self.keep_prob.iter().find(|p| !(**p > 0.0 && **p <= 1.0)) {
            return Err(Problem::range(Setting::KeepProb, "in (0, 1]", compact(*p)).into());
        }
        if let Some(e) = self.early_stopping {
            at_least_one_at_most(Setting::EarlyStopping, e, usize::MAX)?;
        }
        self.validate_optimizer()?;
        self.validate_schedule()
    }

    fn validate_optimizer(&self) -> Result<(), Error> {
        match self.optimizer {
            OptimizerConfig::Gd => {}
            OptimizerConfig::Momentum(c) => unit_interval(Setting::Beta, c.beta)?,
            OptimizerConfig::RmsProp(c) => {
                unit_interval(Setting::Beta2, c.beta2)?;
                positive_finite(Setting::Epsilon, c.epsilon)?;
            }
            OptimizerConfig::Adam(c) => {
                unit_interval(Setting::Beta1, c.beta1)?;
                unit_interval(Setting::Beta2, c.beta2)?;
                positive_finite(Setting::Epsilon, c.epsilon)?;
            }
            OptimizerConfig::Lbfgs(c) => self.validate_lbfgs(c)?,
        }
        Ok(())
    }

    /// L-BFGS's own ranges, and the settings that do not apply to it (it
    /// runs full-batch iterations, with no learning rate to schedule and a
    /// deterministic cost for its line search).
    fn validate_lbfgs(&self, c: crate::optim::LbfgsConfig) -> Result<(), Error> {
        at_least_one_at_most(Setting::MaxFun, c.max_fun, MAX_ITERATIONS)?;
        non_negative(Setting::Tol, c.tol)?;
        non_negative(Setting::Tol, c.ftol)?;
        at_least_one_at_most(Setting::Optimizer, c.max_line_search, 1000)?;
        if !(1..=1000).contains(&c.memory) {
            let problem = format!(
                "{} lbfgs keeps 1 to 1000 pairs, got {}",
                Setting::Optimizer,
                c.memory
            );
            return Err(Problem::other(Setting::Optimizer, problem).into());
        }
        let lbfgs = format!("{} lbfgs", Setting::Optimizer);
        let refuse = |setting: Setting, why: &str| -> Result<(), Error> {
            Err(Problem::other(
                setting,
                format!("{setting} does not apply to {lbfgs}: {why}"),
            )
            .into())
        };
        if self.epochs.is_some() {
            return refuse(
                Setting::Epochs,
                &format!(
                    "it runs full-batch iterations; give {}",
                    Setting::Iterations
                ),
            );
        }
        if self.schedule != LrSchedule::None {
            return refuse(
                Setting::Schedule,
                "it has no learning rate (its line search chooses each step)",
            );
        }
        if self.keep_prob.iter().any(|&p| p < 1.0) {
            return refuse(
                Setting::KeepProb,
                "its line search needs the same cost at every evaluation",
            );
        }
        Ok(())
    }

    fn validate_schedule(&self) -> Result<(), Error> {
        match self.schedule {
            LrSchedule::None => {}
            LrSchedule::InverseTime { rate } => non_negative(Setting::LrDecayRate, rate)?,
            LrSchedule::Exponential { rate } => {
                if !(rate > 0.0 && rate <= 1.0) {
                    return Err(Problem::range(
                        Setting::LrDecayRate,
                        "in (0, 1] for exponential decay",
                        compact(rate),
                    )
                    .into());
                }
            }
            LrSchedule::Step { rate, interval } => {
                non_negative(Setting::LrDecayRate, rate)?;
                at_least_one_at_most(Setting::LrDecayInterval, interval, usize::MAX)?;
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
    /// let e = gd.validate_for_examples(60).unwrap_err();
    /// assert_eq!(e.setting(), Some(backprop::Setting::L2));
    /// let e = e.to_string();
    /// assert!(e.starts_with("l2 1e19 is too large for learning_rate 0.0075"), "{e}");
    /// ```
    pub fn validate_for_examples(&self, m: usize) -> Result<(), Error> {
        if matches!(self.optimizer, OptimizerConfig::Lbfgs(_)) && self.batch_size_for(m) < m {
            let (b, o) = (Setting::BatchSize, Setting::Optimizer);
            let message = format!(
                "{b} does not apply to {o} lbfgs: it trains on the whole batch of {m} examples"
            );
            return Err(Problem::other(b, message).into());
        }
        let beta = match self.optimizer {
            OptimizerConfig::Lbfgs(_) => return Ok(()),
            OptimizerConfig::Gd => 0.0,
            OptimizerConfig::Momentum(c) => c.beta,
            OptimizerConfig::RmsProp(_) | OptimizerConfig::Adam(_) => return Ok(()),
        };
        let b = self.batch_size_for(m) as f64;
        let limit = 2.0 * (1.0 + beta) / (1.0 - beta);
        let decay = self.learning_rate * self.l2 / b;
        if decay < limit {
            return Ok(());
        }
        let (l2, rate) = (Setting::L2, Setting::LearningRate);
        let message = format!(
            "{l2} {} is too large for {rate} {} on batches of {b} examples: the weight decay α·λ/b = {decay:.3e} \
             must stay below {} or every update grows the weights until the cost overflows; keep {l2} below {:.3e}",
            compact(self.l2),
            compact(self.learning_rate),
            compact(limit),
            limit * b / self.learning_rate
        );
        Err(Problem::other(l2, message).into())
    }

    /// [`GdConfig::validate`], plus the dropout settings against a network
    /// with `hidden_layers` hidden layers: one keep probability, or one per
    /// hidden layer, and none for logistic regression.
    pub fn validate_for(&self, hidden_layers: usize) -> Result<(), Error> {
        self.validate()?;
        let n = self.keep_prob.len();
        let keep = Setting::KeepProb;
        if n > 0 && hidden_layers == 0 {
            return Err(Problem::other(
                keep,
                format!(
                    "{keep} does not apply: logistic regression ({} none) has no hidden layer to drop units from",
                    Setting::Hidden
                ),
            )
            .into());
        }
        if n > 1 && n != hidden_layers {
            return Err(Problem::other(
                keep,
                format!(
                    "{keep} has {n} values for {hidden_layers} hidden layers; give one value, or one per hidden layer"
                ),
            )
            .into());
        }
        Ok(())
    }
}

/// What to train and how: everything but the data.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ModelSpec {
    /// Picture layers (convolutions, activations, poolings) before the
    /// hidden dense layers, over the data's pictures (n_H × n_W × n_C, read
    /// from the data) and flattened into the dense layer 1; empty for a dense
    /// network (a [`crate::LayerList`] parses them with the hidden sizes).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub layers: Vec<PictureLayer>,
    /// Hidden layer sizes n_1 … n_{L-1}; empty for logistic regression.
    pub hidden: Vec<usize>,
    /// The hidden layers' activation.
    pub activation: Activation,
    /// How the weights start.
    pub init: Init,
    /// Gradient descent's settings.
    pub gd: GdConfig,
    /// f32 or f64.
    pub precision: Precision,
    /// Threads for the matrix products.
    pub threads: usize,
    /// Batch normalisation of every hidden layer's Z, with its momentum and ε
    /// (none: the notes' plain layers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batch_norm: Option<BatchNormConfig>,
}

impl Default for ModelSpec {
    /// The course's deep network (hidden 20, 7, 5; ReLU; Xavier-style
    /// N(0,1)/√n initialisation; seed 1), in f32 on every core.
    fn default() -> Self {
        ModelSpec {
            layers: Vec::new(),
            hidden: vec![20, 7, 5],
            activation: Activation::Relu,
            init: Init::Xavier,
            gd: GdConfig::default(),
            precision: Precision::F32,
            threads: std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(1),
            batch_norm: None,
        }
    }
}

impl ModelSpec {
    /// The defaults for a table (a CSV file), chosen by measuring candidates
    /// against scikit-learn on scikit-learn's tables and on twelve public ones
    /// of 344 to 10,000 rows (`bench/defaults.py`, `bench/defaults_public.py`,
    /// docs/DEFAULTS.md): one hidden layer of 64 ReLU units, Adam with
    /// α = 0.003, L2 λ = 0.1 (λ/(2m)·Σ‖W‖², scikit-learn's `alpha` scaling),
    /// mini-batches of 32 for 50 epochs. Without the L2 term and at α = 0.01
    /// (the defaults before) the test cost ended above its minimum on 27 of
    /// the public tables' 36 runs, with them on 4. Everything else is
    /// [`ModelSpec::default`]'s, which pictures and HDF5 files keep (the course's).
    ///
    /// ```
    /// let t = backprop::ModelSpec::table_default();
    /// assert_eq!(t.hidden, vec![64]);
    /// assert_eq!((t.gd.learning_rate, t.gd.l2), (0.003, 0.1));
    /// assert_eq!(t.gd.seed, backprop::ModelSpec::default().gd.seed);
    /// ```
    pub fn table_default() -> Self {
        ModelSpec {
            hidden: vec![64],
            gd: GdConfig {
                learning_rate: 0.003,
                l2: 0.1,
                optimizer: OptimizerConfig::Adam(crate::optim::AdamConfig::default()),
                batch_size: Some(32),
                epochs: Some(50),
                ..GdConfig::default()
            },
            ..ModelSpec::default()
        }
    }

    /// The defaults for a conv net ([`ModelSpec::layers`] given), chosen on
    /// the course's cat pictures (docs/CONV.md): Adam at α = 0.001 on
    /// mini-batches of 32 for 30 epochs. Everything else is
    /// [`ModelSpec::default`]'s; the layers are the user's.
    ///
    /// ```
    /// let p = backprop::ModelSpec::picture_default();
    /// assert_eq!((p.gd.learning_rate, p.gd.batch_size, p.gd.epochs), (0.001, Some(32), Some(30)));
    /// ```
    pub fn picture_default() -> Self {
        ModelSpec {
            gd: GdConfig {
                learning_rate: 0.001,
                optimizer: OptimizerConfig::Adam(crate::optim::AdamConfig::default()),
                batch_size: Some(32),
                epochs: Some(30),
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
    /// let e = spec.validate().unwrap_err();
    /// assert_eq!(e.to_string(), "hidden: every layer's size must be at least 1, got 0");
    /// assert_eq!(e.setting(), Some(backprop::Setting::Hidden));
    /// ```
    pub fn validate(&self) -> Result<(), Error> {
        let hidden = Setting::Hidden;
        if self.hidden.len() > MAX_HIDDEN_LAYERS {
            let message = format!(
                "{hidden} lists {} layers; at most {MAX_HIDDEN_LAYERS}",
                self.hidden.len()
            );
            return Err(Problem::other(hidden, message).into());
        }
        for &n in &self.hidden {
            if n == 0 || n > MAX_LAYER_UNITS {
                let allowed = if n == 0 {
                    "at least 1".to_string()
                } else {
                    format!("at most {MAX_LAYER_UNITS}")
                };
                return Err(Problem::range_of(hidden, "every layer's size", allowed, n).into());
            }
        }
        if let Activation::LeakyRelu { slope } = self.activation {
            // As a model file's check requires: a negative or steeper slope is
            // not a leaky ReLU, and its model would not load.
            if !(0.0..1.0).contains(&slope) {
                return Err(
                    Problem::range(Setting::LeakySlope, "in [0, 1)", compact(slope)).into(),
                );
            }
        }
        at_least_one_at_most(Setting::Threads, self.threads, MAX_THREADS)?;
        if let Some(norm) = self.batch_norm {
            norm.validate()?;
        }
        self.gd.validate_for(self.hidden.len())?;
        self.validate_layers()
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
    /// Weigh the training examples by their class (scikit-learn's `class_weight`).
    #[serde(default)]
    pub class_weight: Option<ClassWeight>,
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
            class_weight: None,
        }
    }

    /// Checks the model and every job setting, and refuses loading options
    /// that do not apply to the training set's kind (an HDF5 dataset's name
    /// for a CSV file, a positive class for an HDF5 file, …).
    pub fn validate(&self) -> Result<(), Error> {
        self.model.validate()?;
        picture::pictures_needed(&self.model, &self.train)?;
        if let Some(f) = self.validation {
            if !(f > 0.0 && f < 1.0) {
                return Err(Problem::range(Setting::Validation, "in (0, 1)", compact(f)).into());
            }
        }
        if let Some(n) = self.checkpoint_every {
            at_least_one_at_most(Setting::CheckpointEvery, n, usize::MAX)?;
        }
        if let Some(w) = &self.class_weight {
            w.validate()?;
        }
        self.load.log_above()?;
        if self.model.gd.early_stopping.is_some() && self.validation.is_none() {
            let (early, validation) = (Setting::EarlyStopping, Setting::Validation);
            return Err(Problem::other(
                early,
                format!("{early} needs a validation set to watch: add {validation} (e.g. 0.2)"),
            )
            .into());
        }
        self.validate_load_options()
    }

    fn validate_load_options(&self) -> Result<(), Error> {
        let load = &self.load;
        // Over MAX_IMAGE_SIZE is refused by the picture loader, which can say
        // what the folder would take against the memory budget.
        if load.image_size == Some(0) {
            let allowed = format!("between 1 and {MAX_IMAGE_SIZE}");
            return Err(Problem::range(Setting::ImageSize, allowed, 0).into());
        }
        let kind = DataKind::of(&self.train);
        let refuse = |setting: Setting, applies_to: &str| -> Result<(), Error> {
            let message = format!(
                "{setting} applies to {applies_to} only, and {} is {}",
                self.train.display(),
                kind.describe()
            );
            Err(Problem::other(setting, message).into())
        };
        if kind != DataKind::Hdf5 {
            if load.x_key.is_some() {
                return refuse(Setting::XKey, "HDF5 files");
            }
            if load.y_key.is_some() {
                return refuse(Setting::YKey, "HDF5 files");
            }
        }
        for (setting, given) in [
            (Setting::LabelColumn, load.label_column.is_some()),
            (Setting::IndexColumn, load.index_column.is_some()),
            (Setting::Features, !load.features.is_empty()),
            (Setting::Drop, !load.drop.is_empty()),
            (
                Setting::Missing,
                load.missing != crate::data::Missing::default(),
            ),
        ] {
            csv_only(setting, given, &self.train)?;
        }
        self.validate_columns()?;
        if kind != DataKind::Pictures && kind != DataKind::Csv && load.positive.is_some() {
            return refuse(Setting::Positive, "folders of pictures and CSV tables");
        }
        if kind != DataKind::Pictures {
            for (setting, given) in [
                (Setting::SkipBad, load.skip_bad),
                (Setting::ImageSize, load.image_size.is_some()),
                (Setting::Grayscale, load.grayscale.is_some()),
            ] {
                if given {
                    return refuse(setting, "folders of pictures");
                }
            }
        }
        Ok(())
    }

    /// Refuses CSV column choices that contradict each other before any file
    /// is read: a column listed twice among the features (it would enter the
    /// network twice) or the dropped columns, and an index column that is the
    /// label column (the loader would take the labels as row ids).
    fn validate_columns(&self) -> Result<(), Error> {
        let load = &self.load;
        for (setting, names) in [
            (Setting::Features, &load.features),
            (Setting::Drop, &load.drop),
        ] {
            if let Some(name) = first_repeat(names.iter().map(String::as_str)) {
                let message = format!("{setting} lists '{name}' twice; name each column once");
                return Err(Problem::other(setting, message).into());
            }
        }
        let label = load
            .label_column
            .as_deref()
            .unwrap_or(crate::data::DEFAULT_LABEL_COLUMN);
        if load.index_column.as_deref() == Some(label) {
            let index = Setting::IndexColumn;
            let message = format!(
                "{index} '{label}' is the label column; the row ids and the labels must be two columns (see {})",
                Setting::LabelColumn
            );
            return Err(Problem::other(index, message).into());
        }
        Ok(())
    }
}

/// Refuses a CSV-only `setting` (given when `given`) for `data` that is not a
/// CSV file: the one check `train`'s options and `evaluate`'s label column
/// share, so both refuse it alike rather than one ignoring it.
pub(crate) fn csv_only(setting: Setting, given: bool, data: &Path) -> Result<(), Error> {
    let kind = DataKind::of(data);
    if given && kind != DataKind::Csv {
        let message = format!(
            "{setting} applies to CSV files only, and {} is {}",
            data.display(),
            kind.describe()
        );
        return Err(Problem::other(setting, message).into());
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

fn positive_finite(setting: Setting, v: f64) -> Result<(), Error> {
    if v.is_finite() && v > 0.0 {
        Ok(())
    } else {
        Err(Problem::range(setting, "> 0", compact(v)).into())
    }
}

fn non_negative(setting: Setting, v: f64) -> Result<(), Error> {
    if v.is_finite() && v >= 0.0 {
        Ok(())
    } else {
        Err(Problem::range(setting, "≥ 0", compact(v)).into())
    }
}

fn unit_interval(setting: Setting, v: f64) -> Result<(), Error> {
    if (0.0..1.0).contains(&v) {
        Ok(())
    } else {
        Err(Problem::range(setting, "in [0, 1)", compact(v)).into())
    }
}

fn at_least_one_at_most(setting: Setting, v: usize, max: usize) -> Result<(), Error> {
    if v == 0 {
        Err(Problem::range(setting, "at least 1", 0).into())
    } else if v > max {
        Err(Problem::range(setting, format!("at most {max}"), v).into())
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod flag_scan;
mod picture;
pub(crate) use picture::picture_for;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::optim::AdamConfig;

    fn message(r: Result<(), Error>) -> String {
        r.unwrap_err().to_string()
    }

    #[test]
    fn csv_only_refuses_its_setting_for_other_files() {
        assert!(csv_only(Setting::LabelColumn, true, Path::new("d.csv")).is_ok());
        let e = csv_only(Setting::LabelColumn, true, Path::new("d.h5")).unwrap_err();
        assert_eq!(
            e.to_string(),
            "label_column applies to CSV files only, and d.h5 is an HDF5 file"
        );
        let flag = |s: Setting| format!("--{}", s.key().replace('_', "-"));
        assert!(e.render(&flag).starts_with("--label-column applies"));
    }

    #[test]
    fn the_defaults_are_valid() {
        GdConfig::default().validate().unwrap();
        ModelSpec::default().validate().unwrap();
        TrainConfig::new("data.csv", "out").validate().unwrap();
    }

    #[test]
    fn each_bad_range_names_its_setting() {
        let gd = |f: fn(&mut GdConfig)| {
            let mut g = GdConfig::default();
            f(&mut g);
            message(g.validate())
        };
        assert_eq!(
            gd(|g| g.learning_rate = -1.0),
            "learning_rate must be > 0, got -1"
        );
        assert!(
            gd(|g| g.learning_rate = f64::NAN).starts_with("learning_rate must be > 0, got NaN")
        );
        assert_eq!(gd(|g| g.l2 = -1.0), "l2 must be ≥ 0, got -1");
        assert!(gd(|g| g.l2 = f64::NAN).starts_with("l2 "));
        assert!(gd(|g| g.iterations = 0).starts_with("iterations "));
        assert_eq!(
            gd(|g| g.iterations = 1_000_000_000_000),
            "iterations must be at most 100000000, got 1000000000000"
        );
        assert!(gd(|g| g.epochs = Some(0)).starts_with("epochs "));
        assert!(gd(|g| g.record_every = Some(0)).starts_with("record_every "));
        assert!(gd(|g| g.batch_size = Some(0)).starts_with("batch_size "));
        assert!(gd(|g| g.keep_prob = vec![0.0]).starts_with("keep_prob "));
        assert!(gd(|g| g.keep_prob = vec![1.5]).starts_with("keep_prob "));
        assert!(gd(|g| g.early_stopping = Some(0)).starts_with("early_stopping "));
    }

    #[test]
    fn each_bad_optimiser_or_schedule_setting_is_named() {
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
            "beta1 must be in [0, 1), got 1"
        );
        assert!(opt(adam(0.9, -0.1, 1e-8)).starts_with("beta2 "));
        assert!(opt(adam(0.9, 0.999, 0.0)).starts_with("epsilon "));
        let sched = |s: LrSchedule| {
            message(
                GdConfig {
                    schedule: s,
                    ..Default::default()
                }
                .validate(),
            )
        };
        assert!(sched(LrSchedule::InverseTime { rate: -1.0 }).starts_with("lr_decay_rate "));
        assert!(sched(LrSchedule::Step {
            rate: 1.0,
            interval: 0
        })
        .starts_with("lr_decay_interval "));
    }

    #[test]
    fn model_and_job_settings_are_checked() {
        let spec = |f: fn(&mut ModelSpec)| {
            let mut s = ModelSpec::default();
            f(&mut s);
            message(s.validate())
        };
        assert!(spec(|s| s.threads = 0).starts_with("threads "));
        assert!(spec(|s| s.hidden = vec![usize::MAX]).starts_with("hidden: every layer"));
        assert!(spec(|s| s.gd.keep_prob = vec![0.8, 0.9]).contains("2 values for 3 hidden"));
        assert!(spec(|s| {
            s.hidden.clear();
            s.gd.keep_prob = vec![0.8]
        })
        .starts_with("keep_prob does not apply"));
        let job = |f: fn(&mut TrainConfig)| {
            let mut c = TrainConfig::new("data.csv", "out");
            f(&mut c);
            message(c.validate())
        };
        assert!(job(|c| c.checkpoint_every = Some(0)).starts_with("checkpoint_every "));
        assert!(job(|c| c.validation = Some(1.0)).starts_with("validation "));
        assert!(job(|c| c.model.gd.early_stopping = Some(3)).contains("add validation"));
        assert!(job(|c| c.load.x_key = Some("x".into())).starts_with("x_key applies"));
        assert!(job(|c| {
            c.train = "data.h5".into();
            c.load.positive = Some("cat".into())
        })
        .starts_with("positive applies"));
        assert!(job(|c| {
            c.train = "data.h5".into();
            c.load.missing = crate::data::Missing::Drop
        })
        .starts_with("missing applies to CSV files"));
        assert!(job(|c| c.load.image_size = Some(0)).starts_with("image_size "));
        assert!(job(|c| {
            c.train = "data.h5".into();
            c.load.label_column = Some("y".into())
        })
        .starts_with("label_column applies"));
    }

    #[test]
    fn a_bad_value_is_structured_and_named_by_each_door() {
        let spec = ModelSpec {
            gd: GdConfig {
                learning_rate: -1e300,
                ..Default::default()
            },
            ..Default::default()
        };
        let e = spec.validate().unwrap_err();
        let Error::Setting(p) = &e else {
            panic!("{e:?}")
        };
        assert_eq!(p.setting(), Setting::LearningRate);
        assert_eq!(p.allowed(), Some("> 0"));
        assert_eq!(p.given(), Some("-1e300"));
        let flag = |s: Setting| format!("--{}", s.key().replace('_', "-"));
        assert_eq!(e.render(&flag), "--learning-rate must be > 0, got -1e300");
        // A message naming two settings names both by the door's words.
        let job = TrainConfig {
            model: ModelSpec {
                gd: GdConfig {
                    early_stopping: Some(3),
                    ..Default::default()
                },
                ..Default::default()
            },
            ..TrainConfig::new("data.csv", "out")
        };
        let e = job.validate().unwrap_err();
        assert_eq!(e.setting(), Some(Setting::EarlyStopping));
        assert_eq!(
            e.render(&flag),
            "--early-stopping needs a validation set to watch: add --validation (e.g. 0.2)"
        );
        let big = GdConfig {
            l2: 1e300,
            ..Default::default()
        };
        let e = big.validate_for_examples(10).unwrap_err().render(&flag);
        assert!(
            e.starts_with(
                "--l2 1e300 is too large for --learning-rate 0.0075 on batches of 10 examples"
            ),
            "{e}"
        );
        assert!(e.contains("; keep --l2 below 2.667e3"), "{e}");
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
