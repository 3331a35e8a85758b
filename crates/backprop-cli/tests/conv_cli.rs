//! Conv nets at the command line: `train --layers` on a picture folder and
//! the course's HDF5 files, `--explain`'s picture-layer equations with the
//! run's shapes, `gradcheck --layers`, the flatten order the conv stack
//! reads X in, and every refusal of `--layers` (exit 2, one message naming
//! the flags).

mod harness;

use std::path::Path;

use backprop::data::{load_training, LoadOptions};
use backprop::{ConvStack, Gaussian, Init, LayerList, NumpyRng};
use harness::{assert_nothing_written, assert_refused, backprop, cat_dir, stderr, stdout, TempDir};
use image::{Rgb, RgbImage};

/// `n` pictures of `side` × `side` a class, in sub-folders: "bright" ones
/// with a light square in the top-left quarter, "dark" ones without.
fn pictures(dir: &Path, n: usize, side: u32, seed: u32) {
    let mut rng = NumpyRng::new(seed);
    for class in ["bright", "dark"] {
        std::fs::create_dir_all(dir.join(class)).unwrap();
        for i in 0..n {
            let img = RgbImage::from_fn(side, side, |x, y| {
                let lit = class == "bright" && x < side / 2 && y < side / 2;
                let base = if lit { 200.0 } else { 60.0 };
                let v = |rng: &mut NumpyRng| (base + rng.randn() * 20.0).clamp(0.0, 255.0) as u8;
                Rgb([v(&mut rng), v(&mut rng), v(&mut rng)])
            });
            img.save(dir.join(class).join(format!("{i:02}.png")))
                .unwrap();
        }
    }
}

const LIST: &str = "conv4x3x3,relu,maxpool2,dense8,relu";

/// Asserts `text` holds `needle`.
fn has(text: &str, needle: &str) {
    assert!(text.contains(needle), "missing '{needle}' in:\n{text}");
}

/// Runs `backprop` with the words of `command` in `tmp`.
fn run(tmp: &TempDir, command: &str) -> std::process::Output {
    let words: Vec<&str> = command.split_whitespace().collect();
    backprop(&tmp.0, &words)
}

#[test]
fn the_conv_stack_reads_a_picture_folder_in_its_own_pixel_order() {
    // Random pixels: a transposed (w, h) or channel-first reading of X would
    // pool other values than each corner block's own.
    let tmp = TempDir::new("conv-order");
    let dir = tmp.path("pics");
    let mut rng = NumpyRng::new(5);
    let mut kept = Vec::new();
    for class in ["a", "b"] {
        std::fs::create_dir_all(dir.join(class)).unwrap();
        let img = RgbImage::from_fn(6, 6, |_, _| {
            Rgb([0; 3].map(|_: u8| (rng.uniform() * 255.0) as u8))
        });
        img.save(dir.join(class).join("0.png")).unwrap();
        kept.push(img);
    }
    let data = load_training(&dir, &LoadOptions::default(), &|_, _| {}).unwrap();
    let picture = data.preprocessing.picture().unwrap();
    assert_eq!(picture.to_string(), "6×6×3");
    // A 3 × 3 max pool with stride 3: each output is one corner block's maximum.
    let layers = "maxpool3".parse::<LayerList>().unwrap().picture;
    let mut stack =
        ConvStack::<f64>::new(picture, &layers, Init::Xavier, &mut NumpyRng::new(1)).unwrap();
    stack.forward(data.x.view(), backprop::Threads(1));
    let out = stack.output();
    for (j, img) in kept.iter().enumerate() {
        for (bh, bw, c) in itertools(2, 2, 3) {
            let block_max = (0..3)
                .flat_map(|p| (0..3).map(move |q| (p, q)))
                .map(|(p, q)| img.get_pixel(bw * 3 + q, bh * 3 + p)[c as usize])
                .max()
                .unwrap();
            let row = ((bh * 2 + bw) * 3 + c) as usize;
            let got = out[(row, j)];
            assert!(
                (got - f64::from(block_max) / 255.0).abs() < 1e-12,
                "picture {j}, block ({bh}, {bw}), channel {c}: {got} vs {block_max}/255"
            );
        }
    }
}

/// (h, w, c) for h < a, w < b, c < k, in row-major order.
fn itertools(a: u32, b: u32, k: u32) -> impl Iterator<Item = (u32, u32, u32)> {
    (0..a).flat_map(move |h| (0..b).flat_map(move |w| (0..k).map(move |c| (h, w, c))))
}

