//! Checkpoints through the CLI: SIGTERM during default full-batch training
//! leaves a checkpoint that `--resume` continues bit for bit; a finished run
//! continues to a new total; a SIGKILL at any moment of a run that
//! checkpoints every iteration leaves a checkpoint that resumes to the
//! uninterrupted run's weights (never a mix of two checkpoints); a damaged
//! or mismatched checkpoint is refused with one line and exit code 2.

mod harness;

use std::io::BufRead;
use std::time::{Duration, Instant};

use backprop::Gaussian;
use harness::{backprop, checkpoint_state, finish, json, signal, spawn, stderr, TempDir};

/// The 3-class spiral as a CSV (a softmax model).
fn spiral_csv(tmp: &TempDir, name: &str, per_class: usize) {
    let d = backprop::data::spiral::spiral(per_class, 3, 0);
    backprop::data::write_csv(&tmp.path(name), d.x.view(), d.y.view()).unwrap();
}

fn weights(tmp: &TempDir, run: &str) -> Vec<u8> {
    std::fs::read(tmp.path(&format!("{run}/model.safetensors"))).unwrap()
}

fn train(tmp: &TempDir, args: &[&str]) {
    let mut all = vec!["train", "--quiet"];
    all.extend_from_slice(args);
    let out = backprop(&tmp.0, &all);
    assert!(out.status.success(), "{args:?}: {}", stderr(&out));
}

const PLAIN: [&str; 8] = [
    "--train",
    "s.csv",
    "--hidden",
    "20",
    "--learning-rate",
    "0.5",
    "--record-every",
    "1000",
];

