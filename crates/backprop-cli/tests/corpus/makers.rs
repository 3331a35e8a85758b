//! File makers for the bad-input corpus: each writes one (usually broken)
//! input into a case's folder. Binary formats are built byte by byte here, so
//! every case says exactly what is wrong with its file.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// A .npy file's bytes: header dict with `descr`, `fortran_order`, `shape`, then `data`.
pub fn npy(descr: &str, shape: &str, fortran: bool, data: &[u8]) -> Vec<u8> {
    let mut h = format!(
        "{{'descr': '{descr}', 'fortran_order': {}, 'shape': {shape}, }}",
        if fortran { "True" } else { "False" }
    );
    while (10 + h.len() + 1) % 64 != 0 {
        h.push(' ');
    }
    h.push('\n');
    let mut out = b"\x93NUMPY\x01\x00".to_vec();
    out.extend((h.len() as u16).to_le_bytes());
    out.extend(h.as_bytes());
    out.extend(data);
    out
}

/// Little-endian f64 bytes.
pub fn f64s(v: &[f64]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_le_bytes()).collect()
}

/// A good x (4 examples × 2 features, f64) as .npy.
pub fn good_x() -> Vec<u8> {
    npy(
        "<f8",
        "(4, 2)",
        false,
        &f64s(&[0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8]),
    )
}

/// Good labels for [`good_x`].
pub fn good_y() -> Vec<u8> {
    npy("<f8", "(4,)", false, &f64s(&[0.0, 1.0, 0.0, 1.0]))
}

/// An .npz (stored or deflated) of the named members.
pub fn npz(members: &[(&str, Vec<u8>)], deflate: bool) -> Vec<u8> {
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut z = zip::ZipWriter::new(&mut buf);
        let method = if deflate {
            zip::CompressionMethod::Deflated
        } else {
            zip::CompressionMethod::Stored
        };
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(method)
            .large_file(true);
        for (name, bytes) in members {
            z.start_file(*name, opts).unwrap();
            z.write_all(bytes).unwrap();
        }
        z.finish().unwrap();
    }
    buf.into_inner()
}

/// An .npz whose x is `zeros` bytes of f64 zeros (deflated: tiny on disk).
pub fn npz_of_zeros(zeros: usize) -> Vec<u8> {
    let n = zeros / 8;
    let mut x = npy("<f8", &format!("({n}, 1)"), false, &[]);
    x.resize(x.len() + n * 8, 0);
    let y = npy("<f8", &format!("({n},)"), false, &[]);
    let mut y = y;
    y.resize(y.len() + n * 8, 0);
    npz(&[("x.npy", x), ("y.npy", y)], true)
}

/// IDX bytes: magic for uint8 with `sizes.len()` dimensions, the sizes, then `data`.
pub fn idx(sizes: &[u32], data: &[u8]) -> Vec<u8> {
    let mut out = vec![0, 0, 0x08, sizes.len() as u8];
    for s in sizes {
        out.extend(s.to_be_bytes());
    }
    out.extend(data);
    out
}

