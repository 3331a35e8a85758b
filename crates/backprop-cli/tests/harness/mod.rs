//! A small harness: run the built `backprop` binary in a fresh temporary folder.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

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
