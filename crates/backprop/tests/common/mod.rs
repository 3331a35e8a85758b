//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::PathBuf;

/// The course's cat data folder (`../shared/datasets/catvnoncat` beside the
/// repository, or `$BACKPROP_CAT_DIR`). `None` (with a printed notice) when
/// absent outside CI; under `CI=true` a missing folder fails the test.
pub fn cat_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("BACKPROP_CAT_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/datasets/catvnoncat")
        });
    if dir.join("train_catvnoncat.h5").is_file() {
        return Some(dir);
    }
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!(
            "the cat data is missing at {} (required under CI)",
            dir.display()
        );
    }
    eprintln!("SKIPPED: the cat data is not at {}", dir.display());
    None
}
