//! Checkpoints: a run resumed from its checkpoint ends with the same weights,
//! bit for bit, as the same run left uninterrupted — after a shorter run, and
//! after Ctrl-C (SIGINT) in the middle of an epoch.

mod harness;

use harness::{backprop, checkpoint_state, finish, json, signal, spawn, stderr, stdout, TempDir};

/// The 3-class spiral as a CSV (labels 0, 1, 2: a softmax model).
fn spiral_csv(tmp: &TempDir, per_class: usize) {
    let d = backprop::data::spiral::spiral(per_class, 3, 0);
    backprop::data::write_csv(&tmp.path("spiral.csv"), d.x.view(), d.y.view()).unwrap();
}

const RUN: [&str; 14] = [
    "train",
    "--train",
    "spiral.csv",
    "--hidden",
    "50",
    "--init",
    "he",
    "--optimizer",
    "adam",
    "--batch-size",
    "32",
    "--learning-rate",
    "0.01",
    "--quiet",
];

fn weights(tmp: &TempDir, run: &str) -> Vec<u8> {
    std::fs::read(tmp.path(&format!("{run}/model.safetensors"))).unwrap()
}

#[test]
fn a_resumed_run_ends_with_the_uninterrupted_runs_weights() {
    let tmp = TempDir::new("resume");
    spiral_csv(&tmp, 100);
    let run = |extra: &[&str]| {
        let mut args = RUN.to_vec();
        args.extend_from_slice(extra);
        let out = backprop(&tmp.0, &args);
        assert!(out.status.success(), "{extra:?}: {}", stderr(&out));
    };
    run(&["--epochs", "30", "--keep-prob", "0.9", "--out", "whole"]);
    run(&[
        "--epochs",
        "12",
        "--keep-prob",
        "0.9",
        "--checkpoint-every",
        "5",
        "--out",
        "part",
    ]);
    let out = backprop(
        &tmp.0,
        &["train", "--resume", "part", "--epochs", "30", "--quiet"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        weights(&tmp, "whole"),
        weights(&tmp, "part"),
        "same weights, bit for bit"
    );
    let (a, b) = (
        json(&tmp.path("whole/metrics.json")),
        json(&tmp.path("part/metrics.json")),
    );
    assert_eq!(a["costs"], b["costs"], "the same history too");
    assert_eq!(b["iterations"], 30);
    let model = json(&tmp.path("part/model.json"));
    assert_eq!(model["output_activation"], "softmax");
    assert_eq!(model["classes"], serde_json::json!(["0", "1", "2"]));

    // predict and evaluate a softmax model.
    let preds = stdout(&backprop(
        &tmp.0,
        &[
            "predict",
            "--model",
            "part",
            "spiral.csv",
            "--format",
            "csv",
        ],
    ));
    assert_eq!(preds.lines().count(), 301, "{preds}");
    let scores: serde_json::Value = serde_json::from_slice(
        &backprop(
            &tmp.0,
            &[
                "evaluate",
                "--model",
                "part",
                "spiral.csv",
                "--format",
                "json",
            ],
        )
        .stdout,
    )
    .unwrap();
    assert_eq!(scores["per_class"].as_array().unwrap().len(), 3);
    assert_eq!(scores["confusion_matrix"].as_array().unwrap().len(), 3);
    let table = stdout(&backprop(
        &tmp.0,
        &["evaluate", "--model", "part", "spiral.csv"],
    ));
    assert!(
        table.contains("3 classes") && table.contains("support"),
        "{table}"
    );
}

#[test]
fn ctrl_c_writes_a_checkpoint_and_the_resumed_run_matches() {
    let tmp = TempDir::new("sigint");
    spiral_csv(&tmp, 2000); // 6000 examples: long enough to interrupt
    let args = ["--epochs", "600", "--record-every", "20", "--out"];
    let mut whole = RUN.to_vec();
    whole.extend_from_slice(&args);
    whole.push("whole");
    let out = backprop(&tmp.0, &whole);
    assert!(out.status.success(), "{}", stderr(&out));

    let mut cut = RUN.to_vec();
    cut.retain(|a| *a != "--quiet");
    cut.extend_from_slice(&args);
    cut.push("cut");
    let mut child = spawn(&tmp.0, &cut, true);
    // Wait for the first recorded cost (training has started), then interrupt.
    use std::io::BufRead;
    let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    assert!(first.starts_with("Cost after epoch 0"), "{first}");
    std::thread::sleep(std::time::Duration::from_millis(200));
    signal(&child, "INT");
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    let (status, err) = finish(child);
    assert_eq!(status.code(), Some(130), "{err} {rest:?}");
    assert!(
        err.contains("interrupted after") && err.contains("backprop train --resume cut"),
        "{err}"
    );
    // An --epochs run counts what it did in epochs.
    assert!(err.contains(" epochs; the checkpoint"), "{err}");
    let state = checkpoint_state(&tmp.path("cut"));
    let done = state["epoch"].as_u64().unwrap();
    eprintln!("interrupted in epoch {done}, batch {}", state["batch"]);
    assert!(done < 600, "the run was cut short");
    assert!(tmp.path("cut/metrics.json").is_file());

    let out = backprop(&tmp.0, &["train", "--resume", "cut", "--quiet"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        weights(&tmp, "whole"),
        weights(&tmp, "cut"),
        "same weights, bit for bit"
    );
}

#[test]
fn a_diverging_run_keeps_its_last_good_checkpoint() {
    let tmp = TempDir::new("diverge-ckpt");
    tmp.write("d.csv", "x1,label\n3,0\n-3,1\n2,0\n-2,1\n");
    let out = backprop(
        &tmp.0,
        &[
            "train",
            "--train",
            "d.csv",
            "--hidden",
            "none",
            "--learning-rate",
            "1e300",
            "--iterations",
            "50",
            "--checkpoint-every",
            "1",
            "--out",
            "run",
        ],
    );
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("at iteration 1; try a smaller learning rate"),
        "{err}"
    );
    let state = checkpoint_state(&tmp.path("run"));
    assert_eq!(
        state["step"], 1,
        "the checkpoint after the last finite update stays"
    );
}

#[test]
fn a_relative_train_path_resumed_elsewhere_is_named_as_the_checkpoints() {
    let tmp = TempDir::new("resume-elsewhere");
    spiral_csv(&tmp, 30);
    let mut args = RUN.to_vec();
    args.extend_from_slice(&["--epochs", "6", "--checkpoint-every", "5", "--out", "part"]);
    let out = backprop(&tmp.0, &args);
    assert!(out.status.success(), "{}", stderr(&out));
    std::fs::create_dir(tmp.path("elsewhere")).unwrap();
    let out = backprop(
        &tmp.path("elsewhere"),
        &["train", "--resume", "../part", "--epochs", "10"],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains(
            "checkpoint.safetensors: records --train spiral.csv, a path relative to \
                      the folder the run was started in, and it is not found from"
        ) && err.contains("resume from that folder"),
        "{err}"
    );
    // From the folder it was started in, it resumes.
    let out = backprop(
        &tmp.0,
        &["train", "--resume", "part", "--epochs", "10", "--quiet"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
}
