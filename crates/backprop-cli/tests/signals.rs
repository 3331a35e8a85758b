//! Signals outside training: SIGTERM while a big CSV is being read stops
//! within a second with exit code 130, one line, and nothing written; a
//! broken pipe (`backprop predict … | head -1`) ends quietly, without a panic.
//! (SIGTERM and SIGKILL during training are in checkpoints.rs.)

mod harness;

use std::fmt::Write as _;
use std::io::Read;
use std::os::unix::process::ExitStatusExt;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use harness::{backprop, stderr, TempDir};

/// A CSV of `rows` examples, 3 features, labels 0/1.
fn csv(rows: usize) -> String {
    let mut s = String::from("x1,x2,x3,label\n");
    for i in 0..rows {
        let v = (i % 997) as f64 / 997.0;
        writeln!(s, "{v},{},{},{}", 1.0 - v, v * v, i % 2).unwrap();
    }
    s
}

/// Waits (up to 20 s) until process `pid` has a file named `name` open.
fn is_reading(pid: u32, name: &str) -> bool {
    let fds = format!("/proc/{pid}/fd");
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        if let Ok(entries) = std::fs::read_dir(&fds) {
            let open = entries
                .flatten()
                .any(|e| std::fs::read_link(e.path()).is_ok_and(|t| t.ends_with(name)));
            if open {
                return true;
            }
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    false
}

#[test]
fn sigterm_while_loading_a_big_csv_stops_within_a_second_writing_nothing() {
    let tmp = TempDir::new("signal-loading");
    tmp.write("big.csv", &csv(1_500_000));
    let mut child = Command::new(env!("CARGO_BIN_EXE_backprop"))
        .args(["train", "--train", "big.csv", "--out", "run", "--quiet"])
        .current_dir(&tmp.0)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Signalled once it is reading the file (not on a guess of how long the
    // start takes, which a loaded machine stretches).
    assert!(is_reading(child.id(), "big.csv"), "never opened big.csv");
    let sent = Instant::now();
    let kill = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let status = child.wait().unwrap();
    let waited = sent.elapsed();
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert_eq!(status.code(), Some(130), "{err}");
    assert!(
        err.contains("while loading") && err.contains("big.csv"),
        "stopped while loading: {err}"
    );
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(waited < Duration::from_secs(1), "took {waited:?}");
    let left: Vec<_> = std::fs::read_dir(&tmp.0)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(left, ["big.csv"], "nothing written beside the data");
}

#[test]
fn a_broken_pipe_ends_quietly() {
    let tmp = TempDir::new("signal-pipe");
    tmp.write("d.csv", &csv(40));
    let out = backprop(
        &tmp.0,
        &[
            "train",
            "--train",
            "d.csv",
            "--hidden",
            "3",
            "--iterations",
            "5",
            "--quiet",
            "--out",
            "m",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    tmp.write("in.csv", &csv(50_000));
    let mut child = Command::new(env!("CARGO_BIN_EXE_backprop"))
        .args(["predict", "--model", "m", "in.csv"])
        .current_dir(&tmp.0)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // `head -1`: read one line, then close the pipe.
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 64];
    let _ = stdout.read(&mut first).unwrap();
    drop(stdout);
    let status = child.wait().unwrap();
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert!(
        status.success() || status.signal() == Some(libc::SIGPIPE),
        "{status}: {err}"
    );
    assert!(!err.contains("panicked"), "{err}");
}
