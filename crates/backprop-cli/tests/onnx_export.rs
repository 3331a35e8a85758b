//! `backprop export --format onnx`: onnxruntime runs the exported graph and
//! agrees with `backprop predict` — probabilities within 1e-10 (float64
//! graphs) or 1e-5 (float32), identical labels — for a logistic regression, a
//! standardised leaky-ReLU f64 net, a tanh softmax f32 net and a picture model
//! (÷255), and a conv net's model folder (its input N × 4 × 4 × 3);
//! `onnx.checker.check_model(full_check=True)` passes on each. And bad
//! input is refused in one line, exit 2, with nothing written.
//!
//! The onnxruntime half needs `$BACKPROP_PYTHON` with onnx and onnxruntime
//! (`.ci/run` installs them): without it that test is *ignored* with the
//! reason (build.rs's `no_python`), counted as skipped, never as a pass; under
//! `CI=true` it runs and fails. A `$BACKPROP_PYTHON` lacking them fails.

mod harness;

use std::path::Path;
use std::process::Command;

use backprop::Gaussian;
use harness::{assert_nothing_written, assert_refused, backprop, stderr, stdout, TempDir};

/// A Python that imports onnx and onnxruntime; panics (never passes) without one.
fn python() -> String {
    let fix = "set BACKPROP_PYTHON to a Python with onnx and onnxruntime (.ci/run installs them)";
    let py = std::env::var("BACKPROP_PYTHON")
        .unwrap_or_else(|_| panic!("BACKPROP_PYTHON is not set: {fix}"));
    let ok = Command::new(&py)
        .args(["-c", "import onnx, onnxruntime"])
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(ok, "{py} cannot import onnx and onnxruntime: {fix}");
    py
}

/// A table of three features on different scales and a label of `k` classes;
/// returns the CSV and the raw feature rows (the graph's input) as CSV without header.
fn table(seed: u32, m: usize, k: usize) -> (String, String) {
    let mut rng = backprop::NumpyRng::new(seed);
    let mut csv = String::from("a,b,label,c\n");
    let mut raw = String::new();
    for _ in 0..m {
        let (a, b, c) = (rng.randn() * 3.0 + 1.0, rng.randn(), rng.randn() * 10.0);
        let label = if k == 2 {
            usize::from(a * 0.3 - b + c * 0.05 > 0.3)
        } else {
            let scores = [a * 0.5, b * 1.5, c * 0.1];
            (0..3).fold(0, |best, i| if scores[i] > scores[best] { i } else { best })
        };
        csv.push_str(&format!("{a},{b},{label},{c}\n"));
        raw.push_str(&format!("{a},{b},{c}\n"));
    }
    (csv, raw)
}

/// A table with a long-tailed column `count` (log-normal, some negative),
/// which the preparation reads as sign(x)·ln(1+|x|); returns the CSV and the
/// raw feature rows (a, count).
fn skewed_table(seed: u32, m: usize) -> (String, String) {
    let mut rng = backprop::NumpyRng::new(seed);
    let mut csv = String::from("a,count,label\n");
    let mut raw = String::new();
    for i in 0..m {
        let (a, l) = (rng.randn(), rng.randn() * 2.0);
        let count = l.exp() * 20.0 * if i % 10 == 0 { -1.0 } else { 1.0 };
        let label = usize::from(l + a > 0.2);
        csv.push_str(&format!("{a},{count},{label}\n"));
        raw.push_str(&format!("{a},{count}\n"));
    }
    (csv, raw)
}

/// Tiny 4×4 pictures of two classes in `dir/cat` and `dir/dog`; returns their paths.
fn pictures(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut rng = backprop::NumpyRng::new(3);
    let mut paths = Vec::new();
    for (class, base) in [("cat", 170.0), ("dog", 80.0)] {
        std::fs::create_dir_all(dir.join(class)).unwrap();
        for i in 0..12 {
            let img = image::RgbImage::from_fn(4, 4, |_, _| {
                let mut v =
                    |shift: f64| (base + shift + rng.randn() * 40.0).clamp(0.0, 255.0) as u8;
                image::Rgb([v(20.0), v(0.0), v(-20.0)])
            });
            let path = dir.join(class).join(format!("{i}.png"));
            img.save(&path).unwrap();
            paths.push(path);
        }
    }
    paths
}

