//! `backprop`: the command line over the backprop library.
//!
//! Flags become a library config in one step; the library does the work; this
//! file maps failures to one exit-code policy: 2 for anything the user can fix
//! (a path, a file's contents, a flag, a size over the memory budget), 1 when
//! training itself fails (a diverging cost), 130 when Ctrl-C or SIGTERM
//! stopped the run (training: after its checkpoint is written; any other
//! phase: with nothing written), 141 (killed by SIGPIPE) when the reader of
//! the output went away (`backprop predict … | head -1`; `train` goes on without
//! printing and writes its run folder), and clap's own 2 for
//! flags that do not parse.

mod commands;
mod flags;
mod layers_flag;
#[cfg(feature = "mpi")]
mod mpi_ranks;
mod names;
mod output;
mod playground;

use std::process::ExitCode;

use clap::Parser;

use crate::flags::{Cli, Command};

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return flag_error(e),
    };
    // `train` keeps Rust's ignored SIGPIPE: a reader of its output that goes
    // away (`train … | head -1`) must not kill the run (it prints with
    // output::outln, which drops the lines); the others end quietly on it.
    if !matches!(cli.command, Command::Train(_)) {
        restore_sigpipe();
    }
    #[cfg(not(feature = "mpi"))]
    if let Some(n) = mpi_launch_size() {
        eprintln!(
            "error: started by mpirun with {n} ranks, but this backprop was built without MPI \
             (each rank would train alone and race for one run folder); build the MPI transport \
             with `cargo build --release --features mpi` (needs OpenMPI and libclang), or run \
             without mpirun"
        );
        return ExitCode::from(2);
    }
    backprop::data::budget::set_max_memory(cli.max_memory);
    watch_signals();
    let result = match cli.command {
        Command::Train(args) => commands::train::run(*args),
        Command::Gradcheck(args) => commands::gradcheck::run(args),
        Command::Predict(args) => commands::predict::run(args),
        Command::Evaluate(args) => commands::evaluate::run(args),
        Command::Demo(args) => commands::demo::run(args),
        Command::Export(args) => commands::export::run(args),
        Command::Playground(args) => commands::playground::run(args),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {}", one_line(&err));
            match err.downcast_ref::<backprop::Error>() {
                Some(backprop::Error::Diverged { .. }) => ExitCode::from(1),
                Some(backprop::Error::Interrupted { .. } | backprop::Error::Stopped { .. }) => {
                    ExitCode::from(130)
                }
                _ => ExitCode::from(2),
            }
        }
    }
}

/// clap's verdict on the flags: help and version as clap prints them (exit 0);
/// a flag error as one line (clap's own lines up to its usage hint, joined), exit 2.
fn flag_error(e: clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
        let _ = e.print();
        return ExitCode::SUCCESS;
    }
    if e.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
        eprintln!(
            "error: backprop needs a command: train, predict, evaluate, gradcheck or demo (see --help)"
        );
        return ExitCode::from(2);
    }
    let text = e.render().to_string();
    let line: Vec<&str> = text
        .lines()
        .map(str::trim)
        .take_while(|l| !l.starts_with("Usage:") && !l.starts_with("For more information"))
        .filter(|l| !l.is_empty())
        .collect();
    eprintln!("{} (see --help)", line.join(" "));
    ExitCode::from(2)
}

/// The error and its causes on one line, each cause once: a cause whose text
/// the line already holds (an OS error inside "path: OS error") is not repeated.
fn one_line(err: &anyhow::Error) -> String {
    let mut line = String::new();
    for cause in err.chain() {
        let text = match cause.downcast_ref::<backprop::Error>() {
            Some(e) => e.render(&names::flag),
            // A library text held in another error keeps its marks: flags too.
            None => names::render(&cause.to_string()),
        };
        if line.contains(&text) {
            continue;
        }
        if !line.is_empty() {
            line.push_str(": ");
        }
        line.push_str(&text);
    }
    line.replace('\n', " ")
}

/// Ctrl-C and SIGTERM set the library's stop flag, which every long phase
/// polls (training checkpoints and stops; loading, decoding and writing stop
/// with nothing written). A second signal ends the process at once (exit 130);
/// a temporary folder it leaves is removed by the next run to that place.
fn watch_signals() {
    let installed = ctrlc::set_handler(|| {
        if backprop::stop::requested() {
            std::process::exit(130);
        }
        backprop::stop::request();
    });
    if let Err(e) = installed {
        eprintln!("warning: cannot watch for Ctrl-C/SIGTERM ({e}); a stop will kill the run");
    }
}

/// Rust ignores SIGPIPE, so printing to a closed pipe panics; restoring the
/// default makes `backprop predict … | head -1` end quietly (killed by SIGPIPE,
/// exit 141, as `cat` or `seq` do). Called after the flags are parsed, before
/// any thread exists.
fn restore_sigpipe() {
    // SAFETY: setting a signal's disposition to its default at start-up, before
    // any thread exists, has no memory-safety preconditions.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

/// The number of ranks mpirun (OpenMPI or an MPICH/PMI launcher) started, when above 1.
#[cfg(not(feature = "mpi"))]
fn mpi_launch_size() -> Option<usize> {
    ["OMPI_COMM_WORLD_SIZE", "PMI_SIZE"]
        .iter()
        .filter_map(|v| std::env::var(v).ok()?.trim().parse::<usize>().ok())
        .find(|&n| n > 1)
}
