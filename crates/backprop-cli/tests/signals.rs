//! Signals outside training: SIGTERM while a big CSV is being read, while
//! `gradcheck` checks, while `predict` prints to a reader that does not read,
//! and while the playground serves, stops within a second with exit code 130,
//! one line, and nothing written; a broken pipe (`backprop predict … | head -1`)
//! ends quietly, without a panic. SIGTERM during the final write of a
//! finished run completes the write (exit 0, with a note) rather than losing the run.
//! (SIGTERM and SIGKILL during training are in checkpoints.rs.)

mod harness;

use std::fmt::Write as _;
use std::io::{BufRead, BufReader, Read};
use std::os::unix::process::ExitStatusExt;
use std::process::Child;
use std::time::Duration;

use harness::{
    backprop, finish, has_open, signal, spawn, spawn_with, stderr, threads, wait_until, TempDir,
};

/// A CSV of `rows` examples, 3 features, labels 0/1.
fn csv(rows: usize) -> String {
    let mut s = String::from("x1,x2,x3,label\n");
    for i in 0..rows {
        let v = (i % 997) as f64 / 997.0;
        writeln!(s, "{v},{},{},{}", 1.0 - v, v * v, i % 2).unwrap();
    }
    s
}

#[test]
fn sigterm_while_loading_a_big_csv_stops_within_a_second_writing_nothing() {
    let tmp = TempDir::new("signal-loading");
    tmp.write("big.csv", &csv(1_500_000));
    let mut child = spawn(
        &tmp.0,
        &["train", "--train", "big.csv", "--out", "run", "--quiet"],
        false,
    );
    wait_until(&mut child, "reading big.csv", |pid| {
        has_open(pid, |p| p.ends_with("big.csv"))
    });
    let err = stops_at_once(child, &tmp, "while loading big.csv", &["big.csv"]);
    assert_eq!(err.trim().lines().count(), 1, "{err}");
}

/// Trains a small model `m` on `d.csv` in `tmp`, writes `in.csv` (50 000
/// rows: seconds of printing) and starts `predict --model m in.csv` on it,
/// stdout piped for the test to read as it likes.
fn start_predict(tmp: &TempDir) -> Child {
    small_model(tmp);
    tmp.write("in.csv", &csv(50_000));
    spawn(&tmp.0, &["predict", "--model", "m", "in.csv"], true)
}

/// Trains a small model `m` on `d.csv` in `tmp`.
fn small_model(tmp: &TempDir) {
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
}

#[test]
fn a_broken_pipe_ends_quietly() {
    let tmp = TempDir::new("signal-pipe");
    let mut child = start_predict(&tmp);
    // `head -1`: read one line, then close the pipe.
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 64];
    let _ = stdout.read(&mut first).unwrap();
    drop(stdout);
    let (status, err) = finish(child);
    assert!(
        status.success() || status.signal() == Some(libc::SIGPIPE),
        "{status}: {err}"
    );
    assert!(!err.contains("panicked"), "{err}");
}

/// Sends SIGTERM to `child` and asserts it ends within a second with exit
/// 130 and one error line naming `phase`, leaving only `files` in `tmp`.
/// Returns its stderr.
fn stops_at_once(child: Child, tmp: &TempDir, phase: &str, files: &[&str]) -> String {
    let sent = signal(&child, "TERM");
    let (status, err) = finish(child);
    let waited = sent.elapsed();
    assert_eq!(status.code(), Some(130), "{err}");
    let errors: Vec<&str> = err.lines().filter(|l| l.starts_with("error:")).collect();
    assert_eq!(errors.len(), 1, "{err}");
    assert!(errors[0].contains(phase), "stopped while {phase}: {err}");
    assert!(waited < Duration::from_secs(1), "took {waited:?}");
    let mut left: Vec<_> = std::fs::read_dir(&tmp.0)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    left.sort();
    assert_eq!(left, files, "nothing written beside the data");
    err
}

#[test]
fn sigterm_while_gradcheck_checks_stops_within_a_second() {
    let tmp = TempDir::new("signal-gradcheck");
    // About 80 000 parameters: the whole check takes seconds.
    let mut child = spawn(
        &tmp.0,
        &["gradcheck", "--hidden", "200,200", "--features", "200"],
        false,
    );
    wait_until(&mut child, "watching for signals", |pid| threads(pid) > 1);
    std::thread::sleep(Duration::from_millis(200));
    stops_at_once(child, &tmp, "checking gradients", &[]);
}

#[test]
fn sigterm_while_predict_prints_to_a_reader_that_waits_stops_within_a_second() {
    let tmp = TempDir::new("signal-predict");
    let mut child = start_predict(&tmp);
    // Read the header, then nothing: the pipe fills and a write blocks, as
    // behind `| (sleep 8; wc -l)`.
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    let mut header = String::new();
    reader.read_line(&mut header).unwrap();
    assert!(header.contains("class"), "{header}");
    std::thread::sleep(Duration::from_millis(200));
    stops_at_once(
        child,
        &tmp,
        "printing the predictions",
        &["d.csv", "in.csv", "m"],
    );
    drop(reader);
}

