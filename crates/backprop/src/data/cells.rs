//! Tables as the doors hand them over, before any preparation: named columns
//! of cells, read from a CSV file (text, `csv.rs`) or given in memory (a
//! [`Frame`]: numbers or text per column, as a pandas DataFrame holds them).
//! The preparation reads every table through [`Table`], so a file and a
//! DataFrame of the same rows become the same X.

use std::borrow::Cow;
use std::cell::Ref;
use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

use crate::error::Error;

/// The cells pandas reads as missing (`read_csv`'s default `na_values`).
const MISSING_MARKERS: [&str; 19] = [
    "", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN",
    "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null",
];

/// The most column names a message lists.
const LISTED: usize = 50;

/// Whether a text cell is missing.
fn is_missing_text(cell: &str) -> bool {
    MISSING_MARKERS.contains(&cell)
}

/// One cell as a table holds it: text (a file's, trimmed), or a number of a
/// numeric column (NaN when missing).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Cell<'a> {
    /// Text, read as pandas reads a CSV cell: a missing marker, a number or a word.
    Text(&'a str),
    /// A number; NaN is a missing cell.
    Number(f64),
}

/// What a cell holds.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Value<'a> {
    /// Missing (empty, `NA`, `NaN`, … or a numeric column's NaN).
    Missing,
    /// A number, possibly not finite (`inf` written in a file).
    Number(f64),
    /// A word: a category or a class name.
    Text(&'a str),
}

impl<'a> Cell<'a> {
    /// What the cell holds.
    pub(crate) fn value(self) -> Value<'a> {
        match self {
            Cell::Text(s) if is_missing_text(s) => Value::Missing,
            Cell::Text(s) => s.parse::<f64>().map_or(Value::Text(s), Value::Number),
            Cell::Number(v) if v.is_nan() => Value::Missing,
            Cell::Number(v) => Value::Number(v),
        }
    }

    /// Whether the cell is missing.
    pub(crate) fn is_missing(self) -> bool {
        self.value() == Value::Missing
    }

    /// The cell as text: as written, or the number as Rust writes it (`3` for 3.0).
    pub(crate) fn text(self) -> Cow<'a, str> {
        match self {
            Cell::Text(s) => Cow::Borrowed(s),
            Cell::Number(v) => Cow::Owned(format!("{v}")),
        }
    }

    /// The cell as a whole number, if it is one (a row id).
    pub(crate) fn whole(self) -> Option<i64> {
        match self {
            Cell::Text(s) => s.parse::<i64>().ok(),
            Cell::Number(v) if v.fract() == 0.0 && v.abs() < 9e15 => Some(v as i64),
            Cell::Number(_) => None,
        }
    }
}

impl fmt::Display for Cell<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text())
    }
}

/// A table of named columns, read cell by cell.
pub(crate) trait Table {
    /// The table's name in messages: its file, or what a door calls it ("X").
    fn source(&self) -> &Path;
    /// The columns' names.
    fn header(&self) -> &[String];
    /// The rows.
    fn rows(&self) -> usize;
    /// A cell by (row, column).
    fn cell(&self, row: usize, column: usize) -> Cell<'_>;
    /// Where a row is, for messages: "line 5" of a file (the header is
    /// line 1), "row 3" of a table in memory (from 0).
    fn place(&self, row: usize) -> String;
    /// A column whose every cell is a finite number, as one slice, when the
    /// table holds it so (a fast path: its cells read as `cell` reads them).
    fn numbers(&self, _column: usize) -> Option<Ref<'_, [f64]>> {
        None
    }
    /// Says that rows `from..` of column `column` will not be read again: a
    /// table may free their cells.
    fn done_with(&self, _column: usize, _from: usize) {}
}

impl dyn Table + '_ {
    /// The position of the column `name`.
    pub(crate) fn position(&self, name: &str) -> Option<usize> {
        self.header().iter().position(|h| h == name)
    }

    /// The positions of the columns `names` (each `None` when absent), from
    /// one index of the header: linear in the header and the names.
    pub(crate) fn positions(&self, names: &[String]) -> Vec<Option<usize>> {
        let mut at = HashMap::with_capacity(self.header().len());
        for (j, h) in self.header().iter().enumerate().rev() {
            at.insert(h.as_str(), j); // the first of a repeated name wins, as in `position`
        }
        names.iter().map(|n| at.get(n.as_str()).copied()).collect()
    }

    /// The columns' names, for messages (an unnamed one, pandas' index, left
    /// out; the first [`LISTED`], then how many more).
    pub(crate) fn columns_list(&self) -> String {
        let named: Vec<&str> = (self.header().iter())
            .map(String::as_str)
            .filter(|h| !h.is_empty())
            .collect();
        listed(&named, ", ")
    }
}

/// The first [`LISTED`] of `names` joined by `separator`, then how many more:
/// a message never grows with a table's width.
pub(crate) fn listed(names: &[&str], separator: &str) -> String {
    let shown = names[..names.len().min(LISTED)].join(separator);
    match names.len().saturating_sub(LISTED) {
        0 => shown,
        more => format!("{shown}{separator}… and {more} more"),
    }
}

/// Some rows of a table, in order, as a table (rows with missing cells dropped).
pub(crate) struct Rows<'a> {
    table: &'a dyn Table,
    keep: Vec<usize>,
}

impl<'a> Rows<'a> {
    /// The rows `keep` (ascending positions in `table`).
    pub(crate) fn new(table: &'a dyn Table, keep: Vec<usize>) -> Self {
        Rows { table, keep }
    }

    /// Row `row`'s position in the whole table.
    pub(crate) fn position(&self, row: usize) -> usize {
        self.keep[row]
    }

