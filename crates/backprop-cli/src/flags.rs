//! The command line's flags, with their defaults, and their conversion to library configs.

use std::path::PathBuf;

use backprop::data::DEFAULT_IMAGE_SIZE;
use backprop::data::MAX_IMAGE_SIZE;
use backprop::optim::{
    AdamConfig, LbfgsConfig, LrSchedule, MomentumConfig, OptimizerConfig, RmsPropConfig,
};
use backprop::{Activation, GdConfig, Init, ModelSpec, Precision};
use backprop::{DEFAULT_DECAY_INTERVAL, DEFAULT_DECAY_RATE};
use clap::{Args, Parser, Subcommand};

/// Train logistic regression and L-layer neural networks with the notes'
/// hand-derived, vectorized forward and backward propagation.
#[derive(Parser, Debug)]
#[command(name = "backprop", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// Memory budget for sizes read from input (arrays, pictures, layers), e.g. 2G or 512Mi
    /// [default: the smallest of available memory, ulimit -v and the cgroup limit].
    #[arg(long, global = true, value_parser = backprop::data::budget::parse_size)]
    pub max_memory: Option<u64>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Train a network on a data set (HDF5, CSV, npz or a picture folder) and write a run folder.
    Train(Box<TrainArgs>),
    /// Check every gradient of a network against central differences on random data.
    Gradcheck(GradcheckArgs),
    /// Predict the class of new inputs (pictures, folders, CSV, npz) with a trained model, with every class's probability.
    Predict(PredictArgs),
    /// Score a trained model on labelled data: accuracy, precision, recall, F1, log loss, confusion matrix.
    Evaluate(EvaluateArgs),
    /// The notes' planar "flower": logistic regression vs a 4-unit tanh network.
    Demo(DemoArgs),
    /// Write a trained model as an ONNX graph (preprocessing, layers, label and probabilities) for onnxruntime.
    Export(ExportArgs),
    /// Train networks in the browser: a local page drawing the regions, costs, units and equations live.
    Playground(PlaygroundArgs),
}

