//! `train --optimizer lbfgs`: full-batch L-BFGS from the command line with
//! scikit-learn's `max_iter` (`--iterations`), `max_fun` (`--max-fun`) and
//! `tol` (`--tol`); the summary says how it ended; the model predicts; a
//! finished run resumes to a larger total (L-BFGS restarting its memory from
//! the checkpoint's weights); the flags that do not apply are refused (exit 2);
//! `--l1` with it (OWL-QN) sets the weight of a column without signal to exactly 0.

mod harness;

use harness::{backprop, stderr, stdout, TempDir};

/// A two-class table of 120 rows (a noisy linear rule over three columns).
fn table(tmp: &TempDir) {
    let mut csv = String::from("a,b,c,label\n");
    let mut rng = backprop::NumpyRng::new(11);
    use backprop::Gaussian;
    for _ in 0..120 {
        let (a, b, c) = (rng.randn(), rng.randn() * 2.0, rng.randn());
        let label = u8::from(a - 0.5 * b + 0.3 * c + 0.3 * rng.randn() > 0.0);
        csv.push_str(&format!("{a},{b},{c},{label}\n"));
    }
    tmp.write("data.csv", &csv);
}

fn metrics(tmp: &TempDir, run: &str) -> serde_json::Value {
    let text = std::fs::read_to_string(tmp.path(&format!("{run}/metrics.json"))).unwrap();
    serde_json::from_str(&text).unwrap()
}

#[test]
fn lbfgs_trains_a_table_says_how_it_ended_and_the_model_predicts() {
    let tmp = TempDir::new("lbfgs-cli");
    table(&tmp);
    let out = backprop(
        &tmp.0,
        &[
            "train",
            "--train",
            "data.csv",
            "--optimizer",
            "lbfgs",
            "--hidden",
            "4",
            "--l2",
            "0.1",
            "--tol",
            "1e-3",
            "--out",
            "run",
        ],
    );
    let text = stdout(&out);
    assert!(out.status.success(), "{}{text}", stderr(&out));
    assert!(text.contains("L-BFGS converged: "), "{text}");
    let m = metrics(&tmp, "run");
    let stop = &m["lbfgs_stop"];
    assert!(stop == "gradient" || stop == "progress", "{stop}");
    assert_eq!(
        m["config"]["model"]["gd"]["optimizer"]["name"], "lbfgs",
        "{}",
        m["config"]
    );
    assert_eq!(m["config"]["model"]["gd"]["optimizer"]["tol"], 1e-3);
    assert!(m["iterations"].as_u64().unwrap() < 2500);
    assert!(
        m["train_accuracy"].as_f64().unwrap() > 0.85,
        "{}",
        m["train_accuracy"]
    );
    let out = backprop(&tmp.0, &["predict", "--model", "run", "data.csv"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out).lines().count(), 121);
}

#[test]
fn max_fun_ends_the_run_and_it_resumes_to_a_larger_total() {
    let tmp = TempDir::new("lbfgs-resume");
    table(&tmp);
    let args = [
        "train",
        "--train",
        "data.csv",
        "--optimizer",
        "lbfgs",
        "--hidden",
        "4",
        "--iterations",
        "5",
        "--out",
        "run",
    ];
    let out = backprop(&tmp.0, &args);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(metrics(&tmp, "run")["iterations"], 5);
    assert!(
        stdout(&out).contains("L-BFGS ran all its iterations"),
        "{}",
        stdout(&out)
    );
    let out = backprop(&tmp.0, &["train", "--resume", "run", "--iterations", "12"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let m = metrics(&tmp, "run");
    assert_eq!(m["iterations"], 12, "{m}");
    let out = backprop(
        &tmp.0,
        &[
            "train",
            "--train",
            "data.csv",
            "--optimizer",
            "lbfgs",
            "--hidden",
            "4",
            "--max-fun",
            "3",
            "--out",
            "short",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let m = metrics(&tmp, "short");
    assert_eq!(m["lbfgs_stop"], "max_fun", "{m}");
    assert!(m["lbfgs_evaluations"].as_u64().unwrap() > 3);
}

#[test]
fn flags_that_do_not_apply_to_lbfgs_are_refused() {
    let tmp = TempDir::new("lbfgs-refused");
    table(&tmp);
    let cases: [(&[&str], &str); 5] = [
        (
            &["--optimizer", "adam", "--max-fun", "10"],
            "--max-fun does not apply to --optimizer adam",
        ),
        (
            &["--tol", "1e-3"],
            "--tol does not apply to --optimizer adam",
        ),
        (
            &["--optimizer", "lbfgs", "--epochs", "5"],
            "--epochs does not apply to --optimizer lbfgs",
        ),
        (
            &["--optimizer", "lbfgs", "--batch-size", "8"],
            "--batch-size does not apply to --optimizer lbfgs",
        ),
        (
            &["--optimizer", "lbfgs", "--tol", "-1"],
            "--tol must be ≥ 0, got -1",
        ),
    ];
    for (flags, message) in cases {
        let mut args = vec!["train", "--train", "data.csv", "--out", "run"];
        args.extend_from_slice(flags);
        let out = backprop(&tmp.0, &args);
        assert_eq!(out.status.code(), Some(2), "{flags:?}: {}", stdout(&out));
        assert!(
            stderr(&out).contains(message),
            "{flags:?}: {}",
            stderr(&out)
        );
    }
}

/// The weights of a saved logistic regression's one unit.
fn unit_weights(tmp: &TempDir, run: &str) -> Vec<f64> {
    let (_, network) = backprop::model_io::load(&tmp.path(run)).unwrap();
    match network {
        backprop::AnyNetwork::F64(n) => n.layers()[0].w.iter().copied().collect(),
        backprop::AnyNetwork::F32(n) => n.layers()[0].w.iter().map(|&w| f64::from(w)).collect(),
    }
}

#[test]
fn l1_with_lbfgs_zeroes_the_weight_of_a_column_without_signal_where_l2_does_not() {
    let tmp = TempDir::new("lbfgs-l1");
    let mut csv = String::from("a,b,noise,label\n");
    let mut rng = backprop::NumpyRng::new(5);
    use backprop::Gaussian;
    for _ in 0..300 {
        let (a, b, noise) = (rng.randn(), rng.randn(), rng.randn());
        let label = u8::from(a + 0.5 * b > 0.0);
        csv.push_str(&format!("{a},{b},{noise},{label}\n"));
    }
    tmp.write("data.csv", &csv);
    for (penalty, run) in [("--l1", "l1"), ("--l2", "l2")] {
        let args = [
            "train",
            "--train",
            "data.csv",
            "--optimizer",
            "lbfgs",
            "--hidden",
            "none",
        ];
        let args = [
            &args[..],
            &[
                penalty,
                "20",
                "--iterations",
                "300",
                "--quiet",
                "--out",
                run,
            ],
        ]
        .concat();
        let out = backprop(&tmp.0, &args);
        assert!(out.status.success(), "{penalty}: {}", stderr(&out));
    }
    let (l1, l2) = (unit_weights(&tmp, "l1"), unit_weights(&tmp, "l2"));
    assert_eq!(
        l1[2], 0.0,
        "L1 leaves the noise column's weight at exactly 0: {l1:?}"
    );
    assert!(
        l1[0] > 0.5 && l1[1] > 0.2,
        "the columns with signal keep theirs: {l1:?}"
    );
    assert_ne!(l2[2], 0.0, "L2 only shrinks it: {l2:?}");
}
