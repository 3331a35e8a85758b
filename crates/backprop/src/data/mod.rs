//! Data sets: features X (n_x × m, one example per column) and labels Y (1 × m).
//!
//! [`load`] picks the reader from the file's extension; each source lives in
//! its own file. Every reader returns values in f64, already scaled as the
//! course scales them (images ÷ 255), and records how, in [`Preprocessing`],
//! so the same transformation can be applied to new inputs.

pub mod budget;
mod cells;
mod chunks;
pub mod circle;
mod columnar;
mod columns;
pub mod crosses;
mod csv;
mod encode;
pub(crate) mod fingerprint;
pub mod gauss;
#[cfg(feature = "io")]
mod hdf5;
#[cfg(feature = "io")]
pub mod idx;
#[cfg(feature = "io")]
pub mod images;
mod inputs;
mod kind;
mod labels;
pub(crate) mod narrow;
#[cfg(feature = "io")]
mod npy;
#[cfg(feature = "io")]
mod npz;
#[cfg(not(feature = "io"))]
mod without_io;
#[cfg(not(feature = "io"))]
use without_io::{hdf5, npz};
#[cfg(not(feature = "io"))]
pub use without_io::{idx, images};
pub mod planar;
pub mod points;
mod preparation;
pub mod skew;
mod skipped;
pub mod spiral;
mod split;
mod standardize;
pub(crate) mod stream;
mod table;
pub mod twin_spiral;
pub mod xor;

use std::path::{Path, PathBuf};

use ndarray::Array2;
use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::linalg::Float;

pub use self::cells::{Frame, FrameColumn};
pub use self::columns::DEFAULT_LABEL_COLUMN;
pub use self::csv::{write_csv, write_csv_named};
pub use self::inputs::{load_inputs, InputName, Inputs};
pub(crate) use self::kind::FileKind;
pub use self::preparation::{Preparation, Prepared};
pub(crate) use self::skipped::scored_before;
pub use self::skipped::Skipped;
pub use self::standardize::Standardization;
pub(crate) use self::standardize::{FIT_THE_MODEL, FIT_THE_TYPE};
pub use self::table::{ColumnSpec, Fill, Missing, TableSpec};

/// How raw inputs became the columns of X: stored in the model, so that
/// `predict` makes new inputs the same way.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Preprocessing {
    /// The kind of input: a file's ("csv", "images", "hdf5", "npz", "idx"),
    /// "array" (arrays handed to the library in memory) or a built-in data
    /// set's ("planar", "spiral", "xor", "circle", "gauss"); model.json's
    /// checks accept these eleven.
    pub input: String,
    /// Each raw value is multiplied by this (1/255 for 8-bit pixels, 1 otherwise).
    pub scale: f64,
    /// The shape of one example before flattening (e.g. [64, 64, 3], row-major h, w, c).
    pub example_shape: Vec<usize>,
    /// Names of the features (CSV header), when the source has them.
    pub feature_names: Option<Vec<String>>,
    /// Pictures: the side every picture is resized to (n_x = channels·size²).
    #[serde(default)]
    pub image_size: Option<u32>,
    /// Pictures: 1 (grey, luma) or 3 (RGB); absent in models written before
    /// grey pictures were kept grey, which were RGB.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channels: Option<u32>,
    /// Features standardised with the training set's mean and standard deviation.
    #[serde(default)]
    pub standardization: Option<Standardization>,
    /// Tables: the label column, the index column and how each feature
    /// column became features (categories, missing-cell fills).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub table: Option<TableSpec>,
}

impl Preprocessing {
    /// Feature `f` for messages: "column 'name'" when the features have
    /// names (a table's header), else "feature f".
    pub(crate) fn column_name(&self, f: usize) -> String {
        self.feature_names
            .as_ref()
            .and_then(|n| n.get(f))
            .map_or_else(|| format!("feature {f}"), |n| format!("column '{n}'"))
    }