/// The network and how it trains. Every default is the library's
/// (`ModelSpec::default_for(train)`: the course's network, or
/// `ModelSpec::table_default()` for a CSV table; the optimisers' configs);
/// flags that set a model are refused beside `--resume` (the run keeps its own).
#[derive(Args, Debug, Clone)]
pub struct ModelFlags {
    /// Hidden layer sizes, comma-separated ("20,7,5"), or "none" for logistic regression.
    #[arg(long, value_parser = parse_hidden, conflicts_with = "resume", help = format!(
        "Hidden layer sizes, comma-separated (\"20,7,5\"), or \"none\" for logistic regression [default: {}; CSV tables: {}]",
        Hidden(ModelSpec::default().hidden), Hidden(ModelSpec::table_default().hidden)))]
    pub hidden: Option<Hidden>,
    /// A conv net: picture layers then dense ones, comma-separated, in place of --hidden.
    #[arg(long, value_parser = crate::layers_flag::parse_layers, conflicts_with_all = ["hidden", "resume"],
        value_name = "LIST", help = format!(
        "A conv net over pictures (a picture folder, the course's HDF5 files, npz/idx arrays of pictures), in place of \
         --hidden: picture layers then dense ones, comma-separated, e.g. conv8x3x3,relu,maxpool2,dense32,relu. \
         Layers: {}; the output layer comes from the data's classes. The picture's height × width × channels \
         comes from the data. Defaults for a conv net: {}",
        crate::layers_flag::GRAMMAR, crate::layers_flag::DEFAULTS.as_str()))]
    pub layers: Option<crate::layers_flag::Layers>,
    /// Hidden-layer activation: relu, tanh, sigmoid or leaky-relu (slope 0.01). The output layer is
    /// a sigmoid for two classes and a softmax for more, chosen from the data's labels.
    /// Refused with --hidden none (no hidden layer to apply it to).
    #[arg(long, conflicts_with = "resume", help = format!(
        "Hidden-layer activation: relu, tanh, sigmoid or leaky-relu (slope 0.01) [default: {}]. The output layer is \
         a sigmoid for two classes and a softmax for more, chosen from the data's labels; refused with --hidden none",
        ModelSpec::default().activation))]
    pub activation: Option<Activation>,
    /// Weight initialisation: zeros, small (N(0,1)·0.01), xavier (N(0,1)/√n_prev) or he (N(0,1)·√(2/n_prev)).
    #[arg(long, default_value_t = ModelSpec::default().init, conflicts_with = "resume")]
    pub init: Init,
    /// Gradient descent's learning rate α (> 0).
    #[arg(long, conflicts_with = "resume", help = format!(
        "Gradient descent's learning rate α (> 0) [default: {}; CSV tables: {}]",
        GdConfig::default().learning_rate, ModelSpec::table_default().gd.learning_rate))]
    pub learning_rate: Option<f64>,
    /// Iterations (updates) of gradient descent; with --resume, the new total.
    #[arg(long, help = format!("Iterations (updates) of gradient descent; with --resume, the new total [default: {}]. \
        Without --epochs it means full-batch training with the course's settings (gd, α {}) where no flag says otherwise, on a CSV table too",
        GdConfig::default().iterations, GdConfig::default().learning_rate))]
    pub iterations: Option<usize>,
    /// Seed of numpy's legacy generator (np.random.seed) for the weights, mini-batches and dropout;
    /// the default 1 draws the course's weights.
    #[arg(long, default_value_t = ModelSpec::default().gd.seed, conflicts_with = "resume")]
    pub seed: u32,
    /// Element type: f32 (fast) or f64 (for checking against the course).
    #[arg(long, default_value_t = ModelSpec::default().precision, conflicts_with = "resume")]
    pub precision: Precision,
    /// Print and record the cost every N iterations, or N epochs with --epochs (the first first)
    /// [default: every 100 iterations, or every epoch].
    #[arg(long, conflicts_with = "resume")]
    pub record_every: Option<usize>,
    /// Threads for the matrix products [default: all cores].
    #[arg(long, conflicts_with = "resume")]
    pub threads: Option<usize>,
    /// Batch normalisation of every hidden layer (course 2, week 3): Z̃ = γ·(Z − μ)/√(σ² + ε) + β
    /// over each batch, running μ and σ² for predict/evaluate; ε = 1e-5.
    #[arg(long, conflicts_with = "resume")]
    pub batch_norm: bool,
    /// The running averages' weight of the past, in [0, 1) (Keras's momentum; PyTorch's is 1 − it)
    /// [default: 0.9]. Needs --batch-norm.
    #[arg(long, conflicts_with = "resume", requires = "batch_norm")]
    pub batch_norm_momentum: Option<f64>,
    /// Examples per update (mini-batch gradient descent), reshuffled every epoch unless --no-shuffle.
    #[arg(long, conflicts_with = "resume", help = format!(
        "Examples per update (mini-batch gradient descent), reshuffled every epoch unless --no-shuffle \
         [default: all: full batch; CSV tables without --iterations: {}]",
        ModelSpec::table_default().gd.batch_size.unwrap_or(0)))]
    pub batch_size: Option<usize>,
    /// Train this many passes over the data instead of --iterations updates (costs are then per epoch);
    /// with --resume, the new total.
    #[arg(long, help = format!(
        "Train this many passes over the data instead of --iterations updates (costs are then per epoch); \
         with --resume, the new total [default: none; CSV tables without --iterations: {}]",
        ModelSpec::table_default().gd.epochs.unwrap_or(0)))]
    pub epochs: Option<usize>,
    /// Take the mini-batches in the data's order every epoch instead of reshuffling (no copy of X); needs --batch-size.
    #[arg(long, conflicts_with = "resume")]
    pub no_shuffle: bool,
    /// Optimiser: gd, momentum (--beta), rmsprop (--beta2, --epsilon), adam (--beta1, --beta2, --epsilon; bias-corrected)
    /// or lbfgs (full batch, --max-fun, --tol; --iterations is scikit-learn's max_iter) [default: gd; CSV tables: adam].
    #[arg(long, conflicts_with = "resume")]
    pub optimizer: Option<OptimizerName>,
    /// Momentum's β, in [0, 1).
    #[arg(long, conflicts_with = "resume", help = format!("Momentum's β, in [0, 1) [default: {}]", MomentumConfig::default().beta))]
    pub beta: Option<f64>,
    /// Adam's β₁, in [0, 1).
    #[arg(long, conflicts_with = "resume", help = format!("Adam's β₁, in [0, 1) [default: {}]", AdamConfig::default().beta1))]
    pub beta1: Option<f64>,
    /// Adam's and RMSprop's β₂, in [0, 1).
    #[arg(long, conflicts_with = "resume", help = format!("Adam's and RMSprop's β₂, in [0, 1) [default: {}]", AdamConfig::default().beta2))]
    pub beta2: Option<f64>,
    /// Adam's and RMSprop's ε (> 0).
    #[arg(long, conflicts_with = "resume", help = format!("Adam's and RMSprop's ε (> 0) [default: {:e}]", AdamConfig::default().epsilon))]
    pub epsilon: Option<f64>,
    /// L-BFGS: stop once more than this many cost evaluations were made (scikit-learn's max_fun).
    #[arg(long, conflicts_with = "resume", help = format!("L-BFGS: stop once more than this many cost evaluations were made (scikit-learn's max_fun) [default: {}]", LbfgsConfig::default().max_fun))]
    pub max_fun: Option<usize>,
    /// L-BFGS: stop when every gradient component is at most this in size (scikit-learn's tol).
    #[arg(long, conflicts_with = "resume", help = format!("L-BFGS: stop when every gradient component is at most this in size (scikit-learn's tol) [default: {:e}]", LbfgsConfig::default().tol))]
    pub tol: Option<f64>,
    /// Learning-rate decay per epoch: none, inverse-time (α₀/(1+r·e)), exponential (α₀·rᵉ) or step (α₀/(1+r·⌊e/interval⌋)).
    #[arg(long, default_value = "none", conflicts_with = "resume")]
    pub lr_decay: DecayName,
    /// The decay's rate r (≥ 0; in (0, 1] for exponential).
    #[arg(long, conflicts_with = "resume", help = format!("The decay's rate r (≥ 0; in (0, 1] for exponential) [default: {DEFAULT_DECAY_RATE}]"))]
    pub lr_decay_rate: Option<f64>,
    /// The step decay's interval, in epochs.
    #[arg(long, conflicts_with = "resume", help = format!("The step decay's interval, in epochs [default: {DEFAULT_DECAY_INTERVAL}]"))]
    pub lr_decay_interval: Option<usize>,
    /// L2 regularisation λ ≥ 0: adds λ/(2m)·Σ‖W‖² to the cost (the printed cost includes it) and (λ/m)·W to dW.
    #[arg(long, conflicts_with = "resume", help = format!(
        "L2 regularisation λ ≥ 0: adds λ/(2m)·Σ‖W‖² to the cost (the printed cost includes it) and (λ/m)·W to dW \
         [default: {}; CSV tables: {}, except full-batch runs (--iterations without --epochs, --optimizer lbfgs)]",
        GdConfig::default().l2, ModelSpec::table_default().gd.l2))]
    pub l2: Option<f64>,
    /// L1 regularisation λ ≥ 0: adds λ/m·Σ|W| to the cost and (λ/m)·sign(W) to dW (drives weights to exactly 0).
    #[arg(long, default_value_t = GdConfig::default().l1, conflicts_with = "resume")]
    pub l1: f64,
    /// Inverted dropout on the hidden layers, training only: one keep probability in (0, 1], or one per hidden layer ("0.8,0.9").
    #[arg(long, value_delimiter = ',', conflicts_with = "resume")]
    pub keep_prob: Vec<f64>,
    /// Stop when the validation cost (--validation) has not improved for this many epochs (recorded iterations without --epochs);
    /// keep the best weights and say where it stopped. Use it when the test cost climbs while the training cost falls
    /// (the summary warns) and the table can spare the validation share (a few thousand rows); it costs those rows,
    /// which never train, and on small tables a noisy validation cost may stop at the first epochs.
    #[arg(long, conflicts_with = "resume")]
    pub early_stopping: Option<usize>,
}

