//! The settings a user gives, named once here and by each door in its own
//! words. A library message that speaks of a setting holds a mark for it
//! ([`Setting::mark`]), never a command-line flag: `Display` writes the
//! setting's field name (`learning_rate must be > 0, got -1`), and a door
//! writes its own name through [`crate::Error::render`] — the CLI
//! `--learning-rate`, Python `learning_rate_init`, the playground's JSON field.
//!
//! ```
//! use backprop::{Error, Problem, Setting};
//!
//! let e = Error::from(Problem::range(Setting::LearningRate, "> 0", -1));
//! assert_eq!(e.to_string(), "learning_rate must be > 0, got -1");
//! assert_eq!(e.setting(), Some(Setting::LearningRate));
//! let flag = |s: Setting| format!("--{}", s.key().replace('_', "-"));
//! assert_eq!(e.render(&flag), "--learning-rate must be > 0, got -1");
//! ```
//! A bad value's error is [`crate::Error::Setting`]: which setting, the range
//! allowed and the value given, each a field ([`Problem`]).

use std::fmt;

macro_rules! settings {
    ($($(#[$doc:meta])* $variant:ident = $key:literal,)*) => {
        /// A setting of a run, a model or a data set, as every door knows it.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum Setting {
            $($(#[$doc])* $variant,)*
        }

        impl Setting {
            /// Every setting.
            pub const ALL: &'static [Setting] = &[$(Setting::$variant,)*];

            /// The setting's field name in the library's types (`learning_rate`),
            /// which is also the name `Display` writes.
            pub fn key(self) -> &'static str {
                match self {
                    $(Setting::$variant => $key,)*
                }
            }
        }
    };
}

settings! {
    /// α, the step size.
    LearningRate = "learning_rate",
    /// Updates of a run counted in iterations.
    Iterations = "iterations",
    /// Passes over the data.
    Epochs = "epochs",
    /// Record the cost every this many units.
    RecordEvery = "record_every",
    /// Examples per update.
    BatchSize = "batch_size",
    /// λ of the L2 term.
    L2 = "l2",
    /// λ of the L1 term.
    L1 = "l1",
    /// Inverted dropout's keep probability.
    KeepProb = "keep_prob",
    /// Early stopping's patience.
    EarlyStopping = "early_stopping",
    /// The optimiser.
    Optimizer = "optimizer",
    /// Momentum's β.
    Beta = "beta",
    /// Adam's β₁.
    Beta1 = "beta1",
    /// Adam's and RMSprop's β₂.
    Beta2 = "beta2",
    /// Adam's and RMSprop's ε.
    Epsilon = "epsilon",
    /// L-BFGS: most cost evaluations.
    MaxFun = "max_fun",
    /// L-BFGS: the gradient tolerance.
    Tol = "tol",
    /// How α changes with the epoch: the learning-rate schedule.
    Schedule = "schedule",
    /// A learning-rate schedule's decay rate.
    LrDecayRate = "lr_decay_rate",
    /// The step schedule's interval.
    LrDecayInterval = "lr_decay_interval",
    /// Hidden layer sizes.
    Hidden = "hidden",
    /// The picture layers (convolutions, activations, poolings) before the dense ones.
    Layers = "layers",
    /// Batch normalisation of every hidden layer (its momentum and ε).
    BatchNorm = "batch_norm",
    /// The hidden activation.
    Activation = "activation",
    /// Leaky ReLU's slope.
    LeakySlope = "leaky_slope",
    /// How the weights start.
    Init = "init",
    /// The seed of the weights, shuffles and masks.
    Seed = "seed",
    /// f32 or f64.
    Precision = "precision",
    /// Threads of the matrix products.
    Threads = "threads",
    /// Reshuffle every epoch.
    Shuffle = "shuffle",
    /// The share of the training set held out for validation.
    Validation = "validation",
    /// Checkpoint every this many units.
    CheckpointEvery = "checkpoint_every",
    /// Standardise the features.
    Standardize = "standardize",
    /// Tables: the |skewness| above which a column is log-transformed.
    LogSkewed = "log_skewed",
    /// The training set.
    Train = "train",
    /// The test set.
    Test = "test",
    /// The run folder.
    Out = "out",
    /// Replace an existing run folder.
    Force = "force",
    /// Continue a run from its checkpoint.
    Resume = "resume",
    /// The memory budget.
    MaxMemory = "max_memory",
    /// HDF5: the dataset of the inputs.
    XKey = "x_key",
    /// HDF5: the dataset of the labels.
    YKey = "y_key",
    /// Tables: the label column.
    LabelColumn = "label_column",
    /// Tables: the row-id column.
    IndexColumn = "index_column",
    /// Tables: the feature columns.
    Features = "features",
    /// Tables: columns left out.
    Drop = "drop",
    /// Tables: what to do with missing cells.
    Missing = "missing",
    /// The positive class of two.
    Positive = "positive",
    /// Pictures: skip the ones that do not decode.
    SkipBad = "skip_bad",
    /// Pictures: the side they are resized to.
    ImageSize = "image_size",
    /// Pictures: one channel of luma.
    Grayscale = "grayscale",
    /// The number of classes (gradient checks' made-up data).
    Classes = "classes",
    /// ONNX: the operator set.
    Opset = "opset",
    /// Per-example weights.
    SampleWeight = "sample_weight",
    /// Per-class weights (balanced, or a table of them).
    ClassWeight = "class_weight",
}

impl Setting {
    /// The setting with this key, if any.
    pub fn from_key(key: &str) -> Option<Setting> {
        Setting::ALL.iter().copied().find(|s| s.key() == key)
    }

    /// `text` (a library note, warning or message holding marks) with each
    /// setting named by `name`, a door's own names.
    ///
    /// ```
    /// use backprop::Setting;
    /// let note = format!("choose the side with {}", Setting::ImageSize);
    /// let flag = |s: Setting| format!("--{}", s.key().replace('_', "-"));
    /// assert_eq!(Setting::render(&note, &flag), "choose the side with --image-size");
    /// ```
    pub fn render(text: &str, name: &dyn Fn(Setting) -> String) -> String {
        substitute(text, name)
    }

    /// A mark for this setting inside a message: written as the field name
    /// by `Display`, and as each door's own name by [`crate::Error::render`].
    pub fn mark(self) -> String {
        format!("{OPEN}{}{CLOSE}", self.key())
    }
}

impl fmt::Display for Setting {
    /// The mark (see [`Setting::mark`]), so `format!("{}", Setting::L2)` in a
    /// message is named by each door.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{OPEN}{}{CLOSE}", self.key())
    }
}

const OPEN: char = '\u{1}';
const CLOSE: char = '\u{2}';

/// A setting's mark as a literal, for a `const` message: `mark!("l2")` is
/// what `Setting::L2.mark()` makes (a test checks each use names a setting).
macro_rules! mark {
    ($key:literal) => {
        concat!("\u{1}", $key, "\u{2}")
    };
}
pub(crate) use mark;

/// `text` with every setting's mark written by `name` (a key that no
/// setting has stays as it is).
pub(crate) fn substitute(text: &str, name: &dyn Fn(Setting) -> String) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find(OPEN) {
        out.push_str(&rest[..open]);
        let after = &rest[open + OPEN.len_utf8()..];
        match after.find(CLOSE) {
            Some(close) => {
                let key = &after[..close];
                match Setting::from_key(key) {
                    Some(s) => out.push_str(&name(s)),
                    None => out.push_str(key),
                }
                rest = &after[close + CLOSE.len_utf8()..];
            }
            None => {
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The field name of a setting: how `Display` names it.
pub(crate) fn key_name(s: Setting) -> String {
    s.key().to_string()
}

/// A setting's value that cannot work: which setting, the range or values
/// allowed and the value given, and the whole message (which may name other
/// settings through their marks).
#[derive(Clone, Debug, PartialEq)]
pub struct Problem {
    setting: Setting,
    allowed: Option<String>,
    given: Option<String>,
    message: String,
}

impl Problem {
    /// `setting` must be `allowed` (`"> 0"`, `"in [0, 1)"`, `"at least 1"`),
    /// and `given` is not: "NAME must be ALLOWED, got GIVEN".
    pub fn range(setting: Setting, allowed: impl Into<String>, given: impl fmt::Display) -> Self {
        let (allowed, given) = (allowed.into(), given.to_string());
        Problem {
            message: format!("{setting} must be {allowed}, got {given}"),
            setting,
            allowed: Some(allowed),
            given: Some(given),
        }
    }

    /// A part of `setting` (`"every layer's size"` of the hidden layers) must
    /// be `allowed`, and `given` is not: "NAME: PART must be ALLOWED, got GIVEN".
    pub fn range_of(
        setting: Setting,
        part: &str,
        allowed: impl Into<String>,
        given: impl fmt::Display,
    ) -> Self {
        let (allowed, given) = (allowed.into(), given.to_string());
        let message = format!("{setting}: {part} must be {allowed}, got {given}");
        Problem {
            message,
            ..Problem::range(setting, allowed, given)
        }
    }

    /// Any other problem with `setting`, in words (marks name settings in it).
    pub fn other(setting: Setting, message: impl Into<String>) -> Self {
        Problem {
            setting,
            allowed: None,
            given: None,
            message: message.into(),
        }
    }

    /// The setting at fault.
    pub fn setting(&self) -> Setting {
        self.setting
    }

    /// What the setting may be, when the problem is a range.
    pub fn allowed(&self) -> Option<&str> {
        self.allowed.as_deref()
    }

    /// The value given, when the problem is a range.
    pub fn given(&self) -> Option<&str> {
        self.given.as_deref()
    }

    /// The message with each setting named by `name`.
    pub fn render(&self, name: &dyn Fn(Setting) -> String) -> String {
        substitute(&self.message, name)
    }

    /// The message with its marks (for an error that wraps it).
    pub(crate) fn marked(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(&key_name))
    }
}

/// A number as a person reads it: `-1`, `0.5`, `1e300` (never 300 digits).
#[allow(dead_code)] // the settings' messages use it as they move onto marks
pub(crate) fn compact(v: f64) -> String {
    let plain = format!("{v}");
    if plain.len() <= 16 {
        plain
    } else {
        format!("{v:e}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_is_unique_and_found_again() {
        let mut seen = std::collections::HashSet::new();
        for &s in Setting::ALL {
            assert!(seen.insert(s.key()), "{} twice", s.key());
            assert_eq!(Setting::from_key(s.key()), Some(s));
        }
    }

    #[test]
    fn marks_are_named_by_the_door() {
        let p = Problem::other(
            Setting::L2,
            format!(
                "{} 5 is too large for {} 2",
                Setting::L2,
                Setting::LearningRate
            ),
        );
        assert_eq!(p.to_string(), "l2 5 is too large for learning_rate 2");
        let flag = |s: Setting| format!("--{}", s.key().replace('_', "-"));
        assert_eq!(p.render(&flag), "--l2 5 is too large for --learning-rate 2");
    }

    #[test]
    fn a_literal_mark_is_the_settings_mark() {
        assert_eq!(mark!("image_size"), Setting::ImageSize.mark());
    }

    #[test]
    fn a_range_problem_keeps_its_parts() {
        let p = Problem::range(Setting::BatchSize, "at least 1", 0);
        assert_eq!(p.to_string(), "batch_size must be at least 1, got 0");
        assert_eq!(p.allowed(), Some("at least 1"));
        assert_eq!(p.given(), Some("0"));
    }

    #[test]
    fn numbers_print_compactly() {
        assert_eq!(compact(-1.0), "-1");
        assert_eq!(compact(0.0075), "0.0075");
        assert_eq!(compact(1e300), "1e300");
        assert_eq!(compact(1e-300), "1e-300");
        assert_eq!(compact(f64::NAN), "NaN");
    }
}
