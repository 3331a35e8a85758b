//! `--batch-norm`: a CSV trained with batch-normalised hidden layers writes a
//! model whose model.json says so and which `predict` reads; a momentum out
//! of range is refused by its flag.

mod harness;

use harness::{backprop, stderr, TempDir};

const CSV: &str = "x1,x2,label\n0.1,0.2,0\n0.3,0.4,1\n0.5,0.1,1\n0.9,0.7,0\n0.2,0.8,1\n0.6,0.3,0\n";

/// `train` on the CSV for 3 epochs, one hidden layer of 4, `--batch-norm` at `momentum`.
fn train(tmp: &TempDir, momentum: &str) -> std::process::Output {
    tmp.write("d.csv", CSV);
    let args =
        "train --train d.csv --out run --epochs 3 --hidden 4 --batch-norm --batch-norm-momentum";
    let mut args: Vec<&str> = args.split(' ').collect();
    args.push(momentum);
    backprop(&tmp.0, &args)
}

#[test]
fn batch_norm_trains_saves_and_predicts() {
    let tmp = TempDir::new("batch-norm");
    let out = train(&tmp, "0.8");
    assert!(out.status.success(), "{}", stderr(&out));
    let json = std::fs::read_to_string(tmp.path("run/model.json")).unwrap();
    let info: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(info["batch_norm"]["momentum"], 0.8, "{json}");
    let out = backprop(&tmp.0, &["predict", "--model", "run", "d.csv"]);
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn a_momentum_out_of_range_is_refused_by_its_flag() {
    let tmp = TempDir::new("batch-norm-bad");
    let out = train(&tmp, "1.5");
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("--batch-norm needs ε > 0 and a momentum in [0, 1)"),
        "{err}"
    );
    assert!(!tmp.path("run").exists());
}
