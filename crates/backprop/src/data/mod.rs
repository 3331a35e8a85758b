//! Data sets: features X (n_x × m, one example per column) and labels Y (1 × m).
//!
//! [`load`] picks the reader from the file's extension; each source lives in
//! its own file. Every reader returns values in f64, already scaled as the
//! course scales them (images ÷ 255), and records how, in [`Preprocessing`],
//! so the same transformation can be applied to new inputs.

pub mod budget;
pub mod circle;
mod csv;
pub mod gauss;
mod hdf5;
pub mod idx;
pub mod images;
mod inputs;
mod npy;
mod npz;
pub mod planar;
pub mod points;
pub mod spiral;
mod split;
mod standardize;
pub mod xor;

use std::path::{Path, PathBuf};

use ndarray::{Array2, ArrayView2};
use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::linalg::Float;

pub use self::csv::write_csv;
pub use self::inputs::{load_inputs, InputName, Inputs};
pub use self::standardize::Standardization;

/// How raw inputs became the columns of X: stored in the model, so that
/// `predict` makes new inputs the same way.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Preprocessing {
    /// "hdf5", "csv", "images", "npz" or "planar".
    pub input: String,
    /// Each raw value is multiplied by this (1/255 for 8-bit pixels, 1 otherwise).
    pub scale: f64,
    /// The shape of one example before flattening (e.g. [64, 64, 3], row-major h, w, c).
    pub example_shape: Vec<usize>,
    /// Names of the features (CSV header), when the source has them.
    pub feature_names: Option<Vec<String>>,
    /// Pictures: the side every picture is resized to (RGB, so n_x = 3·size²).
    #[serde(default)]
    pub image_size: Option<u32>,
    /// Features standardised with the training set's mean and standard deviation.
    #[serde(default)]
    pub standardization: Option<Standardization>,
}

/// A labelled data set in the notes' layout.
#[derive(Clone, Debug)]
pub struct Dataset {
    /// Where it came from.
    pub source: PathBuf,
    /// X, n_x × m, each example (column) contiguous in memory, whatever the
    /// source: the layout changes the order of the products' sums, so one
    /// layout everywhere keeps the same data giving the same numbers.
    pub x: Array2<f64>,
    /// Y, 1 × m, values 0 or 1.
    pub y: Array2<f64>,
    /// Class names, index = label (["non-cat", "cat"]; ["0", "1"] when the source has none).
    pub classes: Vec<String>,
    /// How X was made from the raw inputs.
    pub preprocessing: Preprocessing,
    /// Files skipped by `--skip-bad`, each with its reason.
    pub skipped: Vec<String>,
}

impl Dataset {
    /// n_x, the number of features.
    pub fn features(&self) -> usize {
        self.x.nrows()
    }

    /// m, the number of examples.
    pub fn examples(&self) -> usize {
        self.x.ncols()
    }

    /// X in the network's type (values rounded once from f64, as numpy's `astype`).
    pub fn x_as<T: Float>(&self) -> Array2<T> {
        self.x.mapv(T::cast)
    }

    /// Y in the network's type (class indices, 1 × m).
    pub fn y_as<T: Float>(&self) -> Array2<T> {
        self.y.mapv(T::cast)
    }

    /// The targets a network of `k` classes trains on: Y itself (1 × m, 0/1)
    /// for two classes, one-hot K × m for more.
    pub fn targets_as<T: Float>(&self, k: usize) -> Array2<T> {
        if k <= 2 {
            return self.y_as();
        }
        Array2::from_shape_fn((k, self.examples()), |(c, j)| {
            if self.y[(0, j)] as usize == c {
                T::one()
            } else {
                T::zero()
            }
        })
    }

    /// Checks that `other` has as many features as this set, naming its file if not.
    pub fn check_same_features(&self, other: &Dataset) -> Result<(), Error> {
        if other.features() != self.features() {
            return Err(Error::format(
                &other.source,
                format!(
                    "has {} features per example but the training set {} has {}; \
                     use a test set made the same way as the training set",
                    other.features(),
                    self.source.display(),
                    self.features()
                ),
            ));
        }
        Ok(())
    }
}

