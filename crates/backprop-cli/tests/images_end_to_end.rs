//! Pictures end to end: a generated two-class picture folder → `train` →
//! `predict` on held-out pictures → `evaluate`, plus the plots it writes.

mod harness;

use std::path::Path;
use std::time::Duration;

use backprop::{Gaussian, NumpyRng};
use harness::{
    backprop, finish, has_open, json, resident_bytes, signal, spawn, stderr, stdout, wait_until,
    TempDir,
};
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

/// Writes `n` side × side grey pictures of each class (dark or light, with
/// noise) into `dir/<class>/`: even ones as grey PNGs, odd ones as RGB PNGs
/// whose pixels have r = g = b (grey too, by their pixels).
fn make_grey_pictures(dir: &Path, n: usize, side: u32, seed: u32) {
    let mut rng = NumpyRng::new(seed);
    for class in ["dark", "light"] {
        let folder = dir.join(class);
        std::fs::create_dir_all(&folder).unwrap();
        let base = if class == "dark" { 70.0 } else { 180.0 };
        for i in 0..n {
            let grey = image::GrayImage::from_fn(side, side, |_, _| {
                image::Luma([(base + rng.randn() * 30.0).clamp(0.0, 255.0) as u8])
            });
            let path = folder.join(format!("{class}_{i:03}.png"));
            if i % 2 == 0 {
                grey.save(path).unwrap();
            } else {
                image::DynamicImage::ImageLuma8(grey)
                    .to_rgb8()
                    .save(path)
                    .unwrap();
            }
        }
    }
}

/// Writes `n` side × side colour pictures of each class into `dir/<class>/`:
/// "dark" a dark red, "light" a light blue (their luma far apart), with noise.
fn make_colour_pictures(dir: &Path, n: usize, side: u32, seed: u32) {
    let mut rng = NumpyRng::new(seed);
    for class in ["dark", "light"] {
        let folder = dir.join(class);
        std::fs::create_dir_all(&folder).unwrap();
        let base = if class == "dark" {
            [110.0, 40.0, 40.0]
        } else {
            [190.0, 215.0, 250.0]
        };
        for i in 0..n {
            RgbImage::from_fn(side, side, |_, _| {
                let c = |v: f64| v.clamp(0.0, 255.0) as u8;
                let noise = rng.randn() * 15.0;
                Rgb([c(base[0] + noise), c(base[1] + noise), c(base[2] + noise)])
            })
            .save(folder.join(format!("{class}_{i:03}.png")))
            .unwrap();
        }
    }
}

/// `backprop train ARGS` (with `--quiet` unless `--json`), which must succeed.
fn train_quietly(tmp: &TempDir, args: &[&str]) -> std::process::Output {
    let mut all = vec!["train"];
    if !args.contains(&"--json") {
        all.push("--quiet");
    }
    all.extend_from_slice(args);
    let out = backprop(&tmp.0, &all);
    assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    out
}