#[test]
fn train_layers_explains_the_picture_layers_with_the_runs_shapes() {
    let tmp = TempDir::new("conv-explain");
    pictures(&tmp.path("pics"), 6, 12, 1);
    let out = run(
        &tmp,
        &format!("train --train pics --layers {LIST} --epochs 2 --explain --threads 1 --out run"),
    );
    let text = stdout(&out);
    for line in [
        "Picture layers: pictures of 12×12×3 (n_H × n_W × n_C, read from the data), volumes 12×12×3 → 10×10×4 → 10×10×4 → 5×5×4, flattened into 100 values.",
        "Network [432 → picture layers → 100, 8, 1]",
        "conv1: A⁽¹⁾[i,h,w,c] = Σ_{p,q,k} A⁽⁰⁾_pad[i, h·1+p, w·1+q, k]·W (conv1.W, 3×3×3×4)[p,q,k,c]",
        "flatten: A[0] = A⁽³⁾ with each example's volume read in h, w, c order as one column → (100×12)",
        "Z[1] = W[1] (8×100) · A[0] (100×12) + b[1] (8×1) → (8×12)",
        "dA[0] = W[1]ᵀ (100×8) · dZ[1] (8×12) → (100×12), read back as dA⁽³⁾ (12×5×5×4)",
        "(dA⁽⁰⁾ is not computed: X is not learned)",
        "θ each of W[l], b[l] and of conv1's W, b",
    ] {
        has(&text, line);
    }
    // Adam on mini-batches of 32 for the epochs asked: the conv net's defaults.
    has(&text, "Update (Adam, α = 0.001");
    has(&text, "Cost after epoch 1");
    saved_and_used(&tmp, &out, "pics");
}

/// The run wrote a whole run folder (model, checkpoint, metrics), which
/// `predict` reads for each picture of `data` and `evaluate` scores on it:
/// on the training set, the accuracy the run reported.
fn saved_and_used(tmp: &TempDir, out: &std::process::Output, data: &str) {
    assert!(out.status.success(), "{}", stderr(out));
    let folder = tmp.path("run");
    for file in [
        "model.json",
        "model.safetensors",
        "checkpoint.safetensors",
        "metrics.json",
    ] {
        assert!(folder.join(file).is_file(), "{file} not written");
    }
    let predicted = run(tmp, &format!("predict --model run {data} --format csv"));
    assert!(predicted.status.success(), "{}", stderr(&predicted));
    let m = harness::json(&folder.join("metrics.json"));
    let rows = stdout(&predicted).lines().count() - 1;
    assert_eq!(
        Some(rows as u64),
        m["train_examples"].as_u64(),
        "one row a picture"
    );
    let scored = run(tmp, &format!("evaluate --model run {data} --format json"));
    assert!(scored.status.success(), "{}", stderr(&scored));
    let scores: serde_json::Value = serde_json::from_str(&stdout(&scored)).unwrap();
    assert_eq!(scores["accuracy"], m["train_accuracy"], "{scores}");
}

#[test]
fn train_layers_reads_the_course_hdf5_pictures() {
    let Some(cat) = cat_dir() else { return };
    let tmp = TempDir::new("conv-h5");
    let train = cat.join("train_catvnoncat.h5");
    let train = train.display();
    let out = run(
        &tmp,
        &format!("train --train {train} --layers conv2x5x5s3,relu,maxpool2 --iterations 1 --explain --threads 1 --out run"),
    );
    let text = stdout(&out);
    has(&text, "pictures of 64×64×3 (n_H × n_W × n_C, read from the data), volumes 64×64×3 → 20×20×2 → 20×20×2 → 10×10×2");
    // --iterations alone: the course's full-batch gradient descent.
    has(&text, "Full batch: every update sees all m = 209 examples.");
    has(&text, "Update (gradient descent, α = 0.0075)");
    saved_and_used(&tmp, &out, &train.to_string());
}

/// `train --train pics --layers LIST` plus `extra`, in a folder of pictures.
fn refused(name: &str, extra: &[&str], needle: &str) {
    let tmp = TempDir::new(name);
    pictures(&tmp.path("pics"), 3, 8, 2);
    let mut args = vec![
        "train",
        "--train",
        "pics",
        "--out",
        "run",
        "--iterations",
        "1",
    ];
    args.extend(extra);
    let out = backprop(&tmp.0, &args);
    assert_refused(&out, name, needle, 1);
    assert!(!stdout(&out).contains("Cost after"), "{name}: trained");
    assert_nothing_written(&tmp, "run", name);
}

#[test]
fn layers_with_hidden_is_refused_naming_both() {
    refused(
        "conv-hidden",
        &["--layers", LIST, "--hidden", "4"],
        "'--layers <LIST>' cannot be used with '--hidden <HIDDEN>'",
    );
}

