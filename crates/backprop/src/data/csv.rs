//! CSV tables as pandas writes them: a header row; a label column of numbers
//! or strings; numeric and string feature columns (strings one-hot encoded);
//! pandas' unnamed index column taken as row ids; missing cells refused,
//! dropped or filled (`--missing`). The columns are matched by name, so a
//! test table may have them in any order, with extra ones.

use std::io::Read;
use std::path::Path;

use ::csv::StringRecord;
use ndarray::{Array2, ArrayView2};

use super::labels::{canonical, sorted_classes};
use super::table::{encode, fit_column, rows_without_missing, Cells, MissingChoice, TableSpec};
use super::{examples_to_columns, Dataset, LoadOptions, Preprocessing};
use crate::error::Error;
use crate::linalg::Float;
use crate::setting::Setting;

/// The label column's name when `--label-column` is not given.
pub const DEFAULT_LABEL_COLUMN: &str = "label";

/// A table read whole: the header and the rows still in play, each with its
/// file line and its position among the file's rows.
pub(crate) struct RawTable {
    header: Vec<String>,
    rows: Vec<StringRecord>,
    lines: Vec<usize>,
    numbers: Vec<usize>,
}

impl Cells for RawTable {
    fn rows(&self) -> usize {
        self.rows.len()
    }
    fn cell(&self, row: usize, column: usize) -> &str {
        self.rows[row].get(column).unwrap_or("")
    }
    fn line(&self, row: usize) -> usize {
        self.lines[row]
    }
}

impl RawTable {
    /// Keeps the rows at `keep` (ascending), in order.
    fn keep(&mut self, keep: &[usize]) {
        if keep.len() == self.rows.len() {
            return;
        }
        self.rows = keep
            .iter()
            .map(|&r| std::mem::take(&mut self.rows[r]))
            .collect();
        self.lines = keep.iter().map(|&r| self.lines[r]).collect();
        self.numbers = keep.iter().map(|&r| self.numbers[r]).collect();
    }

    fn position(&self, name: &str) -> Option<usize> {
        self.header.iter().position(|h| h == name)
    }

    /// Whether column `j` holds distinct whole numbers (an index).
    fn is_index_like(&self, j: usize) -> bool {
        let mut seen = std::collections::HashSet::with_capacity(self.rows.len());
        (0..self.rows.len()).all(|r| self.cell(r, j).parse::<i64>().is_ok_and(|v| seen.insert(v)))
    }

    /// pandas' index: a first column without a name (or named `Unnamed: 0`)
    /// holding distinct whole numbers.
    fn pandas_index(&self, path: &Path) -> Result<Option<usize>, Error> {
        let first = self.header.first().map(String::as_str).unwrap_or("");
        if !(first.is_empty() || first == "Unnamed: 0") {
            return Ok(None);
        }
        if self.is_index_like(0) {
            return Ok(Some(0));
        }
        if first.is_empty() {
            return Err(Error::format(
                path,
                "the first column has no name and does not hold distinct whole numbers \
                 (pandas' index); name it in the header",
            ));
        }
        Ok(None)
    }

    /// The header's names.
    pub(crate) fn header_names(self) -> Vec<String> {
        self.header
    }

    fn columns_list(&self) -> String {
        self.header.join(", ")
    }
}

/// Reads memory a table may take: the file's size is the bound, and a file
/// that is not a regular file (a device, a pipe) is refused.
fn open_limited(path: &Path) -> Result<impl Read, Error> {
    let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
    if !meta.is_file() {
        return Err(Error::format(
            path,
            "is not a regular file; give a CSV file",
        ));
    }
    // The cells are kept as text: about the file's size again in records.
    super::budget::check(
        &format!("{}: its cells", path.display()),
        u128::from(meta.len()) * 2,
    )?;
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    Ok(file.take(meta.len()))
}