fn run_ok(tmp: &TempDir, args: &[&str]) -> String {
    let out = backprop(&tmp.0, args);
    assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    stdout(&out)
}

/// Trains `name` on `data` with `flags`.
fn train(tmp: &TempDir, name: &str, data: &str, flags: &[&str]) {
    let mut args = vec![
        "train", "--train", data, "--quiet", "--out", name, "--seed", "3",
    ];
    args.extend_from_slice(flags);
    run_ok(tmp, &args);
}

/// One comparison for onnx_check.py.
#[derive(Clone, Copy)]
struct Case<'a> {
    name: &'a str,
    model: &'a str,
    /// Extra `export` flags.
    flags: &'a [&'a str],
    /// The `predict` inputs and the same examples' raw features (a CSV file name).
    inputs: &'a [&'a str],
    raw: &'a str,
    tolerance: f64,
    opset: i64,
    label_type: &'a str,
    input_type: &'a str,
}

#[test]
#[cfg_attr(
    no_python,
    ignore = "needs $BACKPROP_PYTHON: a Python with onnx and onnxruntime"
)]
fn onnxruntime_runs_the_exported_graphs_as_predict_does() {
    let py = python();
    let tmp = TempDir::new("onnx-export");
    let (binary, binary_raw) = table(5, 80, 2);
    tmp.write("binary.csv", &binary);
    tmp.write("binary_raw.csv", &binary_raw);
    let (three, three_raw) = table(6, 90, 3);
    tmp.write("three.csv", &three);
    tmp.write("three_raw.csv", &three_raw);
    let (skewed, skewed_raw) = skewed_table(7, 120);
    tmp.write("skewed.csv", &skewed);
    tmp.write("skewed_raw.csv", &skewed_raw);
    for precision in ["f64", "f32"] {
        let name = format!("skewed-{precision}");
        train(
            &tmp,
            &name,
            "skewed.csv",
            &["--hidden", "4", "--precision", precision, "--epochs", "20"],
        );
        let model = harness::json(&tmp.path(&format!("{name}/model.json")));
        let logged = &model["preprocessing"]["standardization"]["signed_log"];
        assert_eq!(logged, &serde_json::json!([1]), "count is log-transformed");
    }
    refused(
        &tmp,
        &[
            "--model",
            "skewed-f64",
            "--format",
            "onnx",
            "--out",
            "out.onnx",
            "--opset",
            "8",
        ],
        "--opset 8 is below the 9 this graph needs (Sign (a table's log-transformed columns)",
    );

    let steps = ["--iterations", "400", "--learning-rate", "0.1"];
    train(
        &tmp,
        "logreg",
        "binary.csv",
        &[&["--hidden", "none", "--precision", "f64"][..], &steps].concat(),
    );
    train(
        &tmp,
        "leaky",
        "binary.csv",
        &[
            &[
                "--hidden",
                "5,3",
                "--activation",
                "leaky-relu",
                "--standardize",
                "--precision",
                "f64",
            ][..],
            &steps,
        ]
        .concat(),
    );
    train(
        &tmp,
        "tanh",
        "three.csv",
        &[
            &[
                "--hidden",
                "6",
                "--activation",
                "tanh",
                "--precision",
                "f32",
            ][..],
            &steps,
        ]
        .concat(),
    );
    let files = pictures(&tmp.path("pics"));
    train(
        &tmp,
        "pic-model",
        "pics",
        &[
            "--image-size",
            "4",
            "--hidden",
            "3",
            "--activation",
            "relu",
            "--precision",
            "f64",
            "--iterations",
            "300",
            "--learning-rate",
            "0.05",
        ],
    );
    // The graph's input for pictures: the decoded RGB bytes predict sees, before ÷255.
    let mut pics_raw = String::new();
    for f in &files {
        let bytes = backprop::data::images::decode_rgb(f, 4).unwrap();
        let row: Vec<String> = bytes.iter().map(u8::to_string).collect();
        pics_raw.push_str(&(row.join(",") + "\n"));
    }
    tmp.write("pics_raw.csv", &pics_raw);
    conv_model(&tmp, "pic-model", "conv-model", &files);
    let pic_names: Vec<String> = files.iter().map(|p| p.display().to_string()).collect();
    let pic_inputs: Vec<&str> = pic_names.iter().map(String::as_str).collect();

    let cases = [
        Case {
            name: "logistic regression f64",
            model: "logreg",
            flags: &[],
            inputs: &["binary.csv"],
            raw: "binary_raw.csv",
            tolerance: 1e-10,
            opset: 17,
            label_type: "int64",
            input_type: "double",
        },
        Case {
            name: "leaky-relu standardised f64",
            model: "leaky",
            flags: &[],
            inputs: &["binary.csv"],
            raw: "binary_raw.csv",
            tolerance: 1e-10,
            opset: 17,
            label_type: "int64",
            input_type: "double",
        },
        Case {
            name: "leaky-relu f64 at its oldest opset",
            model: "leaky",
            flags: &["--opset", "8"],
            inputs: &["binary.csv"],
            raw: "binary_raw.csv",
            tolerance: 1e-10,
            opset: 8,
            label_type: "int64",
            input_type: "double",
        },
        Case {
            name: "leaky-relu f64 at the newest opset",
            model: "leaky",
            flags: &["--opset", "25"],
            inputs: &["binary.csv"],
            raw: "binary_raw.csv",
            tolerance: 1e-10,
            opset: 25,
            label_type: "int64",
            input_type: "double",
        },
        Case {
            name: "tanh softmax f32",
            model: "tanh",
            flags: &[],
            inputs: &["three.csv"],
            raw: "three_raw.csv",
            tolerance: 1e-5,
            opset: 17,
            label_type: "int64",
            input_type: "float",
        },
        Case {
            name: "a skewed column log-transformed f64",
            model: "skewed-f64",
            flags: &[],
            inputs: &["skewed.csv"],
            raw: "skewed_raw.csv",
            tolerance: 1e-10,
            opset: 17,
            label_type: "int64",
            input_type: "double",
        },
        Case {
            name: "a skewed column log-transformed at its oldest opset",
            model: "skewed-f64",
            flags: &["--opset", "9"],
            inputs: &["skewed.csv"],
            raw: "skewed_raw.csv",
            tolerance: 1e-10,
            opset: 9,
            label_type: "int64",
            input_type: "double",
        },
        Case {
            name: "a skewed column log-transformed f32",
            model: "skewed-f32",
            flags: &[],
            inputs: &["skewed.csv"],
            raw: "skewed_raw.csv",
            tolerance: 1e-5,
            opset: 17,
            label_type: "int64",
            input_type: "float",
        },
        Case {
            name: "pictures ÷255 f64",
            model: "pic-model",
            flags: &[],
            inputs: &pic_inputs,
            raw: "pics_raw.csv",
            tolerance: 1e-10,
            opset: 17,
            label_type: "string",
            input_type: "double",
        },
        Case {
            name: "pictures ÷255 exported as f32",
            model: "pic-model",
            flags: &["--precision", "f32"],
            inputs: &pic_inputs,
            raw: "pics_raw.csv",
            tolerance: 1e-5,
            opset: 17,
            label_type: "string",
            input_type: "float",
        },
    ];
    // The conv net's model folder, compared as the dense picture model is.
    let conv_names = [
        "conv net on pictures ÷255 f64",
        "conv net on pictures ÷255 exported as f32",
    ];
    let conv = cases[cases.len() - 2..]
        .iter()
        .zip(conv_names)
        .map(|(c, name)| Case {
            name,
            model: "conv-model",
            ..*c
        });
    let cases: Vec<Case> = cases.iter().copied().chain(conv).collect();
    let mut manifest = Vec::new();
    for (i, c) in cases.iter().enumerate() {
        let onnx = format!("{}-{i}.onnx", c.model);
        let mut args = vec![
            "export", "--model", c.model, "--format", "onnx", "--out", &onnx,
        ];
        args.extend_from_slice(c.flags);
        run_ok(&tmp, &args);
        let mut args = vec!["predict", "--model", c.model, "--format", "json"];
        args.extend_from_slice(c.inputs);
        let preds = format!("{}-{i}.json", c.model);
        std::fs::write(tmp.path(&preds), run_ok(&tmp, &args)).unwrap();
        manifest.push(serde_json::json!({
            "name": c.name, "model": onnx, "inputs": c.raw, "predictions": preds,
            "tolerance": c.tolerance, "opset": c.opset, "label_type": c.label_type,
            "input_type": c.input_type,
            "input_shape": (c.model == "conv-model").then_some([4, 4, 3]),
        }));
    }
    tmp.write(
        "cases.json",
        &serde_json::to_string_pretty(&manifest).unwrap(),
    );
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/python/onnx_check.py");
    let r = Command::new(&py)
        .args([script, "cases.json"])
        .current_dir(&tmp.0)
        .output()
        .unwrap();
    eprintln!("{}", stdout(&r));
    assert!(r.status.success(), "{}{}", stdout(&r), stderr(&r));
}

