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

/// Reads an IDX file of uint8 with `dims` dimensions (un-gzipping a `.gz`),
/// checking its header's sizes against the data and the memory budget before
/// allocating. Returns the sizes and the data bytes.
fn read_idx(path: &Path, dims: u8) -> Result<(Vec<usize>, Vec<u8>), Error> {
    let f = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let len = f.metadata().map(|m| m.len()).ok();
    let gz = path.extension().is_some_and(|e| e == "gz");
    let what = path.display().to_string();
    if gz {
        parse(
            &what,
            flate2::read::GzDecoder::new(std::io::BufReader::new(f)),
            dims,
            None,
        )
    } else {
        parse(&what, std::io::BufReader::new(f), dims, len)
    }
}

/// Parses an IDX stream: magic (0, 0, type 0x08 = uint8, dims), the sizes
/// (big-endian u32), then exactly their product of bytes. `len` is the
/// stream's length when known. `what` names the file in errors.
pub(crate) fn parse(
    what: &str,
    mut r: impl Read,
    dims: u8,
    len: Option<u64>,
) -> Result<(Vec<usize>, Vec<u8>), Error> {
    let bad = |m: String| Error::Config(format!("{what}: {m}"));
    let io = |e: std::io::Error| {
        if e.kind() == std::io::ErrorKind::UnexpectedEof {
            bad("is truncated".into())
        } else {
            bad(format!("cannot be read ({e}); is it a damaged .gz?"))
        }
    };
    let mut magic = [0u8; 4];
    r.read_exact(&mut magic).map_err(io)?;
    if magic != [0, 0, 0x08, dims] {
        return Err(bad(format!(
            "is not an IDX file of uint8 with {dims} dimension(s)"
        )));
    }
    let mut sizes = Vec::with_capacity(dims as usize);
    for _ in 0..dims {
        let mut b = [0u8; 4];
        r.read_exact(&mut b).map_err(io)?;
        sizes.push(u32::from_be_bytes(b) as usize);
    }
    let dims64: Vec<u64> = sizes.iter().map(|&s| s as u64).collect();
    let count = super::budget::checked_product(&dims64).unwrap_or(u128::MAX);
    let header = 4 + 4 * u64::from(dims);
    if let Some(len) = len {
        let held = len.saturating_sub(header);
        if u128::from(held) != count {
            return Err(bad(format!(
                "holds {held} data bytes, its header promises {count}"
            )));
        }
    }
    // The bytes and their f64 copy (X) live together for a moment.
    let count = super::budget::check_array(what, &dims64, 9)?;
    let mut data = vec![0u8; count];
    for chunk in data.chunks_mut(1 << 24) {
        crate::stop::check(&format!("reading {what}"))?;
        r.read_exact(chunk).map_err(|e| {
            if e.kind() == std::io::ErrorKind::UnexpectedEof {
                bad(format!(
                    "holds fewer data bytes than its header promises ({count})"
                ))
            } else {
                io(e)
            }
        })?;
    }
    if r.read(&mut [0u8; 1]).map_err(io)? != 0 {
        return Err(bad(format!(
            "holds more data bytes than its header promises ({count})"
        )));
    }
    Ok((sizes, data))
}

/// The labels file beside an images file: `images-idx3` → `labels-idx1`.
fn labels_path(images: &Path) -> Option<PathBuf> {
    let name = images.file_name()?.to_str()?;
    let labels = name
        .replace("images-idx3", "labels-idx1")
        .replace("images.idx3", "labels.idx1");
    (labels != name).then(|| images.with_file_name(labels))
}

/// The labels file [`load`] reads beside `images`: the first of
/// [`labels_path`], it with `.gz`, and it without `.gz` that is a file.
/// `--force` must not delete it (see `data::files_read`).
pub(super) fn labels_file(images: &Path) -> Option<PathBuf> {
    let candidates = labels_path(images).into_iter().flat_map(|p| {
        let gz = PathBuf::from(format!("{}.gz", p.display()));
        let plain = PathBuf::from(p.to_string_lossy().trim_end_matches(".gz"));
        [p, gz, plain]
    });
    candidates.into_iter().find(|p| p.is_file())
}

/// Loads IDX images and their labels (classes "0" … "K−1", K = largest label + 1).
pub(super) fn load(path: &Path) -> Result<Dataset, Error> {
    let (sizes, pixels) = read_idx(path, 3)?;
    // 0 images of a huge side hold 0 bytes, but their m × n_x shape overflows
    // (found by the fuzz target `idx`).
    if sizes.contains(&0) {
        return Err(Error::format(
            path,
            format!(
                "holds {} images of {} × {} pixels; an IDX file needs at least one image \
                 of at least one pixel",
                sizes[0], sizes[1], sizes[2]
            ),
        ));
    }
    let lp = labels_file(path).ok_or_else(|| {
        Error::format(
            path,
            "has no labels file beside it (…-labels-idx1-ubyte, optionally .gz)",
        )
    })?;
    let (lsizes, labels) = read_idx(&lp, 1)?;
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
