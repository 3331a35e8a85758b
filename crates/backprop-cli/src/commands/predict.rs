//! `backprop predict`: a model folder and inputs → one row per input: the
//! predicted class, its probability and every class's probability.

use std::process::ExitCode;

use backprop::predict::{Model, Predictions};

use crate::flags::{Format, PredictArgs};

pub fn run(args: PredictArgs) -> anyhow::Result<ExitCode> {
    let model = Model::load(&args.model)?;
    let predictions = model.predict_all(&args.inputs)?;
    for note in &predictions.notes {
        eprintln!("note: {note}");
    }
    let classes = &model.info.classes;
    let first = input_header(&predictions);
    match args.format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&predictions.rows)?),
        Format::Csv => {
            let mut header = vec![csv_cell(&first), "class".into(), "probability".into()];
            header.extend(classes.iter().map(|c| csv_cell(&format!("p_{c}"))));
            println!("{}", header.join(","));
            for p in &predictions.rows {
                let mut cells = vec![
                    csv_cell(&p.input.to_string()),
                    csv_cell(&p.class),
                    p.probability.to_string(),
                ];
                cells.extend(p.probabilities.0.iter().map(|(_, v)| v.to_string()));
                println!("{}", cells.join(","));
            }
        }
        Format::Table => {
            let width = predictions
                .rows
                .iter()
                .map(|p| p.input.to_string().chars().count())
                .chain([first.chars().count()])
                .max()
                .unwrap_or(5);
            let class_width = classes
                .iter()
                .map(|c| c.chars().count())
                .chain([5])
                .max()
                .unwrap_or(5);
            let columns: Vec<String> = classes.iter().map(|c| format!("P({c})")).collect();
            let mut line = format!(
                "{first:<width$}  {:<class_width$}  {:>12}",
                "class", "P(predicted)"
            );
            for c in &columns {
                line.push_str(&format!("  {c:>9}"));
            }
            println!("{line}");
            for p in &predictions.rows {
                let mut line = format!(
                    "{:<width$}  {:<class_width$}  {:>12.6}",
                    p.input.to_string(),
                    p.class,
                    p.probability
                );
                for ((_, v), c) in p.probabilities.0.iter().zip(&columns) {
                    line.push_str(&format!("  {v:>w$.6}", w = c.chars().count().max(9)));
                }
                println!("{line}");
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The first column's name: the tables' id column, or "input".
fn input_header(p: &Predictions) -> String {
    p.id_column
        .clone()
        .filter(|c| !c.is_empty())
        .unwrap_or_else(|| "input".into())
}

/// Quotes a CSV cell when it holds a comma, quote or newline.
fn csv_cell(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}