    /// The picture an example is, n_H × n_W × n_C in the order its features
    /// were flattened (h, w, c, row-major: a picture folder's pixels, the
    /// course's `x.reshape(m, -1)`), read from the example shape before
    /// flattening (a grey n_H × n_W picture, MNIST's, has one channel);
    /// `None` for a table's rows or 1-D arrays.
    ///
    /// ```
    /// let pre = backprop::data::Preprocessing { example_shape: vec![64, 64, 3], ..Default::default() };
    /// assert_eq!(pre.picture().map(|p| p.to_string()).as_deref(), Some("64×64×3"));
    /// ```
    pub fn picture(&self) -> Option<crate::layers::Picture> {
        let (height, width, channels) = match self.example_shape[..] {
            [h, w, c] => (h, w, c),
            [h, w] => (h, w, 1),
            _ => return None,
        };
        Some(crate::layers::Picture {
            height,
            width,
            channels,
        })
    }

    /// Pictures: the channels a picture becomes for this model (1 grey, 3
    /// RGB): `channels`, else the last of a 3-axis `example_shape`, else 3
    /// (older models' pictures were always RGB).
    pub fn picture_channels(&self) -> u32 {
        self.channels
            .or_else(|| match self.example_shape[..] {
                [_, _, c] => u32::try_from(c).ok(),
                _ => None,
            })
            .unwrap_or(3)
    }
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
    /// Y, 1 × m: each example's class index (into `classes`).
    pub y: Array2<f64>,
    /// Class names, index = label: the label column's distinct values, sorted
    /// (["non-cat", "cat"] from the course's files; a picture folder's sub-folders).
    pub classes: Vec<String>,
    /// How X was made from the raw inputs.
    pub preprocessing: Preprocessing,
    /// Files skipped by `skip_bad`, each with its reason. Reasons and notes
    /// name settings by their marks: a door writes them with
    /// [`crate::Setting::render`].
    pub skipped: Vec<String>,
    /// What the user should know about how the data was read (columns
    /// ignored, categories not seen in training, rows dropped).
    pub notes: Vec<String>,
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
        Array2::from_shape_fn((k, self.y.ncols()), |(c, j)| {
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

/// The side pictures are resized to when they do not share one (the course's 64).
pub const DEFAULT_IMAGE_SIZE: u32 = 64;
/// The largest side pictures are resized to (`--image-size`).
pub const MAX_IMAGE_SIZE: u32 = 4_096;

/// How to read a data set: which parts of a file, how to treat pictures.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LoadOptions {
    /// HDF5: the dataset holding X (default: the one whose name ends in `_x`).
    pub x_key: Option<String>,
    /// HDF5: the dataset holding Y (default: the one whose name ends in `_y`).
    pub y_key: Option<String>,
    /// CSV: the label column (default `label`).
    pub label_column: Option<String>,
    /// Pictures: the side each is resized to (default `None`: the pictures'
    /// own side when they are all squares of one size, else
    /// [`DEFAULT_IMAGE_SIZE`], the course's).
    pub image_size: Option<u32>,
    /// Pictures: `Some(true)` makes them grey (one channel: luma, as
    /// `--grayscale`), `Some(false)` RGB; `None` keeps a folder whose pictures
    /// are all grey one channel and makes any other RGB.
    #[serde(default)]
    pub grayscale: Option<bool>,
    /// Two classes: the positive one (default: the second in sorted order).
    pub positive: Option<String>,
    /// Pictures: skip files that cannot be decoded instead of stopping.
    pub skip_bad: bool,
    /// CSV: the column of row ids (default: pandas' unnamed index column, if any).
    #[serde(default)]
    pub index_column: Option<String>,
    /// CSV: the feature columns (default: all but the label and index columns).
    #[serde(default)]
    pub features: Vec<String>,
    /// CSV: columns left out of the features.
    #[serde(default)]
    pub drop: Vec<String>,
    /// CSV: what to do with missing cells.
    #[serde(default)]
    pub missing: Missing,
    /// Standardise the features: `None` is the source's default (yes for
    /// tables of numbers: CSV, float npz; no for pictures and the course's HDF5).
    #[serde(default)]
    pub standardize: Option<bool>,
    /// Tables, when standardised: the |skewness| above which a numeric
    /// column is read as sign(x)·ln(1 + |x|) (by default
    /// [`skew::DEFAULT_SKEW_THRESHOLD`]); `None` never transforms (as a run
    /// recorded before the transform existed resumes).
    #[serde(default)]
    pub log_skewed: Option<f64>,
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions {
            x_key: None,
            y_key: None,
            label_column: None,
            image_size: None,
            grayscale: None,
            positive: None,
            skip_bad: false,
            index_column: None,
            features: Vec::new(),
            drop: Vec::new(),
            missing: Missing::Refuse,
            standardize: None,
            log_skewed: Some(skew::DEFAULT_SKEW_THRESHOLD),
        }
    }
}

impl LoadOptions {
    /// Whether the features of `train` are standardised: as asked, or by
    /// default for tables of numbers (CSV, float npz), never by default for
    /// pictures and the course's HDF5 files (÷ 255 keeps the course's numbers).
    pub fn standardizes(&self, train: &Dataset) -> bool {
        let pre = &train.preprocessing;
        self.standardize
            .unwrap_or(pre.input == "csv" || (pre.input == "npz" && pre.scale == 1.0))
    }

