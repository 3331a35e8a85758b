//! The MNIST IDX format: `*-images-idx3-ubyte` (m × rows × cols, uint8) with
//! `*-labels-idx1-ubyte` (m, uint8) beside it, either file optionally `.gz`.
//!
//! Pixels are flattened row-major, one image per column, and divided by 255.

use std::io::Read;
use std::path::{Path, PathBuf};

use ndarray::Array2;

use super::{examples_to_columns, Dataset, Preprocessing};
use crate::error::Error;

/// Whether `path` names an IDX images file (`…idx3-ubyte`, optionally `.gz`).
pub fn is_idx_images(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    name.trim_end_matches(".gz").ends_with("idx3-ubyte")
}

/// Reads a whole file, un-gzipping it when its name ends in `.gz`.
fn read_maybe_gz(path: &Path) -> Result<Vec<u8>, Error> {
    let raw = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    if path.extension().is_some_and(|e| e == "gz") {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(&raw[..])
            .read_to_end(&mut out)
            .map_err(|e| Error::format(path, format!("not a readable .gz file ({e})")))?;
        Ok(out)
    } else {
        Ok(raw)
    }
}

/// Parses an IDX header: magic (0, 0, type 0x08 = uint8, dims) and the sizes.
/// Returns the sizes and the data bytes, checking the length.
fn parse(path: &Path, bytes: &[u8], dims: u8) -> Result<(Vec<usize>, Vec<u8>), Error> {
    let bad = |m: String| Error::format(path, m);
    if bytes.len() < 4 || bytes[0] != 0 || bytes[1] != 0 || bytes[2] != 0x08 || bytes[3] != dims {
        return Err(bad(format!(
            "is not an IDX file of uint8 with {dims} dimension(s)"
        )));
    }
    let header = 4 + 4 * dims as usize;
    if bytes.len() < header {
        return Err(bad("is truncated in its header".into()));
    }
    let sizes: Vec<usize> = (0..dims as usize)
        .map(|i| {
            u32::from_be_bytes(bytes[4 + 4 * i..8 + 4 * i].try_into().expect("4 bytes")) as usize
        })
        .collect();
    let count = sizes
        .iter()
        .try_fold(1usize, |a, &s| a.checked_mul(s))
        .ok_or_else(|| bad("sizes overflow".into()))?;
    if bytes.len() - header != count {
        return Err(bad(format!(
            "holds {} data bytes, its header promises {count}",
            bytes.len() - header
        )));
    }
    Ok((sizes, bytes[header..].to_vec()))
}

/// The labels file beside an images file: `images-idx3` → `labels-idx1`.
fn labels_path(images: &Path) -> Option<PathBuf> {
    let name = images.file_name()?.to_str()?;
    let labels = name
        .replace("images-idx3", "labels-idx1")
        .replace("images.idx3", "labels.idx1");
    (labels != name).then(|| images.with_file_name(labels))
}

/// Loads IDX images and their labels (classes "0" … "K−1", K = largest label + 1).
pub(super) fn load(path: &Path) -> Result<Dataset, Error> {
    let (sizes, pixels) = parse(path, &read_maybe_gz(path)?, 3)?;
    let candidates = labels_path(path).into_iter().flat_map(|p| {
        let gz = PathBuf::from(format!("{}.gz", p.display()));
        let plain = PathBuf::from(p.to_string_lossy().trim_end_matches(".gz"));
        [p, gz, plain]
    });
    let lp = candidates
        .into_iter()
        .find(|p| p.is_file())
        .ok_or_else(|| {
            Error::format(
                path,
                "has no labels file beside it (…-labels-idx1-ubyte, optionally .gz)",
            )
        })?;
    let (lsizes, labels) = parse(&lp, &read_maybe_gz(&lp)?, 1)?;
    let m = sizes[0];
    if lsizes[0] != m {
        return Err(Error::format(
            &lp,
            format!("has {} labels for {m} images", lsizes[0]),
        ));
    }
    let n_x = sizes[1] * sizes[2];
    let k = labels
        .iter()
        .copied()
        .max()
        .map_or(0, |l| l as usize + 1)
        .max(2);
    let values = pixels.into_iter().map(|v| v as f64 / 255.0).collect();
    Ok(Dataset {
        source: path.to_path_buf(),
        x: examples_to_columns(m, n_x, values),
        y: Array2::from_shape_vec((1, m), labels.into_iter().map(f64::from).collect())
            .expect("m labels"),
        classes: (0..k).map(|c| c.to_string()).collect(),
        preprocessing: Preprocessing {
            input: "idx".into(),
            scale: 1.0 / 255.0,
            example_shape: vec![sizes[1], sizes[2]],
            ..Preprocessing::default()
        },
        skipped: Vec::new(),
        notes: Vec::new(),
    })
}