/// Reads a table whole: a header row (names trimmed, none repeated) and rows
/// of as many cells.
pub(crate) fn read_table(path: &Path) -> Result<RawTable, Error> {
    let mut reader = ::csv::ReaderBuilder::new()
        .trim(::csv::Trim::All)
        .flexible(true)
        .from_reader(open_limited(path)?);
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| Error::format(path, format!("cannot read the header row ({e})")))?
        .iter()
        .map(str::to_owned)
        .collect();
    for (j, name) in header.iter().enumerate() {
        if let Some(i) = header[..j].iter().position(|h| h == name) {
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
    let (mut rows, mut lines) = (Vec::new(), Vec::new());
    for (row, record) in reader.records().enumerate() {
        if row % 4096 == 0 {
            crate::stop::check(&format!("loading {}", path.display()))?;
        }
        let fallback = row + 2;
        let record = record.map_err(|e| Error::format(path, format!("line {fallback}: {e}")))?;
        let line = record.position().map_or(fallback, |p| p.line() as usize);
        if record.len() != header.len() {
            return Err(Error::format(
                path,
                format!(
                    "line {line} has {} cells, the header has {}",
                    record.len(),
                    header.len()
                ),
            ));
        }
        rows.push(record);
        lines.push(line);
    }
    let numbers = (0..rows.len()).collect();
    Ok(RawTable {
        header,
        rows,
        lines,
        numbers,
    })
}

/// The positions of named columns, or an error naming the absent ones.
fn find_all(path: &Path, t: &RawTable, names: &[String], why: &str) -> Result<Vec<usize>, Error> {
    let absent: Vec<&str> = names
        .iter()
        .filter(|n| t.position(n).is_none())
        .map(String::as_str)
        .collect();
    if !absent.is_empty() {
        return Err(Error::format(
            path,
            format!(
                "has no column{} '{}', {why} (columns: {})",
                if absent.len() > 1 { "s" } else { "" },
                absent.join("', '"),
                t.columns_list()
            ),
        ));
    }
    Ok(names.iter().filter_map(|n| t.position(n)).collect())
}

/// The label column's position, or an error suggesting the label column's setting.
fn label_position(path: &Path, t: &RawTable, name: &str) -> Result<usize, Error> {
    t.position(name).ok_or_else(|| {
        Error::format(
            path,
            format!(
                "has no '{name}' column (columns: {}); name the label column with {}",
                t.columns_list(),
                Setting::LabelColumn
            ),
        )
    })
}

/// Loads a training table: classes from the label column, features from
/// the others (`--features`, `--drop`, `--index-column` choose), missing
/// cells as `--missing` says.
pub(super) fn load(path: &Path, options: &LoadOptions) -> Result<Dataset, Error> {
    let label_name = options
        .label_column
        .as_deref()
        .unwrap_or(DEFAULT_LABEL_COLUMN);
    let mut t = read_table(path)?;
    let label = label_position(path, &t, label_name)?;
    let index = match &options.index_column {
        Some(name) => Some(
            find_all(
                path,
                &t,
                std::slice::from_ref(name),
                &format!("named by {}", Setting::IndexColumn),
            )?[0],
        ),
        None => t.pandas_index(path)?.filter(|&i| i != label),
    };
    if let Some(j) = t
        .header
        .iter()
        .position(String::is_empty)
        .filter(|&j| Some(j) != index)
    {
        return Err(Error::format(
            path,
            format!("column {} has no name; name it in the header", j + 1),
        ));
    }
    let features: Vec<usize> = if options.features.is_empty() {
        let dropped = find_all(
            path,
            &t,
            &options.drop,
            &format!("named by {}", Setting::Drop),
        )?;
        (0..t.header.len())
            .filter(|&j| j != label && Some(j) != index && !dropped.contains(&j))
            .collect()
    } else {
        let why = format!("named by {}", Setting::Features);
        let chosen = find_all(path, &t, &options.features, &why)?;
        if let Some(&j) = chosen.iter().find(|&&j| j == label || Some(j) == index) {
            return Err(Error::format(
                path,
                format!(
                    "{} names '{}', the label or index column",
                    Setting::Features,
                    t.header[j]
                ),
            ));
        }
        chosen
    };
    if features.is_empty() {
        return Err(Error::format(
            path,
            "needs at least one feature column besides the label",
        ));
    }
    let mut watched: Vec<(usize, &str, bool)> = features
        .iter()
        .map(|&j| (j, t.header[j].as_str(), true))
        .collect();
    watched.push((label, label_name, false));
    let keep = rows_without_missing(path, &t, &watched, options.missing, MissingChoice::Flag)?;
    t.keep(&keep);
    if t.rows.is_empty() {
        return Err(Error::format(path, "has a header but no examples"));
    }
    let columns = features
        .iter()
        .map(|&j| fit_column(path, &t, j, &t.header[j], options.missing))
        .collect::<Result<Vec<_>, _>>()?;
    let spec = TableSpec {
        label_column: label_name.to_string(),
        index_column: index.map(|j| t.header[j].clone()),
        columns,
        missing: options.missing,
    };
    let mut notes = Vec::new();
    let values = encode(path, &t, &spec, &features, &mut notes)?;
    let names: Vec<String> = (0..t.rows.len())
        .map(|r| canonical(t.cell(r, label)))
        .collect();
    let classes = sorted_classes(&names);
    let m = names.len();
    let number: std::collections::HashMap<&str, usize> = classes
        .iter()
        .enumerate()
        .map(|(i, c)| (c.as_str(), i))
        .collect();
    let y: Vec<f64> = names.iter().map(|n| number[n.as_str()] as f64).collect();
    let n_x = spec.feature_names().len();
    Ok(Dataset {
        source: path.to_path_buf(),
        x: examples_to_columns(m, n_x, values),
        y: Array2::from_shape_vec((1, m), y).expect("one label per row"),
        classes,
        preprocessing: Preprocessing {
            input: "csv".into(),
            scale: 1.0,
            example_shape: vec![n_x],
            feature_names: Some(spec.feature_names()),
            table: Some(spec),
            ..Preprocessing::default()
        },
        skipped: Vec::new(),
        notes,
    })
}

/// A table made into features the way a training table was (`spec`).
pub(crate) struct TableLike {
    /// Features, row-major (m × n_x).
    pub values: Vec<f64>,
    /// Examples.
    pub m: usize,
    /// Each row's label (class name), when asked for.
    pub labels: Option<Vec<String>>,
    /// Each row's position among the file's rows (from 0).
    pub rows: Vec<usize>,
    /// The index column's name and each row's value in it, when the table has one.
    pub ids: Option<(String, Vec<String>)>,
    /// What the user should know (ignored columns, unseen categories, dropped rows).
    pub notes: Vec<String>,
}

/// Reads a table with the training table's columns (by name, in any order;
/// extra columns ignored with a note, absent ones an error naming them).
/// With `label`, the rows' labels are read from that column too.
pub(crate) fn read_like(
    path: &Path,
    spec: &TableSpec,
    label: Option<&str>,
) -> Result<TableLike, Error> {
    let mut t = read_table(path)?;
    let names: Vec<String> = spec.columns.iter().map(|c| c.name.clone()).collect();
    let at = find_all(path, &t, &names, "which the model was trained on")?;
    let label_at = label.map(|l| label_position(path, &t, l)).transpose()?;
    let index = match spec.index_column.as_deref().and_then(|n| t.position(n)) {
        Some(j) => Some(j),
        None => t.pandas_index(path).ok().flatten(),
    }
    .filter(|j| !at.contains(j));
    let mut notes = Vec::new();
    let extra: Vec<&str> = (0..t.header.len())
        .filter(|j| !at.contains(j) && Some(*j) != index && Some(*j) != label_at)
        .map(|j| t.header[j].as_str())
        .filter(|h| *h != spec.label_column)
        .collect();
    if !extra.is_empty() {
        notes.push(format!(
            "{}: ignored column(s) the model does not use: {}",
            path.display(),
            extra.join(", ")
        ));
    }
    let mut watched: Vec<(usize, &str, bool)> = spec
        .columns
        .iter()
        .zip(&at)
        .map(|(c, &j)| (j, c.name.as_str(), c.fill.is_some()))
        .collect();
    if let (Some(j), Some(l)) = (label_at, label) {
        watched.push((j, l, false));
    }
    let before = t.rows.len();
    let keep = rows_without_missing(path, &t, &watched, spec.missing, MissingChoice::Model)?;
    t.keep(&keep);
    if t.rows.len() < before {
        notes.push(format!(
            "{}: dropped {} row(s) with missing cells ({} drop)",
            path.display(),
            before - t.rows.len(),
            Setting::Missing
        ));
    }
    let values = encode(path, &t, spec, &at, &mut notes)?;
    let m = t.rows.len();
    let ids = index.map(|j| {
        let ids = (0..m).map(|r| t.cell(r, j).to_string()).collect();
        (t.header[j].clone(), ids)
    });
    let labels = label_at.map(|j| (0..m).map(|r| canonical(t.cell(r, j))).collect());
    Ok(TableLike {
        values,
        m,
        labels,
        rows: t.numbers,
        ids,
        notes,
    })
}

/// Loads a labelled table made like a training table (`pre`), its labels
/// numbered by the training `classes`; `label` overrides the label column.
pub(super) fn load_like(
    path: &Path,
    pre: &Preprocessing,
    spec: &TableSpec,
    classes: &[String],
    label: Option<&str>,
) -> Result<Dataset, Error> {
    let label = label.unwrap_or(&spec.label_column);
    let like = read_like(path, spec, Some(label))?;
    let mut y = Vec::with_capacity(like.m);
    for (r, name) in like.labels.iter().flatten().enumerate() {
        let c = classes.iter().position(|c| c == name).ok_or_else(|| {
            Error::format(
                path,
                format!(
                    "row {} has the class '{name}', which the training data does not have \
                     (classes: {})",
                    like.rows[r],
                    classes.join(", ")
                ),
            )
        })?;
        y.push(c as f64);
    }
    if like.m == 0 {
        return Err(Error::format(path, "has a header but no examples"));
    }
    let n_x = spec.feature_names().len();
    Ok(Dataset {
        source: path.to_path_buf(),
        x: examples_to_columns(like.m, n_x, like.values),
        y: Array2::from_shape_vec((1, like.m), y).expect("one label per row"),
        classes: classes.to_vec(),
        preprocessing: Preprocessing {
            standardization: None,
            ..pre.clone()
        },
        skipped: Vec::new(),
        notes: like.notes,
    })
}

/// Writes X (n_x × m) and Y (1 × m) as a CSV with columns x1…xn and `label`
/// (shortest round-trip formatting, so reading it back gives the same numbers).
pub fn write_csv<T: Float>(
    path: &Path,
    x: ArrayView2<'_, T>,
    y: ArrayView2<'_, T>,
) -> Result<(), Error> {
    let mut out = String::new();
    let names: Vec<String> = (1..=x.nrows()).map(|i| format!("x{i}")).collect();
    out.push_str(&names.join(","));
    out.push_str(",label\n");
    for (col, label) in x.columns().into_iter().zip(y.iter()) {
        for v in col {
            out.push_str(&format!("{:?},", v.as_f64()));
        }
        out.push_str(&format!("{}\n", label.as_f64()));
    }
    crate::fsutil::write_atomic(path, out.as_bytes())
}
