//! One run: its training on its own thread, the commands the page sends
//! (play, pause, step, stop) and the latest event for the stream to send.
//!
//! The thread owns the run's [`Training`] (the library's session is not
//! shared between threads) and trains at the page's pace (so many epochs a
//! frame, or as many as a frame's time allows), publishing an event,
//! with a copy of the weights, at most every [`FRAME`]: the stream sends
//! whatever is latest, so a slow reader never builds a backlog, and the last
//! event (`done`) is never overwritten.

use std::sync::mpsc;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant};

use backprop::Network;

use super::data::RunData;
use super::session::{network_with, Parameters, Training};
use super::snapshot::Event;
use super::spec::{render, Model};

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

/// The shared part of a run: its mode, its latest event and weights.
pub struct Shared {
    pub mode: Mode,
    /// Set when the page closed or the run was stopped: the thread ends.
    pub stopped: bool,
    /// Whether the run starts playing when the stream connects.
    pub autoplay: bool,
    /// Epochs a frame while playing (None: as many as the frame's time allows).
    pub pace: Option<usize>,
    /// The latest event (JSON) and its number.
    pub latest: Arc<String>,
    pub seq: u64,
    /// When a stream or request last touched this run.
    pub touched: Instant,
    /// The weights of the latest event.
    parameters: Arc<Parameters>,
}

/// A run: created by `POST /api/runs`, trained on its own thread.
pub struct Run {
    pub id: String,
    /// Static facts for `GET /api/runs/{id}`: settings, sizes, points,
    /// equations; set once the library has checked the settings.
    pub info: OnceLock<serde_json::Value>,
    pub shared: Mutex<Shared>,
    pub changed: Condvar,
    /// The data sets and the picture's frame.
    pub data: RunData,
    /// The settings, in the library's terms.
    pub model: Model,
}

/// Locks `m` even if a thread panicked while holding it (the data is still usable).
pub fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// How a run could not start: the HTTP status and the message.
pub type StartError = (u16, String);

impl Run {
    /// A run of `model` on `data`, not started yet ([`Run::start`]).
    pub fn new(
        id: String,
        data: RunData,
        model: Model,
        autoplay: bool,
        pace: Option<usize>,
    ) -> Arc<Run> {
        Arc::new(Run {
            id,
            info: OnceLock::new(),
            shared: Mutex::new(Shared {
                mode: Mode::Waiting,
                stopped: false,
                autoplay,
                pace,
                latest: Arc::new(String::new()),
                seq: 0,
                touched: Instant::now(),
                parameters: Arc::new(Vec::new()),
            }),
            changed: Condvar::new(),
            data,
            model,
        })
    }

    /// Starts the run's thread: it makes the session (the library checks
    /// the settings there: a 400 naming the page's field when one is out of
    /// range), publishes the epoch-0 event, and then trains as the page says.
    pub fn start(self: &Arc<Run>) -> Result<(), StartError> {
        let (started, outcome) = mpsc::channel();
        let run = Arc::clone(self);
        std::thread::Builder::new()
            .name(format!("playground-run-{}", self.id))
            .spawn(move || match Training::start(&run.model, &run.data) {
                Ok(mut training) => {
                    run.publish(&mut training, "waiting", 0.0);
                    let _ = started.send(Ok(()));
                    run.train(training);
                }
                Err(e) => {
                    let _ = started.send(Err((400, render(&e))));
                }
            })
            .map_err(|_| (503, "could not start a training thread".to_string()))?;
        outcome
            .recv()
            .unwrap_or_else(|_| Err((500, "the run's thread ended before it started".into())))
    }