#[test]
fn settings_picture_layers_do_not_train_with_are_refused_naming_both() {
    refused(
        "conv-lbfgs",
        &["--layers", LIST, "--optimizer", "lbfgs"],
        "--optimizer lbfgs does not train picture layers (--layers); --optimizer or --layers must go",
    );
    refused(
        "conv-l1",
        &["--layers", LIST, "--l1", "0.01"],
        "an L1 term (--l1 0.01) does not train picture layers (--layers); --l1 or --layers must go",
    );
    refused(
        "conv-early",
        &"--layers LIST --validation 0.3 --early-stopping 2"
            .replace("LIST", LIST)
            .split(' ')
            .collect::<Vec<_>>(),
        "early stopping (--early-stopping 2) does not train picture layers (--layers)",
    );
}

#[test]
fn a_table_with_layers_is_refused_saying_pictures_are_needed() {
    let tmp = TempDir::new("conv-csv");
    let mut csv = String::from("a,b,label\n");
    for i in 0..20 {
        csv.push_str(&format!("{i},{},{}\n", i * 2, i % 2));
    }
    tmp.write("t.csv", &csv);
    let out = run(
        &tmp,
        &format!("train --train t.csv --layers {LIST} --out run"),
    );
    assert_refused(&out, "a CSV table", "--layers needs pictures", 1);
    assert!(stderr(&out).contains("use --hidden for a table"));
    assert_nothing_written(&tmp, "run", "a CSV table");
}

#[test]
fn a_list_that_does_not_fit_the_pictures_or_parse_is_refused() {
    refused(
        "conv-too-big",
        &["--layers", "conv4x9x9,relu"],
        "--layers over pictures of 8×8×3: picture layer 1",
    );
    refused(
        "conv-grammar",
        &["--layers", "conv4x3x3,pool2"],
        "layer 2 ('pool2'): unknown layer",
    );
    refused(
        "conv-two-activations",
        &["--layers", LIST, "--activation", "tanh"],
        "--activation tanh and --layers conv4x3x3,relu,maxpool2,dense8,relu (dense layers with relu) name two activations",
    );
    refused(
        "conv-no-dense",
        &[
            "--layers",
            "conv4x3x3,relu,maxpool2",
            "--activation",
            "tanh",
        ],
        "--layers conv4x3x3,relu,maxpool2 has none",
    );
}

#[test]
fn layers_with_resume_is_refused() {
    let tmp = TempDir::new("conv-resume");
    let out = run(&tmp, &format!("train --resume run --layers {LIST}"));
    assert_refused(
        &out,
        "--layers with --resume",
        "'--resume <RESUME>' cannot be used with '--layers <LIST>'",
        1,
    );
}

#[test]
fn gradcheck_checks_a_conv_net() {
    let tmp = TempDir::new("conv-gradcheck");
    let list = "conv3x3x3p1,relu,maxpool2,conv4x2x2p1,tanh,avgpool2,dense5,relu";
    let out = run(&tmp, &format!("gradcheck --layers {list} --classes 3"));
    let text = stdout(&out);
    assert!(out.status.success(), "{text}{}", stderr(&out));
    let head =
        format!("gradient check of conv net {list} over pictures of 8×8×2, then [128, 5, 3]");
    assert!(text.starts_with(&head), "{text}");
    for name in ["dconv1.W", "dconv1.b", "dconv2.W", "dconv2.b", "dW1"] {
        assert!(text.contains(&format!("  {name} ")), "{name}: {text}");
    }
    let line = text
        .lines()
        .find(|l| l.starts_with("relative difference"))
        .unwrap();
    let d: f64 = line.rsplit(' ').next().unwrap().parse().unwrap();
    assert!(d < 1e-7, "{line}");
}

#[test]
fn gradcheck_refuses_what_a_conv_check_cannot_run() {
    let tmp = TempDir::new("conv-gradcheck-bad");
    let cases: [(&[&str], &str); 4] = [
        (
            &["--layers", "conv3x3x3", "--picture", "2x2x1"],
            "--layers over --picture 2×2×1: picture layer 1",
        ),
        (
            &["--layers", "conv3x3x3", "--hidden", "4"],
            "'--layers <LIST>' cannot be used with '--hidden <HIDDEN>'",
        ),
        (&["--picture", "4x4x1"], "--layers <LIST>"),
        (
            &["--layers", "conv3x3x3", "--picture", "4x0x1"],
            "'4x0x1' is not a picture shape",
        ),
    ];
    for (args, needle) in cases {
        let mut all = vec!["gradcheck"];
        all.extend(args);
        let out = backprop(&tmp.0, &all);
        assert_refused(&out, &all.join(" "), needle, 1);
    }
}

#[test]
fn help_names_the_grammar_and_the_conv_defaults() {
    let tmp = TempDir::new("conv-help");
    let out = run(&tmp, "train --help");
    let text = stdout(&out);
    has(&text, "conv{filters}x{f}x{f}[s{stride}][p{pad}]");
    has(&text, "Defaults for a conv net: --optimizer adam, --learning-rate 0.001, --batch-size 32, --epochs 30");
}