#[test]
fn sigterm_during_full_batch_training_resumes_bit_for_bit() {
    let tmp = TempDir::new("sigterm-full");
    spiral_csv(&tmp, "s.csv", 100);
    let total = ["--iterations", "30000"];
    let mut whole = PLAIN.to_vec();
    whole.extend_from_slice(&total);
    whole.extend_from_slice(&["--out", "whole"]);
    train(&tmp, &whole);

    let mut cut = vec!["train"];
    cut.extend_from_slice(&PLAIN);
    cut.extend_from_slice(&total);
    cut.extend_from_slice(&["--out", "cut"]);
    let mut child = spawn(&tmp.0, &cut, true);
    let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    assert!(first.starts_with("Cost after iteration 0"), "{first}");
    std::thread::sleep(Duration::from_millis(100));
    signal(&child, "TERM");
    let _rest: Vec<String> = lines.map_while(Result::ok).collect();
    let (status, err) = finish(child);
    assert_eq!(status.code(), Some(130), "{err}");
    let state = checkpoint_state(&tmp.path("cut"));
    let done = state["step"].as_u64().unwrap();
    eprintln!("stopped after {done} iterations on {}", state["plan"]);
    assert!(done < 30000, "the run was cut short");
    let out = backprop(&tmp.0, &["train", "--resume", "cut", "--quiet"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(weights(&tmp, "whole"), weights(&tmp, "cut"), "bit for bit");
    let (a, b) = (
        json(&tmp.path("whole/metrics.json")),
        json(&tmp.path("cut/metrics.json")),
    );
    assert_eq!(a["costs"], b["costs"]);
}

#[test]
fn a_finished_run_continues_to_a_new_total() {
    let tmp = TempDir::new("continue");
    spiral_csv(&tmp, "s.csv", 50);
    for (iterations, out) in [("700", "whole"), ("300", "part")] {
        let mut args = PLAIN.to_vec();
        args.extend_from_slice(&["--iterations", iterations, "--out", out]);
        train(&tmp, &args);
    }
    assert!(tmp.path("part/checkpoint.safetensors").is_file());
    train(&tmp, &["--resume", "part", "--iterations", "700"]);
    assert_eq!(weights(&tmp, "whole"), weights(&tmp, "part"), "bit for bit");
    assert_eq!(json(&tmp.path("part/metrics.json"))["iterations"], 700);

    // An epoch run, continued into another folder with --out.
    let adam = [
        "--train",
        "s.csv",
        "--hidden",
        "20",
        "--optimizer",
        "adam",
        "--batch-size",
        "16",
        "--learning-rate",
        "0.01",
    ];
    for (epochs, out) in [("12", "ewhole"), ("5", "epart")] {
        let mut args = adam.to_vec();
        args.extend_from_slice(&["--epochs", epochs, "--out", out]);
        train(&tmp, &args);
    }
    train(
        &tmp,
        &["--resume", "epart", "--epochs", "12", "--out", "enext"],
    );
    assert_eq!(weights(&tmp, "ewhole"), weights(&tmp, "enext"));
    let m = json(&tmp.path("enext/metrics.json"));
    assert_eq!(
        m["costs"].as_array().unwrap().len(),
        12,
        "every epoch recorded"
    );

    // Fewer than already done is refused.
    let out = backprop(&tmp.0, &["train", "--resume", "part", "--iterations", "10"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("at least"), "{}", stderr(&out));
}

#[test]
fn sigkill_at_any_moment_leaves_a_checkpoint_that_resumes_exactly() {
    let tmp = TempDir::new("kill");
    spiral_csv(&tmp, "s.csv", 20);
    let args = [
        "--train",
        "s.csv",
        "--hidden",
        "8",
        "--optimizer",
        "adam",
        "--batch-size",
        "16",
        "--learning-rate",
        "0.01",
        "--epochs",
        "60",
        "--checkpoint-every",
        "1",
    ];
    let mut whole = args.to_vec();
    whole.extend_from_slice(&["--out", "whole"]);
    train(&tmp, &whole);
    let want = weights(&tmp, "whole");
    // How long a whole run takes here, to spread the kills over it.
    let t = Instant::now();
    let mut again = args.to_vec();
    again.extend_from_slice(&["--out", "timing"]);
    train(&tmp, &again);
    let span = t.elapsed().as_micros() as u64;

    let mut rng = backprop::NumpyRng::new(11);
    let (mut before_any, mut resumed) = (0, 0);
    for trial in 0..50 {
        let out = format!("k{trial}");
        let mut cmd = vec!["train", "--quiet"];
        cmd.extend_from_slice(&args);
        cmd.extend_from_slice(&["--out", &out]);
        let mut child = spawn(&tmp.0, &cmd, false);
        let delay = (rng.uniform() * span as f64 * 1.1) as u64;
        std::thread::sleep(Duration::from_micros(delay));
        let _ = child.kill(); // SIGKILL
        finish(child);
        if !tmp.path(&format!("{out}/checkpoint.safetensors")).is_file() {
            before_any += 1;
            continue;
        }
        let r = backprop(&tmp.0, &["train", "--resume", &out, "--quiet"]);
        assert!(r.status.success(), "trial {trial}: {}", stderr(&r));
        assert_eq!(
            weights(&tmp, &out),
            want,
            "trial {trial}: the uninterrupted weights"
        );
        resumed += 1;
        std::fs::remove_dir_all(tmp.path(&out)).unwrap();
    }
    eprintln!(
        "50 kills: {resumed} resumed to the same weights, {before_any} before any checkpoint"
    );
    assert!(resumed >= 25, "most kills land after the first checkpoint");
}

#[test]
fn a_damaged_or_mismatched_checkpoint_is_refused() {
    let tmp = TempDir::new("bad-ckpt");
    spiral_csv(&tmp, "s.csv", 20);
    let mut args = PLAIN.to_vec();
    args.extend_from_slice(&["--iterations", "20", "--out", "run"]);
    train(&tmp, &args);
    let file = tmp.path("run/checkpoint.safetensors");
    let bytes = std::fs::read(&file).unwrap();

    // Truncated.
    std::fs::write(&file, &bytes[..bytes.len() / 2]).unwrap();
    let out = backprop(&tmp.0, &["train", "--resume", "run", "--iterations", "40"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("checkpoint.safetensors"),
        "{}",
        stderr(&out)
    );
    assert_eq!(stderr(&out).trim().lines().count(), 1, "{}", stderr(&out));

    // Data with other features than the checkpoint's network: refused as
    // other data (the checkpoint's fingerprint of its training set).
    std::fs::write(&file, &bytes).unwrap();
    tmp.write("s.csv", "a,b,c,label\n1,2,3,0\n2,3,4,1\n3,4,5,2\n");
    let out = backprop(&tmp.0, &["train", "--resume", "run", "--iterations", "40"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("other training data")
            && stderr(&out).contains("feature columns were [x1, x2], now [a, b, c]"),
        "{}",
        stderr(&out)
    );
    assert_eq!(stderr(&out).trim().lines().count(), 1, "{}", stderr(&out));
}