    /// Sets the epochs a frame while playing (None: full speed), in any mode.
    pub fn set_pace(&self, pace: Option<usize>) {
        let mut s = lock(&self.shared);
        s.pace = pace;
        s.touched = Instant::now();
        self.changed.notify_all();
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

    /// The network with the weights of the latest event (between two epochs).
    pub fn network(&self) -> Result<Network<f64>, backprop::Error> {
        let parameters = Arc::clone(&lock(&self.shared).parameters);
        network_with(&self.model, parameters.to_vec())
    }

    /// Publishes the event of `training`'s weights now, and the weights.
    fn publish(&self, training: &mut Training, state: &'static str, rate: f64) {
        let event: Event = training.event(&self.data, state, rate);
        let parameters = Arc::new(training.parameters());
        let json = serde_json::to_string(&event).unwrap_or_default();
        let mut s = lock(&self.shared);
        s.latest = Arc::new(json);
        s.parameters = parameters;
        s.seq += 1;
        if event.done {
            s.mode = Mode::Done;
        }
        self.changed.notify_all();
    }

    /// The training thread's body: waits for play or steps, trains a frame
    /// (at the pace, resting out the rest of the frame), publishes its
    /// event, until the run is finished or stopped.
    fn train(&self, mut training: Training) {
        let mut frame = Frame::new();
        while let Some(work) = self.wait_for_work() {
            if frame.epochs == 0 {
                frame = Frame::new(); // the wait was no training time
            }
            let (budget, stepping) = match work {
                Work::Step(n) => (n, true),
                Work::Play(Some(pace)) => (pace.saturating_sub(frame.epochs).max(1), false),
                Work::Play(None) => (usize::MAX, false),
            };
            frame.epochs += train_frame(&mut training, budget, stepping, frame.start);
            let finished = training.is_finished();
            let paced = matches!(work, Work::Play(Some(pace)) if frame.epochs >= pace);
            if paced && !finished {
                self.rest_until(frame.start + FRAME);
            }
            let paused = stepping || lock(&self.shared).mode != Mode::Playing;
            if finished || paused || paced || frame.start.elapsed() >= FRAME {
                let state = match (finished, paused) {
                    (true, _) => "done",
                    (_, true) => "paused",
                    _ => "playing",
                };
                self.publish(&mut training, state, frame.rate());
                frame = Frame::new();
                if finished {
                    return;
                }
            }
        }
    }

    /// Waits until `deadline`, or until the run is stopped or stops playing.
    fn rest_until(&self, deadline: Instant) {
        let mut s = lock(&self.shared);
        while !s.stopped && s.mode == Mode::Playing {
            let Some(left) = deadline.checked_duration_since(Instant::now()) else {
                return;
            };
            s = self
                .changed
                .wait_timeout(s, left)
                .map(|r| r.0)
                .unwrap_or_else(|e| e.into_inner().0);
        }
    }

    /// Waits until the page asks for epochs: play (at the pace) or n steps;
    /// `None` when the run is stopped or done.
    fn wait_for_work(&self) -> Option<Work> {
        let mut s = lock(&self.shared);
        loop {
            if s.stopped {
                s.mode = Mode::Done;
                self.changed.notify_all();
                return None;
            }
            match s.mode {
                Mode::Playing => return Some(Work::Play(s.pace)),
                Mode::Paused(n) if n > 0 => {
                    s.mode = Mode::Paused(0);
                    return Some(Work::Step(n));
                }
                Mode::Done => return None,
                _ => {
                    s = self
                        .changed
                        .wait_timeout(s, Duration::from_millis(500))
                        .map(|r| r.0)
                        .unwrap_or_else(|e| e.into_inner().0);
                }
            }
        }
    }
}

/// What the page asked the training thread for.
#[derive(Clone, Copy)]
enum Work {
    /// Train, so many epochs a frame (None: as many as the frame's time allows).
    Play(Option<usize>),
    /// Train n epochs, then pause.
    Step(usize),
}

/// The epochs trained since the last event, and when that event was.
struct Frame {
    start: Instant,
    epochs: usize,
}

impl Frame {
    fn new() -> Frame {
        Frame {
            start: Instant::now(),
            epochs: 0,
        }
    }

    /// Epochs a second over the frame.
    fn rate(&self) -> f64 {
        self.epochs as f64 / self.start.elapsed().as_secs_f64().max(1e-9)
    }
}

/// Trains epochs until the frame is due (when playing), `budget` epochs are
/// taken or the run is finished, and at most one frame's time, so commands
/// get in at least once a frame. Returns the epochs taken.
fn train_frame(training: &mut Training, budget: usize, stepping: bool, since: Instant) -> usize {
    let start = Instant::now();
    let mut taken = 0;
    while taken < budget && !training.is_finished() && (stepping || since.elapsed() < FRAME) {
        training.epoch();
        taken += 1;
        if start.elapsed() > FRAME {
            break;
        }
    }
    taken
}