/// `gradcheck`'s hidden activation when `--activation` is not given.
pub const GRADCHECK_ACTIVATION: Activation = Activation::Tanh;

/// Refuses `--activation` (given) for a network without hidden layers
/// (`--hidden none`), whose only layer is the output's sigmoid or softmax:
/// the flag would be recorded in the model yet change nothing.
pub fn activation_applies(activation: Option<Activation>, hidden: &[usize]) -> Result<(), String> {
    match activation {
        Some(g) if hidden.is_empty() => Err(format!(
            "--activation {g} applies to hidden layers; --hidden none has none (remove --activation)"
        )),
        _ => Ok(()),
    }
}

/// `--optimizer` values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum OptimizerName {
    /// Plain gradient descent.
    Gd,
    /// Gradient descent with momentum.
    Momentum,
    /// RMSprop.
    Rmsprop,
    /// Adam.
    Adam,
    /// Full-batch L-BFGS (scikit-learn's lbfgs solver).
    Lbfgs,
}

/// `--lr-decay` values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum DecayName {
    /// A constant learning rate.
    None,
    /// α₀ / (1 + rate·epoch).
    InverseTime,
    /// α₀ · rate^epoch.
    Exponential,
    /// α₀ / (1 + rate·⌊epoch / interval⌋).
    Step,
}

