//! Unlabelled inputs for `predict`, made into X exactly as the model's
//! training data was (picture size, scaling, feature order, standardisation).

use std::fmt;
use std::path::{Path, PathBuf};

use ndarray::Array2;
use serde::Serialize;

use super::cells::Table;
use super::columnar::ColumnTable;
use super::csv::read_table;
use super::images::{images_in, load_pictures};
use super::preparation::Preparation;
use super::skipped::scored_before;
use super::standardize::{float_limit, standardize_within, FIT_THE_MODEL};
use super::{examples_to_columns, npz, FileKind, LoadOptions, Preprocessing};
use crate::error::Error;

/// Which input a column of X came from: a file, or a row of a table. As
/// JSON: a row is a number, an id a number where it is one as written
/// ("125", "-3", "2.5"; not "007" or "1e3", which stay strings), else a string.
#[derive(Clone, Debug, PartialEq)]
pub enum InputName {
    /// A picture (or other single-example file).
    Path(String),
    /// Row i (from 0) of a table or array file.
    Row(usize),
    /// A table row's id (its index column's value).
    Id(String),
}

impl Serialize for InputName {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            InputName::Path(p) => s.serialize_str(p),
            InputName::Row(i) => s.serialize_u64(*i as u64),
            InputName::Id(id) => match number_as_written(id) {
                Some(Number::Int(v)) => s.serialize_i64(v),
                Some(Number::Float(v)) => s.serialize_f64(v),
                None => s.serialize_str(id),
            },
        }
    }
}

/// An id's value as a JSON number.
enum Number {
    Int(i64),
    Float(f64),
}

/// `id` as a number when writing that number gives `id` back (so no
/// leading zeros, signs or exponents are lost), else `None`.
fn number_as_written(id: &str) -> Option<Number> {
    if let Ok(v) = id.parse::<i64>() {
        return (v.to_string() == id).then_some(Number::Int(v));
    }
    let v = id.parse::<f64>().ok().filter(|v| v.is_finite())?;
    (v.to_string() == id).then_some(Number::Float(v))
}

impl fmt::Display for InputName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InputName::Path(p) => f.write_str(p),
            InputName::Row(i) => write!(f, "{i}"),
            InputName::Id(s) => f.write_str(s),
        }
    }
}

/// Inputs ready for a network: X (n_x × m) and each column's name.
#[derive(Clone, Debug)]
pub struct Inputs {
    /// One name per column of X.
    pub names: Vec<InputName>,
    /// X, made as the model's training data was.
    pub x: Array2<f64>,
    /// The name of the table's id column, when the rows have ids.
    pub id_column: Option<String>,
    /// What the user should know (columns ignored, unseen categories, rows not scored).
    pub notes: Vec<String>,
    /// Table rows left out of X (a missing cell under drop): how many columns
    /// of X come before each, its name, and why it has no prediction.
    pub unscored: Vec<(usize, InputName, String)>,
    /// Each table or array file and the first of its examples, to name an input.
    files: Vec<(PathBuf, usize)>,
}

impl Inputs {
    /// Where example `j` came from, for messages: a picture's path, or a
    /// file and its row ("in.csv: row 3", the row as `predict` names it).
    pub fn which(&self, j: usize) -> String {
        match (&self.names[j], self.files.iter().rev().find(|f| f.1 <= j)) {
            (InputName::Path(p), _) => p.clone(),
            (name, Some((file, _))) => format!("{}: row {name}", file.display()),
            (name, None) => format!("row {name}"),
        }
    }
}

