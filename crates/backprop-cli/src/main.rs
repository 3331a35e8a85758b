//! `backprop`: the command line over the backprop library.
//!
//! Flags become a library config in one step; the library does the work; this
//! file maps failures to one exit-code policy: 2 for anything the user can fix
//! (a path, a file's contents, a flag), 1 when training itself fails (a
//! diverging cost), 130 when Ctrl-C or SIGTERM stopped training (after its
//! checkpoint is written), and clap's own 2 for flags that do not parse.

mod commands;
mod flags;
#[cfg(feature = "mpi")]
mod mpi_ranks;
mod output;
mod playground;

use std::process::ExitCode;

use clap::Parser;

use crate::flags::{Cli, Command};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Train(args) => commands::train::run(*args),
        Command::Gradcheck(args) => commands::gradcheck::run(args),
        Command::Predict(args) => commands::predict::run(args),
        Command::Evaluate(args) => commands::evaluate::run(args),
        Command::Demo(args) => commands::demo::run(args),
        Command::Playground(args) => commands::playground::run(args),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            match err.downcast_ref::<backprop::Error>() {
                Some(backprop::Error::Diverged { .. }) => ExitCode::from(1),
                Some(backprop::Error::Interrupted { .. }) => ExitCode::from(130),
                _ => ExitCode::from(2),
            }
        }
    }
}