impl ModelFlags {
    /// Refuses optimiser and schedule flags that the chosen --optimizer (or
    /// `base`'s, the defaults for the data) or --lr-decay would ignore.
    pub fn check_applies(&self, base: &ModelSpec) -> Result<(), String> {
        let opt = self.optimizer_for(base);
        let refuse = |flag: &str, given: bool, applies: bool, to: &str| {
            if given && !applies {
                Err(format!("{flag} does not apply {to}; remove it"))
            } else {
                Ok(())
            }
        };
        let with_opt = format!("to --optimizer {}", opt.name());
        refuse(
            "--beta",
            self.beta.is_some(),
            opt == OptimizerName::Momentum,
            &with_opt,
        )?;
        refuse(
            "--beta1",
            self.beta1.is_some(),
            opt == OptimizerName::Adam,
            &with_opt,
        )?;
        let adaptive = matches!(opt, OptimizerName::Adam | OptimizerName::Rmsprop);
        refuse("--beta2", self.beta2.is_some(), adaptive, &with_opt)?;
        refuse("--epsilon", self.epsilon.is_some(), adaptive, &with_opt)?;
        let lbfgs = opt == OptimizerName::Lbfgs;
        refuse("--max-fun", self.max_fun.is_some(), lbfgs, &with_opt)?;
        refuse("--tol", self.tol.is_some(), lbfgs, &with_opt)?;
        let decay = self.lr_decay;
        refuse(
            "--lr-decay-rate",
            self.lr_decay_rate.is_some(),
            decay != DecayName::None,
            "without --lr-decay",
        )?;
        refuse(
            "--lr-decay-interval",
            self.lr_decay_interval.is_some(),
            decay == DecayName::Step,
            "except to --lr-decay step",
        )?;
        match &self.layers {
            Some(layers) => layers.activation(self.activation).map(|_| ())?,
            None => activation_applies(self.activation, &self.spec(base).hidden)?,
        }
        refuse(
            "--no-shuffle",
            self.no_shuffle,
            self.spec(base).gd.batch_size.is_some(),
            "to full-batch training (it orders mini-batches: add --batch-size)",
        )?;
        Ok(())
    }

    /// `base` as these flags' mode of training takes it: `--iterations`
    /// without `--epochs` asks for full-batch updates, which train with the
    /// course's gradient descent settings (`GdConfig::default()`: gd,
    /// α 0.0075, no mini-batches) wherever no flag says otherwise, so a
    /// table's mini-batch Adam defaults then do not apply.
    fn base_for(&self, base: &ModelSpec) -> ModelSpec {
        let full_batch = self.optimizer == Some(OptimizerName::Lbfgs);
        if full_batch || (self.iterations.is_some() && self.epochs.is_none()) {
            ModelSpec {
                gd: GdConfig::default(),
                ..base.clone()
            }
        } else {
            base.clone()
        }
    }

    /// The optimiser given, or `base`'s.
    fn optimizer_for(&self, base: &ModelSpec) -> OptimizerName {
        let base = self.base_for(base);
        self.optimizer.unwrap_or(match base.gd.optimizer {
            OptimizerConfig::Gd => OptimizerName::Gd,
            OptimizerConfig::Momentum(_) => OptimizerName::Momentum,
            OptimizerConfig::RmsProp(_) => OptimizerName::Rmsprop,
            OptimizerConfig::Adam(_) => OptimizerName::Adam,
            OptimizerConfig::Lbfgs(_) => OptimizerName::Lbfgs,
        })
    }

