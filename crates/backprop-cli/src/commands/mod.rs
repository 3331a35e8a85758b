//! One file per sub-command.
pub mod demo;
pub mod gradcheck;
pub mod train;
