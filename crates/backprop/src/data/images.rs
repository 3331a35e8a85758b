//! Folders of pictures: one sub-folder per class (torchvision's ImageFolder
//! layout) or a flat folder with `labels.csv` (`file,label`) beside the images.
//!
//! Each picture is decoded (JPEG, PNG, BMP, GIF, WebP), made RGB, resized to
//! size × size with a Lanczos filter, flattened row-major over (h, w, c) — one
//! column per picture, as the course's `reshape(m, -1).T` — and divided by 255.
//! Decoding runs on all cores; limits refuse decompression bombs before any
//! pixel memory is allocated.

use std::path::{Path, PathBuf};

use image::imageops::FilterType;
use image::{ImageReader, Limits};
use ndarray::Array2;
use rayon::prelude::*;

use super::{examples_to_columns, Dataset, LoadOptions, Preprocessing};
use crate::error::Error;

/// The file extensions read as pictures.
pub const IMAGE_EXTENSIONS: [&str; 6] = ["jpg", "jpeg", "png", "bmp", "gif", "webp"];
/// The largest width or height accepted, in pixels.
pub const MAX_SIDE: u32 = 16_384;
/// The most memory one decoded picture may take.
pub const MAX_DECODE_BYTES: u64 = 512 << 20;
/// The labels file of the flat layout.
pub const LABELS_FILE: &str = "labels.csv";

/// Whether `path` has a picture's extension.
pub fn is_image(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| IMAGE_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
}

/// The picture files directly inside `dir`, sorted by name (hidden files skipped).
pub fn images_in(dir: &Path) -> Result<Vec<PathBuf>, Error> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| Error::io(dir, e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && is_image(p) && !is_hidden(p))
        .collect();
    files.sort();
    Ok(files)
}

fn is_hidden(p: &Path) -> bool {
    p.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.starts_with('.'))
}

