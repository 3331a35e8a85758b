//! `predict`'s rows on their way out: each row is formatted as it comes
//! and kept in a temporary file (removed from the folder as soon as it is
//! opened, so no exit leaves it behind), then written out at the end with
//! what only the whole answer tells: the table's first column as wide as
//! its widest name, the CSV's `error` column where any row has no
//! prediction. Memory holds a row, the output is that of formatting all the
//! rows at once, and a run stopped or refused before the end writes nothing.

use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Seek, Write};
use std::path::PathBuf;

use backprop::predict::Prediction;

use crate::flags::Format;

/// The rows formatted so far and what their layout needs.
pub(crate) struct Spool {
    file: BufWriter<File>,
    path: PathBuf,
    format: Format,
    classes: Vec<String>,
    /// The widest input name, in characters.
    width: usize,
    /// Whether some row has no prediction (an `error` column in CSV).
    errors: bool,
    rows: usize,
}

/// A spool error: the temporary file could not be written or read.
fn spool_error(path: &std::path::Path, e: std::io::Error) -> backprop::Error {
    backprop::Error::io(path, e)
}

impl Spool {
    /// An empty spool in the system's temporary folder (`TMPDIR`).
    pub(crate) fn new(format: Format, classes: &[String]) -> Result<Spool, backprop::Error> {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let name = format!("backprop-predict-{}-{n}.rows", std::process::id());
        let path = std::env::temp_dir().join(name);
        let file = File::options()
            .read(true)
            .write(true)
            .create_new(true)
            .open(&path)
            .map_err(|e| spool_error(&path, e))?;
        // Gone from the folder at once (where the system allows): the open
        // file is ours until we close it, whatever ends the run.
        let _ = std::fs::remove_file(&path);
        Ok(Spool {
            file: BufWriter::with_capacity(1 << 20, file),
            path,
            format,
            classes: classes.to_vec(),
            width: 0,
            errors: false,
            rows: 0,
        })
    }

    /// Formats one row (its error, if any, already rendered for the user).
    pub(crate) fn add(&mut self, p: &Prediction) -> Result<(), backprop::Error> {
        let input = p.input.to_string();
        self.width = self.width.max(input.chars().count());
        self.errors |= p.error.is_some();
        let (head, rest) = match self.format {
            Format::Json => (String::new(), json_row(p)?),
            Format::Csv => (csv_cell(&input), csv_rest(p, self.classes.len())),
            Format::Table => (input, table_rest(p, &self.classes)),
        };
        let path = &self.path;
        for part in [head, rest] {
            let bytes = part.as_bytes();
            (self.file.write_all(&(bytes.len() as u64).to_le_bytes()))
                .and_then(|()| self.file.write_all(bytes))
                .map_err(|e| spool_error(path, e))?;
        }
        self.rows += 1;
        Ok(())
    }

    /// Writes every row to `out` in the format, the first column named
    /// `first`, polling the stop flag between rows.
    pub(crate) fn print(self, first: &str, out: &mut dyn Write) -> Result<(), backprop::Error> {
        let stdout = |e| backprop::Error::io("standard output", e);
        let path = self.path.clone();
        let mut file = self
            .file
            .into_inner()
            .map_err(|e| spool_error(&path, e.into_error()))?;
        file.rewind().map_err(|e| spool_error(&path, e))?;
        let mut back = BufReader::with_capacity(1 << 20, file);
        let layout = Layout::new(self.format, &self.classes, first, self.width, self.errors);
        if let Some(header) = &layout.header {
            writeln!(out, "{header}").map_err(stdout)?;
        }
        for i in 0..self.rows {
            backprop::stop::check(super::PRINTING)?;
            let head = read_part(&mut back).map_err(|e| spool_error(&path, e))?;
            let rest = read_part(&mut back).map_err(|e| spool_error(&path, e))?;
            layout.write_row(i, &head, &rest, out).map_err(stdout)?;
        }
        if let Some(footer) = layout.footer(self.rows) {
            write!(out, "{footer}").map_err(stdout)?;
        }
        out.flush().map_err(stdout)
    }
}

/// One length-prefixed part of a row.
fn read_part(r: &mut impl Read) -> std::io::Result<String> {
    let mut len = [0u8; 8];
    r.read_exact(&mut len)?;
    let mut bytes = vec![0u8; u64::from_le_bytes(len) as usize];
    r.read_exact(&mut bytes)?;
    String::from_utf8(bytes).map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))
}

