//! A CSV file read straight into columns: each cell is parsed once, as it is
//! read, into an f64 (a finite number) or a code into its column's list of
//! distinct texts (a word, a missing marker, `inf`, and every cell of the
//! columns that keep their text: the label and index columns), the code
//! carried in a NaN's payload, so a cell takes 8 bytes whatever it holds and
//! no row is kept as strings. Cells read back as the text reader gave them:
//! a text as written (trimmed), a number with its value.

use std::cell::{Ref, RefCell};
use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use ::csv::StringRecord;

use super::cells::{check_names, Cell, Table};
use crate::error::Error;

/// The bits of a NaN whose payload is a text code.
const TEXT: u64 = 0x7ff8_0000_0000_0000;
/// The payload's bits.
const CODE: u64 = (1 << 51) - 1;
/// Records read to estimate the file's row count before the budget check.
const SAMPLE: usize = 1024;

/// One column: each cell a finite number or a NaN carrying a text's code.
pub(super) struct Column {
    cells: RefCell<Vec<f64>>,
    texts: Vec<Box<str>>,
}

/// A CSV table held as columns (see the module's comment).
pub(crate) struct ColumnTable {
    pub(super) path: PathBuf,
    pub(super) header: Vec<String>,
    pub(super) columns: Vec<Column>,
    pub(super) rows: usize,
    /// (row, file line) where a row's line is not the previous row's + 1
    /// (a quoted cell over several lines), from row 0 at its line.
    pub(super) lines: Vec<(usize, usize)>,
}

impl Table for ColumnTable {
    fn source(&self) -> &Path {
        &self.path
    }
    fn header(&self) -> &[String] {
        &self.header
    }
    fn rows(&self) -> usize {
        self.rows
    }
    fn cell(&self, row: usize, column: usize) -> Cell<'_> {
        let c = &self.columns[column];
        let v = c.cells.borrow()[row];
        if v.is_nan() {
            Cell::Text(&c.texts[(v.to_bits() & CODE) as usize])
        } else {
            Cell::Number(v)
        }
    }
    fn place(&self, row: usize) -> String {
        let at = self.lines.partition_point(|&(r, _)| r <= row) - 1;
        let (r, line) = self.lines[at];
        format!("line {}", line + (row - r))
    }
    fn numbers(&self, column: usize) -> Option<Ref<'_, [f64]>> {
        let c = &self.columns[column];
        c.texts
            .is_empty()
            .then(|| Ref::map(c.cells.borrow(), Vec::as_slice))
    }
    fn done_with(&self, column: usize, from: usize) {
        let mut cells = self.columns[column].cells.borrow_mut();
        if from < cells.len() {
            // A large block's tail goes back to the system (mremap), no copy.
            cells.truncate(from);
            cells.shrink_to_fit();
        }
    }
}

/// A column being read: its cells and its texts, each text with its code.
pub(super) struct Builder {
    pub(super) cells: Vec<f64>,
    codes: HashMap<Box<str>, u64>,
    keeps_text: bool,
}

impl Builder {
    /// An empty column; `keeps_text`: every cell kept as text.
    pub(super) fn new(keeps_text: bool) -> Self {
        Builder {
            cells: Vec::new(),
            codes: HashMap::new(),
            keeps_text,
        }
    }

    fn push(&mut self, cell: &str) {
        if !self.keeps_text {
            if let Ok(v) = cell.parse::<f64>() {
                if v.is_finite() {
                    self.cells.push(v);
                    return;
                }
            }
        }
        let next = self.codes.len() as u64;
        let code = match self.codes.get(cell) {
            Some(&code) => code,
            None => *self.codes.entry(cell.into()).or_insert(next),
        };
        self.cells.push(f64::from_bits(TEXT | code));
    }

