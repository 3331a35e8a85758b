//! The course's HDF5 files: `*_x` uint8 images (m, h, w, c) and `*_y` labels (m,).
//!
//! Read with the pure-Rust `hdf5-pure` (no libhdf5). Images are flattened
//! row-major over (h, w, c), one example per column, and divided by 255,
//! exactly as the course's `x.reshape(m, -1).T / 255`.

use std::path::Path;

use hdf5_pure::{DType, File};
use ndarray::Array2;

use super::{class_labels, examples_to_columns, Dataset, LoadOptions, Preprocessing};
use crate::error::Error;
use crate::setting::Setting;

pub(super) fn load(path: &Path, options: &LoadOptions) -> Result<Dataset, Error> {
    let bad = |message: String| Error::format(path, message);
    let file = File::open(path).map_err(|e| bad(format!("not a readable HDF5 file ({e})")))?;
    let names = file
        .root()
        .datasets()
        .map_err(|e| bad(format!("cannot list the datasets ({e})")))?;
    let x_key = pick(&names, options.x_key.as_deref(), "_x", Setting::XKey).map_err(&bad)?;
    let y_key = pick(&names, options.y_key.as_deref(), "_y", Setting::YKey).map_err(&bad)?;
    let x = read_features(&file, path, &x_key)?;
    let y = read_labels(&file, path, &y_key, &x_key, x.m)?;
    let numbered = class_labels(path, y.view())?;
    let classes = class_names(&file, &names, path)
        .filter(|c| c.len() == numbered.len())
        .unwrap_or(numbered);
    Ok(Dataset {
        source: path.to_path_buf(),
        x: examples_to_columns(x.m, x.n_x, x.values),
        y,
        classes,
        preprocessing: Preprocessing {
            input: "hdf5".into(),
            scale: x.scale,
            example_shape: x.shape[1..].to_vec(),
            feature_names: None,
            ..Preprocessing::default()
        },
        skipped: Vec::new(),
        notes: Vec::new(),
    })
}

/// The dataset `key` and its shape, checked against the memory budget and
/// for chunks a writer could have made.
fn dataset(file: &File, path: &Path, key: &str) -> Result<(hdf5_pure::Dataset, Vec<u64>), Error> {
    let bad = |message: String| Error::format(path, message);
    let ds = file.dataset(key).map_err(|e| bad(format!("{key}: {e}")))?;
    let dims: Vec<u64> = ds
        .shape()
        .map_err(|e| bad(format!("{key}: {e}")))?
        .into_iter()
        .collect();
    // hdf5-pure reads the values as f64 (or u8, then f64): 16 bytes each at the peak.
    let what = format!("{}: dataset '{key}' of shape {dims:?}", path.display());
    super::budget::check_array(&what, &dims, 16)?;
    check_chunks(path, key, &ds, &dims)?;
    Ok((ds, dims))
}

/// The examples of `*_x`, one per row of the file, flattened.
struct Features {
    values: Vec<f64>,
    /// The dataset's shape: (m, the shape of one example).
    shape: Vec<usize>,
    m: usize,
    n_x: usize,
    /// 1/255 for uint8 pictures, else 1.
    scale: f64,
}

/// Reads the features `x_key`: uint8 values divided by 255, other numbers as
/// they are, every value finite.
/// The values of the dataset `x_key` as f64, and the scale applied: u8
/// pictures ÷ 255 (the course's), every other number type as it is.
fn read_numbers(
    xs: &hdf5_pure::Dataset,
    path: &Path,
    x_key: &str,
) -> Result<(Vec<f64>, f64), Error> {
    let bad = |message: String| Error::format(path, message);
    match xs.dtype().map_err(|e| bad(format!("{x_key}: {e}")))? {
        DType::U8 => {
            let raw = xs.read_u8().map_err(|e| bad(format!("{x_key}: {e}")))?;
            Ok((
                raw.into_iter().map(|v| v as f64 / 255.0).collect(),
                1.0 / 255.0,
            ))
        }
        DType::F32
        | DType::F64
        | DType::I8
        | DType::I16
        | DType::I32
        | DType::I64
        | DType::U16
        | DType::U32
        | DType::U64 => Ok((
            xs.read_f64().map_err(|e| bad(format!("{x_key}: {e}")))?,
            1.0,
        )),
        other => Err(bad(format!("{x_key} holds {other}; expected numbers"))),
    }
}

