//! The command line end to end: train on the course's data, the demo, and
//! the demo's data through `train`.

mod harness;

use harness::{backprop, cat_dir, json, stdout, TempDir};

#[test]
#[cfg_attr(
    no_cat_data,
    ignore = "needs the cat data: ../shared/datasets/catvnoncat or $BACKPROP_CAT_DIR"
)]
fn train_logistic_regression_on_cats_prints_and_writes_the_course_numbers() {
    let Some(cats) = cat_dir() else { return };
    let tmp = TempDir::new("train-cats");
    let train = cats.join("train_catvnoncat.h5");
    let test = cats.join("test_catvnoncat.h5");
    let out = backprop(
        &tmp.0,
        &[
            "train",
            "--train",
            train.to_str().unwrap(),
            "--test",
            test.to_str().unwrap(),
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
            "--out",
            "run",
        ],
    );
    assert!(out.status.success(), "{}", harness::stderr(&out));
    let text = stdout(&out);
    assert!(
        text.starts_with("Cost after iteration 0: 0.693147\n"),
        "{text}"
    );
    assert!(
        text.contains("Cost after iteration 1900: 0.140872\n"),
        "{text}"
    );
    assert!(text.contains("train accuracy: 99.04 % (207/209)"), "{text}");
    assert!(text.contains("test accuracy: 70.00 % (35/50)"), "{text}");

    let m = json(&tmp.path("run/metrics.json"));
    let costs = m["costs"].as_array().unwrap();
    assert_eq!(costs.len(), 20);
    assert_eq!(costs[19][0], 1900);
    assert!((costs[19][1].as_f64().unwrap() - 0.140872).abs() < 1e-5);
    assert!((m["train_accuracy"].as_f64().unwrap() - 207.0 / 209.0).abs() < 1e-12);
    assert!((m["test_accuracy"].as_f64().unwrap() - 0.70).abs() < 1e-12);
    assert_eq!(m["iterations"], 2000);
    assert!(m["train_seconds"].as_f64().unwrap() > 0.0);
    assert!(m["final_cost"].as_f64().unwrap() < 0.140872);
    assert_eq!(m["config"]["model"]["gd"]["learning_rate"], 0.005);
    assert_eq!(m["config"]["model"]["precision"], "f64");
    assert!(tmp.path("run/model.safetensors").is_file());
    let model = json(&tmp.path("run/model.json"));
    assert_eq!(model["layer_sizes"], serde_json::json!([12288, 1]));
    assert_eq!(model["classes"], serde_json::json!(["non-cat", "cat"]));
}

#[test]
fn demo_reaches_the_course_accuracies_and_train_on_its_csv_agrees() {
    let tmp = TempDir::new("demo");
    let out = backprop(&tmp.0, &["demo", "--out", "demo"]);
    assert!(out.status.success(), "{}", harness::stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("accuracy 90.75 % (363/400)"), "{text}");
    assert!(text.contains("accuracy 47.00 % (188/400)"), "{text}");
    let demo = json(&tmp.path("demo/tanh-4/metrics.json"));

    // The same run through `train`, on the CSV the demo wrote (its features as
    // they are: tables are standardised by default).
    let out = backprop(
        &tmp.0,
        &[
            "train",
            "--train",
            "demo/flower.csv",
            "--hidden",
            "4",
            "--activation",
            "tanh",
            "--init",
            "small",
            "--learning-rate",
            "1.2",
            "--iterations",
            "10000",
            "--seed",
            "2",
            "--precision",
            "f64",
            "--record-every",
            "1000",
            "--no-standardize",
            "--out",
            "via-train",
        ],
    );
    assert!(out.status.success(), "{}", harness::stderr(&out));
    assert!(stdout(&out).contains("train accuracy: 90.75 % (363/400)"));
    let via_train = json(&tmp.path("via-train/metrics.json"));
    assert_eq!(via_train["costs"], demo["costs"]);
    assert_eq!(via_train["final_cost"], demo["final_cost"]);
    assert_eq!(via_train["train_accuracy"], demo["train_accuracy"]);
}

#[test]
fn demo_in_f32_stays_above_90_percent() {
    let tmp = TempDir::new("demo-f32");
    let out = backprop(&tmp.0, &["demo", "--precision", "f32"]);
    assert!(out.status.success());
    let text = stdout(&out);
    let line = text.lines().find(|l| l.contains("tanh")).unwrap();
    let pct: f64 = line
        .split("accuracy ")
        .nth(1)
        .unwrap()
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(pct >= 90.0, "{line}");
    assert!(
        std::fs::read_dir(&tmp.0).unwrap().next().is_none(),
        "no --out, nothing written"
    );
}

#[test]
fn gradcheck_passes_for_each_activation_and_reports_the_difference() {
    let tmp = TempDir::new("gradcheck");
    for g in ["relu", "tanh", "sigmoid", "leaky-relu"] {
        let out = backprop(&tmp.0, &["gradcheck", "--hidden", "5,3", "--activation", g]);
        assert!(out.status.success(), "{g}: {}", stdout(&out));
        let text = stdout(&out);
        let line = text
            .lines()
            .find(|l| l.starts_with("relative difference"))
            .unwrap();
        let d: f64 = line.rsplit(' ').next().unwrap().parse().unwrap();
        assert!(d < 1e-7, "{g}: {line}");
    }
}
