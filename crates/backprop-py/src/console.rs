//! The training loop's link to Python while the GIL is released: Ctrl-C and printing.

use std::cell::Cell;
use std::time::{Duration, Instant};

use pyo3::exceptions::PyKeyboardInterrupt;
use pyo3::prelude::*;

/// How often, at most, the loop takes the GIL back to run Python's signal handlers.
const SIGNAL_CHECK_EVERY: Duration = Duration::from_millis(20);

/// Runs Python's signal handlers (at most every [`SIGNAL_CHECK_EVERY`]) and
/// prints through Python's `print`, so a notebook shows the lines.
pub struct Console {
    last_check: Instant,
    /// Set by a Ctrl-C seen by the signal check, or raised inside a printed
    /// line (a Python `sys.stdout`, as a notebook's, runs the handler there).
    interrupted: Cell<bool>,
    verbose: usize,
    /// scikit-learn's line, "Iteration i, loss = …" (i from 1), every epoch
    /// rather than the course's every `verbose`-th.
    sklearn_words: bool,
}

impl Console {
    /// Prints every `verbose`-th iteration's cost (0: none); with
    /// `sklearn_words`, every iteration's in scikit-learn's words (any `verbose` > 0).
    pub fn new(verbose: usize, sklearn_words: bool) -> Self {
        Console {
            last_check: Instant::now(),
            interrupted: Cell::new(false),
            verbose,
            sklearn_words,
        }
    }

    /// Whether Ctrl-C was pressed; `force` checks now rather than at most every 20 ms.
    pub fn interrupted(&mut self, force: bool) -> bool {
        if !self.interrupted.get() && (force || self.last_check.elapsed() >= SIGNAL_CHECK_EVERY) {
            self.last_check = Instant::now();
            // A KeyboardInterrupt is consumed here and reported as `stop = "interrupted"`.
            self.interrupted
                .set(Python::attach(|py| py.check_signals().is_err()));
        }
        self.interrupted.get()
    }

    /// Prints "Cost after iteration i: cost" when i (from 0) is a multiple
    /// of `verbose`, or scikit-learn's "Iteration i+1, loss = cost" every time.
    pub fn cost(&self, i: usize, cost: f64) {
        if self.verbose > 0 && (self.sklearn_words || i % self.verbose == 0) {
            let line = if self.sklearn_words {
                format!("Iteration {}, loss = {cost:.8}", i + 1)
            } else {
                format!("Cost after iteration {i}: {cost:.6}")
            };
            Python::attach(|py| {
                // A closed stdout only loses the line; training goes on. A
                // Ctrl-C whose handler ran inside the print ends the fit.
                let printed = py
                    .import("builtins")
                    .and_then(|b| b.getattr("print"))
                    .and_then(|p| p.call1((line,)));
                if let Err(e) = printed {
                    if e.is_instance_of::<PyKeyboardInterrupt>(py) {
                        self.interrupted.set(true);
                    }
                }
            });
        }
    }
}
