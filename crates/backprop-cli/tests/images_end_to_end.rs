//! Pictures end to end: a generated two-class picture folder → `train` →
//! `predict` on held-out pictures → `evaluate`, plus the plots it writes.

mod harness;

use std::path::Path;

use backprop::{Gaussian, NumpyRng};
use harness::{backprop, json, stderr, stdout, TempDir};
use image::{Rgb, RgbImage};

/// A w × h picture whose colour leans red or blue, with noise and a random blob.
fn picture(red: bool, w: u32, h: u32, rng: &mut NumpyRng) -> RgbImage {
    let (cx, cy) = (rng.uniform() * w as f64, rng.uniform() * h as f64);
    RgbImage::from_fn(w, h, |x, y| {
        let noise = |rng: &mut NumpyRng| (rng.randn() * 30.0) as i32;
        let blob = if (x as f64 - cx).hypot(y as f64 - cy) < w as f64 / 5.0 {
            60
        } else {
            0
        };
        let (r, b) = if red { (170, 80) } else { (80, 170) };
        let c = |v: i32| v.clamp(0, 255) as u8;
        Rgb([
            c(r + noise(rng) + blob),
            c(110 + noise(rng) + blob),
            c(b + noise(rng) + blob),
        ])
    })
}

/// Writes `n` pictures of each class; sizes and formats vary so resizing and decoding are exercised.
fn make_pictures(dir: &Path, n: usize, seed: u32, layout_subfolders: bool) {
    let mut rng = NumpyRng::new(seed);
    let mut labels = String::from("file,label\n");
    for class in ["blue", "red"] {
        let folder = if layout_subfolders {
            dir.join(class)
        } else {
            dir.to_path_buf()
        };
        std::fs::create_dir_all(&folder).unwrap();
        for i in 0..n {
            let (w, h) = [(64, 64), (48, 40), (90, 70), (30, 30)][i % 4];
            let ext = ["png", "jpg", "bmp", "png"][i % 4];
            let name = format!("{class}_{i:03}.{ext}");
            picture(class == "red", w, h, &mut rng)
                .save(folder.join(&name))
                .unwrap();
            labels.push_str(&format!("{name},{class}\n"));
        }
    }
    if !layout_subfolders {
        std::fs::write(dir.join("labels.csv"), labels).unwrap();
    }
}

