//! Data-parallel training under `mpirun` (a build with `--features mpi`):
//! 2 and 4 ranks end with the one-process run's weights to 1e-10 relative, for
//! full-batch gradient descent on the cat data and for mini-batch Adam.
//! Ranks are oversubscribed on this 2-core machine.
#![cfg(feature = "mpi")]

mod harness;

use std::process::Command;

use harness::{backprop, cat_dir, json, stderr, TempDir};

/// The weights of a run folder, in tensor-name order, as f64.
fn weights(path: &std::path::Path) -> Vec<f64> {
    let bytes = std::fs::read(path.join("model.safetensors")).unwrap();
    let n = u64::from_le_bytes(bytes[..8].try_into().unwrap()) as usize;
    let header: serde_json::Map<String, serde_json::Value> =
        serde_json::from_slice(&bytes[8..8 + n]).unwrap();
    let data = &bytes[8 + n..];
    let mut names: Vec<&String> = header.keys().filter(|k| *k != "__metadata__").collect();
    names.sort();
    let mut out = Vec::new();
    for name in names {
        let t = &header[name];
        assert_eq!(t["dtype"], "F64");
        let (s, e) = (
            t["data_offsets"][0].as_u64().unwrap() as usize,
            t["data_offsets"][1].as_u64().unwrap() as usize,
        );
        out.extend(
            data[s..e]
                .chunks_exact(8)
                .map(|c| f64::from_le_bytes(c.try_into().unwrap())),
        );
    }
    out
}

fn mpirun(tmp: &TempDir, ranks: usize, args: &[&str]) {
    let out = Command::new("mpirun")
        .args([
            "--allow-run-as-root",
            "--oversubscribe",
            "--bind-to",
            "none",
            "-np",
            &ranks.to_string(),
        ])
        .arg(env!("CARGO_BIN_EXE_backprop"))
        .args(args)
        .current_dir(&tmp.0)
        .output()
        .expect("mpirun (OpenMPI) is installed: .ci/run installs it");
    assert!(out.status.success(), "mpirun -np {ranks}: {}", stderr(&out));
}

fn max_relative(a: &[f64], b: &[f64]) -> f64 {
    assert_eq!(a.len(), b.len());
    let scale = a.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    a.iter()
        .zip(b)
        .fold(0.0, |m, (x, y)| m.max((x - y).abs() / scale))
}

fn equivalent_across_ranks(tmp: &TempDir, args: &[&str]) -> Vec<(usize, f64)> {
    let mut one = args.to_vec();
    one.extend_from_slice(&["--out", "one"]);
    let out = backprop(&tmp.0, &one);
    assert!(out.status.success(), "{}", stderr(&out));
    let reference = weights(&tmp.path("one"));
    [2, 4]
        .into_iter()
        .map(|ranks| {
            let name = format!("ranks{ranks}");
            let mut many = args.to_vec();
            many.extend_from_slice(&["--out", &name]);
            mpirun(tmp, ranks, &many);
            let d = max_relative(&reference, &weights(&tmp.path(&name)));
            eprintln!("{ranks} ranks: max relative weight difference {d:e}");
            assert!(d < 1e-10, "{ranks} ranks: {d:e}");
            (ranks, d)
        })
        .collect()
}

#[test]
fn full_batch_gradient_descent_on_the_cat_data() {
    let Some(cats) = cat_dir() else { return };
    let tmp = TempDir::new("mpi-cats");
    let train = cats.join("train_catvnoncat.h5");
    equivalent_across_ranks(
        &tmp,
        &[
            "train",
            "--train",
            train.to_str().unwrap(),
            "--hidden",
            "none",
            "--init",
            "zeros",
            "--learning-rate",
            "0.005",
            "--iterations",
            "2000",
            "--precision",
            "f64",
            "--threads",
            "1",
            "--quiet",
        ],
    );
    let m = json(&tmp.path("ranks2/metrics.json"));
    let c = m["costs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c[0] == 1900)
        .unwrap()[1]
        .as_f64()
        .unwrap();
    assert!((c - 0.140872).abs() < 1e-5, "cost@1900 under 2 ranks: {c}");
    assert!((m["train_accuracy"].as_f64().unwrap() - 207.0 / 209.0).abs() < 1e-12);
}

#[test]
fn mini_batch_adam_on_synthetic_data() {
    let tmp = TempDir::new("mpi-adam");
    let d = backprop::data::spiral::spiral(200, 3, 1);
    backprop::data::write_csv(&tmp.path("spiral.csv"), d.x.view(), d.y.view()).unwrap();
    equivalent_across_ranks(
        &tmp,
        &[
            "train",
            "--train",
            "spiral.csv",
            "--hidden",
            "40",
            "--activation",
            "relu",
            "--init",
            "he",
            "--optimizer",
            "adam",
            "--batch-size",
            "100",
            "--epochs",
            "40",
            "--learning-rate",
            "0.01",
            "--precision",
            "f64",
            "--threads",
            "1",
            "--quiet",
        ],
    );
}
