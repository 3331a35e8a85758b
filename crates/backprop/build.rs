//! Tells the tests whether the course's cat data is here, so that the tests
//! needing it are reported by `cargo test` as ignored ("needs the cat data")
//! instead of counted as passes when it is not. Under `CI=true` the data is
//! required: the tests then run, and fail without it.
//!
//! Where: `$BACKPROP_CAT_DIR`, else `../shared/datasets/catvnoncat` beside the
//! repository. Cargo re-runs this when either variable changes; after copying
//! the data in place, `touch crates/backprop/build.rs` (or set the variable).
//!
//! Likewise `$BACKPROP_PYTHON` (a Python with numpy) for the layers' numpy
//! reference: without it those tests are ignored, except under `CI=true`.

use std::path::PathBuf;

fn main() {
    println!("cargo::rustc-check-cfg=cfg(no_cat_data)");
    println!("cargo::rustc-check-cfg=cfg(no_python)");
    println!("cargo::rerun-if-env-changed=BACKPROP_PYTHON");
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-env-changed=BACKPROP_CAT_DIR");
    println!("cargo::rerun-if-env-changed=CI");
    let dir = std::env::var_os("BACKPROP_CAT_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("set by cargo"))
                .join("../../../shared/datasets/catvnoncat")
        });
    let ci = std::env::var("CI").as_deref() == Ok("true");
    if !ci && !dir.join("train_catvnoncat.h5").is_file() {
        println!("cargo::rustc-cfg=no_cat_data");
    }
    if !ci && std::env::var_os("BACKPROP_PYTHON").is_none() {
        println!("cargo::rustc-cfg=no_python");
    }
}
