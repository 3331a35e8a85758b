//! The bad-input corpus: its cases and the makers of their files.
pub mod cases;
pub mod makers;
