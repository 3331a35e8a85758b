//! The Python package's names for the library's settings
//! (`crates/backprop-py/src/names.rs`), tested here: that crate is an
//! extension module, which cannot link as a test binary.

#[path = "../../backprop-py/src/names.rs"]
mod names;