#[test]
fn sigterm_while_the_playground_serves_stops_within_a_second() {
    let tmp = TempDir::new("signal-playground");
    let mut child = spawn(&tmp.0, &["playground", "--port", "0", "--no-open"], true);
    // The address is the first line, printed once the server listens.
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    let mut address = String::new();
    reader.read_line(&mut address).unwrap();
    assert!(address.starts_with("http://127.0.0.1:"), "{address}");
    stops_at_once(child, &tmp, "serving the playground", &[]);
}

/// The hidden staging folder a run folder `run` is written in before it is
/// renamed into place (`.run.tmp-PID`).
fn staging(tmp: &TempDir, pid: u32) -> std::path::PathBuf {
    tmp.path(&format!(".run.tmp-{pid}"))
}

/// Starts `backprop train --train d.csv --out run FLAGS` on 40 rows in a new
/// temporary folder named after `name`, stdout piped when `piped`.
fn start_train(name: &str, flags: &str, piped: bool) -> (TempDir, Child) {
    let tmp = TempDir::new(name);
    tmp.write("d.csv", &csv(40));
    let args = format!("train --train d.csv --out run {flags}");
    let child = spawn(&tmp.0, &args.split(' ').collect::<Vec<_>>(), piped);
    (tmp, child)
}

/// Asserts that the run folder `run` in `tmp` holds `files` (`err`: the run's stderr).
fn assert_run_holds(tmp: &TempDir, files: &[&str], err: &str) {
    for file in files {
        assert!(tmp.path("run").join(file).is_file(), "run/{file}: {err}");
    }
}

#[test]
fn sigterm_during_the_final_write_finishes_the_write() {
    // 2 500 × 2 500 hidden units: 25 MB of weights and 75 MB of checkpoint
    // (Adam's moments): the final write takes a third of a second.
    let flags = "--hidden 2500,2500 --epochs 1 --quiet";
    let (tmp, mut child) = start_train("signal-final-write", flags, false);
    let pid = child.id();
    // In the staging folder, before metrics.json: the write still has files
    // to write, and polls for a stop between them.
    wait_until(&mut child, "writing the run folder", |_| {
        staging(&tmp, pid).exists() && !staging(&tmp, pid).join("metrics.json").exists()
    });
    signal(&child, "TERM");
    let (status, err) = finish(child);
    assert!(status.success(), "{status}: {err}");
    assert!(
        err.contains("the write was completed first"),
        "the note says what happened: {err}"
    );
    let files = [
        "model.safetensors",
        "model.json",
        "metrics.json",
        "checkpoint.safetensors",
    ];
    assert_run_holds(&tmp, &files, &err);
    assert!(!staging(&tmp, pid).exists(), "no staging folder is left");
    // The model predicts.
    let out = backprop(&tmp.0, &["predict", "--model", "run", "d.csv"]);
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn a_reader_of_train_that_goes_away_loses_neither_the_run_nor_the_lock() {
    // 5 000 cost lines (150 kB) fill the pipe: train writes after the reader left.
    let (tmp, mut child) = start_train("signal-train-pipe", "--hidden 3 --epochs 5000", true);
    // `head -1`: read one line, then close the pipe.
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    reader.read_line(&mut first).unwrap();
    assert!(first.starts_with("Cost after epoch 0"), "{first}");
    drop(reader);
    let (status, err) = finish(child);
    assert!(status.success(), "{status:?}: {err}");
    assert!(!err.contains("panicked"), "{err}");
    assert_run_holds(
        &tmp,
        &[
            "model.safetensors",
            "metrics.json",
            "checkpoint.safetensors",
        ],
        &err,
    );
    let left = std::fs::read_dir(&tmp.0).unwrap().count();
    assert_eq!(left, 2, "d.csv and run: no lock or staging folder left");
}

/// SIGTERM while `predict` reads a big CSV (it streams: reading, predicting
/// and keeping the formatted rows in a temporary file): exit 130, one line,
/// nothing on stdout, and the temporary file gone (it leaves the folder as
/// soon as it is opened).
#[test]
fn sigterm_while_predict_streams_a_big_csv_writes_nothing() {
    let tmp = TempDir::new("signal-predict-stream");
    small_model(&tmp);
    tmp.write("in.csv", &csv(1_500_000));
    let spool = tmp.path("spool");
    std::fs::create_dir_all(&spool).unwrap();
    let args = ["predict", "--model", "m", "in.csv", "--block-rows", "1000"];
    let mut child = spawn_with(&tmp.0, &args, true, &[("TMPDIR", &spool)]);
    // Open, and gone from its folder (the link reads "… (deleted)").
    let spooling = |pid| {
        has_open(pid, |p| {
            let p = p.to_string_lossy();
            p.contains("backprop-predict-") && p.ends_with("(deleted)")
        })
    };
    wait_until(&mut child, "spooling rows", spooling);
    assert_eq!(
        std::fs::read_dir(&spool).unwrap().count(),
        0,
        "not in the folder"
    );
    let mut stdout = child.stdout.take().unwrap();
    let err = stops_at_once(
        child,
        &tmp,
        "loading in.csv",
        &["d.csv", "in.csv", "m", "spool"],
    );
    let mut printed = Vec::new();
    stdout.read_to_end(&mut printed).unwrap();
    assert!(printed.is_empty(), "{err}");
    assert_eq!(std::fs::read_dir(&spool).unwrap().count(), 0);
}
