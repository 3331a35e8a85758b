//! `backprop predict`: a model folder and inputs → one row per input.

use std::process::ExitCode;

use backprop::predict::Model;

use crate::flags::{Format, PredictArgs};

pub fn run(args: PredictArgs) -> anyhow::Result<ExitCode> {
    let model = Model::load(&args.model)?;
    let predictions = model.predict(&args.inputs)?;
    match args.format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&predictions)?),
        Format::Csv => {
            println!("input,probability,class");
            for p in &predictions {
                println!(
                    "{},{},{}",
                    csv_cell(&p.input.to_string()),
                    p.probability,
                    csv_cell(&p.class)
                );
            }
        }
        Format::Table => {
            let width = predictions
                .iter()
                .map(|p| p.input.to_string().chars().count())
                .max()
                .unwrap_or(5)
                .max(5);
            println!("{:<width$}  {:>11}  class", "input", "probability");
            for p in &predictions {
                println!(
                    "{:<width$}  {:>11.6}  {}",
                    p.input.to_string(),
                    p.probability,
                    p.class
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Quotes a CSV cell when it holds a comma, quote or newline.
fn csv_cell(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}
