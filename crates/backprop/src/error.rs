//! The library's one error type. Every variant but [`Error::Diverged`] is the
//! user's to fix (a file, a flag); each message names the thing and the fix.

use std::path::PathBuf;

/// Everything the library can fail with.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// A file was read but its contents are not what was expected.
    #[error("{path}: {message}")]
    Format {
        /// The file.
        path: PathBuf,
        /// What is wrong and how to fix it.
        message: String,
    },
    /// A setting (flag, layer list, model) that cannot work.
    #[error("{0}")]
    Config(String),
    /// Training was stopped (Ctrl-C, SIGTERM) after writing a checkpoint.
    #[error("interrupted after {at} iterations; the checkpoint and metrics so far are in {}; continue with: backprop train --resume {}", out.display(), out.display())]
    Interrupted {
        /// The run folder holding the checkpoint.
        out: PathBuf,
        /// Iterations (or epochs) done.
        at: usize,
    },
    /// A size from the input (an array header, a decompressed size, a layer or
    /// picture size) would take more memory than the budget
    /// ([`crate::data::budget`]); the message names the file or flag, the size and the budget.
    #[error("{0}")]
    OverBudget(String),
    /// A signal stopped a phase other than training (loading, decoding, writing
    /// plots) before it finished; nothing was written.
    #[error("stopped by a signal while {phase}; nothing was written")]
    Stopped {
        /// What was being done ("loading train.csv").
        phase: String,
    },
    /// Training produced a NaN or infinite cost.
    #[error("the cost became {cost} at iteration {iteration}; {cause}")]
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
