//! The readers of a build without the `io` feature (no HDF5, picture, npz
//! or IDX decoding, for a smaller library): each refuses its file, naming
//! the feature that reads it. CSV is always read.

use std::path::{Path, PathBuf};

use super::{Dataset, LoadOptions};
use crate::error::Error;

fn refuse<T>(path: &Path, what: &str) -> Result<T, Error> {
    Err(Error::format(
        path,
        format!("is {what}, which this build of backprop does not read: build it with the `io` feature (on by default)"),
    ))
}

/// HDF5 files.
pub(super) mod hdf5 {
    use super::*;

    pub(in crate::data) fn load(path: &Path, _: &LoadOptions) -> Result<Dataset, Error> {
        refuse(path, "an HDF5 file")
    }
}

/// Folders of pictures.
pub mod images {
    use super::*;

    /// The picture extensions the `io` build reads.
    pub const IMAGE_EXTENSIONS: [&str; 6] = ["jpg", "jpeg", "png", "bmp", "gif", "webp"];

    /// Whether `path` has a picture's extension.
    pub fn is_image(path: &Path) -> bool {
        path.extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| IMAGE_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
    }

    /// Refuses: pictures need the `io` feature.
    pub fn images_in(dir: &Path) -> Result<Vec<PathBuf>, Error> {
        refuse(dir, "a folder of pictures")
    }

    /// Refuses: pictures need the `io` feature.
    pub fn decode_rgb(path: &Path, _size: u32) -> Result<Vec<u8>, Error> {
        refuse(path, "a picture")
    }

    /// Refuses: pictures need the `io` feature.
    pub fn load_pictures(files: &[PathBuf], _size: u32, _channels: u32) -> Result<Vec<u8>, Error> {
        match files.first() {
            Some(f) => refuse(f, "a picture"),
            None => Ok(Vec::new()),
        }
    }

    pub(in crate::data) fn load(
        dir: &Path,
        _: &LoadOptions,
        _: &(dyn Fn(usize, usize) + Sync),
    ) -> Result<Dataset, Error> {
        refuse(dir, "a folder of pictures")
    }
}

/// numpy's .npz / .npy.
pub(super) mod npz {
    use super::*;

    /// x as (values row-major over examples, shape of one example, scale applied).
    pub(in crate::data) struct RawX {
        pub values: Vec<f64>,
        pub example_shape: Vec<usize>,
    }

    pub(in crate::data) fn load_x(path: &Path) -> Result<RawX, Error> {
        refuse(path, "a numpy file")
    }

    pub(in crate::data) fn load(path: &Path) -> Result<Dataset, Error> {
        refuse(path, "a numpy file")
    }
}

/// MNIST's IDX files.
pub mod idx {
    use super::*;

    /// Never: IDX files need the `io` feature (they are then refused by extension).
    pub fn is_idx_images(_: &Path) -> bool {
        false
    }

    pub(in crate::data) fn load(path: &Path) -> Result<Dataset, Error> {
        refuse(path, "an IDX file")
    }
}