    /// The library's model spec these flags describe over `base`, the
    /// library's defaults for the data (`ModelSpec::default_for`): each flag
    /// given replaces its setting; `--iterations` alone means the course's
    /// full-batch gradient descent (`base_for`). Not yet validated:
    /// `TrainConfig::validate` does that for every entry point.
    pub fn spec(&self, base: &ModelSpec) -> ModelSpec {
        let rate = self.lr_decay_rate.unwrap_or(DEFAULT_DECAY_RATE);
        let defaults = self.base_for(base);
        let list = self.layers.as_ref().map(|l| &l.list);
        ModelSpec {
            layers: list.map_or_else(|| defaults.layers.clone(), |l| l.picture.clone()),
            hidden: match (list, &self.hidden) {
                (Some(l), _) => l.hidden.clone(),
                (None, Some(h)) => h.0.clone(),
                (None, None) => defaults.hidden.clone(),
            },
            activation: (self.activation)
                .or(list.and_then(|l| l.activation))
                .unwrap_or(defaults.activation),
            init: self.init,
            gd: GdConfig {
                learning_rate: self.learning_rate.unwrap_or(defaults.gd.learning_rate),
                iterations: self.iterations.unwrap_or(defaults.gd.iterations),
                record_every: self.record_every,
                batch_size: self.batch_size.or(defaults.gd.batch_size),
                epochs: self.epochs.or(defaults.gd.epochs),
                optimizer: self.optimizer(base),
                schedule: match self.lr_decay {
                    DecayName::None => LrSchedule::None,
                    DecayName::InverseTime => LrSchedule::InverseTime { rate },
                    DecayName::Exponential => LrSchedule::Exponential { rate },
                    DecayName::Step => LrSchedule::Step {
                        rate,
                        interval: self.lr_decay_interval.unwrap_or(DEFAULT_DECAY_INTERVAL),
                    },
                },
                l2: self.l2.unwrap_or(defaults.gd.l2),
                l1: self.l1,
                penalty_scale: Vec::new(),
                keep_prob: self.keep_prob.clone(),
                seed: self.seed,
                early_stopping: self.early_stopping,
                shuffle: !self.no_shuffle,
            },
            precision: self.precision,
            threads: self.threads.unwrap_or(defaults.threads),
            batch_norm: self.batch_norm.then(|| backprop::BatchNormConfig {
                momentum: self
                    .batch_norm_momentum
                    .unwrap_or(backprop::BatchNormConfig::default().momentum),
                ..backprop::BatchNormConfig::default()
            }),
        }
    }

    /// The optimiser the flags ask for, each constant not given taking its default.
    fn optimizer(&self, base: &ModelSpec) -> OptimizerConfig {
        let momentum = MomentumConfig::default();
        let adam = AdamConfig::default();
        let rms = RmsPropConfig::default();
        let lbfgs = LbfgsConfig::default();
        match self.optimizer_for(base) {
            OptimizerName::Gd => OptimizerConfig::Gd,
            OptimizerName::Momentum => OptimizerConfig::Momentum(MomentumConfig {
                beta: self.beta.unwrap_or(momentum.beta),
                ..momentum
            }),
            OptimizerName::Rmsprop => OptimizerConfig::RmsProp(RmsPropConfig {
                beta2: self.beta2.unwrap_or(rms.beta2),
                epsilon: self.epsilon.unwrap_or(rms.epsilon),
            }),
            OptimizerName::Adam => OptimizerConfig::Adam(AdamConfig {
                beta1: self.beta1.unwrap_or(adam.beta1),
                beta2: self.beta2.unwrap_or(adam.beta2),
                epsilon: self.epsilon.unwrap_or(adam.epsilon),
            }),
            OptimizerName::Lbfgs => OptimizerConfig::Lbfgs(LbfgsConfig {
                max_fun: self.max_fun.unwrap_or(lbfgs.max_fun),
                tol: self.tol.unwrap_or(lbfgs.tol),
                ..lbfgs
            }),
        }
    }
}