/// A model folder `name` holding a conv net (conv 3×2×2 pad 1 → relu → max
/// pool 2 stride 1 → conv 2×2×2 → tanh → average pool 2 → dense 4 → sigmoid) over the
/// 4×4×3 pictures of the folder `dense` (its classes and preprocessing: ÷255),
/// its output bias set to the median logit of `files` so that both classes are predicted.
fn conv_model(tmp: &TempDir, dense: &str, name: &str, files: &[std::path::PathBuf]) {
    use backprop::{Activation, Init, Network, Picture, PictureLayer as L, Pooling};
    let model = harness::json(&tmp.path(&format!("{dense}/model.json")));
    let classes: Vec<String> = serde_json::from_value(model["classes"].clone()).unwrap();
    let pre: backprop::data::Preprocessing =
        serde_json::from_value(model["preprocessing"].clone()).unwrap();
    let picture = Picture {
        height: 4,
        width: 4,
        channels: 3,
    };
    let g = L::activation;
    let (relu, tanh) = (g(Activation::Relu), g(Activation::Tanh));
    let first = [L::conv(3, 2, 1, 1), relu, L::pool(Pooling::Max, 2, 1)];
    let layers = [
        first,
        [L::conv(2, 2, 1, 0), tanh, L::pool(Pooling::Average, 2, 1)],
    ]
    .concat();
    let mut net = Network::<f64>::builder(&[48, 4, 1])
        .picture(picture, &layers)
        .init(Init::He)
        .seed(4)
        .build()
        .unwrap();
    let x = ndarray::Array2::from_shape_fn((48, files.len()), |(i, j)| {
        let bytes = backprop::data::images::decode_rgb(&files[j], 4).unwrap();
        f64::from(bytes[i]) / 255.0
    });
    let mut logits = net.output_logits(x.view()).into_raw_vec_and_offset().0;
    logits.sort_by(f64::total_cmp);
    let median = (logits[logits.len() / 2 - 1] + logits[logits.len() / 2]) / 2.0;
    net.layers_mut()[1].b[[0, 0]] -= median;
    std::fs::create_dir(tmp.path(name)).unwrap();
    backprop::model_io::save(&tmp.path(name), &net, &classes, &pre).unwrap();
}