    pub(super) fn finish(mut self) -> Column {
        self.cells.shrink_to_fit();
        let mut texts: Vec<(u64, Box<str>)> = self.codes.into_iter().map(|(t, c)| (c, t)).collect();
        texts.sort_unstable_by_key(|t| t.0);
        Column {
            cells: RefCell::new(self.cells),
            texts: texts.into_iter().map(|t| t.1).collect(),
        }
    }
}

/// Reads `path` into columns: a header row (names trimmed, none repeated),
/// rows of as many cells; `keeps_text` says, from the header, which columns
/// keep every cell as text (the label and index columns).
pub(crate) fn read_columns(
    path: &Path,
    keeps_text: &dyn Fn(&[String]) -> Vec<bool>,
) -> Result<ColumnTable, Error> {
    let (file, size) = open(path)?;
    // Cells are trimmed here (as the reader's `Trim::All` would, without a
    // new record per row).
    let mut reader = ::csv::ReaderBuilder::new().flexible(true).from_reader(file);
    let header = read_header(path, &mut reader)?;
    let mut columns: Vec<Builder> = (keeps_text(&header).into_iter())
        .map(Builder::new)
        .collect();
    let (mut record, mut rows, mut lines) = (StringRecord::new(), 0usize, Vec::new());
    let mut capacity = 0usize;
    loop {
        if rows % 4096 == 0 {
            crate::stop::check(&format!("loading {}", path.display()))?;
        }
        let fallback = rows + 2;
        let more = (reader.read_record(&mut record))
            .map_err(|e| Error::format(path, format!("line {fallback}: {e}")))?;
        if !more {
            break;
        }
        if rows == capacity {
            let done = reader.position().byte();
            capacity = reserve(path, &mut columns, rows, estimate(rows, done, size))?;
        }
        let at = (rows, fallback);
        take_record(path, &record, at, header.len(), &mut lines, &mut columns)?;
        rows += 1;
    }
    Ok(ColumnTable {
        path: path.to_path_buf(),
        header,
        columns: columns.into_iter().map(Builder::finish).collect(),
        rows,
        lines,
    })
}

/// Adds `record`, row `at.0` of the table (on file line `at.1` when the
/// reader knows no position), to `columns`, after checking its width
/// against the header's `names`; notes its line where it moves.
pub(super) fn take_record(
    path: &Path,
    record: &StringRecord,
    (row, fallback): (usize, usize),
    names: usize,
    lines: &mut Vec<(usize, usize)>,
    columns: &mut [Builder],
) -> Result<(), Error> {
    let line = record.position().map_or(fallback, |p| p.line() as usize);
    check_width(path, line, record.len(), names)?;
    if lines.last().is_none_or(|&(r, l)| l + (row - r) != line) {
        lines.push((row, line));
    }
    for (builder, cell) in columns.iter_mut().zip(record.iter()) {
        builder.push(cell.trim());
    }
    Ok(())
}

/// The header row's names, trimmed, none repeated.
pub(super) fn read_header<R: std::io::Read>(
    path: &Path,
    reader: &mut ::csv::Reader<R>,
) -> Result<Vec<String>, Error> {
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| Error::format(path, format!("cannot read the header row ({e})")))?
        .iter()
        .map(|h| h.trim().to_owned())
        .collect();
    check_names(path, &header)?;
    Ok(header)
}

/// A row of `cells` cells where the header has `names`: refused unless equal.
fn check_width(path: &Path, line: usize, cells: usize, names: usize) -> Result<(), Error> {
    if cells == names {
        return Ok(());
    }
    Err(Error::format(
        path,
        format!("line {line} has {cells} cells, the header has {names}"),
    ))
}

/// The rows to make room for after `rows` rows (`done` of the file's `size`
/// bytes read): [`SAMPLE`] at first, then the file's rows at the rate so far
/// (with 5 % to spare), at least double the rows once past the estimate.
fn estimate(rows: usize, done: u64, size: u64) -> usize {
    if rows < SAMPLE {
        return SAMPLE;
    }
    let per_row = done as f64 / rows as f64;
    let rest = size.saturating_sub(done) as f64 / per_row.max(1.0);
    let whole = rows + (rest * 1.05) as usize + 16;
    whole.max(rows * 2)
}

