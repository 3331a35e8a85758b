//! Folders of pictures: one sub-folder per class (torchvision's ImageFolder
//! layout) or a flat folder with `labels.csv` (`file,label`) beside the images.
//!
//! Each picture is decoded (JPEG, PNG, BMP, GIF, WebP) and made RGB — or one
//! channel of luma with `--grayscale`, and by default when every picture of
//! the folder is grey (a grey colour type, or r = g = b at every pixel) —
//! resized to size × size with a Lanczos filter, flattened row-major over
//! (h, w, c) — one column per picture, as the course's `reshape(m, -1).T` —
//! and divided by 255. The size is `--image-size`, else the pictures' own side
//! when they are all squares of one size, else [`DEFAULT_IMAGE_SIZE`] (with a
//! note).
//!
//! Before any pixel is decoded, every picture's header is read and checked
//! (its side, its decoded bytes) and the memory the whole folder will take is
//! checked against the budget ([`super::budget`]) with checked arithmetic.
//! Decoding runs on all cores and polls the stop flag ([`crate::stop`]) per
//! picture, so Ctrl-C ends it within a picture per core.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use image::imageops::FilterType;
use image::{DynamicImage, ImageDecoder, ImageReader, Limits};
use ndarray::Array2;
use rayon::prelude::*;

use super::budget;
use super::{examples_to_columns, Dataset, LoadOptions, Preprocessing};
use super::{DEFAULT_IMAGE_SIZE, MAX_IMAGE_SIZE};
use crate::error::Error;
use crate::setting::{Problem, Setting};

const POSITIVE: Setting = Setting::Positive;
const IMAGE_SIZE: Setting = Setting::ImageSize;

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

/// Loads a labelled picture folder (either layout): one class per sub-folder
/// or per distinct label of `labels.csv`.
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
    let classes = order_classes(dir, classes, options.positive.as_deref())?;
    let headers = survey(&files)?;
    let (size, note) = choose_size(&headers, options.image_size);
    let planned = Planned {
        m: files.len(),
        size,
        grey: options.grayscale,
        headers: &headers,
    };
    check_memory(dir, &size_origin(options.image_size), &planned)?;
    let Decoded {
        pictures,
        kept,
        skipped,
    } = decode_all(&files, size, options.grayscale, options.skip_bad, progress)?;
    if kept.is_empty() {
        return Err(Error::format(dir, "no picture could be read"));
    }
    let (pixels, channels) = scaled_pixels(pictures, options.grayscale, size)?;
    let m = kept.len();
    let n_x = (size as usize).pow(2) * channels as usize;
    let labels: Vec<f64> = kept
        .iter()
        .map(|&i| classes.iter().position(|c| *c == names[i]).unwrap_or(0) as f64)
        .collect();
    Ok(Dataset {
        source: dir.to_path_buf(),
        x: examples_to_columns(m, n_x, pixels),
        y: Array2::from_shape_vec((1, m), labels).expect("one label per picture"),
        classes,
        preprocessing: Preprocessing {
            input: "images".into(),
            scale: 1.0 / 255.0,
            example_shape: vec![size as usize, size as usize, channels as usize],
            image_size: Some(size),
            channels: Some(channels),
            ..Preprocessing::default()
        },
        skipped,
        notes: note.into_iter().collect(),
    })
}

/// Where a folder's picture size came from, for the memory check's message.
fn size_origin(image_size: Option<u32>) -> String {
    match image_size {
        Some(s) => format!("{IMAGE_SIZE} {s}"),
        None => format!("their own size; choose a smaller side with {IMAGE_SIZE}"),
    }
}

/// The classes in label order: with two, the `positive` one (default: the
/// second by name) is class 1.
fn order_classes(
    dir: &Path,
    classes: Vec<String>,
    positive: Option<&str>,
) -> Result<Vec<String>, Error> {
    if classes.len() > 2 && positive.is_some() {
        return Err(Error::format(
            dir,
            format!(
                "has {} classes; {POSITIVE} chooses between two",
                classes.len()
            ),
        ));
    }
    let positive = match positive {
        Some(p) => classes.iter().position(|c| c == p).ok_or_else(|| {
            Error::format(
                dir,
                format!(
                    "has no class '{p}' (classes: {}); fix {POSITIVE}",
                    classes.join(", ")
                ),
            )
        })?,
        None => 1,
    };
    Ok(if classes.len() == 2 {
        vec![classes[1 - positive].clone(), classes[positive].clone()]
    } else {
        classes
    })
}

