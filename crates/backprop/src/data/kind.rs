//! What a data path holds, told from the path alone: the one detection every
//! loader (`load`, `load_like`, `load_inputs`) and the settings' checks of
//! which options apply use.

use std::path::Path;

use super::{idx, images};

/// The kind of data a path names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FileKind {
    /// A folder: pictures (one sub-folder per class, or `labels.csv`).
    Pictures,
    /// One picture file (jpg, png, bmp, gif, webp): an input to predict.
    Picture,
    /// MNIST's `*-images-idx3-ubyte[.gz]` (with the `io` feature).
    Idx,
    /// `.h5` / `.hdf5`.
    Hdf5,
    /// `.csv`.
    Csv,
    /// `.npz` / `.npy`.
    Numpy,
    /// Anything else.
    Unknown,
}

impl FileKind {
    /// The kind of `path`: a folder holds pictures; a file is known by its
    /// name (its extension, letters in any case; IDX by its name's ending).
    pub(crate) fn of(path: &Path) -> Self {
        if path.is_dir() {
            return FileKind::Pictures;
        }
        if idx::is_idx_images(path) {
            return FileKind::Idx;
        }
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        match ext.as_deref() {
            Some("h5" | "hdf5") => FileKind::Hdf5,
            Some("csv") => FileKind::Csv,
            Some("npz" | "npy") => FileKind::Numpy,
            _ if images::is_image(path) => FileKind::Picture,
            _ => FileKind::Unknown,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_tell_the_kind() {
        let kind = |p: &str| FileKind::of(Path::new(p));
        assert_eq!(kind("train.h5"), FileKind::Hdf5);
        assert_eq!(kind("TRAIN.HDF5"), FileKind::Hdf5);
        assert_eq!(kind("iris.CSV"), FileKind::Csv);
        assert_eq!(kind("x.npz"), FileKind::Numpy);
        assert_eq!(kind("x.npy"), FileKind::Numpy);
        assert_eq!(kind("cat.JPG"), FileKind::Picture);
        assert_eq!(kind("notes.txt"), FileKind::Unknown);
        assert_eq!(kind("no-extension"), FileKind::Unknown);
        assert_eq!(kind(env!("CARGO_MANIFEST_DIR")), FileKind::Pictures);
        #[cfg(feature = "io")]
        assert_eq!(kind("train-images-idx3-ubyte.gz"), FileKind::Idx);
    }
}
