//! What the handlers share: the runs, the uploads, the ids, and the room
//! for one more run.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

use backprop::data::Dataset;

use super::run::{lock, Mode, Run};
use super::server_memory::{Memory, Reservation};

/// The most runs kept at once.
pub const MAX_RUNS: usize = 8;
/// The most uploads kept at once (the oldest goes first).
pub const MAX_UPLOADS: usize = 8;
/// The most uploads read at once (the others wait): a 10 MB CSV takes
/// about 100 MB while the library reads it.
pub const MAX_READING: usize = 2;
/// The most requests handled at once (event streams included).
pub const MAX_ACTIVE: usize = 64;
/// The most connections refused at once for arriving past [`MAX_ACTIVE`]
/// (each on a thread that reads what its client still sends, so that the
/// client reads the 503 rather than a reset); past that, closed at once.
pub const MAX_REFUSING: usize = 16;

/// Everything the handlers share.
pub struct App {
    pub port: u16,
    /// The server's scratch folder (uploads and downloads being made).
    pub scratch: PathBuf,
    /// Uploads being read by the library (each takes about ten times its size).
    pub reading: Permits,
    pub runs: Mutex<HashMap<String, Arc<Run>>>,
    /// The uploads kept, each with its share of the memory budget.
    pub uploads: Mutex<Vec<(String, Arc<Dataset>, Reservation)>>,
    /// The memory budget that uploads and runs reserve from.
    pub memory: Arc<Memory>,
    next_id: AtomicU64,
    /// Requests being handled.
    pub active: AtomicUsize,
}

impl App {
    pub fn new(port: u16, scratch: &Path) -> Arc<App> {
        Arc::new(App {
            port,
            scratch: scratch.to_path_buf(),
            reading: Permits::new(MAX_READING),
            runs: Mutex::new(HashMap::new()),
            uploads: Mutex::new(Vec::new()),
            memory: Memory::new(MAX_ACTIVE + MAX_REFUSING),
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

    /// Makes room for one more run: drops a finished run, else one whose
    /// page never opened its event stream (it is not training), oldest
    /// first. Fails, saying what is there, when [`MAX_RUNS`] runs are all
    /// open in pages.
    pub fn make_room(&self) -> Result<(), String> {
        let mut runs = lock(&self.runs);
        if runs.len() < MAX_RUNS {
            return Ok(());
        }
        let (mut candidates, mut training, mut paused) = (Vec::new(), 0, 0);
        for r in runs.values() {
            let s = lock(&r.shared);
            match s.mode {
                Mode::Done => candidates.push((0, s.touched, r.id.clone())),
                Mode::Waiting => candidates.push((1, s.touched, r.id.clone())),
                Mode::Playing => training += 1,
                Mode::Paused(_) => paused += 1,
            }
        }
        candidates.sort();
        match candidates.first() {
            Some((_, _, id)) => {
                if let Some(run) = runs.remove(id) {
                    let _ = run.command("stop", 0);
                }
                Ok(())
            }
            None => Err(format!(
                "{MAX_RUNS} runs are open in pages already ({training} training, {paused} paused); \
                 close a page or stop a run first"
            )),
        }
    }
}

/// A count of permits: at most `max` holders at once, the others wait.
pub struct Permits {
    held: Mutex<usize>,
    freed: Condvar,
    max: usize,
}

/// A permit, given back when dropped.
pub struct Permit<'a>(&'a Permits);

impl Permits {
    fn new(max: usize) -> Permits {
        Permits {
            held: Mutex::new(0),
            freed: Condvar::new(),
            max,
        }
    }

    /// Waits for a permit.
    pub fn acquire(&self) -> Permit<'_> {
        let mut held: MutexGuard<'_, usize> = lock(&self.held);
        while *held >= self.max {
            held = self.freed.wait(held).unwrap_or_else(|e| e.into_inner());
        }
        *held += 1;
        Permit(self)
    }
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        *lock(&self.0.held) -= 1;
        self.0.freed.notify_one();
    }
}
