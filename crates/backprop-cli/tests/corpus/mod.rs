//! The bad-input corpus: its cases and the makers of their files.
// The checkpoint cases (and their makers) wait to be ported to the one-file checkpoint.
#[allow(dead_code)]
pub mod cases;
#[allow(dead_code)]
pub mod makers;
