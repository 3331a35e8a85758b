//! CSV tables as pandas writes them: a header row; a label column of numbers
//! or strings; numeric and string feature columns; pandas' unnamed index
//! column. The file is read into columns (`columnar.rs`) and prepared by the
//! one table preparation (`preparation.rs`): columns by name, so a test table
//! may have them in any order, with extra ones.

use std::path::Path;

use ndarray::{Array2, ArrayView2};

use super::columnar::{read_columns, ColumnTable};
use super::preparation::{fit_table, Preparation};
use super::{examples_to_columns, Dataset, LoadOptions, Preprocessing, TableSpec};
use crate::error::Error;
use crate::linalg::Float;

/// Reads a table into columns (`columnar.rs`): a header row (names trimmed,
/// none repeated) and rows of as many cells. The columns named in `text`
/// (the label and index columns) and a first column named as pandas names
/// its index (nothing, `Unnamed: 0`) keep every cell as text.
pub(crate) fn read_table(path: &Path, text: &[Option<&str>]) -> Result<ColumnTable, Error> {
    read_columns(path, &text_columns(text))
}

/// Which columns of a header keep every cell as text: those named in
/// `text`, and a first column named as pandas names its index.
pub(crate) fn text_columns<'a>(text: &'a [Option<&str>]) -> impl Fn(&[String]) -> Vec<bool> + 'a {
    move |header: &[String]| {
        (header.iter().enumerate())
            .map(|(j, h)| {
                (j == 0 && (h.is_empty() || h == "Unnamed: 0")) || text.contains(&Some(h.as_str()))
            })
            .collect()
    }
}

/// Loads a training table: classes from the label column, features from
/// the others (`--features`, `--drop`, `--index-column` choose), missing
/// cells as `--missing` says; unstandardised.
pub(super) fn load(path: &Path, options: &LoadOptions) -> Result<Dataset, Error> {
    let label = options.label_column.as_deref();
    let text = [
        Some(label.unwrap_or(super::DEFAULT_LABEL_COLUMN)),
        options.index_column.as_deref(),
    ];
    let table = read_table(path, &text)?;
    let fitted = fit_table(&table, options)?;
    drop(table); // (its label column) before the set's Y is made
    Ok(fitted.into_dataset(path))
}

/// Loads a labelled table made like a training table (`pre`, whose table is
/// `spec`), its labels numbered by the training `classes`; `label` overrides
/// the label column. Unstandardised.
pub(super) fn load_like(
    path: &Path,
    pre: &Preprocessing,
    spec: &TableSpec,
    classes: &[String],
    label: Option<&str>,
) -> Result<Dataset, Error> {
    let preparation = Preparation {
        table: spec.clone(),
        classes: classes.to_vec(),
        standardization: None,
    };
    let label = label.unwrap_or(&spec.label_column);
    let text = [Some(label), spec.index_column.as_deref()];
    let read = preparation.read(&read_table(path, &text)?, Some(label))?;
    let (m, notes) = (read.rows.len(), read.all_notes(path));
    if m == 0 {
        return Err(Error::format(path, "has a header but no examples"));
    }
    let y = read.y.iter().flatten().map(|&c| c as f64).collect();
    Ok(Dataset {
        source: path.to_path_buf(),
        x: examples_to_columns(m, spec.width(), read.values),
        y: Array2::from_shape_vec((1, m), y).expect("one label per row"),
        classes: classes.to_vec(),
        preprocessing: Preprocessing {
            standardization: None,
            ..pre.clone()
        },
        skipped: Vec::new(),
        notes,
    })
}

/// Writes X (n_x × m) and Y (1 × m) as a CSV with columns x1…xn and `label`
/// (shortest round-trip formatting, so reading it back gives the same numbers).
pub fn write_csv<T: Float>(
    path: &Path,
    x: ArrayView2<'_, T>,
    y: ArrayView2<'_, T>,
) -> Result<(), Error> {
    let names: Vec<String> = (1..=x.nrows()).map(|i| format!("x{i}")).collect();
    write_rows(path, x, y, &names, &|label| format!("{label}"))
}

/// A data set written as [`write_csv`] writes X and Y, its columns named by
/// its features' names (x1…xn when it has none) and each label written as
/// its class's name (`classes[y]`; a name holding a comma or a quote is
/// quoted), so a model that names the data's features and classes scores
/// the file read back, and the classes read back sorted are these when
/// these are sorted.
pub fn write_csv_named(path: &Path, d: &Dataset) -> Result<(), Error> {
    let quoted = |c: &String| match c.contains([',', '"', '\n']) {
        true => format!("\"{}\"", c.replace('"', "\"\"")),
        false => c.clone(),
    };
    let names: Vec<String> = match &d.preprocessing.feature_names {
        Some(names) if names.len() == d.features() => names.iter().map(quoted).collect(),
        _ => (1..=d.features()).map(|i| format!("x{i}")).collect(),
    };
    let name = |label: f64| match d.classes.get(label as usize) {
        Some(c) => quoted(c),
        None => format!("{label}"),
    };
    write_rows(path, d.x.view(), d.y.view(), &names, &name)
}

fn write_rows<T: Float>(
    path: &Path,
    x: ArrayView2<'_, T>,
    y: ArrayView2<'_, T>,
    names: &[String],
    label_text: &dyn Fn(f64) -> String,
) -> Result<(), Error> {
    let mut out = String::new();
    out.push_str(&names.join(","));
    out.push_str(",label\n");
    for (col, label) in x.columns().into_iter().zip(y.iter()) {
        for v in col {
            out.push_str(&format!("{:?},", v.as_f64()));
        }
        out.push_str(&label_text(label.as_f64()));
        out.push('\n');
    }
    crate::fsutil::write_atomic(path, out.as_bytes())
}
