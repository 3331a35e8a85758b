//! numpy users' own arrays: `.npz` with `x` (m, …) and `y` (m,), or an
//! `.npy` of x with its labels in the sibling file whose name ends in y
//! (`train_x.npy` + `train_y.npy`, `x.npy` + `y.npy`).
//!
//! uint8 x is divided by 255 (pictures); float and integer x are taken as they are.

use std::io::{Read, Seek};
use std::path::{Path, PathBuf};

use ndarray::{Array2, ArrayD, IxDyn};

use super::npy::{self, NpyArray};
use super::{class_labels, examples_to_columns, Dataset, Preprocessing};
use crate::error::Error;

/// x as (values row-major over examples, shape of one example, scale applied).
pub(super) struct RawX {
    pub values: Vec<f64>,
    pub m: usize,
    pub example_shape: Vec<usize>,
    pub scale: f64,
}

/// An [`NpyArray`] as (array, whether it was uint8).
fn array(a: NpyArray) -> (ArrayD<f64>, bool) {
    let is_u8 = a.is_u8;
    let shape = IxDyn(&a.shape);
    (
        ArrayD::from_shape_vec(shape, a.values).expect("the reader checked the length"),
        is_u8,
    )
}

fn from_npy_file(path: &Path) -> Result<(ArrayD<f64>, bool), Error> {
    let f = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let len = f.metadata().map(|m| m.len()).ok();
    let what = path.display().to_string();
    npy::read(&what, std::io::BufReader::new(f), len).map(array)
}

/// Reads the array `name` of an `.npz` (a zip of `.npy` files) from any byte stream.
pub(crate) fn from_npz<R: Read + Seek>(
    path: &Path,
    npz: &mut zip::ZipArchive<R>,
    name: &str,
) -> Result<(ArrayD<f64>, bool), Error> {
    let names: Vec<String> = npz
        .file_names()
        .map(|n| n.trim_end_matches(".npy").to_string())
        .collect();
    if !names.iter().any(|n| n == name) {
        return Err(Error::format(
            path,
            format!(
                "has no array '{name}' (it has: {}); save it with np.savez(path, x=..., y=...)",
                names.join(", ")
            ),
        ));
    }
    let member_name = if npz.index_for_name(&format!("{name}.npy")).is_some() {
        format!("{name}.npy")
    } else {
        name.to_string()
    };
    let member = npz
        .by_name(&member_name)
        .map_err(|e| Error::format(path, format!("array '{name}' cannot be read ({e})")))?;
    let declared = member.size();
    let what = format!("{}: array '{name}'", path.display());
    npy::read(&what, member, Some(declared)).map(array)
}

fn raw_x(path: &Path, (a, is_u8): (ArrayD<f64>, bool)) -> Result<RawX, Error> {
    if a.ndim() == 0 {
        return Err(Error::format(
            path,
            "x is a scalar; expected one example per row, shape (m, …)",
        ));
    }
    let shape = a.shape().to_vec();
    if shape.contains(&0) {
        return Err(Error::format(
            path,
            format!("x has shape {shape:?}; a data set needs at least one example and one feature"),
        ));
    }
    let scale = if is_u8 { 1.0 / 255.0 } else { 1.0 };
    // Standard layout (the reader made it row-major), so the vector is in order.
    let (mut values, _) = a.into_raw_vec_and_offset();
    if is_u8 {
        values.iter_mut().for_each(|v| *v /= 255.0);
    }
    Ok(RawX {
        values,
        m: shape[0],
        example_shape: shape[1..].to_vec(),
        scale,
    })
}

/// Reads x (for prediction) from an `.npz` (array `x`) or an `.npy`.
pub(super) fn load_x(path: &Path) -> Result<RawX, Error> {
    if is_npz(path) {
        let mut npz = open_npz(path)?;
        let x = from_npz(path, &mut npz, "x")?;
        raw_x(path, x)
    } else {
        raw_x(path, from_npy_file(path)?)
    }
}

fn is_npz(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("npz"))
}

fn open_npz(path: &Path) -> Result<zip::ZipArchive<std::io::BufReader<std::fs::File>>, Error> {
    let f = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    zip::ZipArchive::new(std::io::BufReader::new(f))
        .map_err(|e| Error::format(path, format!("not a readable .npz ({e})")))
}

/// The labels file beside an x `.npy`: the last 'x' of the stem becomes 'y'.
fn sibling_labels(path: &Path) -> Option<PathBuf> {
    let stem = path.file_stem()?.to_str()?;
    let i = stem.rfind(['x', 'X'])?;
    let y = if &stem[i..=i] == "x" { "y" } else { "Y" };
    Some(path.with_file_name(format!("{}{y}{}.npy", &stem[..i], &stem[i + 1..])))
}

/// Refuses labels of `shape` unless they are one per example of `m`: a
/// (10, 3) y is not 30 labels.
fn one_label_each(path: &Path, shape: &[usize], m: usize) -> Result<(), Error> {
    if shape.iter().filter(|&&d| d > 1).count() > 1 {
        return Err(Error::format(
            path,
            format!(
                "y has shape {shape:?}; it needs one label per example (shape (m,), (m, 1) or \
                 (1, m)): for one-hot rows, store each row's class number (y.argmax(axis=1))"
            ),
        ));
    }
    let labels: usize = shape.iter().product();
    if labels != m {
        return Err(Error::format(
            path,
            format!("y has {labels} labels but x has {m} examples"),
        ));
    }
    Ok(())
}

/// Loads a labelled set from `.npz` (x, y) or `.npy` (x, with y beside it).
pub(super) fn load(path: &Path) -> Result<Dataset, Error> {
    let (x, y) = if is_npz(path) {
        let mut npz = open_npz(path)?;
        (
            from_npz(path, &mut npz, "x")?,
            from_npz(path, &mut npz, "y")?.0,
        )
    } else {
        let y_path = sibling_labels(path).filter(|p| p.is_file()).ok_or_else(|| {
            Error::format(
                path,
                "has no labels beside it; name x and y files like train_x.npy and train_y.npy, or use an .npz with x and y",
            )
        })?;
        (from_npy_file(path)?, from_npy_file(&y_path)?.0)
    };
    let raw = raw_x(path, x)?;
    one_label_each(path, y.shape(), raw.m)?;
    let y =
        Array2::from_shape_vec((1, raw.m), y.iter().copied().collect()).expect("length checked");
    let classes = class_labels(path, y.view())?;
    // Saturating: 0 examples of a huge shape hold 0 bytes but overflow here.
    let n_x = raw
        .example_shape
        .iter()
        .fold(1usize, |a, &d| a.saturating_mul(d));
    if raw.m == 0 || n_x == 0 {
        return Err(Error::format(
            path,
            format!(
                "x holds {} examples of {n_x} features; a data set needs at least one of each",
                raw.m
            ),
        ));
    }
    Ok(Dataset {
        source: path.to_path_buf(),
        x: examples_to_columns(raw.m, n_x, raw.values),
        y,
        classes,
        preprocessing: Preprocessing {
            input: "npz".into(),
            scale: raw.scale,
            example_shape: raw.example_shape,
            ..Preprocessing::default()
        },
        skipped: Vec::new(),
        notes: Vec::new(),
    })
}
