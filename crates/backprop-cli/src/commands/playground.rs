//! `backprop playground`: serves the in-browser playground until Ctrl-C.

use std::process::ExitCode;

use crate::flags::PlaygroundArgs;

pub fn run(args: PlaygroundArgs) -> anyhow::Result<ExitCode> {
    crate::playground::serve(args.port, !args.no_open)?;
    Ok(ExitCode::SUCCESS)
}