/// Every picture's pixels (size × size), row-major, divided by 255, one
/// after another, and their channels: grey when asked, or (by default) when
/// every picture is grey.
fn scaled_pixels(
    pictures: Vec<Picture>,
    grayscale: Option<bool>,
    size: u32,
) -> Result<(Vec<f64>, u32), Error> {
    let channels = match grayscale {
        Some(true) => 1,
        Some(false) => 3,
        None if pictures.iter().all(|p| p.grey) => 1,
        None => 3,
    };
    let n_x = (size as usize).pow(2) * channels as usize;
    let mut pixels = Vec::with_capacity(pictures.len() * n_x);
    for p in pictures {
        crate::stop::check("converting the pictures")?;
        pixels.extend(
            p.into_channels(channels)
                .into_iter()
                .map(|v| v as f64 / 255.0),
        );
    }
    Ok((pixels, channels))
}

/// The files loading the picture folder `dir` reads: `labels.csv` and the
/// pictures it lists (any path, `../` or absolute), or the class folders'
/// pictures (links as listed). Empty when the folder is not a valid listing
/// (loading it then fails before anything is written).
pub(super) fn files_read(dir: &Path) -> Vec<PathBuf> {
    let labels = dir.join(LABELS_FILE);
    let listing = if labels.is_file() {
        labelled_by_csv(dir)
    } else {
        labelled_by_folder(dir)
    };
    let mut files = listing.map(|l| l.files).unwrap_or_default();
    files.extend(labels.is_file().then_some(labels));
    files
}

/// Pictures for a model (`predict`): each decoded, made `channels` (1 grey,
/// 3 RGB) whatever its own, and resized to the model's `size`; row-major
/// bytes, one picture after another. The memory is checked first.
pub fn load_pictures(files: &[PathBuf], size: u32, channels: u32) -> Result<Vec<u8>, Error> {
    let Some(first) = files.first() else {
        return Ok(Vec::new());
    };
    let grey = Some(channels == 1);
    let headers = survey(files)?;
    let planned = Planned {
        m: files.len(),
        size,
        grey,
        headers: &headers,
    };
    check_memory(first, "the model's picture size", &planned)?;
    let decoded = decode_each(files, size, grey, &|_, _| {})?;
    let mut bytes = Vec::new();
    for d in decoded {
        bytes.extend(d?.into_channels(channels));
    }
    Ok(bytes)
}

/// What a picture's header says, read without decoding any pixel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Header {
    width: u32,
    height: u32,
    /// The bytes its decoded pixels take.
    bytes: u64,
}

/// Reads every picture's header on all cores (a stop request ends it).
/// An unreadable one is `None`, left for the decoder to report (or skip).
fn survey(files: &[PathBuf]) -> Result<Vec<Option<Header>>, Error> {
    files
        .par_iter()
        .map(|f| {
            crate::stop::check("reading the pictures' sizes")?;
            Ok(open(f).ok().map(|d| {
                let (width, height) = d.dimensions();
                Header {
                    width,
                    height,
                    bytes: d.total_bytes(),
                }
            }))
        })
        .collect()
}

/// The side pictures are resized to: `asked` (`--image-size`), else the
/// pictures' own side when they are all squares of one size (at most
/// [`MAX_IMAGE_SIZE`]), else [`DEFAULT_IMAGE_SIZE`] with a note saying why.
fn choose_size(headers: &[Option<Header>], asked: Option<u32>) -> (u32, Option<String>) {
    if let Some(s) = asked {
        return (s, None);
    }
    let sizes: BTreeSet<(u32, u32)> = headers
        .iter()
        .flatten()
        .map(|h| (h.width, h.height))
        .collect();
    let d = DEFAULT_IMAGE_SIZE;
    let resized = format!("each is resized to {d}×{d} (choose the side with {IMAGE_SIZE})");
    match (sizes.first(), sizes.last()) {
        (Some(&(w, h)), _) if sizes.len() == 1 && w == h && w <= MAX_IMAGE_SIZE => (w, None),
        (Some(&(w, h)), _) if sizes.len() == 1 && w == h => (
            d,
            Some(format!(
                "the pictures are {w}×{h}, over {MAX_IMAGE_SIZE}×{MAX_IMAGE_SIZE}; {resized}"
            )),
        ),
        (Some(&(w, h)), _) if sizes.len() == 1 => (
            d,
            Some(format!("the pictures are {w}×{h}, not square; {resized}")),
        ),
        (Some(&(w0, h0)), Some(&(w1, h1))) => (
            d,
            Some(format!(
                "the pictures come in {} sizes ({w0}×{h0} … {w1}×{h1}); {resized}",
                sizes.len()
            )),
        ),
        _ => (d, None),
    }
}