impl OptimizerName {
    fn name(self) -> &'static str {
        match self {
            OptimizerName::Gd => "gd",
            OptimizerName::Momentum => "momentum",
            OptimizerName::Rmsprop => "rmsprop",
            OptimizerName::Adam => "adam",
            OptimizerName::Lbfgs => "lbfgs",
        }
    }
}

#[derive(Args, Debug)]
#[command(allow_negative_numbers = true)]
pub struct TrainArgs {
    /// Training set: the course's .h5 file, a .csv (header row, a label column of numbers or
    /// names, numeric or string feature columns), an .npz (x, y), MNIST's
    /// *-images-idx3-ubyte[.gz], or a folder of pictures (one sub-folder per class, or labels.csv).
    #[arg(long, required_unless_present = "resume", conflicts_with = "resume")]
    pub train: Option<PathBuf>,
    /// Hold out this fraction of the training set (stratified, seeded) to validate on while training; in (0, 1).
    #[arg(long, conflicts_with = "resume")]
    pub validation: Option<f64>,
    /// Write a checkpoint (model and optimiser state) into the run folder every N iterations (or epochs).
    #[arg(long, conflicts_with = "resume")]
    pub checkpoint_every: Option<usize>,
    /// Weigh the training examples by class, as scikit-learn's class_weight: "balanced" (class c
    /// weighs n/(k·n_c), so each class counts as much in the cost) or a CSV file of
    /// 'class,weight' lines under a header (a class not named weighs 1) [default: every example alike].
    #[arg(long, conflicts_with = "resume")]
    pub class_weight: Option<String>,
    /// Continue the run in this folder from its checkpoint, with its own configuration and data;
    /// --iterations or --epochs give the new total, --out where the result goes [default: the same folder].
    #[arg(long)]
    pub resume: Option<PathBuf>,
    /// Test set, made the same way as the training set (a table's columns are matched by name).
    #[arg(long, conflicts_with = "resume")]
    pub test: Option<PathBuf>,
    #[command(flatten)]
    pub model: ModelFlags,
    /// HDF5: the dataset holding X [default: the one named *_x].
    #[arg(long, conflicts_with = "resume")]
    pub x_key: Option<String>,
    /// HDF5: the dataset holding Y [default: the one named *_y].
    #[arg(long, conflicts_with = "resume")]
    pub y_key: Option<String>,
    /// CSV: the label column: numbers or names; the classes are its distinct values, sorted [default: label].
    #[arg(long, conflicts_with = "resume")]
    pub label_column: Option<String>,
    /// CSV: the column of row ids, not a feature [default: pandas' unnamed index column, if any].
    #[arg(long, conflicts_with = "resume")]
    pub index_column: Option<String>,
    /// CSV: the feature columns, comma-separated [default: all but the label and index columns].
    #[arg(long, value_delimiter = ',', conflicts_with_all = ["drop", "resume"])]
    pub features: Vec<String>,
    /// CSV: columns to leave out of the features, comma-separated.
    #[arg(long, value_delimiter = ',', conflicts_with = "resume")]
    pub drop: Vec<String>,
    /// CSV: missing cells (empty, NA, NaN): refuse the table, drop their rows, or fill them
    /// (mean: numbers with the training mean, categories with the most frequent value; kept in the model).
    #[arg(long, default_value = "refuse", conflicts_with = "resume")]
    pub missing: backprop::data::Missing,
    /// Standardise each feature with the training set's mean and std (stored in the model)
    /// [default: yes for CSV and float npz tables, no for pictures and HDF5].
    #[arg(long, conflicts_with = "resume")]
    pub standardize: bool,
    /// Keep a table's features as they are instead of standardising them.
    #[arg(long, conflicts_with_all = ["standardize", "resume"])]
    pub no_standardize: bool,
    /// CSV, standardised: read each numeric column whose |skewness| in the training set is above
    /// this as sign(x)·ln(1+|x|) before standardising (long-tailed counts and amounts; which columns,
    /// is kept in the model and shown by --explain); `off` keeps every column as it is [default: 2].
    #[arg(long, value_name = "SKEWNESS|off", value_parser = skew_threshold, conflicts_with_all = ["no_standardize", "resume"])]
    pub log_skewed: Option<SkewThreshold>,
    /// Pictures: the side (pixels) every picture is resized to.
    #[arg(long, conflicts_with = "resume", help = format!("Pictures: the side (pixels) every picture is resized to, at most {MAX_IMAGE_SIZE}; \
        refused before decoding if the pictures would not fit the memory budget \
        [default: the pictures' own side when they are all squares of one size, else {DEFAULT_IMAGE_SIZE}, with a note]"))]
    pub image_size: Option<u32>,
    /// Pictures: decode them as one channel (luma, 0.2126 R + 0.7152 G + 0.0722 B), so n_x = size² [default: one channel when every picture is grey (a grey PNG/JPEG, or R = G = B at every pixel), else RGB, n_x = 3·size²]. The model remembers its channels: `predict` and `evaluate` make colour pictures grey for a grey model and grey ones RGB for an RGB model.
    #[arg(long, conflicts_with = "resume")]
    pub grayscale: bool,
    /// Two classes (pictures or a table): the positive class (label 1) [default: the second class in sorted order].
    #[arg(long, conflicts_with = "resume")]
    pub positive: Option<String>,
    /// Pictures: skip files that cannot be decoded (and say how many) instead of stopping.
    #[arg(long, conflicts_with = "resume")]
    pub skip_bad: bool,
    /// Print each layer's forward and backward equations with this run's shapes before training.
    #[arg(long)]
    pub explain: bool,
    #[command(flatten)]
    pub output: OutputFlags,
    /// Run folder for the model and metrics.json [default: runs/train-YYYYMMDD-HHMMSS].
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Replace the run folder if it exists.
    #[arg(long)]
    pub force: bool,
}

/// How much `train` prints.
#[derive(Args, Debug, Clone, Copy)]
pub struct OutputFlags {
    /// Print only the summary.
    #[arg(long, conflicts_with = "json")]
    pub quiet: bool,
    /// Print only the summary, as one JSON object.
    #[arg(long)]
    pub json: bool,
}

/// Output formats of `predict` and `evaluate`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Aligned columns for reading.
    Table,
    /// Comma-separated values.
    Csv,
    /// JSON.
    Json,
}

