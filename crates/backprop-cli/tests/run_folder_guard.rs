//! Run folders beside live runs (issue 13, red-team V4, V5, V14 and the
//! stale lock of a killed run): a run never writes inside a folder a live
//! run is writing, `--force` never deletes a folder holding a live run's
//! folder, `--resume --force` replaces another folder whole, and the lock a
//! killed run leaves behind stops nobody. The cases that need no live run
//! (inputs read through labels.csv or links, FIFOs, an export over its own
//! model) are in the bad-input corpus.

mod harness;

use std::fmt::Write as _;
use std::io::Read;
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::{Child, Output};

use harness::{assert_refused, backprop, finish, signal, spawn, stderr, wait_until, TempDir};

/// A CSV of `rows` examples, 3 features, labels 0/1.
fn csv(rows: usize) -> String {
    let mut s = String::from("x1,x2,x3,label\n");
    for i in 0..rows {
        let v = (i % 997) as f64 / 997.0;
        writeln!(s, "{v},{},{},{}", 1.0 - v, v * v, i % 2).unwrap();
    }
    s
}

/// Starts a long `train` into `out` (inside `tmp`) with the flags `extra` and
/// waits until it trains (its first cost line), holding the lock `lock` (a
/// path relative to `tmp`).
fn live_run(tmp: &TempDir, out: &str, lock: &str, extra: &[&str]) -> Child {
    tmp.write("big.csv", &csv(20_000));
    let args = [
        "train",
        "--train",
        "big.csv",
        "--out",
        out,
        "--iterations",
        "100000000",
        "--threads",
        "1",
    ];
    let mut child = spawn(&tmp.0, &[&args[..], extra].concat(), true);
    let lock = tmp.path(lock);
    wait_until(&mut child, "holding its lock", |_| lock.is_file());
    let first = first_line(child.stdout.as_mut().expect("stdout is piped"));
    assert!(first.starts_with("Cost after iteration 0"), "{first}");
    child
}

/// The first line `from` prints (read a byte at a time: nothing past it is taken).
fn first_line(from: &mut impl Read) -> String {
    let mut line = Vec::new();
    let mut byte = [0u8];
    while from.read(&mut byte).unwrap() == 1 && byte[0] != b'\n' {
        line.push(byte[0]);
    }
    String::from_utf8_lossy(&line).into_owned()
}

/// `backprop train --train good.csv --out OUT --iterations 3 --quiet EXTRA` in `tmp`.
fn train_good(tmp: &TempDir, out: &str, extra: &[&str]) -> Output {
    let args = [
        "train",
        "--train",
        "good.csv",
        "--out",
        out,
        "--iterations",
        "3",
        "--quiet",
    ];
    backprop(&tmp.0, &[&args[..], extra].concat())
}

/// Stops the live run with SIGTERM: it must end as an interrupted run (exit
/// 130) whose checkpoint is in `out`, so nothing of its training was lost.
fn stop_live_run(child: Child, out: &Path) {
    signal(&child, "TERM");
    let (status, err) = finish(child);
    assert_eq!(status.code(), Some(130), "the live run: {err}");
    assert!(
        out.join("checkpoint.safetensors").is_file(),
        "the live run lost its checkpoint: {err}"
    );
}

#[test]
fn a_run_inside_a_live_runs_folder_is_refused_naming_it() {
    let tmp = TempDir::new("guard-inside");
    tmp.write("good.csv", &csv(40));
    let child = live_run(&tmp, "par", ".par.lock", &[]);
    for out in ["par/sub", "par/sub/deeper/run"] {
        let o = train_good(&tmp, out, &[]);
        assert_refused(&o, out, "another backprop run (pid", 1);
        assert!(stderr(&o).contains("par"), "{}", stderr(&o));
    }
    // The refused runs made no folder where the live run will commit.
    assert!(!tmp.path("par").exists());
    stop_live_run(child, &tmp.path("par"));
}