/// Refuses, before any picture is decoded, a side over [`MAX_IMAGE_SIZE`]
/// or pictures that would not fit the memory budget: `m` pictures of
/// size × size × channels as bytes and as f64, plus the largest decoded
/// picture on every core at once. `why` says where the size came from (the
/// setting to change); checked arithmetic throughout.
fn check_memory(source: &Path, why: &str, planned: &Planned<'_>) -> Result<(), Error> {
    check_memory_in(&budget::current(), source, why, planned)
}

/// What is about to be decoded: `m` pictures resized to `size` × `size`,
/// grey or not (`None`: RGB until a folder is told grey), with their headers.
struct Planned<'a> {
    m: usize,
    size: u32,
    grey: Option<bool>,
    headers: &'a [Option<Header>],
}

/// [`check_memory`] against `budget`.
fn check_memory_in(
    budget: &budget::Budget,
    source: &Path,
    why: &str,
    planned: &Planned<'_>,
) -> Result<(), Error> {
    let Planned {
        m,
        size,
        grey,
        headers,
    } = *planned;
    // RGB until a folder is told grey: its decoded bytes and its f64 pixels.
    let channels: u64 = if grey == Some(true) { 1 } else { 3 };
    let per_pixel = channels * (1 + 8);
    // Larger pictures are refused one by one (`decode`), never held.
    let largest = headers
        .iter()
        .flatten()
        .map(|h| h.bytes.min(MAX_DECODE_BYTES))
        .max()
        .unwrap_or(0);
    let threads = rayon::current_num_threads().min(m) as u128;
    let bytes = budget::checked_product(&[m as u64, u64::from(size), u64::from(size), per_pixel])
        .and_then(|b| b.checked_add(u128::from(largest).checked_mul(threads)?));
    let what = format!(
        "{}: {m} pictures of {size}×{size}×{channels} ({why})",
        source.display()
    );
    if size == 0 || size > MAX_IMAGE_SIZE {
        let take = bytes.map_or("more than 10^38 bytes".into(), budget::format_bytes);
        let message = format!(
            "{IMAGE_SIZE} {size} is outside 1 to {MAX_IMAGE_SIZE}: {what} would take {take} \
             (the memory budget: {}); choose {IMAGE_SIZE} {MAX_IMAGE_SIZE} or less",
            budget.describe()
        );
        return Err(Problem::other(IMAGE_SIZE, message).into());
    }
    budget.check(&what, bytes.unwrap_or(u128::MAX))
}

/// One decoded, resized picture: its bytes (row-major over h, w, c), its
/// channels, and whether it is grey (one channel, or r = g = b everywhere).
struct Picture {
    bytes: Vec<u8>,
    channels: u32,
    grey: bool,
}

impl Picture {
    /// Its bytes with `channels` channels: luma from RGB (r·0.2126 +
    /// g·0.7152 + b·0.0722, exactly r when r = g = b), or grey tripled.
    fn into_channels(self, channels: u32) -> Vec<u8> {
        match (self.channels, channels) {
            (a, b) if a == b => self.bytes,
            (3, 1) if self.grey => self.bytes.into_iter().step_by(3).collect(),
            (3, 1) => self
                .bytes
                .chunks_exact(3)
                .map(|p| image::Rgb([p[0], p[1], p[2]]))
                .map(|p| image::Pixel::to_luma(&p).0[0])
                .collect(),
            _ => self.bytes.into_iter().flat_map(|v| [v, v, v]).collect(),
        }
    }
}

/// Decoded pictures (the kept files'), their indices, and the skipped files' messages.
struct Decoded {
    pictures: Vec<Picture>,
    kept: Vec<usize>,
    skipped: Vec<String>,
}

