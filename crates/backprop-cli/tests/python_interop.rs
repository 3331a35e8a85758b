//! The model files load in Python: numpy + `safetensors` recompute our
//! predictions (sigmoid and softmax outputs) from model.safetensors and
//! model.json within 1e-6, and the same classes.
//!
//! Needs `$BACKPROP_PYTHON`, a Python with numpy and safetensors (`.ci/run`
//! makes one): without it the tests are *ignored* with the reason (build.rs's
//! `no_python`); under `CI=true` or `--ignored` they run and fail.

mod harness;

use std::process::Command;

use harness::{backprop, stderr, stdout, TempDir};

/// `$BACKPROP_PYTHON`; panics (never passes) when it is not set.
fn python() -> String {
    std::env::var("BACKPROP_PYTHON").unwrap_or_else(|_| {
        panic!("BACKPROP_PYTHON is not set: set it to a Python with numpy and safetensors (.ci/run makes one)")
    })
}

fn recompute(py: &str, tmp: &TempDir, run: &str) {
    let out = backprop(
        &tmp.0,
        &["predict", "--model", run, "data.csv", "--format", "json"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    std::fs::write(tmp.path("preds.json"), &out.stdout).unwrap();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/python/recompute.py");
    let r = Command::new(py)
        .args([script, run, "data.csv", "preds.json"])
        .current_dir(&tmp.0)
        .output()
        .unwrap();
    assert!(r.status.success(), "{run}: {}{}", stdout(&r), stderr(&r));
    eprintln!("{run}: {}", stdout(&r).trim());
}

#[test]
#[cfg_attr(
    no_python,
    ignore = "needs $BACKPROP_PYTHON: a Python with numpy and safetensors"
)]
fn numpy_recomputes_our_predictions_from_the_model_files() {
    let py = python();
    let tmp = TempDir::new("interop");
    // d: long-tailed (log-normal), which a standardised run reads as sign(d)·ln(1+|d|).
    let mut csv = String::from("a,b,label,c,d\n");
    let mut rng = backprop::NumpyRng::new(5);
    use backprop::Gaussian;
    for _ in 0..60 {
        let (a, b, c) = (rng.randn() * 3.0 + 1.0, rng.randn(), rng.randn() * 10.0);
        let d = (rng.randn() * 2.0).exp() * 10.0;
        let label = u8::from(a * 0.3 - b + c * 0.05 > 0.3);
        csv.push_str(&format!("{a},{b},{label},{c},{d}\n"));
    }
    tmp.write("data.csv", &csv);
    interop_runs(&py, &tmp);
}

/// Trains each run on `tmp`'s data.csv and recomputes its predictions in numpy.
fn interop_runs(py: &str, tmp: &TempDir) {
    let runs: [(&str, &[&str]); 3] = [
        (
            "f64-tanh",
            &[
                "--hidden",
                "5,3",
                "--activation",
                "tanh",
                "--precision",
                "f64",
            ],
        ),
        (
            "f32-relu",
            &[
                "--hidden",
                "4",
                "--activation",
                "relu",
                "--precision",
                "f32",
                "--standardize",
            ],
        ),
        (
            "f64-leaky",
            &[
                "--hidden",
                "3",
                "--activation",
                "leaky-relu",
                "--precision",
                "f64",
                "--standardize",
            ],
        ),
    ];
    for (name, flags) in runs {
        let mut args = vec![
            "train",
            "--train",
            "data.csv",
            "--iterations",
            "300",
            "--learning-rate",
            "0.1",
            "--quiet",
            "--out",
            name,
        ];
        args.extend_from_slice(flags);
        let out = backprop(&tmp.0, &args);
        assert!(out.status.success(), "{name}: {}", stderr(&out));
        recompute(py, tmp, name);
    }
}

#[test]
#[cfg_attr(
    no_python,
    ignore = "needs $BACKPROP_PYTHON: a Python with numpy and safetensors"
)]
fn numpy_recomputes_softmax_predictions_from_the_model_files() {
    let py = python();
    let tmp = TempDir::new("interop-softmax");
    // Three classes (labels 0, 1, 2) from the sign pattern of two features.
    let mut csv = String::from("a,b,label,c\n");
    let mut rng = backprop::NumpyRng::new(7);
    use backprop::Gaussian;
    for _ in 0..90 {
        let (a, b, c) = (rng.randn() * 2.0, rng.randn(), rng.randn() * 5.0);
        let label = if a > 0.5 {
            2
        } else if b > 0.0 {
            1
        } else {
            0
        };
        csv.push_str(&format!("{a},{b},{label},{c}\n"));
    }
    tmp.write("data.csv", &csv);
    interop_runs(&py, &tmp);
}