/// How the rows are laid out, once all are known.
struct Layout {
    format: Format,
    header: Option<String>,
    width: usize,
    errors: bool,
}

impl Layout {
    fn new(format: Format, classes: &[String], first: &str, width: usize, errors: bool) -> Self {
        let width = width.max(first.chars().count());
        let header = match format {
            Format::Json => None,
            Format::Csv => Some(csv_header(first, classes, errors)),
            Format::Table => Some(table_header(first, classes, width)),
        };
        Layout {
            format,
            header,
            width,
            errors,
        }
    }

    /// Row `i` from its two parts.
    fn write_row(
        &self,
        i: usize,
        head: &str,
        rest: &str,
        out: &mut dyn Write,
    ) -> std::io::Result<()> {
        match self.format {
            // `to_string_pretty` of the array: each row one level in.
            Format::Json => write!(out, "{}  {rest}", if i == 0 { "[\n" } else { ",\n" }),
            // The empty error cell goes where no row has an error.
            Format::Csv if !self.errors => writeln!(out, "{head}{}", &rest[..rest.len() - 1]),
            Format::Csv => writeln!(out, "{head}{rest}"),
            Format::Table => writeln!(out, "{head:<w$}{rest}", w = self.width),
        }
    }

    /// What closes the output: JSON's array.
    fn footer(&self, rows: usize) -> Option<&'static str> {
        match (self.format, rows) {
            (Format::Json, 0) => Some("[]\n"),
            (Format::Json, _) => Some("\n]\n"),
            _ => None,
        }
    }
}

/// A row as an element of the pretty JSON array (one level in).
fn json_row(p: &Prediction) -> Result<String, backprop::Error> {
    let text = serde_json::to_string_pretty(p)
        .map_err(|e| backprop::Error::Config(format!("the predictions as JSON: {e}")))?;
    Ok(text.replace('\n', "\n  "))
}

/// The CSV header: the input, the class, its probability, a `p_CLASS`
/// column per class, and an `error` column where some row has no prediction.
fn csv_header(first: &str, classes: &[String], errors: bool) -> String {
    let mut header = vec![csv_cell(first), "class".into(), "probability".into()];
    header.extend(classes.iter().map(|c| csv_cell(&format!("p_{c}"))));
    if errors {
        header.push("error".into());
    }
    header.join(",")
}

/// A CSV row after its input cell: the class, its probability, each
/// class's (empty where the row has no prediction), and its error cell.
fn csv_rest(p: &Prediction, k: usize) -> String {
    let mut cells = vec![String::new()];
    match &p.score {
        Some(s) => {
            cells.extend([csv_cell(&s.class), s.probability.to_string()]);
            cells.extend(s.probabilities.0.iter().map(|(_, v)| v.to_string()));
        }
        None => cells.extend(std::iter::repeat_n(String::new(), k + 2)),
    }
    cells.push(csv_cell(p.error.as_deref().unwrap_or("")));
    cells.join(",")
}

/// The width of the class column.
fn class_width(classes: &[String]) -> usize {
    classes
        .iter()
        .map(|c| c.chars().count())
        .chain([5])
        .max()
        .unwrap_or(5)
}

/// The table's header: the input, the class, P(predicted) and a
/// `P(CLASS)` column per class.
fn table_header(first: &str, classes: &[String], width: usize) -> String {
    let class_width = class_width(classes);
    let mut header = format!(
        "{first:<width$}  {:<class_width$}  {:>12}",
        "class", "P(predicted)"
    );
    for c in classes {
        header.push_str(&format!("  {:>9}", format!("P({c})")));
    }
    header
}

/// A table row after its input: the class, P(predicted) and each class's
/// probability, or the reason it has no prediction.
fn table_rest(p: &Prediction, classes: &[String]) -> String {
    let class_width = class_width(classes);
    let Some(s) = &p.score else {
        let why = p.error.as_deref().unwrap_or("no prediction");
        return format!("  {:<class_width$}  ({why})", "-");
    };
    let mut line = format!("  {:<class_width$}  {:>12.6}", s.class, s.probability);
    for ((_, v), c) in s.probabilities.0.iter().zip(classes) {
        let w = format!("P({c})").chars().count().max(9);
        line.push_str(&format!("  {v:>w$.6}"));
    }
    line
}

/// Quotes a CSV cell when it holds a comma, quote or newline.
fn csv_cell(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}
