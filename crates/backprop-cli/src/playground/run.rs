//! One run: its trainer on its own thread, the commands the page sends
//! (play, pause, step, stop) and the latest event for the stream to send.
//!
//! The thread trains at full speed and publishes an event at most every
//! [`FRAME`]: the stream sends whatever is latest, so a slow reader never
//! builds a backlog, and the last event (`done`) is never overwritten.

use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use backprop::Network;

use super::snapshot;
use super::trainer::Trainer;

/// The time between two events while training: 20 frames a second.
pub const FRAME: Duration = Duration::from_millis(50);

/// What the page asked for.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Mode {
    /// Created; training starts when the event stream connects (so it sees epoch 0).
    Waiting,
    Playing,
    /// Paused, with this many single epochs still to take.
    Paused(usize),
    /// Trained to its epochs, diverged, or stopped.
    Done,
}

/// The shared part of a run: its mode and its latest event.
pub struct Shared {
    pub mode: Mode,
    /// Set when the page closed or the run was stopped: the thread ends.
    pub stopped: bool,
    /// Whether the run starts playing when the stream connects.
    pub autoplay: bool,
    /// The latest event (JSON) and its number.
    pub latest: Arc<String>,
    pub seq: u64,
    /// When a stream or request last touched this run.
    pub touched: Instant,
}

/// A run: created by `POST /api/runs`, trained on its own thread.
pub struct Run {
    pub id: String,
    /// Static facts for `GET /api/runs/{id}`: settings, sizes, points, equations.
    pub info: serde_json::Value,
    pub shared: Mutex<Shared>,
    pub changed: Condvar,
    /// The trainer; the training thread holds it one batch of epochs at a time.
    pub trainer: Mutex<Trainer>,
    pub epochs: usize,
}

/// Locks `m` even if a thread panicked while holding it (the data is still usable).
pub fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Run {
    /// A run of `trainer` for `epochs`, its epoch-0 event already published.
    pub fn new(
        id: String,
        info: serde_json::Value,
        mut trainer: Trainer,
        epochs: usize,
        autoplay: bool,
    ) -> Arc<Run> {
        let cost = trainer.train_cost();
        let first = snapshot::event(&mut trainer, cost, "waiting", 0.0);
        let latest = serde_json::to_string(&first).unwrap_or_default();
        Arc::new(Run {
            id,
            info,
            shared: Mutex::new(Shared {
                mode: Mode::Waiting,
                stopped: false,
                autoplay,
                latest: Arc::new(latest),
                seq: 1,
                touched: Instant::now(),
            }),
            changed: Condvar::new(),
            trainer: Mutex::new(trainer),
            epochs,
        })
    }

    /// Applies a command from the page: "play", "pause", "step" (n epochs) or "stop".
    pub fn command(&self, what: &str, steps: usize) -> Result<(), String> {
        let mut s = lock(&self.shared);
        s.touched = Instant::now();
        match (what, s.mode) {
            (_, Mode::Done) if what != "stop" => {
                return Err("the run is done; reset to start another".into())
            }
            ("play", _) => s.mode = Mode::Playing,
            ("pause", _) => s.mode = Mode::Paused(0),
            ("step", Mode::Paused(n)) => s.mode = Mode::Paused(n + steps),
            ("step", _) => s.mode = Mode::Paused(steps),
            ("stop", _) => s.stopped = true,
            (other, _) => {
                return Err(format!(
                    "unknown command '{other}'; use play, pause, step or stop"
                ))
            }
        }
        self.changed.notify_all();
        Ok(())
    }

    /// The event stream connected: the first one starts the training.
    pub fn subscribe(&self) {
        let mut s = lock(&self.shared);
        if s.mode == Mode::Waiting {
            s.mode = if s.autoplay {
                Mode::Playing
            } else {
                Mode::Paused(0)
            };
            self.changed.notify_all();
        }
        s.touched = Instant::now();
    }

    /// A copy of the network as it is now (between two epochs).
    pub fn network(&self) -> Network<f64> {
        lock(&self.trainer).net.clone()
    }

    fn publish(&self, event: &snapshot::Event) {
        let json = serde_json::to_string(event).unwrap_or_default();
        let mut s = lock(&self.shared);
        s.latest = Arc::new(json);
        s.seq += 1;
        if event.done {
            s.mode = Mode::Done;
        }
        self.changed.notify_all();
    }

    /// The training thread's body: waits for play or steps, trains, publishes.
    pub fn train(self: Arc<Run>) {
        let mut last_publish = Instant::now();
        let mut epochs_since = 0usize;
        loop {
            // How many epochs may we take now?
            let budget = {
                let mut s = lock(&self.shared);
                loop {
                    if s.stopped {
                        s.mode = Mode::Done;
                        self.changed.notify_all();
                        return;
                    }
                    match s.mode {
                        Mode::Playing => break usize::MAX,
                        Mode::Paused(n) if n > 0 => {
                            s.mode = Mode::Paused(0);
                            break n;
                        }
                        Mode::Done => return,
                        _ => {
                            s = self
                                .changed
                                .wait_timeout(s, Duration::from_millis(500))
                                .map(|r| r.0)
                                .unwrap_or_else(|e| e.into_inner().0);
                        }
                    }
                }
            };
            if epochs_since == 0 {
                last_publish = Instant::now(); // the wait was no training time
            }
            let stepping = budget != usize::MAX;
            let mut t = lock(&self.trainer);
            let start = Instant::now();
            let mut taken = 0;
            let mut cost = f64::NAN;
            // Train until the frame is due, the steps are taken or the epochs reached.
            while taken < budget
                && t.epoch < self.epochs
                && (stepping || last_publish.elapsed() < FRAME)
            {
                cost = t.epoch();
                taken += 1;
                if !cost.is_finite() {
                    break;
                }
                if start.elapsed() > FRAME {
                    break; // let commands in at least once a frame
                }
            }
            epochs_since += taken;
            let diverged = taken > 0 && !cost.is_finite();
            let finished = t.epoch >= self.epochs || diverged;
            let paused = stepping || lock(&self.shared).mode != Mode::Playing;
            if finished || paused || last_publish.elapsed() >= FRAME {
                let rate = epochs_since as f64 / last_publish.elapsed().as_secs_f64().max(1e-9);
                let state = if finished {
                    "done"
                } else if paused {
                    "paused"
                } else {
                    "playing"
                };
                let cost = if taken == 0 { t.train_cost() } else { cost };
                let mut event = snapshot::event(&mut t, cost, state, rate);
                if diverged {
                    event.diverged = Some(format!(
                        "the cost became {cost} at epoch {}: training stopped; try a smaller learning rate",
                        t.epoch - 1
                    ));
                }
                drop(t);
                self.publish(&event);
                last_publish = Instant::now();
                epochs_since = 0;
                if finished {
                    return;
                }
            }
        }
    }
}
