//! The library's one error type. Every variant but [`Error::Diverged`] is the
//! user's to fix (a file, a setting); each message names the thing and the fix.
//! A setting is named through its mark ([`crate::Setting::mark`]): `Display`
//! writes the library's field name, [`Error::render`] each door's own.

use std::path::PathBuf;

use crate::setting::{key_name, substitute, Problem, Setting};

/// Everything the library can fail with.
#[derive(Debug, thiserror::Error)]
#[error("{}", self.render(&key_name))]
pub enum Error {
    /// A file could not be read or written.
    Io {
        /// The file.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// A file was read but its contents are not what was expected.
    Format {
        /// The file.
        path: PathBuf,
        /// What is wrong and how to fix it.
        message: String,
    },
    /// Settings that cannot work together, or with the data or model (the
    /// message names them through their marks).
    Config(String),
    /// A setting's value that cannot work: which one, what it may be, what was given.
    Setting(Problem),
    /// Training was stopped (Ctrl-C, SIGTERM) after writing a checkpoint; the
    /// run continues from it ([`crate::Setting::Resume`] names how, per door).
    Interrupted {
        /// The run folder holding the checkpoint.
        out: PathBuf,
        /// Iterations (or epochs) done.
        at: usize,
        /// Whether `at` counts epochs (the run was set in epochs).
        epochs: bool,
    },
    /// A size from the input (an array header, a decompressed size, a layer or
    /// picture size) would take more memory than the budget
    /// ([`crate::data::budget`]); the message names the file or setting, the size and the budget.
    OverBudget(String),
    /// A signal stopped a phase other than training (loading, decoding, writing
    /// plots) before it finished; nothing was written.
    Stopped {
        /// What was being done ("loading train.csv").
        phase: String,
    },
    /// Training produced a NaN or infinite cost.
    Diverged {
        /// The iteration whose forward pass gave the non-finite cost.
        iteration: usize,
        /// The cost itself (NaN or ±∞).
        cost: f64,
        /// The likely cause and its fix (features far off standardised
        /// data's scale, else the learning rate).
        cause: String,
    },
}

impl Error {
    /// The message with every setting named by `name` (a door's flags,
    /// parameters or fields); `Display` names them by their keys.
    pub fn render(&self, name: &dyn Fn(Setting) -> String) -> String {
        let raw = match self {
            Error::Io { path, source } => format!("{}: {source}", path.display()),
            Error::Format { path, message } => format!("{}: {message}", path.display()),
            Error::Config(message) | Error::OverBudget(message) => message.clone(),
            Error::Setting(problem) => problem.marked().to_string(),
            Error::Interrupted { out, at, epochs } => format!(
                "interrupted after {at} {unit}; the checkpoint and metrics so far are in {}; continue with: {} {}",
                out.display(),
                Setting::Resume,
                out.display(),
                unit = if *epochs { "epochs" } else { "iterations" },
            ),
            Error::Stopped { phase } => {
                format!("stopped by a signal while {phase}; nothing was written")
            }
            Error::Diverged {
                iteration,
                cost,
                cause,
            } => format!("the cost became {cost} at iteration {iteration}; {cause}"),
        };
        substitute(&raw, name)
    }

    /// The setting at fault, for an error about one setting's value.
    pub fn setting(&self) -> Option<Setting> {
        match self {
            Error::Setting(p) => Some(p.setting()),
            _ => None,
        }
    }

    /// A [`Error::Format`] for `path`.
    pub fn format(path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Error::Format {
            path: path.into(),
            message: message.into(),
        }
    }

    /// An [`Error::Io`] for `path`.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}

impl From<Problem> for Error {
    fn from(p: Problem) -> Self {
        Error::Setting(p)
    }
}
