//! What the handlers share: the runs, the uploads, the ids, and the room
//! for one more run.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use backprop::data::Dataset;

use super::run::{lock, Mode, Run};

/// The most runs kept at once.
pub const MAX_RUNS: usize = 8;
/// The most uploads kept at once (the oldest goes first).
pub const MAX_UPLOADS: usize = 8;
/// The most requests handled at once (event streams included).
pub const MAX_ACTIVE: usize = 64;
/// A run nobody has touched for this long may be dropped to make room.
pub const IDLE: Duration = Duration::from_secs(600);

/// Everything the handlers share.
pub struct App {
    pub port: u16,
    pub runs: Mutex<HashMap<String, Arc<Run>>>,
    pub uploads: Mutex<Vec<(String, Arc<Dataset>)>>,
    next_id: AtomicU64,
    /// Requests being handled.
    pub active: AtomicUsize,
}

impl App {
    pub fn new(port: u16) -> Arc<App> {
        Arc::new(App {
            port,
            runs: Mutex::new(HashMap::new()),
            uploads: Mutex::new(Vec::new()),
            next_id: AtomicU64::new(1),
            active: AtomicUsize::new(0),
        })
    }

    /// A fresh id: a counter and the clock, so ids of earlier servers do not repeat.
    pub fn new_id(&self, prefix: &str) -> String {
        let n = self.next_id.fetch_add(1, Ordering::Relaxed);
        let t = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        format!("{prefix}{n}-{t:08x}")
    }

    /// Stops a run and forgets it.
    pub fn drop_run(&self, id: &str) {
        if let Some(run) = lock(&self.runs).remove(id) {
            let _ = run.command("stop", 0);
        }
    }

    /// Makes room for one more run: drops finished or idle runs, oldest first.
    /// Fails when [`MAX_RUNS`] runs are all live.
    pub fn make_room(&self) -> Result<(), String> {
        let mut runs = lock(&self.runs);
        if runs.len() < MAX_RUNS {
            return Ok(());
        }
        let mut candidates: Vec<(Instant, String)> = runs
            .values()
            .filter_map(|r| {
                let s = lock(&r.shared);
                (s.mode == Mode::Done || s.touched.elapsed() > IDLE)
                    .then(|| (s.touched, r.id.clone()))
            })
            .collect();
        candidates.sort();
        match candidates.first() {
            Some((_, id)) => {
                if let Some(run) = runs.remove(id) {
                    let _ = run.command("stop", 0);
                }
                Ok(())
            }
            None => Err(format!(
                "{MAX_RUNS} runs are training already; close a page or stop a run first"
            )),
        }
    }
}