/// Loads a labelled picture folder (either layout) as a binary data set.
pub(super) fn load(
    dir: &Path,
    options: &LoadOptions,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<Dataset, Error> {
    let Listing {
        files,
        names,
        classes,
    } = if dir.join(LABELS_FILE).is_file() {
        labelled_by_csv(dir)?
    } else {
        labelled_by_folder(dir)?
    };
    if classes.len() > 2 && options.positive.is_some() {
        return Err(Error::format(
            dir,
            format!(
                "has {} classes; --positive chooses between two",
                classes.len()
            ),
        ));
    }
    let positive = match &options.positive {
        Some(p) => classes.iter().position(|c| c == p).ok_or_else(|| {
            Error::format(
                dir,
                format!(
                    "has no class '{p}' (classes: {}); fix --positive",
                    classes.join(", ")
                ),
            )
        })?,
        None => 1,
    };
    let classes = if classes.len() == 2 {
        vec![classes[1 - positive].clone(), classes[positive].clone()]
    } else {
        classes
    };
    let size = options.image_size;
    let Decoded {
        pixels,
        kept,
        skipped,
    } = decode_all(&files, size, options.skip_bad, progress)?;
    if kept.is_empty() {
        return Err(Error::format(dir, "no picture could be read"));
    }
    let labels: Vec<f64> = kept
        .iter()
        .map(|&i| classes.iter().position(|c| *c == names[i]).unwrap_or(0) as f64)
        .collect();
    let m = kept.len();
    let n_x = (size * size * 3) as usize;
    Ok(Dataset {
        source: dir.to_path_buf(),
        x: examples_to_columns(m, n_x, pixels),
        y: Array2::from_shape_vec((1, m), labels).expect("one label per picture"),
        classes,
        preprocessing: Preprocessing {
            input: "images".into(),
            scale: 1.0 / 255.0,
            example_shape: vec![size as usize, size as usize, 3],
            image_size: Some(size),
            ..Preprocessing::default()
        },
        skipped,
        notes: Vec::new(),
    })
}

/// ImageFolder layout: exactly two sub-folders, each a class, sorted by name.
/// Returns the files, each file's class name, and the class names.
/// Picture files, each file's class name, and the sorted class names.
struct Listing {
    files: Vec<PathBuf>,
    names: Vec<String>,
    classes: Vec<String>,
}

/// Decoded pictures: pixels (row-major, one after another), the kept files'
/// indices, and the skipped files' messages.
struct Decoded {
    pixels: Vec<f64>,
    kept: Vec<usize>,
    skipped: Vec<String>,
}

fn labelled_by_folder(dir: &Path) -> Result<Listing, Error> {
    let mut subdirs: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| Error::io(dir, e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir() && !is_hidden(p))
        .collect();
    subdirs.sort();
    let classes: Vec<String> = subdirs
        .iter()
        .map(|p| {
            p.file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    match classes.len() {
        0 => {
            return Err(Error::format(
                dir,
                "has no class sub-folders and no labels.csv; put each class's pictures in its own \
                 sub-folder (DIR/cat/*.jpg, DIR/non-cat/*.jpg) or list them in DIR/labels.csv",
            ))
        }
        1 => {
            return Err(Error::format(
                dir,
                format!(
                    "has one class only ('{}'); a classifier needs pictures of two classes, \
                     each in its own sub-folder",
                    classes[0]
                ),
            ))
        }
        _ => {}
    }
    let mut files = Vec::new();
    let mut names = Vec::new();
    for (sub, class) in subdirs.iter().zip(&classes) {
        let found = images_in(sub)?;
        if found.is_empty() {
            return Err(Error::format(
                sub,
                "class folder holds no pictures (jpg, png, bmp, gif, webp)",
            ));
        }
        names.extend(std::iter::repeat_n(class.clone(), found.len()));
        files.extend(found);
    }
    Ok(Listing {
        files,
        names,
        classes,
    })
}

/// The notes' layout: `labels.csv` with columns `file,label` beside the pictures.
fn labelled_by_csv(dir: &Path) -> Result<Listing, Error> {
    let csv_path = dir.join(LABELS_FILE);
    let bad = |m: String| Error::format(&csv_path, m);
    let mut reader = ::csv::ReaderBuilder::new()
        .trim(::csv::Trim::All)
        .from_path(&csv_path)
        .map_err(|e| bad(format!("cannot read ({e})")))?;
    let header = reader
        .headers()
        .map_err(|e| bad(format!("cannot read the header ({e})")))?
        .clone();
    let col = |name: &str| header.iter().position(|h| h == name);
    let (Some(fc), Some(lc)) = (col("file"), col("label")) else {
        return Err(bad("needs the columns 'file' and 'label'".into()));
    };
    let mut files = Vec::new();
    let mut names = Vec::new();
    for (row, rec) in reader.records().enumerate() {
        let line = row + 2;
        let rec = rec.map_err(|e| bad(format!("line {line}: {e}")))?;
        let (file, label) = (rec.get(fc).unwrap_or(""), rec.get(lc).unwrap_or(""));
        let path = dir.join(file);
        if file.is_empty() || !path.is_file() {
            return Err(bad(format!(
                "line {line} names '{file}', which is not a file in {}; fix the name or remove the line",
                dir.display()
            )));
        }
        files.push(path);
        names.push(label.to_string());
    }
    let mut classes: Vec<String> = names.clone();
    classes.sort();
    classes.dedup();
    match classes.len() {
        0 => Err(bad("lists no pictures".into())),
        1 => Err(bad(format!(
            "has one class only ('{}'); a classifier needs two",
            classes[0]
        ))),
        _ => Ok(Listing {
            files,
            names,
            classes,
        }),
    }
}

/// Decodes every file on all cores. Returns the pixels of the kept pictures
/// (row-major, one picture after another), their indices, and the skipped files' messages.
fn decode_all(
    files: &[PathBuf],
    size: u32,
    skip_bad: bool,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<Decoded, Error> {
    let done = std::sync::atomic::AtomicUsize::new(0);
    let decoded: Vec<Result<Vec<u8>, Error>> = files
        .par_iter()
        .map(|f| {
            let r = decode_rgb(f, size);
            progress(
                done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1,
                files.len(),
            );
            r
        })
        .collect();
    let mut pixels = Vec::with_capacity(files.len() * (size * size * 3) as usize);
    let (mut kept, mut skipped) = (Vec::new(), Vec::new());
    for (i, r) in decoded.into_iter().enumerate() {
        match r {
            Ok(p) => {
                pixels.extend(p.into_iter().map(|v| v as f64 / 255.0));
                kept.push(i);
            }
            Err(e) if skip_bad => skipped.push(e.to_string()),
            Err(e) => return Err(e),
        }
    }
    Ok(Decoded {
        pixels,
        kept,
        skipped,
    })
}

/// One picture as size × size RGB bytes, row-major over (h, w, c).
pub fn decode_rgb(path: &Path, size: u32) -> Result<Vec<u8>, Error> {
    let bad = |what: String| {
        Error::format(
            path,
            format!("{what}; replace or remove the file, or pass --skip-bad to skip such files"),
        )
    };
    let mut reader = ImageReader::open(path)
        .map_err(|e| Error::io(path, e))?
        .with_guessed_format()
        .map_err(|e| Error::io(path, e))?;
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_DECODE_BYTES);
    reader.limits(limits);
    let img = reader
        .decode()
        .map_err(|e| bad(format!("cannot decode the picture ({e})")))?;
    let rgb = img.to_rgb8();
    let rgb = if rgb.dimensions() == (size, size) {
        rgb
    } else {
        image::imageops::resize(&rgb, size, size, FilterType::Lanczos3)
    };
    Ok(rgb.into_raw())
}
