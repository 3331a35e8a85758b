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
}

impl Console {
    /// Prints every `verbose`-th iteration's cost (0: none).
    pub fn new(verbose: usize) -> Self {
        Console {
            last_check: Instant::now(),
            interrupted: Cell::new(false),
            verbose,
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

    /// Prints "Cost after iteration i: cost" when i is a multiple of `verbose`.
    pub fn cost(&self, i: usize, cost: f64) {
        if self.verbose > 0 && i % self.verbose == 0 {
            let line = format!("Cost after iteration {i}: {cost:.6}");
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
