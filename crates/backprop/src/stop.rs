//! The process-wide stop flag: a signal handler (the CLI's, on Ctrl-C or
//! SIGTERM) calls [`request`]; every long phase polls [`requested`] or
//! [`check`] — loading and decoding data, resizing pictures, training,
//! writing plots — so a stop takes effect within a second wherever it lands.
//! Work that cannot poll (one call into a picture decoder, an HDF5 read) runs
//! through `interruptible`, which waits for it on a thread that can.
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

use std::cell::Cell;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::Duration;

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

thread_local! {
    /// Whether this thread is in a [`finishing`] phase.
    static FINISHING: Cell<bool> = const { Cell::new(false) };
}

/// Runs `work`, a phase that is short and whose result would be lost if it
/// stopped half-way (the final write of a trained run's folder: seconds at
/// most), to its end whatever stop is asked for meanwhile: [`check`] on this
/// thread passes until it returns. The request stays set for what comes after;
/// a second signal still ends the CLI at once.
pub fn finishing<T>(work: impl FnOnce() -> T) -> T {
    struct Restore(bool);
    impl Drop for Restore {
        fn drop(&mut self) {
            FINISHING.with(|f| f.set(self.0));
        }
    }
    let _restore = Restore(FINISHING.with(|f| f.replace(true)));
    work()
}

/// `Err(Error::Stopped)` naming `phase` once a stop was asked for (except in
/// a [`finishing`] phase): call it in the loops of long phases (per row, per
/// picture, per chunk).
pub fn check(phase: &str) -> Result<(), Error> {
    check_flag(&STOP, phase)
}

/// [`check`] of `flag` (its own in the tests, so that they do not stop the
/// other tests' phases).
fn check_flag(flag: &AtomicBool, phase: &str) -> Result<(), Error> {
    if flag.load(Ordering::Relaxed) && !FINISHING.with(Cell::get) {
        Err(Error::Stopped {
            phase: phase.to_string(),
        })
    } else {
        Ok(())
    }
}

/// How often [`interruptible`] looks at the flag (and calls its `tick`).
const POLL: Duration = Duration::from_millis(50);

/// Runs `work` on a thread of its own while this one polls the stop flag
/// every 50 ms, calling `tick` each time (to report progress): a stop returns
/// [`Error::Stopped`] within one poll, whatever `work` is in the middle of —
/// a decoder's one long call, a whole HDF5 read. The abandoned work runs on to
/// its end (or to its own next [`check`]) in the background and its result is
/// dropped; it must write no files, so that nothing is left half-written
/// (the CLI's printing of predictions to a pipe is such work: a slow reader
/// cannot hold a stop back). A panic in `work` is resumed here, as if it had
/// run on this thread.
pub fn interruptible<T: Send + 'static>(
    phase: &str,
    work: impl FnOnce() -> Result<T, Error> + Send + 'static,
    tick: impl FnMut(),
) -> Result<T, Error> {
    wait_for(&STOP, phase, work, tick)
}

/// [`interruptible`] watching `flag` (its own in the tests, so that they do
/// not stop the other tests' phases).
fn wait_for<T: Send + 'static>(
    flag: &AtomicBool,
    phase: &str,
    work: impl FnOnce() -> Result<T, Error> + Send + 'static,
    mut tick: impl FnMut(),
) -> Result<T, Error> {
    let stopped = || {
        flag.load(Ordering::Relaxed).then(|| Error::Stopped {
            phase: phase.to_string(),
        })
    };
    if let Some(e) = stopped() {
        return Err(e);
    }
    let (send, receive) = mpsc::channel();
    let worker = std::thread::Builder::new()
        .name("backprop-io".into())
        .spawn(move || {
            // The receiver is gone only after a stop: the result is unwanted.
            let _ = send.send(work());
        })
        .map_err(|e| {
            Error::OverBudget(format!(
                "cannot start a thread for {phase} ({e}); free memory or raise the process limit"
            ))
        })?;
    loop {
        match receive.recv_timeout(POLL) {
            Ok(result) => {
                // It has sent its result: joining waits only for its exit.
                let _ = worker.join();
                return result;
            }
            Err(RecvTimeoutError::Timeout) => {
                tick();
                if let Some(e) = stopped() {
                    return Err(e);
                }
            }
            // Gone without sending: `work` panicked.
            Err(RecvTimeoutError::Disconnected) => {
                let panic = worker.join().err();
                std::panic::resume_unwind(panic.unwrap_or_else(|| Box::new("no result")))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_work_s_result_is_returned_with_a_tick_per_poll() {
        let flag = AtomicBool::new(false);
        let mut ticks = 0;
        let got = wait_for(
            &flag,
            "adding",
            || {
                std::thread::sleep(Duration::from_millis(120));
                Ok(2 + 2)
            },
            || ticks += 1,
        );
        assert_eq!(got.unwrap(), 4);
        assert!(ticks >= 1, "{ticks} ticks in 120 ms");
        let e = wait_for(
            &flag,
            "reading",
            || Err::<(), _>(Error::Config("bad".into())),
            || {},
        );
        assert_eq!(e.unwrap_err().to_string(), "bad");
    }

    #[test]
    fn a_stop_returns_without_waiting_for_the_work() {
        let flag = std::sync::Arc::new(AtomicBool::new(false));
        let (release, blocked) = mpsc::channel::<()>();
        let stopper = {
            let flag = flag.clone();
            std::thread::spawn(move || {
                std::thread::sleep(Duration::from_millis(100));
                flag.store(true, Ordering::SeqCst);
            })
        };
        // The work blocks until released (after the wait), as a decoder's
        // one long call would: only the stop can end the wait.
        let got = wait_for(
            &flag,
            "decoding x.jpg",
            move || {
                let _ = blocked.recv();
                Ok(())
            },
            || {},
        );
        stopper.join().unwrap();
        drop(release);
        let e = got.unwrap_err();
        assert!(
            matches!(&e, Error::Stopped { phase } if phase == "decoding x.jpg"),
            "{e}"
        );
    }

    #[test]
    fn a_finishing_phase_runs_to_its_end_and_the_request_stays() {
        let flag = AtomicBool::new(true);
        let inside = finishing(|| {
            let nested = finishing(|| check_flag(&flag, "writing").is_ok());
            (nested, check_flag(&flag, "writing").is_ok())
        });
        assert_eq!(inside, (true, true));
        let e = check_flag(&flag, "writing").unwrap_err();
        assert!(matches!(e, Error::Stopped { .. }), "{e}");
    }

    #[test]
    #[should_panic(expected = "the decoder's bug")]
    fn a_panic_in_the_work_is_resumed_on_the_caller() {
        let flag = AtomicBool::new(false);
        let _ = wait_for::<()>(&flag, "decoding", || panic!("the decoder's bug"), || {});
    }
}
