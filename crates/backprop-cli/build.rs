//! Tells the tests what is missing, so that the tests needing it are reported
//! by `cargo test` as ignored ("needs …") instead of counted as passes:
//! the course's cat data (`$BACKPROP_CAT_DIR`, else `../shared/datasets/catvnoncat`)
//! and `$BACKPROP_PYTHON` (a Python with numpy and safetensors). Under
//! `CI=true` both are required: the tests then run, and fail without them.

use std::path::PathBuf;

fn main() {
    println!("cargo::rustc-check-cfg=cfg(no_cat_data)");
    println!("cargo::rustc-check-cfg=cfg(no_python)");
    println!("cargo::rerun-if-changed=build.rs");
    for var in ["BACKPROP_CAT_DIR", "BACKPROP_PYTHON", "CI"] {
        println!("cargo::rerun-if-env-changed={var}");
    }
    if std::env::var("CI").as_deref() == Ok("true") {
        return;
    }
    let dir = std::env::var_os("BACKPROP_CAT_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("set by cargo"))
                .join("../../../shared/datasets/catvnoncat")
        });
    if !dir.join("train_catvnoncat.h5").is_file() {
        println!("cargo::rustc-cfg=no_cat_data");
    }
    if std::env::var_os("BACKPROP_PYTHON").is_none() {
        println!("cargo::rustc-cfg=no_python");
    }
}
