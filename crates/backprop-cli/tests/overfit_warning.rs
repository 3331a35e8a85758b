//! The summary warns when the test or validation cost ended well above its
//! minimum (the per-epoch lines show only the falling training cost), and
//! stays quiet when it did not.

mod harness;

use harness::{backprop, stderr, TempDir};

/// Two overlapping classes (x1 ~ N(±0.6, 1), x2 ~ N(0, 1)): a large network
/// fits the noise of 60 rows, and its cost on 400 fresh rows climbs.
fn overlapping(tmp: &TempDir, name: &str, rows: usize, seed: u32) -> String {
    let mut rng = backprop::NumpyRng::new(seed);
    let noise = rng.randn_vec(2 * rows);
    let mut csv = String::from("x1,x2,label\n");
    for i in 0..rows {
        let label = i % 2;
        let centre = if label == 1 { 0.6 } else { -0.6 };
        csv += &format!("{},{},{label}\n", centre + noise[2 * i], noise[2 * i + 1]);
    }
    tmp.write(name, &csv);
    name.to_string()
}

fn train(tmp: &TempDir, extra: &[&str]) -> String {
    let train = overlapping(tmp, "train.csv", 60, 1);
    let test = overlapping(tmp, "test.csv", 400, 2);
    let mut args = vec![
        "train", "--train", &train, "--test", &test, "--out", "run", "--force",
    ];
    args.extend_from_slice(extra);
    let out = backprop(&tmp.0, &args);
    assert!(out.status.success(), "{}", stderr(&out));
    stderr(&out)
}

#[test]
fn a_run_whose_test_cost_climbs_says_so_and_names_the_remedies() {
    let tmp = TempDir::new("overfit-warns");
    let err = train(
        &tmp,
        &[
            "--hidden",
            "64,64",
            "--epochs",
            "400",
            "--record-every",
            "20",
        ],
    );
    let warning = err
        .lines()
        .find(|l| l.starts_with("warning: the test cost ended at"))
        .unwrap_or_else(|| panic!("no overfitting warning in: {err}"));
    assert!(warning.contains("above its minimum"), "{warning}");
    assert!(warning.contains("at epoch"), "{warning}");
    for flag in [
        "--epochs",
        "--early-stopping",
        "--validation",
        "--l2",
        "--keep-prob",
    ] {
        assert!(warning.contains(flag), "{flag} in {warning}");
    }
    assert!(
        !warning.contains('\u{1}'),
        "marks are rendered: {warning:?}"
    );
}

#[test]
fn a_run_that_stops_before_it_overfits_says_nothing() {
    let tmp = TempDir::new("overfit-quiet");
    let err = train(
        &tmp,
        &["--hidden", "none", "--epochs", "30", "--record-every", "5"],
    );
    assert!(!err.contains("overfit"), "{err}");
}

/// Noise features and a 92 % majority: a large network memorises the 300
/// training rows and scores below "always the majority" on fresh rows, and
/// the summary says so (not only when it predicts one class throughout).
#[test]
fn a_test_accuracy_at_or_below_the_majority_share_is_warned_about() {
    let tmp = TempDir::new("overfit-majority");
    let imbalanced = |name: &str, seed: u32| {
        let mut rng = backprop::NumpyRng::new(seed);
        let noise = rng.randn_vec(4 * 300);
        let mut csv = String::from("x1,x2,x3,label\n");
        for r in noise.chunks_exact(4) {
            let label = if r[3] > 1.4 { "yes" } else { "no" };
            csv += &format!("{},{},{},{label}\n", r[0], r[1], r[2]);
        }
        tmp.write(name, &csv);
    };
    imbalanced("train.csv", 3);
    imbalanced("test.csv", 4);
    let args = [
        "train",
        "--train",
        "train.csv",
        "--test",
        "test.csv",
        "--hidden",
        "128,128",
        "--epochs",
        "300",
        "--out",
        "run",
    ];
    let out = backprop(&tmp.0, &args);
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    let warning = err
        .lines()
        .find(|l| l.starts_with("warning: the test accuracy"))
        .unwrap_or_else(|| panic!("no majority warning in: {err}"));
    assert!(
        warning.contains("is no better than always answering 'no'"),
        "{warning}"
    );
    assert!(warning.contains("--class-weight balanced"), "{warning}");
    assert!(
        !err.contains("for every test example"),
        "mixed predictions: {err}"
    );
}
