//! The Python package end to end: `pip install .` at the repository root
//! builds crates/backprop-py (maturin) into the venv of `$BACKPROP_PYTHON`,
//! then the package's pytest suite (python/tests) runs against this build's
//! `backprop` binary: scikit-learn's estimator checks, the model files both
//! ways with the CLI, scikit-learn's numbers from the same weights, the
//! course's runs, the notebook (docs/python.md), and ConvClassifier against
//! the library trained from Rust alone (the example `conv_fit`, built here).
//!
//! Needs `$BACKPROP_PYTHON`, a Python with maturin, scikit-learn, pytest and
//! pandas (`.ci/run` makes one in target/py-venv): without it the test is
//! *ignored* with that reason (build.rs's `no_python`), so `cargo test` counts
//! it as skipped, never as a pass; under `CI=true` it runs and fails. A
//! `$BACKPROP_PYTHON` that lacks one of the packages fails with their names.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

/// The venv's python, and a PATH with its bin/ first (pip runs maturin from there).
/// Panics, never passes, when it is not set (the test is ignored then, but
/// under `CI=true` or `--ignored`) or lacks a package.
fn python() -> (PathBuf, String) {
    let Ok(py) = std::env::var("BACKPROP_PYTHON") else {
        panic!(
            "BACKPROP_PYTHON is not set: set it to a Python with maturin, scikit-learn, \
             pytest and pandas (.ci/run makes one in target/py-venv)"
        );
    };
    let py = PathBuf::from(py);
    let ok = Command::new(&py)
        .args(["-c", "import maturin, sklearn, pytest, pandas"])
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        ok,
        "{} (BACKPROP_PYTHON) lacks maturin, scikit-learn, pytest or pandas: \
         pip install maturin scikit-learn pytest pandas",
        py.display()
    );
    let bin = py.parent().expect("python is in a folder").to_path_buf();
    let path = std::env::join_paths(std::iter::once(bin).chain(std::env::split_paths(
        &std::env::var("PATH").unwrap_or_default(),
    )))
    .expect("PATH joins");
    (py, path.to_string_lossy().into_owned())
}

fn tail(bytes: &[u8]) -> String {
    let s = String::from_utf8_lossy(bytes);
    let start = s.len().saturating_sub(6000);
    s[s.char_indices()
        .find(|(i, _)| *i >= start)
        .map_or(0, |(i, _)| i)..]
        .to_string()
}

#[test]
#[cfg_attr(
    no_python,
    ignore = "needs $BACKPROP_PYTHON: a Python with maturin, scikit-learn, pytest and pandas"
)]
fn pip_install_builds_the_package_and_its_python_suite_passes() {
    let (py, path) = python();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let started = Instant::now();
    let install = Command::new(&py)
        .args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
        ])
        .args([
            "--no-build-isolation",
            "--no-deps",
            "--force-reinstall",
            ".",
        ])
        .current_dir(&root)
        .env("PATH", &path)
        .output()
        .expect("pip runs");
    assert!(
        install.status.success(),
        "pip install . failed:\n{}{}",
        tail(&install.stdout),
        tail(&install.stderr)
    );
    eprintln!(
        "pip install . took {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let conv_fit = conv_fit_example(&root);
    let started = Instant::now();
    let suite = Command::new(&py)
        .args([
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "python/tests",
        ])
        .current_dir(&root)
        .env("PATH", &path)
        .env("BACKPROP_BIN", env!("CARGO_BIN_EXE_backprop"))
        .env("BACKPROP_CONV_FIT", &conv_fit)
        // The course's cat files where the Rust tests find them: $BACKPROP_CAT_DIR,
        // else ../shared/datasets/catvnoncat beside the repository.
        .env("BACKPROP_CAT_DIR", cat_dir(&root))
        .output()
        .expect("pytest runs");
    eprintln!(
        "pytest took {:.1} s:\n{}",
        started.elapsed().as_secs_f64(),
        tail(&suite.stdout)
    );
    assert!(
        suite.status.success(),
        "the Python suite failed:\n{}{}",
        tail(&suite.stdout),
        tail(&suite.stderr)
    );
}

/// Builds crates/backprop's example `conv_fit` (the library training a conv
/// net from Rust alone, which ConvClassifier's agreement test compares
/// with) and returns its path.
fn conv_fit_example(root: &Path) -> PathBuf {
    // Beside this build's `backprop`, in its profile.
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_backprop"))
        .parent()
        .expect("the binary is in a folder");
    let release = bin_dir.file_name().is_some_and(|d| d == "release");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let build = Command::new(cargo)
        .args([
            "build",
            "--quiet",
            "-p",
            "backprop",
            "--example",
            "conv_fit",
        ])
        .args(release.then_some("--release"))
        .current_dir(root)
        .output()
        .expect("cargo runs");
    assert!(
        build.status.success(),
        "building the example conv_fit failed:\n{}",
        tail(&build.stderr)
    );
    let exe = format!("conv_fit{}", std::env::consts::EXE_SUFFIX);
    bin_dir.join("examples").join(exe)
}

/// `$BACKPROP_CAT_DIR`, else `../shared/datasets/catvnoncat` beside the repository
/// (the suite's course test fails under CI=true when neither holds the files).
fn cat_dir(root: &Path) -> std::path::PathBuf {
    std::env::var_os("BACKPROP_CAT_DIR")
        .filter(|d| !d.is_empty())
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| root.join("../shared/datasets/catvnoncat"))
}
