//! A small harness: run the built `backprop` binary in a fresh temporary folder.
#![allow(dead_code)]

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::time::{Duration, Instant};

/// A temporary folder, removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("backprop-test-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
    pub fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
    pub fn write(&self, name: &str, contents: &str) -> PathBuf {
        let p = self.path(name);
        std::fs::write(&p, contents).unwrap();
        p
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Runs `backprop ARGS` in `dir`.
pub fn backprop(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_backprop"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("the backprop binary runs")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The course's cat data folder; `None` with a notice outside CI when absent.
pub fn cat_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("BACKPROP_CAT_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/datasets/catvnoncat")
        });
    if dir.join("train_catvnoncat.h5").is_file() {
        return Some(dir.canonicalize().unwrap());
    }
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!(
            "the cat data is missing at {} (required under CI)",
            dir.display()
        );
    }
    eprintln!("SKIPPED: the cat data is not at {}", dir.display());
    None
}

/// Parses a JSON file.
pub fn json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The description of the checkpoint in the run folder `dir`, as JSON.
#[allow(dead_code)]
pub fn checkpoint_state(dir: &Path) -> serde_json::Value {
    let info = backprop::engine::checkpoint::read_info(dir).expect("a checkpoint");
    serde_json::to_value(info).expect("serialises")
}

/// Asserts `out` was refused as bad input: exit 2, no panic, an error holding
/// `needle` in at most `max_lines` non-empty lines. `what` names the case.
pub fn assert_refused(out: &Output, what: &str, needle: &str, max_lines: usize) {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(2), "{what}: {err}");
    assert!(!err.contains("panicked"), "{what}: {err}");
    assert!(
        err.contains(needle),
        "{what}: expected '{needle}' in: {err}"
    );
    let lines = err.lines().filter(|l| !l.trim().is_empty()).count();
    assert!(
        lines <= max_lines,
        "{what}: {lines} lines, not ≤ {max_lines}: {err}"
    );
}

/// Asserts that neither `name` nor a hidden temporary beside it (`.NAME…`)
/// was left in `tmp`. `what` names the case.
pub fn assert_nothing_written(tmp: &TempDir, name: &str, what: &str) {
    assert!(!tmp.path(name).exists(), "{what}: {name} was written");
    let hidden = format!(".{name}");
    let stray: Vec<String> = std::fs::read_dir(&tmp.0)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(&hidden))
        .collect();
    assert!(stray.is_empty(), "{what}: left {stray:?}");
}

/// Starts `backprop ARGS` in `dir`, stderr piped (for [`finish`]), stdout
/// piped when `stdout` (to follow its progress) or else discarded.
pub fn spawn(dir: &Path, args: &[&str], stdout: bool) -> Child {
    spawn_with(dir, args, stdout, &[])
}

/// [`spawn`] with environment variables `vars` set.
pub fn spawn_with(dir: &Path, args: &[&str], stdout: bool, vars: &[(&str, &Path)]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_backprop"))
        .args(args)
        .current_dir(dir)
        .envs(vars.iter().copied())
        .stdout(if stdout {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stderr(Stdio::piped())
        .spawn()
        .expect("the backprop binary starts")
}

/// Waits (up to 30 s) until `ready(pid)` holds for `child` — it has a file
/// open ([`has_open`]), its memory has grown ([`resident_bytes`]): the
/// moment to signal a phase, rather than a guess of how long the start takes,
/// which a loaded machine stretches. Panics, naming `what`, if the child
/// ends first or the moment never comes.
pub fn wait_until(child: &mut Child, what: &str, ready: impl Fn(u32) -> bool) {
    let started = Instant::now();
    while !ready(child.id()) {
        assert!(
            child.try_wait().unwrap().is_none(),
            "it ended before {what}"
        );
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "not {what} after 30 s"
        );
        std::thread::sleep(Duration::from_millis(1));
    }
}

/// Whether process `pid` has a file open whose path satisfies `which` (Linux's /proc).
pub fn has_open(pid: u32, which: impl Fn(&Path) -> bool) -> bool {
    std::fs::read_dir(format!("/proc/{pid}/fd")).is_ok_and(|entries| {
        entries
            .flatten()
            .filter_map(|e| std::fs::read_link(e.path()).ok())
            .any(|target| which(&target))
    })
}

/// The resident memory of process `pid` in bytes (Linux's /proc; 0 when unknown).
pub fn resident_bytes(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        })
        .map_or(0, |kb| kb * 1024)
}

/// The number of threads of process `pid` (Linux's /proc; 0 when unknown):
/// above 1 once `backprop` watches for signals (the handler has its thread).
pub fn threads(pid: u32) -> usize {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("Threads:"))
                .and_then(|v| v.trim().parse().ok())
        })
        .unwrap_or(0)
}

/// Sends `signal` ("TERM", "INT") to `child`; the moment it was sent.
pub fn signal(child: &Child, signal: &str) -> Instant {
    let sent = Instant::now();
    let kill = Command::new("kill")
        .args([format!("-{signal}"), child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(kill.success(), "kill -{signal} failed");
    sent
}

/// Waits for `child` to end: its exit status and its stderr.
pub fn finish(mut child: Child) -> (ExitStatus, String) {
    let mut err = String::new();
    if let Some(mut pipe) = child.stderr.take() {
        pipe.read_to_string(&mut err).unwrap();
    }
    (child.wait().unwrap(), err)
}
