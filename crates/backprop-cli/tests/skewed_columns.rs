//! A table's skewed numeric column is read as sign(x)·ln(1+|x|) before it is
//! standardised: chosen on the training set, kept in model.json
//! (`standardization.signed_log`), and applied alike by training, `predict`,
//! `evaluate` and `--resume`; `--explain` names it; `--log-skewed off` keeps
//! it as it is; a bad threshold is refused in one line.

mod harness;

use backprop::data::{self, LoadOptions};
use backprop::Gaussian;
use harness::{backprop, json, stderr, stdout, TempDir};

/// `m` rows of `x` (normal), `count` (log-normal: |skewness| ≫ 2) and a
/// label that depends on ln(count) and x.
fn counts(m: usize, seed: u32) -> String {
    let mut rng = backprop::NumpyRng::new(seed);
    let mut csv = String::from("x,count,y\n");
    for _ in 0..m {
        let (x, l) = (rng.randn(), rng.randn() * 1.5);
        let count = (l.exp() * 30.0).round();
        let y = if l + x + rng.randn() * 0.3 > 0.0 {
            "yes"
        } else {
            "no"
        };
        csv.push_str(&format!("{x},{count},{y}\n"));
    }
    csv
}

fn ok(tmp: &TempDir, args: &[&str]) -> String {
    let out = backprop(&tmp.0, args);
    assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    stdout(&out)
}

/// `train` on train.csv (tested on test.csv, f64, quiet) into `out`, with `extra` flags.
fn train(tmp: &TempDir, out: &str, extra: &[&str]) -> String {
    const RUN: &str =
        "train --train train.csv --test test.csv --label-column y --precision f64 --quiet";
    let mut args: Vec<&str> = RUN.split(' ').collect();
    args.extend_from_slice(&["--out", out]);
    args.extend_from_slice(extra);
    ok(tmp, &args)
}

#[test]
fn a_skewed_column_is_read_as_its_log_by_training_predict_and_evaluate() {
    let tmp = TempDir::new("skewed-columns");
    tmp.write("train.csv", &counts(300, 1));
    tmp.write("test.csv", &counts(100, 2));
    train(&tmp, "run", &["--epochs", "10"]);
    let model = json(&tmp.path("run/model.json"));
    let st = &model["preprocessing"]["standardization"];
    assert_eq!(st["signed_log"], serde_json::json!([1]), "count, not x");
    // The stored mean and std are those of ln(1+count) over the training rows.
    let logs: Vec<f64> = (counts(300, 1).lines().skip(1))
        .map(|l| l.split(',').nth(1).unwrap().parse::<f64>().unwrap().ln_1p())
        .collect();
    let mean = logs.iter().sum::<f64>() / logs.len() as f64;
    assert!((st["mean"][1].as_f64().unwrap() - mean).abs() < 1e-12);

    // evaluate scores the test file as training did.
    let metrics = json(&tmp.path("run/metrics.json"));
    let scores = ok(
        &tmp,
        &["evaluate", "--model", "run", "test.csv", "--format", "json"],
    );
    let scores: serde_json::Value = serde_json::from_str(&scores).unwrap();
    assert_eq!(scores["accuracy"], metrics["test_accuracy"]);
    assert!(
        metrics["test_accuracy"].as_f64().unwrap() > 0.8,
        "{metrics}"
    );

    // predict gives what the network gives the training preparation's X.
    let options = LoadOptions {
        label_column: Some("y".into()),
        ..LoadOptions::default()
    };
    let mut d = data::load_training(&tmp.path("train.csv"), &options, &|_, _| {}).unwrap();
    let st = d.standardize(options.log_above().unwrap()).unwrap();
    let saved: data::Standardization =
        serde_json::from_value(model["preprocessing"]["standardization"].clone()).unwrap();
    assert_eq!(
        saved, st,
        "model.json keeps the training preparation (round trip)"
    );
    let net = backprop::predict::Model::load(&tmp.path("run"))
        .unwrap()
        .network;
    let p = net.predict_proba(&d.x);
    let rows = ok(
        &tmp,
        &["predict", "--model", "run", "train.csv", "--format", "json"],
    );
    let rows: Vec<serde_json::Value> = serde_json::from_str(&rows).unwrap();
    assert_eq!(rows.len(), 300);
    for (j, row) in rows.iter().enumerate() {
        let yes = row["probabilities"]["yes"].as_f64().unwrap();
        assert!(
            (yes - p[(0, j)]).abs() < 1e-12,
            "row {j}: {yes} vs {}",
            p[(0, j)]
        );
    }
}

#[test]
fn off_keeps_the_column_explain_names_it_and_resume_keeps_it() {
    let tmp = TempDir::new("skewed-off");
    tmp.write("train.csv", &counts(200, 3));
    tmp.write("test.csv", &counts(50, 4));
    train(&tmp, "off", &["--log-skewed", "off", "--epochs", "1"]);
    let st = &json(&tmp.path("off/model.json"))["preprocessing"]["standardization"];
    assert!(st.get("signed_log").is_none(), "{st}");
    // A threshold above the column's skewness leaves it too.
    train(&tmp, "high", &["--log-skewed", "1000", "--epochs", "1"]);
    let st = &json(&tmp.path("high/model.json"))["preprocessing"]["standardization"];
    assert!(st.get("signed_log").is_none(), "{st}");

    let text = ok(
        &tmp,
        &[
            "train",
            "--train",
            "train.csv",
            "--label-column",
            "y",
            "--epochs",
            "1",
            "--explain",
            "--out",
            "ex",
        ],
    );
    assert!(
        text.contains("read first as x ↦ sign(x)·ln(1 + |x|): column 'count'."),
        "{text}"
    );

    train(&tmp, "part", &["--epochs", "4", "--checkpoint-every", "2"]);
    let before = json(&tmp.path("part/model.json"))["preprocessing"].clone();
    ok(
        &tmp,
        &["train", "--resume", "part", "--epochs", "8", "--quiet"],
    );
    let after = json(&tmp.path("part/model.json"));
    assert_eq!(
        after["preprocessing"], before,
        "resume prepares as the run did"
    );
    assert_eq!(
        after["preprocessing"]["standardization"]["signed_log"],
        serde_json::json!([1])
    );

    for (bad, needle) in [
        ("-1", "--log-skewed must be >= 0, got -1"),
        ("NaN", "--log-skewed must be >= 0, got NaN"),
        (
            "lots",
            "'lots' is not a skewness; write a number like 2, or 'off'",
        ),
    ] {
        let args = [
            "train",
            "--train",
            "train.csv",
            "--label-column",
            "y",
            "--log-skewed",
            bad,
            "--out",
            "bad",
        ];
        let out = backprop(&tmp.0, &args);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{bad}: {err}");
        assert!(err.contains(needle), "{bad}: {err}");
        assert!(!tmp.path("bad").exists(), "{bad}: wrote a run folder");
    }
}