#[derive(Args, Debug)]
pub struct PredictArgs {
    /// The model folder (a run folder written by `backprop train`).
    #[arg(long)]
    pub model: PathBuf,
    /// Pictures, folders of pictures, CSV (columns matched by name), npz/npy or HDF5 files.
    /// Pictures are made as the model's were: resized to its side, and made grey (luma)
    /// for a grey model or RGB (grey tripled) for an RGB one, whatever their own colours.
    #[arg(required = true)]
    pub inputs: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// CSV inputs: rows read, prepared and predicted at a time (memory grows with it, not with the file).
    #[arg(long, default_value_t = backprop::predict::STREAM_ROWS, value_parser = clap::builder::TypedValueParser::map(clap::value_parser!(u64).range(1..), |v| v as usize))]
    pub block_rows: usize,
}

#[derive(Args, Debug)]
pub struct EvaluateArgs {
    /// The model folder (a run folder written by `backprop train`).
    #[arg(long)]
    pub model: PathBuf,
    /// Labelled data made like the training data (a folder of pictures, CSV, npz or HDF5);
    /// a table's columns are matched by name; pictures take the model's side and channels
    /// (colour pictures made grey for a grey model, grey ones RGB for an RGB model).
    pub data: PathBuf,
    /// CSV: the label column [default: the one the model was trained with].
    #[arg(long)]
    pub label_column: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ScoreFormat::Table)]
    pub format: ScoreFormat,
}

/// Output formats of `evaluate` (scores have no rows to write as CSV).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ScoreFormat {
    /// Aligned columns for reading.
    Table,
    /// JSON: the scores with the classes, the positive one for two, and the confusion matrix's order.
    Json,
}

