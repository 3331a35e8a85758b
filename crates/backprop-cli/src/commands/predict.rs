//! `backprop predict`: a model folder and inputs → one row per input: the
//! predicted class, its probability and every class's probability. Tables
//! stream: read, predicted and formatted a block of rows at a time
//! (`spool.rs` keeps the formatted rows until the end).

use std::process::ExitCode;

use backprop::predict::Model;

use crate::flags::PredictArgs;

mod spool;

use spool::Spool;

pub fn run(args: PredictArgs) -> anyhow::Result<ExitCode> {
    let model = Model::load(&args.model)?;
    let mut spool = Spool::new(args.format, &model.info.classes)?;
    let streamed = model.predict_each(&args.inputs, args.block_rows, &mut |mut p| {
        if let Some(error) = p.error.as_mut() {
            *error = crate::names::render(error);
        }
        spool.add(&p)
    })?;
    for note in &streamed.notes {
        eprintln!("note: {}", crate::names::render(note));
    }
    let first = (streamed.id_column)
        .filter(|c| !c.is_empty())
        .unwrap_or_else(|| "input".into());
    // On a worker the stop flag is polled beside: Ctrl-C or SIGTERM ends the
    // command (exit 130) within 50 ms even while a slow reader of the pipe
    // holds a write blocked; the worker itself stops at its next row.
    backprop::stop::interruptible(
        PRINTING,
        move || {
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            spool.print(&first, &mut out)
        },
        || {},
    )?;
    Ok(ExitCode::SUCCESS)
}

/// The phase a stop names.
const PRINTING: &str = "printing the predictions";