/// Checks `rows` cells of every column against the memory budget, then
/// makes room for them; returns the new capacity.
fn reserve(path: &Path, columns: &mut [Builder], now: usize, rows: usize) -> Result<usize, Error> {
    let bytes = (rows as u128) * (columns.len() as u128) * 8;
    super::budget::check(
        &format!("{}: its {rows} rows (estimated)", path.display()),
        bytes,
    )?;
    for c in columns.iter_mut() {
        c.cells.reserve_exact(rows - now);
    }
    Ok(rows)
}

/// The file, limited to its size, and its size; a file that is not a
/// regular file (a device, a pipe) is refused.
pub(super) fn open(path: &Path) -> Result<(impl Read, u64), Error> {
    let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
    if !meta.is_file() {
        return Err(Error::format(
            path,
            "is not a regular file; give a CSV file",
        ));
    }
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let file = std::io::BufReader::with_capacity(1 << 20, file.take(meta.len()));
    Ok((file, meta.len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(text: &str) -> ColumnTable {
        let dir = std::env::temp_dir().join(format!("columnar-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(format!("t{}.csv", text.len()));
        std::fs::write(&path, text).unwrap();
        let keep = |h: &[String]| h.iter().map(|n| n == "label").collect();
        let t = read_columns(&path, &keep).unwrap();
        std::fs::remove_file(&path).ok();
        t
    }

    /// Cells read back as the text reader gave them: a word, a missing
    /// marker, `inf` and a number too large as their (trimmed) text, a
    /// finite number as str::parse's bits, the label column as written.
    #[test]
    fn cells_read_back_as_written() {
        let t = table(concat!(
            "a, b ,label\n",
            " 1.50 ,NA,1.0\n",
            "inf,red,\"x\"\n",
            "1e999,\"two\nlines\",x\n",
            "0.1000000000000000055511151231257827,,2\n",
        ));
        assert_eq!(t.header(), ["a", "b", "label"]);
        assert_eq!(t.cell(0, 0), Cell::Number(1.5));
        assert_eq!(t.cell(0, 1), Cell::Text("NA"));
        assert_eq!(t.cell(0, 2), Cell::Text("1.0"));
        assert_eq!(t.cell(1, 0), Cell::Text("inf"));
        assert_eq!(t.cell(2, 0), Cell::Text("1e999"));
        assert_eq!(t.cell(2, 1), Cell::Text("two\nlines"));
        assert_eq!(t.cell(1, 2), t.cell(2, 2), "one text, one code");
        assert_eq!(t.cell(3, 1), Cell::Text(""));
        let v = "0.1000000000000000055511151231257827"
            .parse::<f64>()
            .unwrap();
        assert_eq!(t.cell(3, 0), Cell::Number(v));
        // The quoted cell over two lines moves the next row's line.
        let places: Vec<String> = (0..4).map(|r| t.place(r)).collect();
        assert_eq!(places, ["line 2", "line 3", "line 4", "line 6"]);
        assert!(t.numbers(0).is_none(), "column a holds texts");
        t.done_with(0, 0);
    }

    /// A column of numbers only is one slice; released from a row on, it
    /// frees those cells and keeps the ones before.
    #[test]
    fn a_column_of_numbers_is_a_slice() {
        let t = table("x,label\n1,a\n-2.5e3,b\n");
        assert_eq!(&*t.numbers(0).unwrap(), &[1.0, -2500.0]);
        assert!(t.numbers(1).is_none());
        t.done_with(0, 1);
        assert_eq!(&*t.numbers(0).unwrap(), &[1.0]);
        t.done_with(0, 0);
        assert!(t.numbers(0).unwrap().is_empty());
    }
}