    /// The skew threshold of a table's standardisation ([`Dataset::standardize`]'s
    /// `log_above`), once checked: a threshold below 0 (or NaN) is refused.
    pub fn log_above(&self) -> Result<Option<f64>, Error> {
        match self.log_skewed {
            Some(t) if t.is_nan() || t < 0.0 => {
                Err(crate::Problem::range(crate::Setting::LogSkewed, ">= 0", t).into())
            }
            other => Ok(other),
        }
    }
}

/// Loads a labelled data set, choosing the reader by extension (`.h5`/`.hdf5`,
/// `.csv`, `.npz`/`.npy`) or, for a folder, reading it as pictures.
pub fn load(path: &Path, options: &LoadOptions) -> Result<Dataset, Error> {
    load_with_progress(path, options, &|_, _| {})
}

/// Refuses a path that names nothing, in the one message every command gives.
pub(crate) fn check_exists(path: &Path) -> Result<(), Error> {
    if path.exists() {
        return Ok(());
    }
    Err(Error::format(
        path,
        "no such file or folder; check the path (relative paths start from the current folder)",
    ))
}

/// [`load`], reporting (done, total) as pictures are decoded.
pub fn load_with_progress(
    path: &Path,
    options: &LoadOptions,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<Dataset, Error> {
    check_exists(path)?;
    let d = match FileKind::of(path) {
        FileKind::Pictures => images::load(path, options, progress)?,
        FileKind::Idx => idx::load(path)?,
        FileKind::Hdf5 => {
            // hdf5-pure reads a dataset in one call that cannot poll.
            let (file, options) = (path.to_path_buf(), options.clone());
            let phase = format!("reading {}", path.display());
            crate::stop::interruptible(&phase, move || hdf5::load(&file, &options), || {})?
        }
        FileKind::Csv => csv::load(path, options)?,
        FileKind::Numpy => npz::load(path)?,
        FileKind::Picture | FileKind::Unknown => return Err(Error::format(path, UNKNOWN_TYPE)),
    };
    if d.examples() == 0 || d.features() == 0 {
        return Err(Error::format(
            path,
            format!(
                "holds {} examples of {} features; a data set needs at least one of each",
                d.examples(),
                d.features()
            ),
        ));
    }
    Ok(d)
}

/// What backprop reads, for "unknown file type" messages.
const UNKNOWN_TYPE: &str = "unknown file type; backprop reads .h5/.hdf5 (the course's data), .csv \
    (a header row, feature columns and a label column), .npz/.npy (numpy arrays x, y), \
    MNIST's *-images-idx3-ubyte[.gz] and folders of pictures (one sub-folder per class, or labels.csv)";

/// Every file loading `path` reads: `path` itself, for a picture folder
/// each picture and `labels.csv` (see `images::files_read`), and for IDX
/// images the labels file beside them (`idx::labels_file`). `--force` must
/// delete none of them.
pub(crate) fn files_read(path: &Path) -> Vec<PathBuf> {
    #[cfg(feature = "io")]
    let beside = match FileKind::of(path) {
        FileKind::Pictures => images::files_read(path),
        FileKind::Idx => idx::labels_file(path).into_iter().collect(),
        _ => Vec::new(),
    };
    // Without `io` no picture folder or IDX file is read.
    #[cfg(not(feature = "io"))]
    let beside = Vec::new();
    std::iter::once(path.to_path_buf()).chain(beside).collect()
}

/// Loads a training set: [`load_with_progress`], then `--positive` for two
/// classes, classes without examples dropped, and the labels checked to be
/// classes (two or more, not a regression target).
pub fn load_training(
    path: &Path,
    options: &LoadOptions,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<Dataset, Error> {
    let mut d = load_with_progress(path, options, progress)?;
    d.drop_empty_classes();
    let column = d
        .preprocessing
        .table
        .as_ref()
        .map(|t| t.label_column.clone());
    d.check_trainable(column.as_deref())?;
    if let Some(p) = options
        .positive
        .as_deref()
        .filter(|_| d.preprocessing.image_size.is_none())
    {
        d.choose_positive(p, path)?;
    }
    Ok(d)
}

/// Loads a labelled set made like a training set (its preprocessing `pre`
/// and `classes`): tables by column name, labels numbered by class name.
/// `label` names the label column when it differs from training's.
pub fn load_like(
    path: &Path,
    options: &LoadOptions,
    pre: &Preprocessing,
    classes: &[String],
    label: Option<&str>,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<Dataset, Error> {
    let is_csv = FileKind::of(path) == FileKind::Csv;
    let d = match &pre.table {
        Some(spec) if is_csv && path.is_file() => csv::load_like(path, pre, spec, classes, label)?,
        _ => {
            let mut options = options.clone();
            if pre.image_size.is_some() {
                // Pictures become what the training set's became: its side and
                // channels (a colour picture for a grey model is made grey).
                options.image_size = pre.image_size;
                options.grayscale = Some(pre.picture_channels() == 1);
                if classes.len() == 2 {
                    // A picture folder's positive class is the training set's, by name.
                    options.positive = Some(classes[1].clone());
                }
            }
            if label.is_some() {
                options.label_column = label.map(str::to_string);
            }
            let mut d = load_with_progress(path, &options, progress)?;
            d.use_classes(classes)?;
            d
        }
    };
    let width = pre.example_shape.iter().product::<usize>();
    if d.features() != width {
        return Err(Error::format(
            path,
            format!(
                "has {} features per example but the training data has {width}; \
                 use data made the same way as the training data",
                d.features()
            ),
        ));
    }
    Ok(d)
}

/// Turns m examples given as rows of `values` (m × n_x, row-major) into X (n_x × m).
/// The transpose is a view: each example stays contiguous (numpy's `reshape(m, -1).T`).
fn examples_to_columns(m: usize, n_x: usize, values: Vec<f64>) -> Array2<f64> {
    Array2::from_shape_vec((m, n_x), values)
        .expect("length checked by the caller")
        .reversed_axes()
}

/// The most classes a label column may number.
pub const MAX_CLASSES: usize = 10_000;

/// Array labels (npz, HDF5, IDX) must be whole numbers 0 or more; names the
/// first offender. Returns the class names "0" … "K−1", K = largest label + 1
/// (at least 2); [`load_training`] then drops the classes without examples.
#[cfg(feature = "io")]
fn class_labels(path: &Path, y: ndarray::ArrayView2<'_, f64>) -> Result<Vec<String>, Error> {
    let bad = |v: &f64| v.fract() != 0.0 || *v < 0.0 || *v >= MAX_CLASSES as f64;
    if let Some((i, v)) = y.iter().enumerate().find(|(_, v)| bad(v)) {
        return Err(Error::format(
            path,
            format!(
                "label of example {i} is {v}; array labels must be whole numbers 0, 1, 2, … \
                 (a table's label column may hold any numbers or names)"
            ),
        ));
    }
    let k = y.iter().fold(0.0f64, |a, &v| a.max(v)) as usize + 1;
    Ok((0..k.max(2)).map(|c| c.to_string()).collect())
}
