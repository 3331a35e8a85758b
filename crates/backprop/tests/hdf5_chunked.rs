//! Chunked HDF5 files as writers make them load to the same numbers as
//! contiguous ones, including chunks that overhang the dataset's edges and
//! compressed chunks; the layout checks that refuse damaged chunk tables
//! (offsets past the data, sizes past the file) must never refuse these.

use std::path::Path;

use backprop::data::{load, LoadOptions};

/// Writes the course's layout: (m, h, w, c) uint8 pictures and m labels,
/// contiguous when `chunks` is `None`.
fn write(path: &Path, pixels: &[u8], shape: &[u64], chunks: Option<&[u64]>, deflate: bool) {
    let m = shape[0] as usize;
    let labels: Vec<f64> = (0..m).map(|i| (i % 2) as f64).collect();
    let mut b = hdf5_pure::FileBuilder::new();
    let x = b
        .create_dataset("train_set_x")
        .with_u8_data(pixels)
        .with_shape(shape);
    if let Some(c) = chunks {
        x.with_chunks(c);
        if deflate {
            x.with_deflate(4);
        }
    }
    b.create_dataset("train_set_y").with_f64_data(&labels);
    b.write(path).unwrap();
}

#[test]
fn chunked_files_load_like_contiguous_ones() {
    let dir = std::env::temp_dir().join(format!("backprop-h5chunks-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    // 7 × 5 × 5 × 3: no chunk shape below divides it, so edge chunks overhang.
    let shape = [7u64, 5, 5, 3];
    let pixels: Vec<u8> = (0..7 * 5 * 5 * 3).map(|i| (i * 37 % 256) as u8).collect();
    let plain = dir.join("plain.h5");
    write(&plain, &pixels, &shape, None, false);
    let expected = load(&plain, &LoadOptions::default()).unwrap();

    for (name, chunks, deflate) in [
        ("overhanging.h5", [2u64, 2, 3, 3], false),
        ("deflated.h5", [3, 5, 2, 1], true),
        ("one-big-chunk.h5", [8, 8, 8, 4], false),
    ] {
        let path = dir.join(name);
        write(&path, &pixels, &shape, Some(&chunks), deflate);
        let got = load(&path, &LoadOptions::default())
            .unwrap_or_else(|e| panic!("{name} with chunks {chunks:?} refused: {e}"));
        assert_eq!(got.x, expected.x, "{name}: the pictures differ");
        assert_eq!(got.y, expected.y, "{name}: the labels differ");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