    /// Each row's position in the whole table.
    pub(crate) fn positions(self) -> Vec<usize> {
        self.keep
    }
}

impl Table for Rows<'_> {
    fn source(&self) -> &Path {
        self.table.source()
    }
    fn header(&self) -> &[String] {
        self.table.header()
    }
    fn rows(&self) -> usize {
        self.keep.len()
    }
    fn cell(&self, row: usize, column: usize) -> Cell<'_> {
        self.table.cell(self.keep[row], column)
    }
    fn place(&self, row: usize) -> String {
        self.table.place(self.keep[row])
    }
    fn numbers(&self, column: usize) -> Option<Ref<'_, [f64]>> {
        // Only the whole table is one slice.
        (self.keep.len() == self.table.rows())
            .then(|| self.table.numbers(column))
            .flatten()
    }
    fn done_with(&self, column: usize, from: usize) {
        // The whole table's rows from the first of these on (the rows it
        // leaves out between are not read again either).
        if let Some(&first) = self.keep.get(from) {
            self.table.done_with(column, first);
        }
    }
}

/// Refuses a header that names a column twice.
pub(crate) fn check_names(path: &Path, header: &[String]) -> Result<(), Error> {
    let mut seen = HashMap::with_capacity(header.len());
    for (j, name) in header.iter().enumerate() {
        if let Some(i) = seen.insert(name.as_str(), j) {
            return Err(Error::format(
                path,
                format!(
                    "columns {} and {} are both named '{name}'; give every column its own name",
                    i + 1,
                    j + 1
                ),
            ));
        }
    }
    Ok(())
}

/// A column of a [`Frame`].
#[derive(Clone, Debug, PartialEq)]
pub enum FrameColumn {
    /// Numbers; NaN is a missing cell.
    Numbers(Vec<f64>),
    /// Text, each cell read as a CSV cell is: pandas' missing markers (empty,
    /// `NA`, `NaN`, …) are missing, a number written as text is a number.
    Text(Vec<String>),
}

impl FrameColumn {
    fn len(&self) -> usize {
        match self {
            FrameColumn::Numbers(v) => v.len(),
            FrameColumn::Text(v) => v.len(),
        }
    }
}

/// A table in memory: named columns of one length, as a pandas DataFrame
/// holds them. Its rows are named "row i" (from 0) in messages.
#[derive(Clone, Debug)]
pub struct Frame {
    source: PathBuf,
    header: Vec<String>,
    columns: Vec<FrameColumn>,
    rows: usize,
}

impl Frame {
    /// A table named `source` in messages (what the door calls it, e.g. "X")
    /// from its columns; refuses columns of different lengths and a name
    /// given twice.
    pub fn new(
        source: impl Into<PathBuf>,
        columns: Vec<(String, FrameColumn)>,
    ) -> Result<Frame, Error> {
        let source = source.into();
        let rows = columns.first().map_or(0, |c| c.1.len());
        if let Some((name, c)) = columns.iter().find(|c| c.1.len() != rows) {
            return Err(Error::format(
                &source,
                format!(
                    "column '{name}' has {} rows, column '{}' {rows}; give columns of one length",
                    c.len(),
                    columns[0].0
                ),
            ));
        }
        let (header, columns): (Vec<String>, Vec<FrameColumn>) = columns.into_iter().unzip();
        check_names(&source, &header)?;
        Ok(Frame {
            source,
            header,
            columns,
            rows,
        })
    }

    /// What the table is called in messages.
    pub fn name(&self) -> &Path {
        &self.source
    }

    /// The number of rows.
    pub fn len(&self) -> usize {
        self.rows
    }

    /// Whether the table has no rows.
    pub fn is_empty(&self) -> bool {
        self.rows == 0
    }
}

impl Table for Frame {
    fn source(&self) -> &Path {
        &self.source
    }
    fn header(&self) -> &[String] {
        &self.header
    }
    fn rows(&self) -> usize {
        self.rows
    }
    fn cell(&self, row: usize, column: usize) -> Cell<'_> {
        match &self.columns[column] {
            FrameColumn::Numbers(v) => Cell::Number(v[row]),
            FrameColumn::Text(v) => Cell::Text(v[row].trim()),
        }
    }
    fn place(&self, row: usize) -> String {
        format!("row {row}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_hold_what_pandas_reads() {
        assert_eq!(Cell::Text("NA").value(), Value::Missing);
        assert_eq!(Cell::Text("").value(), Value::Missing);
        assert_eq!(Cell::Number(f64::NAN).value(), Value::Missing);
        assert_eq!(Cell::Text("1e0").value(), Value::Number(1.0));
        assert_eq!(Cell::Text("inf").value(), Value::Number(f64::INFINITY));
        assert_eq!(Cell::Text("Dream").value(), Value::Text("Dream"));
        assert_eq!(Cell::Number(3.0).to_string(), "3");
        assert_eq!(Cell::Number(2.5).whole(), None);
        assert_eq!(Cell::Number(7.0).whole(), Some(7));
    }

    #[test]
    fn a_frame_refuses_ragged_columns_and_repeated_names() {
        let col = |n: usize| FrameColumn::Numbers(vec![0.0; n]);
        let e = Frame::new("X", vec![("a".into(), col(2)), ("b".into(), col(3))]).unwrap_err();
        assert!(e.to_string().contains("column 'b' has 3 rows"), "{e}");
        let e = Frame::new("X", vec![("a".into(), col(2)), ("a".into(), col(2))]).unwrap_err();
        assert!(
            e.to_string().contains("columns 1 and 2 are both named 'a'"),
            "{e}"
        );
        let f = Frame::new("X", vec![("a".into(), col(2))]).unwrap();
        assert_eq!((f.len(), (&f as &dyn Table).place(1)), (2, "row 1".into()));
    }
}
