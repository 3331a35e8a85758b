//! MNIST's IDX files (plain and gzipped), written here by the test.

use std::io::Write;

use backprop::data::{self, LoadOptions};

fn idx(dims: &[u32], data: &[u8]) -> Vec<u8> {
    let mut out = vec![0, 0, 0x08, dims.len() as u8];
    for d in dims {
        out.extend_from_slice(&d.to_be_bytes());
    }
    out.extend_from_slice(data);
    out
}

fn gz(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

#[test]
fn idx_images_and_labels_load_plain_and_gzipped() {
    let dir = std::env::temp_dir().join(format!("backprop-idx-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    // 3 images of 2×2: pixel values 0..12; labels 2, 0, 1.
    let pixels: Vec<u8> = (0..12).map(|v| v * 20).collect();
    std::fs::write(dir.join("t10k-images-idx3-ubyte"), idx(&[3, 2, 2], &pixels)).unwrap();
    std::fs::write(dir.join("t10k-labels-idx1-ubyte"), idx(&[3], &[2, 0, 1])).unwrap();
    std::fs::write(
        dir.join("train-images-idx3-ubyte.gz"),
        gz(&idx(&[3, 2, 2], &pixels)),
    )
    .unwrap();
    std::fs::write(
        dir.join("train-labels-idx1-ubyte.gz"),
        gz(&idx(&[3], &[2, 0, 1])),
    )
    .unwrap();
    for name in ["t10k-images-idx3-ubyte", "train-images-idx3-ubyte.gz"] {
        let d = data::load(&dir.join(name), &LoadOptions::default()).unwrap();
        assert_eq!((d.features(), d.examples()), (4, 3));
        assert_eq!(d.x[(1, 0)], 20.0 / 255.0, "image 0, pixel 1");
        assert_eq!(d.x[(0, 2)], 160.0 / 255.0, "image 2, pixel 0");
        assert_eq!(d.y.row(0).to_vec(), vec![2.0, 0.0, 1.0]);
        assert_eq!(d.classes, vec!["0", "1", "2"]);
    }
    // A header that promises more data than the file holds.
    std::fs::write(dir.join("bad-images-idx3-ubyte"), idx(&[5, 2, 2], &pixels)).unwrap();
    std::fs::write(dir.join("bad-labels-idx1-ubyte"), idx(&[5], &[0; 5])).unwrap();
    let e = data::load(&dir.join("bad-images-idx3-ubyte"), &LoadOptions::default()).unwrap_err();
    assert!(
        e.to_string()
            .contains("holds 12 data bytes, its header promises 20"),
        "{e}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