#[test]
fn force_over_a_folder_holding_a_live_run_is_refused_naming_it() {
    let tmp = TempDir::new("guard-parent");
    tmp.write("good.csv", &csv(40));
    std::fs::create_dir(tmp.path("par")).unwrap();
    std::fs::write(tmp.path("par/keep.txt"), "mine").unwrap();
    let child = live_run(&tmp, "par/a", "par/.a.lock", &[]);
    let o = train_good(&tmp, "par", &["--force"]);
    assert_refused(
        &o,
        "--out par --force",
        "par/a, which another backprop run",
        1,
    );
    assert!(
        tmp.path("par/.a.lock").is_file(),
        "the live run's lock was deleted"
    );
    assert!(tmp.path("par/keep.txt").is_file());
    stop_live_run(child, &tmp.path("par/a"));
}

#[test]
fn a_forced_run_that_checkpoints_replaces_the_old_folder_whole() {
    let tmp = TempDir::new("guard-force-checkpoints");
    tmp.write("good.csv", &csv(40));
    assert!(train_good(&tmp, "r", &[]).status.success());
    std::fs::write(tmp.path("r/old.txt"), "old").unwrap();
    let extra = ["--force", "--checkpoint-every", "1"];
    let mut child = live_run(&tmp, "r", ".r.lock", &extra);
    // Its first checkpoint replaces the old folder whole, in one step.
    let old = tmp.path("r/old.txt");
    wait_until(&mut child, "replacing the old run folder", |_| {
        !old.exists()
    });
    stop_live_run(child, &tmp.path("r"));
    // Interrupted, the folder is the new run's: its checkpoint and metrics,
    // nothing of the old run (its model, its plots) mixed in.
    let mut names: Vec<String> = std::fs::read_dir(tmp.path("r"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["checkpoint.safetensors", "metrics.json"]);
}

#[test]
fn a_forced_run_that_ends_before_its_first_checkpoint_leaves_the_old_folder() {
    let tmp = TempDir::new("guard-force-no-checkpoint");
    tmp.write("good.csv", &csv(40));
    assert!(train_good(&tmp, "r", &[]).status.success());
    std::fs::write(tmp.path("r/old.txt"), "old").unwrap();
    // Diverges at once (a NaN cost, exit 1), before any checkpoint.
    let o = train_good(
        &tmp,
        "r",
        &[
            "--force",
            "--checkpoint-every",
            "2",
            "--learning-rate",
            "1e300",
        ],
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(tmp.path("r/old.txt").is_file(), "the old run was lost");
    assert!(tmp.path("r/model.json").is_file(), "the old run was lost");
}

#[test]
fn resume_with_force_replaces_another_folder_whole() {
    let tmp = TempDir::new("guard-resume-force");
    tmp.write("good.csv", &csv(40));
    assert!(train_good(&tmp, "r", &["--checkpoint-every", "1"])
        .status
        .success());
    std::fs::create_dir(tmp.path("other")).unwrap();
    std::fs::write(tmp.path("other/old.txt"), "old").unwrap();
    let resume = [
        "train",
        "--resume",
        "r",
        "--out",
        "other",
        "--iterations",
        "20",
        "--quiet",
    ];
    assert_refused(&backprop(&tmp.0, &resume), "no --force", "--force", 1);
    let forced = [&resume[..], &["--force"]].concat();
    let o = backprop(&tmp.0, &forced);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(tmp.path("other/model.json").is_file());
    assert!(
        !tmp.path("other/old.txt").exists(),
        "old files stayed mixed in"
    );
    // --force never deletes the checkpoint it continues from.
    std::fs::create_dir(tmp.path("runs")).unwrap();
    std::fs::rename(tmp.path("r"), tmp.path("runs/r")).unwrap();
    let o = backprop(
        &tmp.0,
        &[
            "train",
            "--resume",
            "runs/r",
            "--out",
            "runs",
            "--force",
            "--iterations",
            "20",
        ],
    );
    assert_refused(
        &o,
        "--out holding the checkpoint",
        "checkpoint.safetensors",
        1,
    );
    assert!(tmp.path("runs/r/checkpoint.safetensors").is_file());
}

#[test]
fn the_lock_of_a_killed_run_stops_nobody() {
    // SIGKILL: no code runs, and the lock file stays. (A reader that goes
    // away, `train … | head -1`, no longer kills the run: tests/signals.rs.)
    let tmp = TempDir::new("guard-stale");
    tmp.write("good.csv", &csv(40));
    std::fs::create_dir(tmp.path("par")).unwrap();
    let child = live_run(&tmp, "par/a", "par/.a.lock", &[]);
    signal(&child, "KILL");
    let (status, err) = finish(child);
    assert_eq!(status.signal(), Some(libc::SIGKILL), "{err}");
    assert!(
        tmp.path("par/.a.lock").is_file(),
        "no lock was left: test nothing"
    );
    // Neither a run inside its folder nor --force over the folder around it
    // is stopped by that lock, and neither says anything about it (a note on
    // the model's accuracy may come: the data are 40 random rows).
    for (out, extra) in [("par/a/sub", &[][..]), ("par", &["--force"][..])] {
        let o = train_good(&tmp, out, extra);
        assert!(o.status.success(), "{out}: {}", stderr(&o));
        let err = stderr(&o);
        assert!(
            !err.contains("lock") && !err.contains(".a"),
            "{out} said something about the old lock: {err}"
        );
    }
}

/// How many entries `dir` holds.
fn entries(dir: &Path) -> usize {
    std::fs::read_dir(dir).unwrap().count()
}

#[test]
fn an_out_that_is_or_holds_the_working_folder_is_refused_before_training() {
    let tmp = TempDir::new("guard-working-folder");
    tmp.write("d.csv", &csv(40));
    let inner = tmp.path("w/inner");
    std::fs::create_dir_all(&inner).unwrap();
    let top = tmp.0.canonicalize().unwrap();
    for (cwd, train, out, what) in [
        ("w", "../d.csv", ".", "is"),
        ("w/inner", "../../d.csv", "..", "holds"),
        (
            "w/inner",
            "../../d.csv",
            top.join("w").to_str().unwrap(),
            "holds",
        ),
    ] {
        let dir = tmp.path(cwd);
        let run = backprop(
            &dir,
            &[
                "train", "--train", train, "--out", out, "--force", "--epochs", "3",
            ],
        );
        let case = format!("--out {out} from {cwd}");
        assert_refused(&run, &case, &format!("{what} the working folder ("), 1);
        assert!(
            stderr(&run).contains("--force cannot replace; choose another --out"),
            "{case}"
        );
        // Refused before training: no cost line, nothing written anywhere.
        assert!(
            run.stdout.is_empty(),
            "{case}: {}",
            String::from_utf8_lossy(&run.stdout)
        );
        let left = [entries(&tmp.0), entries(&tmp.path("w")), entries(&inner)];
        assert_eq!(
            left,
            [2, 1, 0],
            "{case}: d.csv, w, w/inner and nothing else"
        );
    }
}

#[test]
fn predict_and_evaluate_on_a_run_still_in_progress_say_so() {
    let tmp = TempDir::new("guard-in-progress");
    tmp.write("good.csv", &csv(40));
    // A fresh run (no folder until it ends), and one whose checkpoints made it.
    for (out, extra) in [
        ("run", &[][..]),
        ("ck", &["--checkpoint-every", "1000"][..]),
    ] {
        let mut child = live_run(&tmp, out, &format!(".{out}.lock"), extra);
        if !extra.is_empty() {
            let ck = tmp.path(out).join("checkpoint.safetensors");
            wait_until(&mut child, "checkpointing", |_| ck.is_file());
        }
        check_in_progress(&tmp, out);
        signal(&child, "KILL");
        finish(child);
    }
}

/// `predict` and `evaluate` with `--model out`, a run another process trains.
fn check_in_progress(tmp: &TempDir, out: &str) {
    for command in ["predict", "evaluate"] {
        let o = backprop(&tmp.0, &[command, "--model", out, "good.csv"]);
        let case = format!("{command} --model {out}");
        assert_refused(
            &o,
            &case,
            &format!("{out}: is a run still in progress: another backprop run (pid "),
            1,
        );
        assert!(
            stderr(&o).contains("wait for it to end"),
            "{case}: {}",
            stderr(&o)
        );
    }
}
