//! `predict` and `evaluate` on a model folder holding a network with picture
//! layers (saved here through the library): the pictures of a folder reach
//! the convolutions in the order they expect (h, w, c, as the course's
//! `reshape`), so the CLI's probabilities are `Network::predict_proba`'s on
//! the same pixels, decoded here independently, bit for bit.

mod harness;

use backprop::data::Preprocessing;
use backprop::{Activation, Gaussian, Network, NumpyRng, Picture, PictureLayer, Pooling};
use harness::{backprop, stderr, TempDir};
use image::{Rgb, RgbImage};
use ndarray::Array2;

/// 5 × 5 RGB pictures (a picture folder's model has square ones), of
/// random pixels: reading them in another order would change every number.
const PICTURE: Picture = Picture {
    height: 5,
    width: 5,
    channels: 3,
};

#[test]
fn predict_and_evaluate_read_a_picture_folder_into_a_conv_net_in_its_order() {
    let tmp = TempDir::new("conv-predict");
    let mut rng = NumpyRng::new(4);
    let mut files = Vec::new();
    for class in ["dark", "light"] {
        std::fs::create_dir_all(tmp.path(&format!("pics/{class}"))).unwrap();
        for i in 0..4 {
            let picture = RgbImage::from_fn(5, 5, |_, _| {
                Rgb([0; 3].map(|_| (rng.uniform() * 255.0) as u8))
            });
            let file = format!("pics/{class}/{i}.png");
            picture.save(tmp.path(&file)).unwrap();
            files.push(file);
        }
    }
    let layers = [
        PictureLayer::conv(3, 3, 1, 1),
        PictureLayer::activation(Activation::Relu),
        PictureLayer::pool(Pooling::Max, 2, 2),
        PictureLayer::conv(2, 2, 1, 0),
    ];
    let net = Network::<f64>::builder(&[75, 4, 1])
        .picture(PICTURE, &layers)
        .activation(Activation::Tanh)
        .seed(9)
        .build()
        .unwrap();
    let pre = Preprocessing {
        input: "images".into(),
        scale: 1.0 / 255.0,
        example_shape: vec![5, 5, 3],
        image_size: Some(5),
        channels: Some(3),
        ..Preprocessing::default()
    };
    let classes = ["dark".to_string(), "light".to_string()];
    std::fs::create_dir_all(tmp.path("model")).unwrap();
    backprop::model_io::save(&tmp.path("model"), &net, &classes, &pre).unwrap();

    // The same pixels decoded here: each picture's column in h, w, c order, ÷255.
    let mut x = Array2::<f64>::zeros((75, files.len()));
    for (j, file) in files.iter().enumerate() {
        let img = image::open(tmp.path(file)).unwrap().to_rgb8();
        for (h, w, px) in img
            .enumerate_pixels()
            .map(|(w, h, p)| (h as usize, w as usize, p))
        {
            for c in 0..3 {
                x[((h * 5 + w) * 3 + c, j)] = f64::from(px[c]) / 255.0;
            }
        }
    }
    let want = net.predict_proba(x.view());

    let out = backprop(
        &tmp.0,
        &["predict", "--model", "model", "pics", "--format", "json"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let rows: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(rows.len(), files.len());
    for row in &rows {
        let input = row["input"].as_str().unwrap();
        let j = files
            .iter()
            .position(|f| input.ends_with(f.as_str()))
            .unwrap();
        let p = row["probabilities"]["light"].as_f64().unwrap();
        assert_eq!(p.to_bits(), want[(0, j)].to_bits(), "{input}");
    }

    let out = backprop(
        &tmp.0,
        &["evaluate", "--model", "model", "pics", "--format", "json"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let scores: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let right = (0..files.len())
        .filter(|&j| (want[(0, j)] >= 0.5) == (j >= 4))
        .count();
    assert_eq!(scores["accuracy"].as_f64(), Some(right as f64 / 8.0));
}