/// How to read a data set: which parts of a file, how to treat pictures.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LoadOptions {
    /// HDF5: the dataset holding X (default: the one whose name ends in `_x`).
    pub x_key: Option<String>,
    /// HDF5: the dataset holding Y (default: the one whose name ends in `_y`).
    pub y_key: Option<String>,
    /// CSV: the label column (default `label`).
    pub label_column: Option<String>,
    /// Pictures: the side each is resized to (default 64, the course's).
    pub image_size: u32,
    /// Picture folders: the positive class (default: the second in sorted order).
    pub positive: Option<String>,
    /// Pictures: skip files that cannot be decoded instead of stopping.
    pub skip_bad: bool,
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions {
            x_key: None,
            y_key: None,
            label_column: None,
            image_size: 64,
            positive: None,
            skip_bad: false,
        }
    }
}

/// Loads a labelled data set, choosing the reader by extension (`.h5`/`.hdf5`,
/// `.csv`, `.npz`/`.npy`) or, for a folder, reading it as pictures.
pub fn load(path: &Path, options: &LoadOptions) -> Result<Dataset, Error> {
    load_with_progress(path, options, &|_, _| {})
}

/// [`load`], reporting (done, total) as pictures are decoded.
pub fn load_with_progress(
    path: &Path,
    options: &LoadOptions,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<Dataset, Error> {
    if !path.exists() {
        return Err(Error::format(
            path,
            "no such file; check the path (relative paths start from the current folder)",
        ));
    }
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(|e| e.to_ascii_lowercase());
    if path.is_dir() {
        return images::load(path, options, progress);
    }
    if idx::is_idx_images(path) {
        return idx::load(path);
    }
    match ext.as_deref() {
        Some("h5" | "hdf5") => hdf5::load(path, options),
        Some("csv") => csv::load(path, options),
        Some("npz" | "npy") => npz::load(path),
        _ => Err(Error::format(path, UNKNOWN_TYPE)),
    }
}

/// What backprop reads, for "unknown file type" messages.
const UNKNOWN_TYPE: &str = "unknown file type; backprop reads .h5/.hdf5 (the course's data), .csv \
    (a header row, numeric features and a 0/1 label column), .npz/.npy (numpy arrays x, y), \
    MNIST's *-images-idx3-ubyte[.gz] and folders of pictures (one sub-folder per class, or labels.csv)";

/// Turns m examples given as rows of `values` (m × n_x, row-major) into X (n_x × m).
/// The transpose is a view: each example stays contiguous (numpy's `reshape(m, -1).T`).
fn examples_to_columns(m: usize, n_x: usize, values: Vec<f64>) -> Array2<f64> {
    Array2::from_shape_vec((m, n_x), values)
        .expect("length checked by the caller")
        .reversed_axes()
}

/// Labels must be 0 or 1 for the sigmoid output; names the first offender.
/// The most classes a label column may number.
pub const MAX_CLASSES: usize = 10_000;

/// Labels must be class numbers 0, 1, … (0/1 for two classes); names the first
/// offender. Returns the class names "0" … "K−1", K = largest label + 1 (at least 2).
fn class_labels(path: &Path, y: ArrayView2<'_, f64>) -> Result<Vec<String>, Error> {
    let bad = |v: &f64| v.fract() != 0.0 || *v < 0.0 || *v >= MAX_CLASSES as f64;
    if let Some((i, v)) = y.iter().enumerate().find(|(_, v)| bad(v)) {
        return Err(Error::format(
            path,
            format!(
                "label of example {i} is {v}; labels must be 0 or 1, or class numbers 0, 1, 2, …"
            ),
        ));
    }
    let k = y.iter().fold(0.0f64, |a, &v| a.max(v)) as usize + 1;
    Ok((0..k.max(2)).map(|c| c.to_string()).collect())
}
