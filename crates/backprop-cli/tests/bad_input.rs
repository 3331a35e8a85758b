//! Bad input: one clear line naming the file or flag, exit code 2, no panic,
//! and nothing written to the run folder.

mod harness;

use harness::{backprop, stderr, TempDir};

const GOOD_CSV: &str = "x1,x2,label\n0.1,0.2,0\n0.3,0.4,1\n0.5,0.1,1\n";

/// Runs `train` with `args` + `--out run`; asserts exit 2, a one-line error
/// containing `needle`, no panic, and no `run` folder.
fn refused(tmp: &TempDir, args: &[&str], needle: &str) {
    let mut all = vec!["train"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--out", "run", "--iterations", "5"]);
    let out = backprop(&tmp.0, &all);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
    assert!(!err.contains("panicked"), "{args:?}: {err}");
    assert!(
        err.contains(needle),
        "{args:?}: expected '{needle}' in: {err}"
    );
    let lines: Vec<&str> = err.lines().filter(|l| !l.trim().is_empty()).collect();
    assert!(lines.len() <= 4, "{args:?}: too long an error: {err}");
    assert!(
        !tmp.path("run").exists(),
        "{args:?}: the run folder was written"
    );
    let stray: Vec<_> = std::fs::read_dir(&tmp.0)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".run"))
        .collect();
    assert!(stray.is_empty(), "{args:?}: left {stray:?}");
}

#[test]
fn missing_path() {
    let tmp = TempDir::new("missing");
    refused(&tmp, &["--train", "nope.csv"], "nope.csv: no such file");
}

#[test]
fn unknown_file_type() {
    let tmp = TempDir::new("unknown-type");
    tmp.write("data.txt", GOOD_CSV);
    refused(
        &tmp,
        &["--train", "data.txt"],
        "data.txt: unknown file type",
    );
}

#[test]
fn non_numeric_csv_cell() {
    let tmp = TempDir::new("non-numeric");
    tmp.write("d.csv", "x1,x2,label\n0.1,abc,0\n");
    refused(
        &tmp,
        &["--train", "d.csv"],
        "d.csv: line 2, column 'x2': 'abc' is not a finite number",
    );
}

#[test]
fn label_outside_0_1() {
    let tmp = TempDir::new("bad-label");
    tmp.write("d.csv", "x1,label\n0.1,0\n0.2,2\n");
    refused(
        &tmp,
        &["--train", "d.csv"],
        "d.csv: label of example 1 is 2; labels must be 0 or 1",
    );
}

#[test]
fn csv_without_label_column() {
    let tmp = TempDir::new("no-label");
    tmp.write("d.csv", "x1,y\n0.1,0\n");
    refused(&tmp, &["--train", "d.csv"], "has no 'label' column");
}

#[test]
fn hdf5_without_the_expected_datasets() {
    let tmp = TempDir::new("h5");
    let mut b = hdf5_pure::FileBuilder::new();
    b.create_dataset("pixels").with_f64_data(&[1.0, 2.0]);
    b.write(tmp.path("d.h5")).unwrap();
    refused(
        &tmp,
        &["--train", "d.h5"],
        "has no dataset ending in '_x' (it has: pixels); name one with --x-key",
    );
}

#[test]
fn corrupt_hdf5() {
    let tmp = TempDir::new("h5-corrupt");
    tmp.write("d.h5", "this is not hdf5");
    refused(&tmp, &["--train", "d.h5"], "d.h5: not a readable HDF5 file");
}

#[test]
fn test_set_with_other_feature_count() {
    let tmp = TempDir::new("features");
    tmp.write("train.csv", GOOD_CSV);
    tmp.write("test.csv", "x1,label\n0.1,0\n");
    refused(
        &tmp,
        &["--train", "train.csv", "--test", "test.csv"],
        "test.csv: has 1 features per example but the training set",
    );
}

#[test]
fn hidden_list_that_does_not_parse() {
    let tmp = TempDir::new("hidden");
    tmp.write("d.csv", GOOD_CSV);
    refused(&tmp, &["--train", "d.csv", "--hidden", "20,x"], "--hidden");
    refused(
        &tmp,
        &["--train", "d.csv", "--hidden", "4,0"],
        "at least one unit",
    );
}

#[test]
fn existing_run_folder_is_kept_without_force() {
    let tmp = TempDir::new("exists");
    tmp.write("d.csv", GOOD_CSV);
    std::fs::create_dir(tmp.path("run")).unwrap();
    std::fs::write(tmp.path("run/keep.txt"), "mine").unwrap();
    let out = backprop(
        &tmp.0,
        &[
            "train",
            "--train",
            "d.csv",
            "--out",
            "run",
            "--iterations",
            "5",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("already exists; choose another --out or pass --force"));
    assert_eq!(
        std::fs::read_to_string(tmp.path("run/keep.txt")).unwrap(),
        "mine"
    );
    let out = backprop(
        &tmp.0,
        &[
            "train",
            "--train",
            "d.csv",
            "--out",
            "run",
            "--iterations",
            "5",
            "--hidden",
            "2",
            "--force",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!tmp.path("run/keep.txt").exists());
    assert!(tmp.path("run/metrics.json").is_file());
}

#[test]
fn diverging_training_stops_with_a_message() {
    let tmp = TempDir::new("diverge");
    tmp.write("d.csv", "x1,label\n1e30,0\n-1e30,1\n");
    let out = backprop(
        &tmp.0,
        &[
            "train",
            "--train",
            "d.csv",
            "--hidden",
            "none",
            "--learning-rate",
            "1e30",
            "--out",
            "run",
            "--iterations",
            "50",
        ],
    );
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("try a smaller learning rate"), "{err}");
    assert!(!tmp.path("run").exists());
}
