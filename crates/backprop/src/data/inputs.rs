//! Unlabelled inputs for `predict`, made into X exactly as the model's
//! training data was (picture size, scaling, feature order, standardisation).

use std::fmt;
use std::path::{Path, PathBuf};

use ndarray::Array2;
use serde::Serialize;

use super::images::{decode_rgb, images_in, is_image};
use super::{examples_to_columns, npz, LoadOptions, Preprocessing};
use crate::error::Error;

/// Which input a column of X came from: a file, or a row of a table.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum InputName {
    /// A picture (or other single-example file).
    Path(String),
    /// Row i (from 0) of a table or array file.
    Row(usize),
}

impl fmt::Display for InputName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InputName::Path(p) => f.write_str(p),
            InputName::Row(i) => write!(f, "{i}"),
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
}

/// Reads pictures, folders of pictures, CSV, npz/npy or HDF5 files into X,
/// checking each against the width `n_x` the model expects.
pub fn load_inputs(paths: &[PathBuf], pre: &Preprocessing, n_x: usize) -> Result<Inputs, Error> {
    let mut names = Vec::new();
    let mut values: Vec<f64> = Vec::new();
    let mut pictures = Vec::new();
    for path in paths {
        if !path.exists() {
            return Err(Error::format(path, "no such file or folder"));
        }
        if path.is_dir() {
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
            pictures.extend(found);
            continue;
        }
        if is_image(path) {
            pictures.push(path.clone());
            continue;
        }
        let (rows, width) = read_table(path, pre)?;
        check_width(path, width, n_x)?;
        let start = names.len();
        names.extend((0..rows.len() / width.max(1)).map(InputName::Row));
        let _ = start;
        values.extend(rows);
    }
    if !pictures.is_empty() {
        let size = pre.image_size.ok_or_else(|| {
            Error::format(
                &pictures[0],
                format!(
                    "is a picture, but the model was trained on {} data; give it {} inputs",
                    pre.input, pre.input
                ),
            )
        })?;
        check_width(&pictures[0], (size * size * 3) as usize, n_x)?;
        let decoded: Vec<Result<Vec<u8>, Error>> = {
            use rayon::prelude::*;
            pictures.par_iter().map(|p| decode_rgb(p, size)).collect()
        };
        for (p, d) in pictures.iter().zip(decoded) {
            values.extend(d?.into_iter().map(|v| v as f64 / 255.0));
            names.push(InputName::Path(p.display().to_string()));
        }
    }
    let m = names.len();
    let mut x = examples_to_columns(m, n_x, values);
    if let Some(s) = &pre.standardization {
        s.apply(&mut x);
    }
    Ok(Inputs { names, x })
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

/// Rows of a table-like file, row-major, and their width (features per row).
fn read_table(path: &Path, pre: &Preprocessing) -> Result<(Vec<f64>, usize), Error> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match ext.as_deref() {
        Some("csv") => read_csv_features(path, pre),
        Some("npz" | "npy") => {
            let raw = npz::load_x(path)?;
            let width = raw.example_shape.iter().product();
            Ok((raw.values, width))
        }
        Some("h5" | "hdf5") => {
            let d = super::hdf5::load(path, &LoadOptions::default())?;
            let width = d.features();
            Ok((d.x.t().iter().copied().collect(), width))
        }
        _ => Err(Error::format(path, super::UNKNOWN_TYPE)),
    }
}

/// A CSV's feature columns, in the model's order when it knows its feature
/// names; a label column, if present, is ignored.
fn read_csv_features(path: &Path, pre: &Preprocessing) -> Result<(Vec<f64>, usize), Error> {
    let (header, mut reader) = super::csv::open_table(path)?;
    let columns: Vec<usize> = match &pre.feature_names {
        Some(names) => names
            .iter()
            .map(|n| {
                header.iter().position(|h| h == n).ok_or_else(|| {
                    Error::format(
                        path,
                        format!(
                            "has no column '{n}', which the model was trained on (columns: {})",
                            header.join(", ")
                        ),
                    )
                })
            })
            .collect::<Result<_, _>>()?,
        None => (0..header.len())
            .filter(|&i| header[i] != "label")
            .collect(),
    };
    let mut values = Vec::new();
    for (row, record) in reader.records().enumerate() {
        let line = row + 2;
        let record = record.map_err(|e| Error::format(path, format!("line {line}: {e}")))?;
        for &c in &columns {
            let cell = record.get(c).unwrap_or("");
            let v = super::csv::number(path, line, &header[c], cell)?;
            values.push(v);
        }
    }
    Ok((values, columns.len()))
}