#[test]
fn train_predict_evaluate_on_a_generated_picture_folder() {
    let tmp = TempDir::new("images-e2e");
    make_pictures(&tmp.path("train"), 30, 1, true);
    make_pictures(&tmp.path("heldout"), 10, 2, false);

    let out = backprop(
        &tmp.0,
        &[
            "train",
            "--train",
            "train",
            "--image-size",
            "16",
            "--hidden",
            "8",
            "--activation",
            "relu",
            "--init",
            "he",
            "--learning-rate",
            "0.05",
            "--iterations",
            "400",
            "--out",
            "run",
            "--json",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let train_acc = summary["train_accuracy"].as_f64().unwrap();
    eprintln!("train accuracy {train_acc}");
    assert!(train_acc >= 0.95, "{summary}");

    let model = json(&tmp.path("run/model.json"));
    assert_eq!(model["classes"], serde_json::json!(["blue", "red"]));
    assert_eq!(model["preprocessing"]["image_size"], 16);
    assert_eq!(model["layer_sizes"], serde_json::json!([768, 8, 1]));

    // predict on the held-out pictures (a folder and one file), as JSON.
    let out = backprop(
        &tmp.0,
        &["predict", "--model", "run", "heldout", "--format", "json"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let preds: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(preds.len(), 20);
    let right = preds
        .iter()
        .filter(|p| {
            let input = p["input"].as_str().unwrap();
            let truth = if input.contains("/red_") {
                "red"
            } else {
                "blue"
            };
            let prob = p["probability"].as_f64().unwrap();
            assert!((0.0..=1.0).contains(&prob));
            // Every class's probability; the predicted class's is the largest.
            let all = p["probabilities"].as_object().unwrap();
            assert_eq!(all.len(), 2);
            assert_eq!(all[p["class"].as_str().unwrap()].as_f64(), Some(prob));
            assert!(all.values().all(|q| q.as_f64().unwrap() <= prob));
            p["class"] == truth
        })
        .count();
    eprintln!("held-out predictions right: {right}/20");
    assert!(right >= 18, "{right}/20");

    // The table and CSV forms.
    let table = stdout(&backprop(
        &tmp.0,
        &["predict", "--model", "run", "heldout/red_001.jpg"],
    ));
    assert!(table.starts_with("input"), "{table}");
    assert!(table.contains("heldout/red_001.jpg"), "{table}");
    let csv = stdout(&backprop(
        &tmp.0,
        &[
            "predict",
            "--model",
            "run",
            "heldout/red_001.jpg",
            "--format",
            "csv",
        ],
    ));
    assert!(
        csv.starts_with("input,class,probability,p_blue,p_red\nheldout/red_001.jpg,red,"),
        "{csv}"
    );

    // evaluate on the held-out folder (the notes' labels.csv layout).
    let out = backprop(
        &tmp.0,
        &["evaluate", "--model", "run", "heldout", "--format", "json"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let scores: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    for key in [
        "accuracy",
        "precision",
        "recall",
        "f1",
        "log_loss",
        "confusion_matrix",
    ] {
        assert!(scores.get(key).is_some(), "{key} missing: {scores}");
    }
    let acc = scores["accuracy"].as_f64().unwrap();
    eprintln!("held-out accuracy (evaluate) {acc}");
    assert!(
        (acc - right as f64 / 20.0).abs() < 1e-12,
        "evaluate agrees with predict"
    );
    let cm = &scores["confusion_matrix"];
    let total: u64 = cm
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r.as_array().unwrap())
        .map(|v| v.as_u64().unwrap())
        .sum();
    assert_eq!(total, 20);
    let table = stdout(&backprop(
        &tmp.0,
        &["evaluate", "--model", "run", "heldout"],
    ));
    assert!(table.contains("confusion matrix"), "{table}");

    // The plots: a real PNG and SVG.
    let png = std::fs::read(tmp.path("run/learning_curve.png")).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    let svg = std::fs::read_to_string(tmp.path("run/learning_curve.svg")).unwrap();
    assert!(
        svg.starts_with("<svg") && svg.contains("gd α=0.05"),
        "{}",
        &svg[..200]
    );
}

#[test]
fn the_notes_flat_layout_and_positive_class_flag() {
    let tmp = TempDir::new("images-flat");
    make_pictures(&tmp.path("flat"), 6, 3, false);
    let out = backprop(
        &tmp.0,
        &[
            "train",
            "--train",
            "flat",
            "--image-size",
            "8",
            "--hidden",
            "none",
            "--positive",
            "blue",
            "--iterations",
            "50",
            "--learning-rate",
            "0.01",
            "--out",
            "run",
            "--quiet",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let model = json(&tmp.path("run/model.json"));
    assert_eq!(
        model["classes"],
        serde_json::json!(["red", "blue"]),
        "blue is the positive class"
    );
    let metrics = json(&tmp.path("run/metrics.json"));
    assert_eq!(metrics["train_examples"], 12);
}

#[test]
fn explain_prints_the_equations_with_this_runs_shapes() {
    let tmp = TempDir::new("explain");
    tmp.write("d.csv", "x1,x2,x3,label\n1,2,3,0\n4,5,6,1\n7,8,9,1\n");
    let out = backprop(
        &tmp.0,
        &[
            "train",
            "--train",
            "d.csv",
            "--hidden",
            "4",
            "--iterations",
            "1",
            "--explain",
            "--out",
            "run",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("Z[1] = W[1] (4×3) · A[0] (3×3) + b[1] (4×1) → (4×3)"),
        "{text}"
    );
    assert!(
        text.contains("dW[1] = (1/m) dZ[1] (4×3) · A[0]ᵀ (3×3) → (4×3)"),
        "{text}"
    );
    assert!(
        text.find("Z[1]").unwrap() < text.find("Cost after iteration 0").unwrap(),
        "equations come before training"
    );
}