fn read_features(file: &File, path: &Path, x_key: &str) -> Result<Features, Error> {
    let bad = |message: String| Error::format(path, message);
    let (xs, dims) = dataset(file, path, x_key)?;
    crate::stop::check(&format!("reading {}", path.display()))?;
    let shape: Vec<usize> = dims.iter().map(|&d| d as usize).collect();
    let m = *shape
        .first()
        .ok_or_else(|| bad(format!("{x_key} is a scalar; expected one example per row")))?;
    // Saturating: 0 examples of a huge shape pass the budget (0 bytes) and
    // are refused just below (found by the fuzz target `hdf5`).
    let n_x: usize = shape[1..].iter().fold(1, |a, &d| a.saturating_mul(d));
    if m == 0 || n_x == 0 {
        return Err(bad(format!(
            "{x_key} has shape {shape:?}: {m} examples of {n_x} features; a data set needs at least one of each"
        )));
    }
    let (values, scale) = read_numbers(&xs, path, x_key)?;
    if let Some(i) = values.iter().position(|v| !v.is_finite()) {
        return Err(bad(format!(
            "{x_key}: value at index {} is {}; backprop needs finite numbers: remove or impute it",
            super::npy::position(&shape, i),
            values[i]
        )));
    }
    if values.len() != m * n_x {
        return Err(bad(format!(
            "{x_key}: read {} values, expected {}",
            values.len(),
            m * n_x
        )));
    }
    Ok(Features {
        values,
        shape,
        m,
        n_x,
        scale,
    })
}

/// Reads the labels `y_key`, one for each of the `m` examples of `x_key`, as a 1 × m row.
fn read_labels(
    file: &File,
    path: &Path,
    y_key: &str,
    x_key: &str,
    m: usize,
) -> Result<Array2<f64>, Error> {
    let bad = |message: String| Error::format(path, message);
    let (ys, _) = dataset(file, path, y_key)?;
    let labels = ys.read_f64().map_err(|e| bad(format!("{y_key}: {e}")))?;
    if labels.len() != m {
        return Err(bad(format!(
            "{y_key} has {} labels but {x_key} has {m} examples",
            labels.len()
        )));
    }
    Ok(Array2::from_shape_vec((1, m), labels).expect("length checked"))
}

/// The class names of `list_classes`, when the file has a readable one.
fn class_names(file: &File, names: &[String], path: &Path) -> Option<Vec<String>> {
    names
        .iter()
        .find(|n| n.as_str() == "list_classes")
        .and_then(|n| file.dataset(n).ok())
        .filter(|d| {
            let dims: Vec<u64> = d
                .shape()
                .map(|s| s.into_iter().collect())
                .unwrap_or_default();
            super::budget::check_array("list_classes", &dims, 64).is_ok()
                && check_chunks(path, "list_classes", d, &dims).is_ok()
        })
        .and_then(|d| d.read_string().ok())
}

