//! The process-wide stop flag: a signal handler (the CLI's, on Ctrl-C or
//! SIGTERM) calls [`request`]; every long phase polls [`requested`] or
//! [`check`] — loading and decoding data, resizing pictures, training,
//! writing plots — so a stop takes effect within a second wherever it lands.
//!
//! Training stops after the update in progress and writes its checkpoint (the
//! trainer is handed [`flag`], the same flag the library's `stop: Option<&AtomicBool>`
//! parameters take); every other phase returns [`Error::Stopped`] and leaves
//! nothing half-written (run folders are written under a temporary name,
//! removed when dropped uncommitted).
//!
//! ```
//! use backprop::stop;
//!
//! assert!(stop::check("loading x.csv").is_ok());
//! stop::request();
//! assert!(stop::requested());
//! let e = stop::check("loading x.csv").unwrap_err();
//! assert!(e.to_string().starts_with("stopped by a signal while loading x.csv"));
//! stop::clear();
//! ```

use std::sync::atomic::{AtomicBool, Ordering};

use crate::error::Error;

static STOP: AtomicBool = AtomicBool::new(false);

/// Asks every phase to stop (safe to call from a signal-handling thread).
pub fn request() {
    STOP.store(true, Ordering::SeqCst);
}

/// Whether a stop was asked for.
pub fn requested() -> bool {
    STOP.load(Ordering::Relaxed)
}

/// Forgets a stop request (for a library user that runs another job after one
/// it stopped, and for tests).
pub fn clear() {
    STOP.store(false, Ordering::SeqCst);
}

/// The flag itself, for the training loop's `stop: Option<&AtomicBool>`.
pub fn flag() -> &'static AtomicBool {
    &STOP
}

/// `Err(Error::Stopped)` naming `phase` once a stop was asked for: call it in
/// the loops of long phases (per row, per picture, per chunk).
pub fn check(phase: &str) -> Result<(), Error> {
    if requested() {
        Err(Error::Stopped {
            phase: phase.to_string(),
        })
    } else {
        Ok(())
    }
}
