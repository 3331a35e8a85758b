//! One file per sub-command.
pub mod demo;
pub mod evaluate;
pub mod gradcheck;
pub mod playground;
pub mod predict;
pub mod train;