/// Refuses a chunked dataset whose chunks cannot be what a writer made: the
/// reader decodes each chunk whole and walks its declared shape, so a few
/// bytes declaring huge chunks (or many entries) would take gigabytes or
/// minutes (the fuzz target `hdf5` found a 7.7 KB file that took 18 s). One
/// chunk is checked against the memory budget, and all chunks' cells against
/// the dataset's: chunks tile a dataset, overhanging it only at its edges.
fn check_chunks(
    path: &Path,
    key: &str,
    ds: &hdf5_pure::Dataset,
    dims: &[u64],
) -> Result<(), Error> {
    let bad = |m: String| Error::format(path, m);
    let Some(chunk) = ds.chunk_shape().map_err(|e| bad(format!("{key}: {e}")))? else {
        if ds.is_chunked() {
            return Err(bad(format!(
                "dataset '{key}' is chunked but its chunk shape does not match its {} dimensions; the file is damaged: save it again (e.g. with h5py)",
                dims.len()
            )));
        }
        return Ok(());
    };
    let what = format!("{}: a chunk {chunk:?} of dataset '{key}'", path.display());
    super::budget::check_array(&what, &chunk, 16)?;
    let chunks = ds.chunks().map_err(|e| bad(format!("{key}: {e}")))?;
    let file_len = std::fs::metadata(path).map(|m| m.len()).unwrap_or(u64::MAX);
    if let Some(i) = chunks
        .iter()
        .position(|c| !chunk_in_place(c, &chunk, dims, file_len))
    {
        let c = &chunks[i];
        return Err(bad(format!(
            "dataset '{key}' of shape {dims:?}: chunk {i} claims offset {:?} and {} bytes at byte {}, outside the dataset or the file; the file is damaged: save it again (e.g. with h5py)",
            c.offset, c.storage_size, c.address
        )));
    }
    let count = chunks.len() as u128;
    let cells = super::budget::checked_product(&chunk).and_then(|c| c.checked_mul(count));
    let values = super::budget::checked_product(dims).unwrap_or(u128::MAX);
    // Edges: a chunk overhangs each side by less than its own side; small
    // datasets may sit in one larger (extendable) chunk.
    let allowed = values.saturating_mul(1 << dims.len().min(16)).max(1 << 24);
    match cells {
        Some(c) if c <= allowed => Ok(()),
        _ => Err(bad(format!(
            "dataset '{key}' of shape {dims:?} is stored in {count} chunks of {chunk:?}, more cells than its values allow; the file is damaged: save it again (e.g. with h5py)"
        ))),
    }
}

/// Whether a chunk is one a writer could have made: its offset a multiple of
/// the chunk's shape inside the dataset in every dimension, and its bytes
/// inside the file. hdf5-pure adds offsets to chunk coordinates unchecked,
/// so a chunk claiming an offset near 2⁶⁴ overflowed there (fuzz target
/// `hdf5`, corpus case `h5-chunk-offset-overflow`).
fn chunk_in_place(c: &hdf5_pure::Chunk, shape: &[u64], dims: &[u64], file_len: u64) -> bool {
    let inside = c.offset.len() == dims.len()
        && c.offset
            .iter()
            .zip(shape)
            .zip(dims)
            .all(|((&o, &s), &d)| s > 0 && o % s == 0 && o < d);
    let stored = c
        .address
        .checked_add(c.storage_size)
        .is_some_and(|end| end <= file_len);
    inside && stored
}

/// The dataset named by `key`, or else the only one whose name ends in `suffix`.
fn pick(
    names: &[String],
    key: Option<&str>,
    suffix: &str,
    flag: Setting,
) -> Result<String, String> {
    let listed = names.join(", ");
    if let Some(key) = key {
        return names
            .iter()
            .find(|n| n.as_str() == key)
            .cloned()
            .ok_or_else(|| format!("has no dataset '{key}' (it has: {listed}); fix {flag}"));
    }
    let found: Vec<&String> = names.iter().filter(|n| n.ends_with(suffix)).collect();
    match found.as_slice() {
        [one] => Ok((*one).clone()),
        [] => Err(format!(
            "has no dataset ending in '{suffix}' (it has: {listed}); name one with {flag}"
        )),
        several => Err(format!(
            "has several datasets ending in '{suffix}' ({}); choose one with {flag}",
            several
                .iter()
                .map(|n| n.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}