/// Decodes every file on all cores, each picture's outcome kept. The work
/// runs through [`crate::stop::interruptible`]: one picture's decoding and
/// resizing is a single call that cannot poll (seconds for the largest read),
/// so a stop returns at once and the abandoned decoders end by themselves,
/// each starting no further picture.
fn decode_each(
    files: &[PathBuf],
    size: u32,
    grey: Option<bool>,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<Vec<Result<Picture, Error>>, Error> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let phase = "decoding the pictures";
    let done = std::sync::Arc::new(AtomicUsize::new(0));
    let (counter, owned) = (done.clone(), files.to_vec());
    let work = move || {
        let decoded = owned
            .par_iter()
            .map(|f| {
                crate::stop::check(phase)?;
                let picture = decode(f, size, grey);
                counter.fetch_add(1, Ordering::Relaxed);
                picture
            })
            .collect();
        Ok(decoded)
    };
    let mut shown = 0;
    let mut report = || {
        let now = done.load(Ordering::Relaxed);
        if now != shown {
            shown = now;
            progress(now, files.len());
        }
    };
    let decoded = crate::stop::interruptible(phase, work, &mut report)?;
    report();
    crate::stop::check(phase)?;
    Ok(decoded)
}

/// Decodes every file (see [`decode_each`]); a bad one stops it, or with
/// `skip_bad` is skipped with its message kept.
fn decode_all(
    files: &[PathBuf],
    size: u32,
    grey: Option<bool>,
    skip_bad: bool,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<Decoded, Error> {
    let decoded = decode_each(files, size, grey, progress)?;
    let (mut pictures, mut kept, mut skipped) = (Vec::new(), Vec::new(), Vec::new());
    for (i, r) in decoded.into_iter().enumerate() {
        match r {
            Ok(p) => {
                pictures.push(p);
                kept.push(i);
            }
            Err(e @ (Error::Stopped { .. } | Error::OverBudget(_))) => return Err(e),
            Err(e) if skip_bad => skipped.push(e.render(&Setting::mark)),
            Err(e) => return Err(e),
        }
    }
    Ok(Decoded {
        pictures,
        kept,
        skipped,
    })
}

/// Opens a picture's decoder (its header read, no pixel) under the decoding limits.
fn open(path: &Path) -> Result<impl ImageDecoder, Error> {
    let mut reader = ImageReader::open(path)
        .map_err(|e| Error::io(path, e))?
        .with_guessed_format()
        .map_err(|e| Error::io(path, e))?;
    // The sides are checked by `decode` from the header, naming them; the
    // allocation limit guards what a decoder allocates before that.
    let mut limits = Limits::default();
    limits.max_alloc = Some(MAX_DECODE_BYTES);
    reader.limits(limits);
    reader
        .into_decoder()
        .map_err(|e| bad_picture(path, format!("cannot decode the picture ({e})")))
}

fn bad_picture(path: &Path, what: String) -> Error {
    Error::format(
        path,
        format!(
            "{what}; replace or remove the file, or pass {} to skip such files",
            Setting::SkipBad
        ),
    )
}

/// One picture as size × size bytes, row-major over (h, w, c): luma with
/// `grey` `Some(true)`, else RGB. Its header's size is checked (side, bytes,
/// budget) before any pixel is decoded.
fn decode(path: &Path, size: u32, grey: Option<bool>) -> Result<Picture, Error> {
    let decoder = open(path)?;
    let (w, h) = decoder.dimensions();
    if w.max(h) > MAX_SIDE || decoder.total_bytes() > MAX_DECODE_BYTES {
        return Err(bad_picture(
            path,
            format!(
                "its header says {w}×{h} pixels ({}), over the largest picture read \
                 ({MAX_SIDE} pixels a side, {} decoded)",
                budget::format_bytes(u128::from(decoder.total_bytes())),
                budget::format_bytes(u128::from(MAX_DECODE_BYTES))
            ),
        ));
    }
    budget::check(
        &format!("{}: a {w}×{h} picture", path.display()),
        u128::from(decoder.total_bytes()),
    )?;
    let img = DynamicImage::from_decoder(decoder)
        .map_err(|e| bad_picture(path, format!("cannot decode the picture ({e})")))?;
    // Between the decoding and the resizing (each uninterruptible, and long
    // for a picture near the largest read).
    crate::stop::check("decoding the pictures")?;
    let resize = |w: u32, h: u32| (w, h) != (size, size);
    if grey == Some(true) {
        let luma = img.to_luma8();
        let luma = if resize(luma.width(), luma.height()) {
            image::imageops::resize(&luma, size, size, FilterType::Lanczos3)
        } else {
            luma
        };
        return Ok(Picture {
            bytes: luma.into_raw(),
            channels: 1,
            grey: true,
        });
    }
    let rgb = img.to_rgb8();
    let rgb = if resize(rgb.width(), rgb.height()) {
        image::imageops::resize(&rgb, size, size, FilterType::Lanczos3)
    } else {
        rgb
    };
    let bytes = rgb.into_raw();
    let grey = bytes.chunks_exact(3).all(|p| p[0] == p[1] && p[1] == p[2]);
    Ok(Picture {
        bytes,
        channels: 3,
        grey,
    })
}

/// One picture as size × size RGB bytes, row-major over (h, w, c).
pub fn decode_rgb(path: &Path, size: u32) -> Result<Vec<u8>, Error> {
    Ok(decode(path, size, Some(false))?.bytes)
}

/// Picture files, each file's class name, and the sorted class names.
struct Listing {
    files: Vec<PathBuf>,
    names: Vec<String>,
    classes: Vec<String>,
}

/// ImageFolder layout: two or more sub-folders, each a class, sorted by name.
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
    let mut seen = std::collections::HashMap::new();
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
        if let Some((first, was)) = seen.insert(file.to_string(), (line, label.to_string())) {
            return Err(bad(format!(
                "lines {first} and {line} both name '{file}' (labels '{was}' and '{label}'); \
                 give each picture one line"
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

#[cfg(test)]
mod tests {
    use super::*;

    fn header(width: u32, height: u32) -> Option<Header> {
        Some(Header {
            width,
            height,
            bytes: u64::from(width * height * 3),
        })
    }

    #[test]
    fn the_size_is_the_pictures_own_when_they_share_a_square_one() {
        let (s, note) = choose_size(&[header(8, 8), header(8, 8), None], None);
        assert_eq!((s, note), (8, None));
        let (s, note) = choose_size(&[header(8, 8), header(9, 9)], None);
        assert_eq!(s, 64);
        assert!(note.unwrap().contains("2 sizes (8×8 … 9×9)"));
        let (s, note) = choose_size(&[header(8, 6)], None);
        assert_eq!(s, 64);
        assert!(note.unwrap().contains("not square"));
        assert_eq!(
            choose_size(&[header(8, 8), header(9, 9)], Some(5)),
            (5, None)
        );
        assert_eq!(choose_size(&[None], None), (64, None));
    }

    #[test]
    fn sizes_over_the_limit_or_the_budget_are_refused_with_what_they_take() {
        let h = [header(8, 8); 6];
        for size in [100_000, 20_000] {
            let why = Setting::ImageSize.mark();
            let planned = Planned {
                m: 6,
                size,
                grey: Some(true),
                headers: &h,
            };
            let e = check_memory(Path::new("d"), &why, &planned)
                .unwrap_err()
                .to_string();
            assert!(
                e.starts_with(&format!("image_size {size} is outside 1 to 4096")),
                "{e}"
            );
            assert!(
                e.contains("would take") && e.contains("the memory budget: "),
                "{e}"
            );
        }
        let small = budget::Budget::with_limit(1_000_000);
        let planned = Planned {
            m: 6,
            size: 4096,
            grey: None,
            headers: &h,
        };
        let e = check_memory_in(
            &small,
            Path::new("d"),
            &format!("{} 4096", Setting::ImageSize),
            &planned,
        )
        .unwrap_err()
        .to_string();
        // 6 · 4096² · (3 + 24) bytes.
        assert!(e.starts_with("d: 6 pictures of 4096×4096×3 (image_size 4096) would take 2.7 GB, over the memory budget of 1 MB"), "{e}");
    }

    #[test]
    fn pictures_change_channels_as_asked() {
        let grey = Picture {
            bytes: vec![7, 7, 7, 9, 9, 9],
            channels: 3,
            grey: true,
        };
        assert_eq!(grey.into_channels(1), vec![7, 9]);
        let red = Picture {
            bytes: vec![255, 0, 0],
            channels: 3,
            grey: false,
        };
        assert_eq!(red.into_channels(1), vec![54]);
        let luma = Picture {
            bytes: vec![5],
            channels: 1,
            grey: true,
        };
        assert_eq!(luma.into_channels(3), vec![5, 5, 5]);
    }
}