/// Reads pictures, folders of pictures, CSV, npz/npy or HDF5 files into X,
/// checking each against the width `n_x` the model expects and every value,
/// standardised, against what the model's `precision` ("f32", "f64") holds.
pub fn load_inputs(
    paths: &[PathBuf],
    pre: &Preprocessing,
    n_x: usize,
    precision: &str,
) -> Result<Inputs, Error> {
    let mut g = Gathered::default();
    for path in paths {
        g.add(path, pre, n_x)?;
    }
    g.add_pictures(pre, n_x)?;
    let m = g.names.len();
    let mut inputs = Inputs {
        names: g.names,
        x: examples_to_columns(m, n_x, g.values),
        id_column: g.id_column,
        notes: g.notes,
        unscored: g.unscored,
        files: g.files,
    };
    let limit = float_limit(precision);
    let st = pre.standardization.as_ref();
    standardize_within(&mut inputs.x, st, limit).map_err(|t| {
        let column = pre.column_name(t.feature);
        t.error(
            &inputs.which(t.example),
            &column,
            st,
            precision,
            FIT_THE_MODEL,
        )
    })?;
    Ok(inputs)
}

/// The inputs read so far: each example's name and values (row-major), the
/// files they came from, and the pictures still to decode.
#[derive(Default)]
struct Gathered {
    names: Vec<InputName>,
    values: Vec<f64>,
    files: Vec<(PathBuf, usize)>,
    notes: Vec<String>,
    unscored: Vec<(usize, InputName, String)>,
    id_column: Option<String>,
    pictures: Vec<PathBuf>,
}

impl Gathered {
    /// Adds one input: a picture or a folder of them (decoded last, all
    /// together), a table's rows, or an array file's examples.
    fn add(&mut self, path: &Path, pre: &Preprocessing, n_x: usize) -> Result<(), Error> {
        super::check_exists(path)?;
        let kind = FileKind::of(path);
        if kind == FileKind::Pictures {
            let mut found = images_in(path)?;
            for sub in subfolders(path)? {
                found.extend(images_in(&sub)?);
            }
            if found.is_empty() {
                return Err(Error::format(
                    path,
                    "holds no pictures (jpg, png, bmp, gif, webp)",
                ));
            }
            self.pictures.extend(found);
            return Ok(());
        }
        if kind == FileKind::Picture {
            self.pictures.push(path.to_path_buf());
            return Ok(());
        }
        self.files.push((path.to_path_buf(), self.names.len()));
        if kind == FileKind::Csv {
            return self.add_table(path, pre, n_x);
        }
        let (rows, width) = read_array(path, kind)?;
        check_width(path, width, n_x)?;
        if rows.is_empty() {
            return Err(no_rows(path));
        }
        self.names
            .extend((0..rows.len() / width.max(1)).map(InputName::Row));
        self.values.extend(rows);
        Ok(())
    }

    /// Adds a table's rows, prepared as the model's table was (by column
    /// name), each named by its id or its row.
    fn add_table(&mut self, path: &Path, pre: &Preprocessing, n_x: usize) -> Result<(), Error> {
        let open = |text: &[Option<&str>]| read_table(path, text);
        let header = <ColumnTable as Table>::header;
        let (preparation, table) = model_preparation(path, pre, n_x, open, header)?;
        let read = preparation.read(&table, None)?;
        self.notes.extend(read.all_notes(path));
        let first = self.names.len();
        self.unscored.extend(read.skipped.iter().map(|s| {
            let name = s.id.clone().map_or(InputName::Row(s.row), InputName::Id);
            let before = first + scored_before(&read.rows, s.row);
            (before, name, s.reason.clone())
        }));
        match read.ids {
            Some((column, ids)) => {
                self.id_column = Some(column);
                self.names.extend(ids.into_iter().map(InputName::Id));
            }
            None => self.names.extend(read.rows.into_iter().map(InputName::Row)),
        }
        if read.values.is_empty() {
            return Err(no_rows(path));
        }
        self.values.extend(read.values);
        Ok(())
    }