/// Gzipped bytes.
pub fn gz(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

/// The course-shaped HDF5 file: `train_set_x` (m, 2, 2, 3) uint8 and `train_set_y` (m,).
pub fn h5(path: &Path, m: usize, x: Option<&[f64]>, y: &[f64]) {
    let mut b = hdf5_pure::FileBuilder::new();
    match x {
        Some(values) => {
            b.create_dataset("train_set_x")
                .with_f64_data(values)
                .with_shape(&[m as u64, values.len() as u64 / m.max(1) as u64]);
        }
        None => {
            let pixels: Vec<u8> = (0..m * 12).map(|i| (i * 37 % 256) as u8).collect();
            b.create_dataset("train_set_x")
                .with_u8_data(&pixels)
                .with_shape(&[m as u64, 2, 2, 3]);
        }
    }
    b.create_dataset("train_set_y").with_f64_data(y);
    b.write(path).unwrap();
}

/// A small PNG picture.
pub fn png(path: &Path, shade: u8) {
    let img = image::RgbImage::from_fn(4, 4, |x, y| {
        image::Rgb([shade, (x * 40) as u8, (y * 40) as u8])
    });
    img.save(path).unwrap();
}

/// A training CSV that works: 8 examples, 2 features, labels 0/1.
pub const GOOD_CSV: &str = "x1,x2,label\n0.1,0.2,0\n0.3,0.4,1\n0.5,0.1,1\n0.2,0.9,0\n0.8,0.3,1\n0.4,0.4,0\n0.9,0.9,1\n0.1,0.7,0\n";

/// A trained model folder (f64, layers [2, 3, 1]) and a run folder with a
/// checkpoint, made once per test run with the binary under test.
pub fn fixtures() -> &'static (PathBuf, PathBuf) {
    static FIX: OnceLock<(PathBuf, PathBuf)> = OnceLock::new();
    FIX.get_or_init(|| {
        let dir =
            std::env::temp_dir().join(format!("backprop-corpus-fixtures-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("good.csv"), GOOD_CSV).unwrap();
        for (out, extra) in [
            ("model", &[][..]),
            ("ckpt", &["--checkpoint-every", "1"][..]),
        ] {
            let mut args = vec![
                "train",
                "--train",
                "good.csv",
                "--hidden",
                "3",
                "--iterations",
                "3",
                "--precision",
                "f64",
                "--quiet",
                "--out",
                out,
            ];
            args.extend_from_slice(extra);
            let o = std::process::Command::new(env!("CARGO_BIN_EXE_backprop"))
                .args(&args)
                .current_dir(&dir)
                .output()
                .unwrap();
            assert!(
                o.status.success(),
                "fixture {out}: {}",
                String::from_utf8_lossy(&o.stderr)
            );
        }
        (dir.join("model"), dir.join("ckpt"))
    })
}

/// Copies a folder (one level of files) to `to`.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_file() {
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
}

/// Copies the fixture model to `dir/model`, then edits its model.json with `edit`.
pub fn model_with(dir: &Path, edit: impl FnOnce(&mut serde_json::Value)) {
    copy_dir(&fixtures().0, &dir.join("model"));
    let p = dir.join("model/model.json");
    let mut v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
    edit(&mut v);
    std::fs::write(&p, serde_json::to_string_pretty(&v).unwrap()).unwrap();
}

/// Copies the fixture model to `dir/model` with its weights replaced by `tensors`
/// (name, dtype, shape, little-endian bytes).
pub fn model_tensors(dir: &Path, tensors: &[(&str, safetensors::Dtype, Vec<usize>, Vec<u8>)]) {
    copy_dir(&fixtures().0, &dir.join("model"));
    let views: Vec<(String, safetensors::tensor::TensorView<'_>)> = tensors
        .iter()
        .map(|(n, d, s, b)| {
            (
                n.to_string(),
                safetensors::tensor::TensorView::new(*d, s.clone(), b).unwrap(),
            )
        })
        .collect();
    let bytes = safetensors::serialize(views, None).unwrap();
    std::fs::write(dir.join("model/model.safetensors"), bytes).unwrap();
}

/// The fixture model's tensors (f64), W1 3×2, b1 3×1, W2 1×3, b2 1×1, with `edit` applied.
pub fn good_tensors(
    edit: impl FnOnce(&mut Vec<(&'static str, safetensors::Dtype, Vec<usize>, Vec<u8>)>),
) -> Vec<(&'static str, safetensors::Dtype, Vec<usize>, Vec<u8>)> {
    use safetensors::Dtype::F64;
    let mut t = vec![
        ("W1", F64, vec![3, 2], f64s(&[0.1; 6])),
        ("b1", F64, vec![3, 1], f64s(&[0.0; 3])),
        ("W2", F64, vec![1, 3], f64s(&[0.2; 3])),
        ("b2", F64, vec![1, 1], f64s(&[0.0])),
    ];
    edit(&mut t);
    t
}

/// Copies the fixture checkpoint run to `dir/ckpt` (its data beside it, its
/// configuration pointed there), then edits the safetensors header of
/// ckpt/checkpoint.safetensors with `edit`: the tensors' entries and, under
/// `__metadata__`, the description's JSON text (key `checkpoint`).
pub fn checkpoint_header(dir: &Path, edit: impl FnOnce(&mut serde_json::Value)) {
    copy_dir(&fixtures().1, &dir.join("ckpt"));
    std::fs::copy(
        fixtures().0.parent().unwrap().join("good.csv"),
        dir.join("good.csv"),
    )
    .unwrap();
    let p = dir.join("ckpt/checkpoint.safetensors");
    let bytes = std::fs::read(&p).unwrap();
    let n = u64::from_le_bytes(bytes[..8].try_into().unwrap()) as usize;
    let mut header: serde_json::Value = serde_json::from_slice(&bytes[8..8 + n]).unwrap();
    let meta = &mut header["__metadata__"]["checkpoint"];
    let mut info: serde_json::Value = serde_json::from_str(meta.as_str().unwrap()).unwrap();
    // The fixture's data path is relative to its own folder: point it here.
    info["config"]["train"] = serde_json::json!(dir.join("good.csv"));
    info["config"]["out"] = serde_json::json!(dir.join("ckpt"));
    *meta = serde_json::json!(info.to_string());
    edit(&mut header);
    let mut text = header.to_string().into_bytes();
    while text.len() % 8 != 0 {
        text.push(b' ');
    }
    let mut out = (text.len() as u64).to_le_bytes().to_vec();
    out.extend(text);
    out.extend(&bytes[8 + n..]);
    std::fs::write(&p, out).unwrap();
}

/// [`checkpoint_header`] editing the description (the metadata's JSON) with `edit`.
pub fn checkpoint_with(dir: &Path, edit: impl FnOnce(&mut serde_json::Value)) {
    checkpoint_header(dir, |h| {
        let meta = &mut h["__metadata__"]["checkpoint"];
        let mut info: serde_json::Value = serde_json::from_str(meta.as_str().unwrap()).unwrap();
        edit(&mut info);
        *meta = serde_json::json!(info.to_string());
    })
}