/// Runs `export ARGS`; asserts exit 2, one line containing `needle`, no
/// panic, and neither `out.onnx` nor a temporary file beside it.
fn refused(tmp: &TempDir, args: &[&str], needle: &str) {
    let mut all = vec!["export"];
    all.extend_from_slice(args);
    let out = backprop(&tmp.0, &all);
    let what = format!("{args:?}");
    assert_refused(&out, &what, needle, 1);
    assert_nothing_written(tmp, "out.onnx", &what);
}

#[test]
fn bad_export_requests_are_refused_in_one_line_with_nothing_written() {
    let tmp = TempDir::new("onnx-refused");
    let (csv, _) = table(7, 30, 2);
    tmp.write("d.csv", &csv);
    train(
        &tmp,
        "leaky",
        "d.csv",
        &[
            "--hidden",
            "3",
            "--activation",
            "leaky-relu",
            "--precision",
            "f64",
            "--iterations",
            "5",
        ],
    );
    std::fs::create_dir(tmp.path("empty")).unwrap();
    let ok = ["--format", "onnx", "--out", "out.onnx"];
    let with = |model: &'static str, extra: &[&'static str]| -> Vec<&'static str> {
        [&["--model", model][..], &ok, extra].concat()
    };
    refused(&tmp, &with("empty", &[]), "empty: is not a model folder");
    refused(&tmp, &with("d.csv", &[]), "d.csv: is not a model folder");
    refused(&tmp, &with("missing", &[]), "missing");
    refused(
        &tmp,
        &[
            "--model", "leaky", "--format", "tflite", "--out", "out.onnx",
        ],
        "--format 'tflite' is not one backprop writes",
    );
    refused(
        &tmp,
        &with("leaky", &["--opset", "7"]),
        "--opset 7 is below the 8 this graph needs",
    );
    refused(
        &tmp,
        &with("leaky", &["--opset", "99"]),
        "--opset 99 is newer",
    );
    refused(
        &tmp,
        &[
            "--model",
            "leaky",
            "--format",
            "onnx",
            "--out",
            "no/such/out.onnx",
        ],
        "the folder no/such does not exist",
    );
    refused(
        &tmp,
        &["--model", "leaky", "--format", "onnx", "--out", "empty"],
        "empty: is a folder",
    );
    // An existing file is kept unless --force.
    tmp.write("kept.onnx", "mine");
    let out = backprop(
        &tmp.0,
        &[
            "export",
            "--model",
            "leaky",
            "--format",
            "onnx",
            "--out",
            "kept.onnx",
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("kept.onnx: already exists"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        std::fs::read_to_string(tmp.path("kept.onnx")).unwrap(),
        "mine"
    );
    run_ok(
        &tmp,
        &[
            "export",
            "--model",
            "leaky",
            "--format",
            "onnx",
            "--out",
            "kept.onnx",
            "--force",
        ],
    );
    assert!(std::fs::read(tmp.path("kept.onnx")).unwrap().len() > 100);
}

/// Whether `haystack` holds the bytes of `needle`.
fn holds(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

/// A logistic regression has no hidden layer, so its graph's metadata and
/// description name no hidden activation; a network with one names it.
#[test]
fn a_logistic_regressions_metadata_names_no_hidden_activation() {
    let tmp = TempDir::new("onnx-logreg-metadata");
    let (csv, _) = table(8, 30, 2);
    tmp.write("d.csv", &csv);
    for (model, hidden) in [("logreg", "none"), ("net", "3")] {
        let flags = [
            "--hidden",
            hidden,
            "--iterations",
            "5",
            "--precision",
            "f64",
        ];
        train(&tmp, model, "d.csv", &flags);
    }
    for model in ["logreg", "net"] {
        let out = format!("{model}.onnx");
        run_ok(
            &tmp,
            &[
                "export", "--model", model, "--format", "onnx", "--out", &out,
            ],
        );
        let bytes = std::fs::read(tmp.path(&out)).unwrap();
        let hidden = model == "net";
        assert_eq!(holds(&bytes, "hidden_activation"), hidden, "{model}");
        assert_eq!(holds(&bytes, " hidden, "), hidden, "{model}");
        assert!(holds(&bytes, "output_activation"), "{model}");
    }
}