    /// Decodes the pictures gathered, at the model's side and channels.
    fn add_pictures(&mut self, pre: &Preprocessing, n_x: usize) -> Result<(), Error> {
        let Some(first) = self.pictures.first() else {
            return Ok(());
        };
        let size = pre.image_size.ok_or_else(|| {
            Error::format(
                first,
                format!(
                    "is a picture, but the model was trained on {} data; give it {} inputs",
                    pre.input, pre.input
                ),
            )
        })?;
        // Grey (one channel) or RGB, as the model's pictures were: a colour
        // picture for a grey model is made grey (luma), a grey one for an RGB
        // model tripled.
        let channels = pre.picture_channels();
        check_width(first, (size as usize).pow(2) * channels as usize, n_x)?;
        self.values.extend(
            load_pictures(&self.pictures, size, channels)?
                .into_iter()
                .map(|v| v as f64 / 255.0),
        );
        let names = self
            .pictures
            .iter()
            .map(|p| InputName::Path(p.display().to_string()));
        self.names.extend(names);
        Ok(())
    }
}

/// A table's preparation for a model with preprocessing `pre` and `n_x`
/// inputs, and the table `open` opens (given the columns that keep their
/// text): the model's table by column name, or, for a model that describes
/// no table, its numeric columns (named by the model, else by the table's
/// `header`); refused where its width is not `n_x`.
pub(super) fn model_preparation<T>(
    path: &Path,
    pre: &Preprocessing,
    n_x: usize,
    open: impl FnOnce(&[Option<&str>]) -> Result<T, Error>,
    header: impl FnOnce(&T) -> &[String],
) -> Result<(Preparation, T), Error> {
    if let Some(p) = Preparation::of_model(pre, &[]) {
        check_width(path, p.table.width(), n_x)?;
        let text = [
            Some(p.table.label_column.as_str()),
            p.table.index_column.as_deref(),
        ];
        let table = open(&text)?;
        return Ok((p, table));
    }
    let table = open(&[Some(super::DEFAULT_LABEL_COLUMN)])?;
    let names = (pre.feature_names.clone()).unwrap_or_else(|| header(&table).to_vec());
    let p = Preparation::numeric(names, pre, &[]);
    check_width(path, p.table.width(), n_x)?;
    Ok((p, table))
}

fn subfolders(dir: &Path) -> Result<Vec<PathBuf>, Error> {
    let mut subs: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| Error::io(dir, e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    subs.sort();
    Ok(subs)
}

fn check_width(path: &Path, width: usize, n_x: usize) -> Result<(), Error> {
    if width != n_x {
        return Err(Error::format(
            path,
            format!("gives {width} features per example but the model takes {n_x}; give inputs made like its training data"),
        ));
    }
    Ok(())
}

/// Rows of an array file of `kind`, row-major, and their width (features per row).
fn read_array(path: &Path, kind: FileKind) -> Result<(Vec<f64>, usize), Error> {
    match kind {
        FileKind::Idx => {
            let d = super::idx::load(path)?;
            let width = d.features();
            Ok((d.x.t().iter().copied().collect(), width))
        }
        FileKind::Numpy => {
            let raw = npz::load_x(path)?;
            let width = raw.example_shape.iter().product();
            Ok((raw.values, width))
        }
        FileKind::Hdf5 => {
            let d = super::hdf5::load(path, &LoadOptions::default())?;
            let width = d.features();
            Ok((d.x.t().iter().copied().collect(), width))
        }
        _ => Err(Error::format(path, super::UNKNOWN_TYPE)),
    }
}

/// A data file with no examples to predict: a data error, not an empty answer.
pub(super) fn no_rows(path: &Path) -> Error {
    Error::format(
        path,
        "holds no rows to predict; give a file with at least one example",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_is_a_json_number_where_it_reads_as_one() {
        let json = |id: &str| serde_json::to_string(&InputName::Id(id.into())).unwrap();
        assert_eq!(json("125"), "125");
        assert_eq!(json("-3"), "-3");
        assert_eq!(json("2.5"), "2.5");
        for kept in ["007", "1e3", "+4", "1.50", "NaN", "inf", "abc", ""] {
            assert_eq!(json(kept), format!("\"{kept}\""), "{kept}");
        }
        assert_eq!(serde_json::to_string(&InputName::Row(4)).unwrap(), "4");
    }
}