#[derive(Args, Debug)]
pub struct GradcheckArgs {
    /// Hidden layer sizes, comma-separated, or "none".
    #[arg(long, default_value = "5,3", value_parser = parse_hidden)]
    pub hidden: Hidden,
    /// Check a conv net instead: picture layers then dense ones, as train's --layers (e.g. conv3x3x3p1,relu,maxpool2,dense5,tanh).
    #[arg(long, value_name = "LIST", value_parser = crate::layers_flag::parse_layers, conflicts_with_all = ["hidden", "features"])]
    pub layers: Option<crate::layers_flag::Layers>,
    /// With --layers: the random pictures' height × width × channels.
    #[arg(long, value_name = "HxWxC", default_value = "8x8x2", value_parser = crate::layers_flag::parse_picture, requires = "layers")]
    pub picture: backprop::Picture,
    /// Hidden-layer activation: relu, tanh, sigmoid or leaky-relu [default: tanh]; refused with --hidden none.
    #[arg(long)]
    pub activation: Option<Activation>,
    /// Input features of the random problem.
    #[arg(long, default_value_t = 4)]
    pub features: usize,
    /// Classes of the random problem: 2 checks a sigmoid output, more a softmax output of K units.
    #[arg(long, default_value_t = 2)]
    pub classes: usize,
    /// Check the cost with the L2 term λ/(2m)·Σ‖W‖² and its gradient.
    #[arg(long, default_value_t = 0.0)]
    pub l2: f64,
    /// Check with inverted dropout on the hidden layers under one fixed mask (drawn from --seed):
    /// one keep probability, or one per hidden layer.
    #[arg(long, value_delimiter = ',')]
    pub keep_prob: Vec<f64>,
    /// Seed of the random data and parameters.
    #[arg(long, default_value_t = 1)]
    pub seed: u32,
}

#[derive(Args, Debug)]
pub struct DemoArgs {
    /// Write both models, their metrics and the data (flower.csv) into this folder.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Replace the folder if it exists.
    #[arg(long)]
    pub force: bool,
    /// Element type: f32 or f64.
    #[arg(long, default_value = "f64")]
    pub precision: Precision,
}

#[derive(Args, Debug)]
pub struct ExportArgs {
    /// The model folder (a run folder written by `backprop train`).
    #[arg(long)]
    pub model: PathBuf,
    /// The format to write (onnx).
    #[arg(long)]
    pub format: String,
    /// The file to write (its folder must exist).
    #[arg(long)]
    pub out: PathBuf,
    /// The graph's element type, f32 or f64 [default: the model's].
    #[arg(long)]
    pub precision: Option<Precision>,
    /// The ONNX opset [default: 17; the oldest the graph allows up to 25].
    #[arg(long)]
    pub opset: Option<i64>,
    /// Replace --out if it exists.
    #[arg(long)]
    pub force: bool,
}

/// A parsed `--hidden` list.
#[derive(Clone, Debug)]
pub struct Hidden(pub Vec<usize>);

impl std::fmt::Display for Hidden {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.0.is_empty() {
            return f.write_str("none");
        }
        let sizes: Vec<String> = self.0.iter().map(usize::to_string).collect();
        f.write_str(&sizes.join(","))
    }
}

/// `--log-skewed`: a skewness, or `None` for `off`.
#[derive(Clone, Copy, Debug)]
pub struct SkewThreshold(pub Option<f64>);

/// Parses `--log-skewed`: a number (the library checks its range) or `off`.
fn skew_threshold(s: &str) -> Result<SkewThreshold, String> {
    if s == "off" {
        return Ok(SkewThreshold(None));
    }
    s.parse::<f64>()
        .map(|t| SkewThreshold(Some(t)))
        .map_err(|_| format!("'{s}' is not a skewness; write a number like 2, or 'off'"))
}

fn parse_hidden(s: &str) -> Result<Hidden, String> {
    let s = s.trim();
    if s.is_empty() {
        return Err(
            "names no layer; write sizes like 20,7,5, or 'none' for no hidden layer \
             (logistic regression)"
                .to_string(),
        );
    }
    if s == "none" {
        return Ok(Hidden(Vec::new()));
    }
    s.split(',')
        .map(|part| match part.trim().parse::<usize>() {
            Ok(0) => Err("every hidden layer needs at least one unit".to_string()),
            Ok(n) => Ok(n),
            Err(_) => Err(format!(
                "'{part}' is not a layer size; write sizes like 20,7,5 or 'none'"
            )),
        })
        .collect::<Result<_, _>>()
        .map(Hidden)
}

#[derive(Args, Debug)]
pub struct PlaygroundArgs {
    /// Port on 127.0.0.1 to serve on (0: any free port); the address is printed first.
    #[arg(long, default_value_t = 8765)]
    pub port: u16,
    /// Do not open the browser (print the address only).
    #[arg(long)]
    pub no_open: bool,
}