#[test]
fn a_grey_folder_stays_one_channel_at_its_own_size() {
    let tmp = TempDir::new("images-grey");
    make_grey_pictures(&tmp.path("train"), 12, 8, 1);
    make_grey_pictures(&tmp.path("new"), 3, 8, 2);
    let out = train_quietly(
        &tmp,
        &[
            "--train",
            "train",
            "--hidden",
            "4",
            "--learning-rate",
            "0.1",
            "--iterations",
            "500",
            "--out",
            "run",
            "--json",
        ],
    );
    // Their own size: no note, no upscaling to 64 × 64.
    assert!(!stderr(&out).contains("note:"), "{}", stderr(&out));
    let model = json(&tmp.path("run/model.json"));
    // 8 × 8 × 1: n_x = size², not tripled into RGB.
    assert_eq!(model["layer_sizes"][0], 64, "{model}");
    assert_eq!(
        model["preprocessing"]["example_shape"],
        serde_json::json!([8, 8, 1])
    );
    assert_eq!(model["preprocessing"]["image_size"], 8);
    assert_eq!(model["preprocessing"]["channels"], 1);
    let summary: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert!(
        summary["train_accuracy"].as_f64().unwrap() > 0.9,
        "{summary}"
    );
    // predict and evaluate read new grey pictures the same way.
    let out = backprop(
        &tmp.0,
        &["predict", "--model", "run", "new/light", "--format", "json"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let rows: Vec<serde_json::Value> = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(rows.len(), 3);
    assert!(rows.iter().all(|r| r["class"] == "light"), "{rows:?}");
    let out = backprop(
        &tmp.0,
        &["evaluate", "--model", "run", "new", "--format", "json"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let scores: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(scores["accuracy"], 1.0, "{scores}");
}

#[test]
fn grayscale_makes_colour_pictures_one_channel() {
    let tmp = TempDir::new("images-grayscale");
    make_pictures(&tmp.path("colour"), 4, 3, true);
    for (flags, n_x, shape) in [
        (vec![], 64 * 64 * 3, serde_json::json!([64, 64, 3])),
        (vec!["--grayscale"], 64 * 64, serde_json::json!([64, 64, 1])),
        (
            vec!["--grayscale", "--image-size", "10"],
            100,
            serde_json::json!([10, 10, 1]),
        ),
    ] {
        let mut args = vec![
            "--train",
            "colour",
            "--hidden",
            "2",
            "--iterations",
            "2",
            "--out",
            "c",
            "--force",
        ];
        args.extend(&flags);
        train_quietly(&tmp, &args);
        let model = json(&tmp.path("c/model.json"));
        assert_eq!(model["layer_sizes"][0], n_x, "{flags:?}");
        assert_eq!(model["preprocessing"]["example_shape"], shape, "{flags:?}");
        assert_eq!(model["preprocessing"]["channels"], shape[2], "{flags:?}");
    }
}

#[test]
fn the_size_is_the_pictures_own_or_64_with_a_note() {
    let tmp = TempDir::new("images-own-size");
    // All 12 × 12 colour: kept 12 × 12 × 3.
    make_colour_pictures(&tmp.path("same"), 4, 12, 1);
    let out = train_quietly(
        &tmp,
        &[
            "--train",
            "same",
            "--hidden",
            "2",
            "--iterations",
            "2",
            "--out",
            "s",
        ],
    );
    assert!(!stderr(&out).contains("note:"), "{}", stderr(&out));
    let model = json(&tmp.path("s/model.json"));
    assert_eq!(model["preprocessing"]["image_size"], 12);
    assert_eq!(model["layer_sizes"][0], 12 * 12 * 3);
    // Four sizes (64², 48×40, 90×70, 30²): the course's 64, and a note saying why.
    make_pictures(&tmp.path("mixed"), 4, 3, true);
    let out = train_quietly(
        &tmp,
        &[
            "--train",
            "mixed",
            "--hidden",
            "2",
            "--iterations",
            "2",
            "--out",
            "m",
        ],
    );
    let err = stderr(&out);
    assert!(
        err.contains("note: the pictures come in 4 sizes (30×30 … 90×70); each is resized to 64×64 (choose the side with --image-size)"),
        "{err}"
    );
    assert_eq!(
        json(&tmp.path("m/model.json"))["preprocessing"]["image_size"],
        64
    );
    // --image-size still overrides, with no note.
    let out = train_quietly(
        &tmp,
        &[
            "--train",
            "mixed",
            "--image-size",
            "6",
            "--hidden",
            "2",
            "--iterations",
            "2",
            "--out",
            "o",
        ],
    );
    assert!(!stderr(&out).contains("note:"), "{}", stderr(&out));
    assert_eq!(json(&tmp.path("o/model.json"))["layer_sizes"][0], 6 * 6 * 3);
}

#[test]
fn a_grey_model_makes_colour_pictures_grey_and_an_rgb_model_grey_ones_rgb() {
    let tmp = TempDir::new("images-convert");
    make_grey_pictures(&tmp.path("grey"), 12, 8, 1);
    make_colour_pictures(&tmp.path("colour"), 6, 8, 2);
    make_colour_pictures(&tmp.path("colour-big"), 2, 20, 3);
    train_quietly(
        &tmp,
        &[
            "--train",
            "grey",
            "--hidden",
            "4",
            "--learning-rate",
            "0.1",
            "--iterations",
            "500",
            "--out",
            "g",
        ],
    );
    // Colour pictures (8 × 8 and 20 × 20) to the grey 8 × 8 model: their luma, resized.
    for folder in ["colour", "colour-big"] {
        let out = backprop(
            &tmp.0,
            &["predict", "--model", "g", folder, "--format", "json"],
        );
        assert!(out.status.success(), "{}", stderr(&out));
        let rows: Vec<serde_json::Value> = serde_json::from_str(&stdout(&out)).unwrap();
        let right = rows
            .iter()
            .filter(|r| {
                r["input"]
                    .as_str()
                    .unwrap()
                    .contains(&format!("/{}_", r["class"].as_str().unwrap()))
            })
            .count();
        assert_eq!(right, rows.len(), "{folder}: {rows:?}");
    }
    let out = backprop(
        &tmp.0,
        &["evaluate", "--model", "g", "colour", "--format", "json"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let scores: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(scores["accuracy"], 1.0, "{scores}");
    // And the other way: an RGB model reads grey pictures as RGB (grey tripled).
    train_quietly(
        &tmp,
        &[
            "--train",
            "colour",
            "--hidden",
            "2",
            "--iterations",
            "50",
            "--out",
            "c",
        ],
    );
    assert_eq!(json(&tmp.path("c/model.json"))["layer_sizes"][0], 8 * 8 * 3);
    let out = backprop(
        &tmp.0,
        &["predict", "--model", "c", "grey/dark", "--format", "json"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let rows: Vec<serde_json::Value> = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(rows.len(), 12);
}

/// A BMP file of a header only, claiming width × height 24-bit pixels.
fn bmp_header(width: i32, height: i32) -> Vec<u8> {
    let mut b = Vec::new();
    b.extend(b"BM");
    b.extend(54u32.to_le_bytes()); // file size (a header only)
    b.extend([0u8; 4]);
    b.extend(54u32.to_le_bytes()); // pixel data offset
    b.extend(40u32.to_le_bytes()); // BITMAPINFOHEADER
    b.extend(width.to_le_bytes());
    b.extend(height.to_le_bytes());
    b.extend(1u16.to_le_bytes()); // planes
    b.extend(24u16.to_le_bytes()); // bits per pixel
    b.extend([0u8; 24]); // no compression, sizes and colours 0
    b
}

#[test]
fn sizes_over_the_limit_or_the_budget_are_refused_before_decoding() {
    let tmp = TempDir::new("images-budget");
    make_grey_pictures(&tmp.path("train"), 3, 8, 1);
    for (args, needles) in [
        (
            vec!["--grayscale", "--image-size", "100000"],
            vec![
                "--image-size 100000 is outside 1 to 4096",
                "6 pictures of 100000×100000×1 (--image-size 100000) would take 540 GB",
                "(the memory budget: ",
            ],
        ),
        (
            vec!["--grayscale", "--image-size", "20000"],
            vec![
                "--image-size 20000 is outside 1 to 4096",
                "would take 21.6 GB",
                "(the memory budget: ",
            ],
        ),
        // 6 pictures of 4096² RGB: 2.7 GB as bytes and f64, over a 100 MB budget.
        (
            vec!["--image-size", "4096", "--max-memory", "100M"],
            vec!["6 pictures of 4096×4096×3 (--image-size 4096) would take 2.7 GB, over the memory budget of 100 MB (--max-memory)"],
        ),
    ] {
        let mut all = vec!["train", "--train", "train", "--out", "refused"];
        all.extend(&args);
        let out = backprop(&tmp.0, &all);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        for n in needles {
            assert!(err.contains(n), "{args:?}: {err}");
        }
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(!tmp.path("refused").exists());
    }
    // A picture whose header claims more than is read: refused from its header, naming it.
    std::fs::write(tmp.path("train/dark/huge.bmp"), bmp_header(16_000, 16_000)).unwrap();
    std::fs::write(tmp.path("train/light/wide.bmp"), bmp_header(20_000, 2)).unwrap();
    for file in ["huge.bmp", "wide.bmp"] {
        if file == "wide.bmp" {
            std::fs::remove_file(tmp.path("train/dark/huge.bmp")).unwrap();
        }
        let out = backprop(
            &tmp.0,
            &[
                "train",
                "--train",
                "train",
                "--image-size",
                "8",
                "--out",
                "refused",
            ],
        );
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert!(
            err.contains(file) && err.contains("its header says"),
            "{err}"
        );
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(!tmp.path("refused").exists());
    }
    // --skip-bad skips it and trains on the rest.
    let out = backprop(
        &tmp.0,
        &[
            "train",
            "--train",
            "train",
            "--skip-bad",
            "--iterations",
            "2",
            "--out",
            "run",
            "--quiet",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    // --grayscale applies to pictures only.
    tmp.write("t.csv", "a,label\n1,x\n2,y\n");
    let out = backprop(
        &tmp.0,
        &[
            "train",
            "--train",
            "t.csv",
            "--grayscale",
            "--out",
            "refused",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--grayscale applies to folders of pictures only"));
}

#[test]
fn runs_started_together_without_out_get_their_own_folders() {
    let tmp = TempDir::new("images-folders");
    make_grey_pictures(&tmp.path("train"), 3, 4, 1);
    let start = || {
        std::process::Command::new(env!("CARGO_BIN_EXE_backprop"))
            .args([
                "train",
                "--train",
                "train",
                "--hidden",
                "2",
                "--iterations",
                "5",
                "--quiet",
            ])
            .current_dir(&tmp.0)
            .spawn()
            .unwrap()
    };
    let runs: Vec<_> = (0..4).map(|_| start()).collect();
    for mut r in runs {
        assert!(r.wait().unwrap().success());
    }
    let mut folders: Vec<String> = std::fs::read_dir(tmp.path("runs"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    folders.sort();
    // Four runs, four complete folders (train-<time>, train-<time>-2, … within one second).
    assert_eq!(folders.len(), 4, "{folders:?}");
    for f in &folders {
        assert!(f.starts_with("train-"), "{folders:?}");
        assert!(tmp.path("runs").join(f).join("model.json").is_file(), "{f}");
    }
}

#[cfg(target_os = "linux")]
#[test]
fn sigterm_while_decoding_a_folder_stops_at_once_writing_nothing() {
    let tmp = TempDir::new("images-sigterm");
    // 400 noisy 256 × 256 PNGs (one picture, hard-linked: decoding reads each file).
    let mut rng = NumpyRng::new(1);
    let first = tmp.path("one.png");
    RgbImage::from_fn(256, 256, |_, _| {
        let mut c = || (rng.uniform() * 255.0) as u8;
        Rgb([c(), c(), c()])
    })
    .save(&first)
    .unwrap();
    let pictures = tmp.path("train");
    for class in ["a", "b"] {
        std::fs::create_dir_all(pictures.join(class)).unwrap();
        for i in 0..200 {
            std::fs::hard_link(&first, pictures.join(class).join(format!("{i:03}.png"))).unwrap();
        }
    }
    std::fs::remove_file(&first).unwrap();
    let pictures = tmp.path("train").canonicalize().unwrap();
    // Their headers are read first (tens of milliseconds), then decoded.
    stop_while_decoding(
        &tmp,
        "reading the pictures",
        &|pid| has_open(pid, |p| p.starts_with(&pictures)),
        Duration::from_millis(50),
    );
}

/// A stop lands within a second even in the middle of one picture's decoding
/// (a single call into the decoder, seconds long here): the decoders run
/// through `stop::interruptible`, which returns at once and leaves them to end.
#[cfg(target_os = "linux")]
#[test]
fn sigterm_in_the_middle_of_one_huge_picture_stops_at_once() {
    let tmp = TempDir::new("images-sigterm-huge");
    // 644 bytes declaring 12 000 × 12 000 pixels (432 MB decoded, within the
    // limits): found by the fuzz target `picture`, its sides raised. Decoding
    // and resizing one takes seconds on this machine's cores.
    let huge = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/huge-12000x12000.jpg");
    for class in ["a", "b"] {
        let dir = tmp.path("train").join(class);
        std::fs::create_dir_all(&dir).unwrap();
        for i in 0..2 {
            std::fs::copy(&huge, dir.join(format!("{i}.jpg"))).unwrap();
        }
    }
    // The whole file is read before it is decoded: signalled once the
    // decoders have grown the process past 300 MB, midway through a picture.
    stop_while_decoding(
        &tmp,
        "decoding",
        &|pid| resident_bytes(pid) > 300 << 20,
        Duration::ZERO,
    );
}

/// Trains on `tmp`'s folder `train`, sends SIGTERM `after` it is `ready` (see
/// `harness::wait_until`), and requires exit code 130 within a second, one
/// line naming the phase, and nothing written beside `train`.
fn stop_while_decoding(tmp: &TempDir, what: &str, ready: &dyn Fn(u32) -> bool, after: Duration) {
    let mut child = spawn(
        &tmp.0,
        &["train", "--train", "train", "--iterations", "1", "--quiet"],
        false,
    );
    wait_until(&mut child, what, ready);
    std::thread::sleep(after);
    let sent = signal(&child, "TERM");
    let (status, err) = finish(child);
    let took = sent.elapsed();
    eprintln!("exited {took:?} after SIGTERM: {err}");
    assert!(took < Duration::from_secs(1), "took {took:?}: {err}");
    assert_eq!(status.code(), Some(130), "{err}");
    // Stopped while reading the pictures (decoding them, or on a slow
    // machine still their headers), not in training: nothing was written.
    assert!(
        err.starts_with("error: stopped by a signal while decoding the pictures")
            || err.starts_with("error: stopped by a signal while reading the pictures' sizes"),
        "{err}"
    );
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    // Nothing written: no run folder, no temporary folder, no lock beside them.
    let left: Vec<String> = std::fs::read_dir(&tmp.0)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(left, vec!["train".to_string()], "{left:?}");
}
