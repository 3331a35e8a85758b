//! `backprop predict`: a model folder and inputs → one row per input: the
//! predicted class, its probability and every class's probability.

use std::io::Write;
use std::process::ExitCode;

use backprop::predict::{Model, Predictions};

use crate::flags::{Format, PredictArgs};

pub fn run(args: PredictArgs) -> anyhow::Result<ExitCode> {
    let model = Model::load(&args.model)?;
    let mut predictions = model.predict_all(&args.inputs)?;
    for note in &predictions.notes {
        eprintln!("note: {}", crate::names::render(note));
    }
    for error in predictions.rows.iter_mut().filter_map(|p| p.error.as_mut()) {
        *error = crate::names::render(error);
    }
    let classes = model.info.classes.clone();
    let format = args.format;
    // On a worker the stop flag is polled beside: Ctrl-C or SIGTERM ends the
    // command (exit 130) within 50 ms even while a slow reader of the pipe
    // holds a write blocked; the worker itself stops at its next row.
    backprop::stop::interruptible(
        PRINTING,
        move || {
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            print(&predictions, &classes, format, &mut out)
        },
        || {},
    )?;
    Ok(ExitCode::SUCCESS)
}

/// The phase a stop names.
const PRINTING: &str = "printing the predictions";

/// Writes `predictions` to `out` in `format`, polling the stop flag between rows.
fn print(
    predictions: &Predictions,
    classes: &[String],
    format: Format,
    out: &mut dyn Write,
) -> Result<(), backprop::Error> {
    let first = input_header(predictions);
    let stdout = |e| backprop::Error::io("standard output", e);
    let mut row = |line: String| -> Result<(), backprop::Error> {
        backprop::stop::check(PRINTING)?;
        writeln!(out, "{line}").map_err(stdout)
    };
    match format {
        Format::Json => {
            let text = serde_json::to_string_pretty(&predictions.rows)
                .map_err(|e| backprop::Error::Config(format!("the predictions as JSON: {e}")))?;
            row(text)?;
        }
        Format::Csv => csv_lines(predictions, classes, &first).try_for_each(&mut row)?,
        Format::Table => table_lines(predictions, classes, &first).try_for_each(&mut row)?,
    }
    out.flush().map_err(stdout)
}

/// The CSV rows, header first: the input, the class, its probability and a
/// `p_CLASS` column per class; where a row has no prediction, those cells
/// are empty and an `error` column (last, only then) says why.
fn csv_lines<'a>(
    predictions: &'a Predictions,
    classes: &[String],
    first: &str,
) -> impl Iterator<Item = String> + 'a {
    let errors = predictions.rows.iter().any(|p| p.error.is_some());
    let mut header = vec![csv_cell(first), "class".into(), "probability".into()];
    header.extend(classes.iter().map(|c| csv_cell(&format!("p_{c}"))));
    if errors {
        header.push("error".into());
    }
    let k = classes.len();
    let rows = predictions.rows.iter().map(move |p| {
        let mut cells = vec![csv_cell(&p.input.to_string())];
        match &p.score {
            Some(s) => {
                cells.extend([csv_cell(&s.class), s.probability.to_string()]);
                cells.extend(s.probabilities.0.iter().map(|(_, v)| v.to_string()));
            }
            None => cells.extend(std::iter::repeat_n(String::new(), k + 2)),
        }
        if errors {
            cells.push(csv_cell(p.error.as_deref().unwrap_or("")));
        }
        cells.join(",")
    });
    std::iter::once(header.join(",")).chain(rows)
}

/// The table's lines, header first, in columns as wide as their widest
/// entry: the input, the class, P(predicted) and a `P(CLASS)` column per class.
fn table_lines<'a>(
    predictions: &'a Predictions,
    classes: &[String],
    first: &str,
) -> impl Iterator<Item = String> + 'a {
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
    let mut header = format!(
        "{first:<width$}  {:<class_width$}  {:>12}",
        "class", "P(predicted)"
    );
    for c in &columns {
        header.push_str(&format!("  {c:>9}"));
    }
    let rows = predictions.rows.iter().map(move |p| {
        let input = p.input.to_string();
        let Some(s) = &p.score else {
            let why = p.error.as_deref().unwrap_or("no prediction");
            return format!("{input:<width$}  {:<class_width$}  ({why})", "-");
        };
        let mut line = format!(
            "{input:<width$}  {:<class_width$}  {:>12.6}",
            s.class, s.probability
        );
        for ((_, v), c) in s.probabilities.0.iter().zip(&columns) {
            line.push_str(&format!("  {v:>w$.6}", w = c.chars().count().max(9)));
        }
        line
    });
    std::iter::once(header).chain(rows)
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
