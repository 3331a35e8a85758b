//! CSV tables: a header row, numeric feature columns and a 0/1 label column.

use std::path::Path;

use ndarray::{Array2, ArrayView2};

use super::{check_binary_labels, examples_to_columns, Dataset, LoadOptions, Preprocessing};
use crate::error::Error;
use crate::linalg::Float;

/// Opens a CSV file with a header row (cells trimmed); returns the header and the reader.
pub(super) fn open_table(
    path: &Path,
) -> Result<(Vec<String>, ::csv::Reader<std::fs::File>), Error> {
    let mut reader = ::csv::ReaderBuilder::new()
        .trim(::csv::Trim::All)
        .from_path(path)
        .map_err(|e| Error::format(path, format!("cannot read ({e})")))?;
    let header = reader
        .headers()
        .map_err(|e| Error::format(path, format!("cannot read the header row ({e})")))?
        .iter()
        .map(str::to_owned)
        .collect();
    Ok((header, reader))
}

/// A cell as a finite number, or an error naming the line and column.
pub(super) fn number(path: &Path, line: usize, column: &str, cell: &str) -> Result<f64, Error> {
    cell.parse()
        .ok()
        .filter(|v: &f64| v.is_finite())
        .ok_or_else(|| {
            Error::format(
                path,
                format!("line {line}, column '{column}': '{cell}' is not a finite number"),
            )
        })
}

/// The label column's name when `--label-column` is not given.
pub const DEFAULT_LABEL_COLUMN: &str = "label";

pub(super) fn load(path: &Path, options: &LoadOptions) -> Result<Dataset, Error> {
    let label_name = options
        .label_column
        .as_deref()
        .unwrap_or(DEFAULT_LABEL_COLUMN);
    let (header, mut reader) = open_table(path)?;
    let label_at = header.iter().position(|h| h == label_name).ok_or_else(|| {
        Error::format(
            path,
            format!(
                "has no '{label_name}' column (columns: {}); name the label column with --label-column",
                header.join(", ")
            ),
        )
    })?;
    if header.len() < 2 {
        return Err(Error::format(
            path,
            "needs at least one feature column besides the label",
        ));
    }
    let n_x = header.len() - 1;
    let mut values = Vec::new();
    let mut labels = Vec::new();
    for (row, record) in reader.records().enumerate() {
        let line = row + 2; // 1-based, after the header
        let record = record.map_err(|e| Error::format(path, format!("line {line}: {e}")))?;
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
        for (col, cell) in record.iter().enumerate() {
            let v = number(path, line, &header[col], cell)?;
            if col == label_at {
                labels.push(v);
            } else {
                values.push(v);
            }
        }
    }
    let m = labels.len();
    if m == 0 {
        return Err(Error::format(path, "has a header but no examples"));
    }
    let y = Array2::from_shape_vec((1, m), labels).expect("one label per row");
    check_binary_labels(path, y.view())?;
    let feature_names = header
        .iter()
        .enumerate()
        .filter(|&(i, _)| i != label_at)
        .map(|(_, h)| h.clone())
        .collect();
    Ok(Dataset {
        source: path.to_path_buf(),
        x: examples_to_columns(m, n_x, values),
        y,
        classes: vec!["0".into(), "1".into()],
        preprocessing: Preprocessing {
            input: "csv".into(),
            scale: 1.0,
            example_shape: vec![n_x],
            feature_names: Some(feature_names),
            ..Preprocessing::default()
        },
        skipped: Vec::new(),
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
