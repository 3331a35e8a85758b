//! The corpus's cases: a name, the files it makes, the command, and a part of
//! the one-line error it must print (the file or flag it names).

use std::path::Path;

use serde_json::json;

use super::makers::*;

type Setup = Box<dyn Fn(&Path) + Send + Sync>;

/// One bad input and how `backprop` must refuse it.
pub struct Case {
    /// Unique, says what is wrong.
    pub name: &'static str,
    /// Makes the case's files in its (empty) folder.
    pub setup: Vec<Setup>,
    /// The command line after `backprop`.
    pub args: Vec<String>,
    /// Extra environment.
    pub env: Vec<(&'static str, String)>,
    /// The documented exit code.
    pub code: i32,
    /// Text the one error line must hold.
    pub needle: &'static str,
}

impl Case {
    /// Makes the case's files in `dir`.
    pub fn prepare(&self, dir: &Path) {
        for s in &self.setup {
            s(dir);
        }
    }
    fn file(mut self, name: &'static str, bytes: impl Into<Vec<u8>>) -> Self {
        let bytes = bytes.into();
        self.setup.push(Box::new(move |d: &Path| {
            let p = d.join(name);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, &bytes).unwrap();
        }));
        self
    }
    fn with(mut self, f: impl Fn(&Path) + Send + Sync + 'static) -> Self {
        self.setup.push(Box::new(f));
        self
    }
    fn env(mut self, k: &'static str, v: &str) -> Self {
        self.env.push((k, v.to_string()));
        self
    }
}

/// A case running `args` (split on spaces).
fn case(name: &'static str, args: &str, needle: &'static str) -> Case {
    Case {
        name,
        setup: Vec::new(),
        args: args.split_whitespace().map(String::from).collect(),
        env: Vec::new(),
        code: 2,
        needle,
    }
}

/// `train --out run --train d.csv FLAGS` on a good CSV.
fn flag(name: &'static str, flags: &str, needle: &'static str) -> Case {
    case(
        name,
        &format!("train --out run --train d.csv {flags}"),
        needle,
    )
    .file("d.csv", GOOD_CSV)
}

/// `train --out run --train FILE --iterations 3` with FILE holding `bytes`.
fn data(
    name: &'static str,
    file: &'static str,
    bytes: impl Into<Vec<u8>>,
    needle: &'static str,
) -> Case {
    case(
        name,
        &format!("train --out run --iterations 3 --train {file}"),
        needle,
    )
    .file(file, bytes)
}

/// `predict --model model in.csv` with the fixture model edited by `edit`.
fn model(
    name: &'static str,
    needle: &'static str,
    edit: impl Fn(&mut serde_json::Value) + Send + Sync + 'static,
) -> Case {
    case(name, "predict --model model in.csv", needle)
        .file("in.csv", "x1,x2\n0.1,0.2\n")
        .with(move |d| model_with(d, &edit))
}

/// [`model`] with `field` (JSON text a `serde_json::Value` cannot hold, so
/// it is written as text) added to model.json's top-level object.
fn model_text(name: &'static str, needle: &'static str, field: String) -> Case {
    model(name, needle, |_| {}).with(move |d| {
        let p = d.join("model/model.json");
        let text = std::fs::read_to_string(&p).unwrap();
        let body = text.trim_end().strip_suffix('}').unwrap();
        std::fs::write(&p, format!("{body},{field}}}")).unwrap();
    })
}

/// `predict --model model in.csv` with the fixture model's weights replaced.
fn weights(
    name: &'static str,
    needle: &'static str,
    edit: impl Fn(&mut Vec<(&'static str, safetensors::Dtype, Vec<usize>, Vec<u8>)>)
        + Send
        + Sync
        + 'static,
) -> Case {
    case(name, "predict --model model in.csv", needle)
        .file("in.csv", "x1,x2\n0.1,0.2\n")
        .with(move |d| model_tensors(d, &good_tensors(&edit)))
}

/// `train --resume ckpt` with the fixture checkpoint's json edited by `edit`.
fn resume(
    name: &'static str,
    needle: &'static str,
    edit: impl Fn(&mut serde_json::Value) + Send + Sync + 'static,
) -> Case {
    case(name, "train --resume ckpt", needle).with(move |d| checkpoint_with(d, &edit))
}

/// Makes the fixture model's table one column `c` of categories a and b (its
/// two inputs) filled with `fill` under `--missing mean`.
fn one_category_column(v: &mut serde_json::Value, fill: serde_json::Value) {
    v["preprocessing"]["table"]["columns"] =
        json!([{"name": "c", "categories": ["a", "b"], "fill": fill}]);
    v["preprocessing"]["table"]["missing"] = json!("mean");
    v["preprocessing"]["feature_names"] = json!(["c=a", "c=b"]);
}

fn label_npy(labels: &[f64]) -> Vec<u8> {
    npy("<f8", &format!("({},)", labels.len()), false, &f64s(labels))
}

/// Every case.
pub fn all_cases() -> Vec<Case> {
    let mut v = Vec::new();
    v.extend(flag_cases());
    v.extend(csv_cases());
    v.extend(array_cases());
    v.extend(idx_cases());
    v.extend(hdf5_cases());
    v.extend(picture_cases());
    v.extend(model_cases());
    v.extend(checkpoint_cases());
    v.extend(run_folder_cases());
    v
}

fn flag_cases() -> Vec<Case> {
    vec![
        flag(
            "flag-learning-rate-negative",
            "--learning-rate -1",
            "--learning-rate must be > 0, got -1",
        ),
        flag(
            "flag-learning-rate-zero",
            "--learning-rate 0",
            "--learning-rate must be > 0, got 0",
        ),
        flag(
            "flag-learning-rate-nan",
            "--learning-rate nan",
            "--learning-rate must be > 0, got NaN",
        ),
        flag(
            "flag-learning-rate-inf",
            "--learning-rate inf",
            "--learning-rate must be > 0, got inf",
        ),
        flag(
            "flag-learning-rate-text",
            "--learning-rate fast",
            "--learning-rate",
        ),
        flag("flag-l2-negative", "--l2=-1", "--l2 must be ≥ 0, got -1"),
        flag(
            "flag-l2-huge-negative",
            "--l2=-1e300",
            "--l2 must be ≥ 0, got -1e300",
        ),
        flag("flag-l2-nan", "--l2 nan", "--l2"),
        flag("flag-threads-zero", "--threads 0", "--threads"),
        flag("flag-threads-huge", "--threads 100000000", "--threads"),
        flag(
            "flag-checkpoint-every-zero",
            "--checkpoint-every 0",
            "--checkpoint-every",
        ),
        flag(
            "flag-early-stopping-zero",
            "--early-stopping 0 --validation 0.25",
            "--early-stopping",
        ),
        flag(
            "flag-early-stopping-without-validation",
            "--early-stopping 3",
            "--early-stopping",
        ),
        flag(
            "flag-lr-decay-rate-negative",
            "--lr-decay inverse-time --lr-decay-rate=-1",
            "--lr-decay-rate",
        ),
        flag(
            "flag-lr-decay-interval-zero",
            "--lr-decay step --lr-decay-interval 0",
            "--lr-decay-interval",
        ),
        flag(
            "flag-lr-decay-exponential-rate-two",
            "--lr-decay exponential --lr-decay-rate 2",
            "--lr-decay-rate",
        ),
        flag("flag-lr-decay-unknown", "--lr-decay cosine", "--lr-decay"),
        flag("flag-beta1-one", "--optimizer adam --beta1 1", "--beta1"),
        flag(
            "flag-beta1-negative",
            "--optimizer adam --beta1=-0.1",
            "--beta1",
        ),
        flag("flag-beta2-one", "--optimizer adam --beta2 1", "--beta2"),
        flag(
            "flag-beta-momentum-over-one",
            "--optimizer momentum --beta 1.5",
            "--beta",
        ),
        flag(
            "flag-epsilon-zero",
            "--optimizer adam --epsilon 0",
            "--epsilon",
        ),
        flag(
            "flag-epsilon-negative-rmsprop",
            "--optimizer rmsprop --epsilon=-1",
            "--epsilon",
        ),
        flag(
            "flag-beta1-with-gd",
            "--optimizer gd --beta1 0.5",
            "--beta1",
        ),
        flag("flag-optimizer-unknown", "--optimizer sgd2", "--optimizer"),
        flag("flag-keep-prob-zero", "--keep-prob 0", "--keep-prob"),
        flag("flag-keep-prob-over-one", "--keep-prob 1.5", "--keep-prob"),
        flag(
            "flag-keep-prob-too-many",
            "--hidden 3 --keep-prob 0.5,0.5",
            "--keep-prob",
        ),
        flag(
            "flag-keep-prob-logistic",
            "--hidden none --keep-prob 0.5",
            "--keep-prob",
        ),
        flag("flag-iterations-zero", "--iterations 0", "--iterations"),
        flag(
            "flag-iterations-trillion",
            "--iterations 1000000000000",
            "--iterations",
        ),
        flag("flag-iterations-float", "--iterations 1e12", "--iterations"),
        flag(
            "flag-iterations-negative",
            "--iterations=-5",
            "--iterations",
        ),
        flag("flag-epochs-zero", "--epochs 0", "--epochs"),
        flag("flag-batch-size-zero", "--batch-size 0", "--batch-size"),
        flag(
            "flag-record-every-zero",
            "--record-every 0",
            "--record-every",
        ),
        flag("flag-validation-zero", "--validation 0", "--validation"),
        flag("flag-validation-one", "--validation 1", "--validation"),
        flag("flag-validation-nan", "--validation nan", "--validation"),
        flag("flag-hidden-zero", "--hidden 4,0", "--hidden"),
        flag("flag-hidden-text", "--hidden 20,x", "--hidden"),
        flag(
            "flag-hidden-u64-max",
            "--hidden 18446744073709551615",
            "--hidden",
        ),
        flag(
            "flag-hidden-hundred-million",
            "--hidden 100000000",
            "--hidden",
        ),
        flag(
            "flag-hidden-product-overflow",
            "--hidden 4294967296,4294967296",
            "--hidden",
        ),
        flag("flag-hidden-empty-part", "--hidden 4,,3", "--hidden"),
        flag(
            "flag-image-size-on-csv",
            "--image-size 100000",
            "--image-size",
        ),
        flag("flag-positive-on-csv", "--positive cat", "--positive"),
        flag("flag-x-key-on-csv", "--x-key x", "--x-key"),
        flag("flag-y-key-on-csv", "--y-key y", "--y-key"),
        flag("flag-skip-bad-on-csv", "--skip-bad", "--skip-bad"),
        flag("flag-precision-f16", "--precision f16", "f16"),
        flag(
            "flag-activation-unknown",
            "--activation swish",
            "--activation",
        ),
        flag(
            "flag-activation-softmax-hidden",
            "--activation softmax",
            "softmax",
        ),
        flag("flag-init-unknown", "--init magic", "--init"),
        flag("flag-max-memory-zero", "--max-memory 0", "--max-memory"),
        flag("flag-max-memory-text", "--max-memory lots", "--max-memory"),
        flag("flag-max-memory-unit", "--max-memory 2X", "--max-memory"),
        flag("flag-unknown", "--frobnicate", "--frobnicate"),
        flag(
            "flag-label-column-absent",
            "--label-column target",
            "target",
        ),
        flag("flag-test-missing", "--test nope.csv", "nope.csv"),
        case("flag-train-missing", "train --out run", "--train"),
        case("flag-no-command", "", "backprop"),
        case("flag-unknown-command", "frobnicate", "frobnicate"),
        case(
            "gradcheck-features-zero",
            "gradcheck --features 0",
            "--features",
        ),
        case("gradcheck-hidden-zero", "gradcheck --hidden 0", "--hidden"),
        case(
            "gradcheck-hidden-hundred-million",
            "gradcheck --hidden 100000000",
            "--hidden",
        ),
        case(
            "gradcheck-features-u64-max",
            "gradcheck --features 18446744073709551615",
            "18446744073709551615",
        ),
        case(
            "gradcheck-activation-softmax",
            "gradcheck --activation softmax",
            "softmax",
        ),
        case("demo-precision-f16", "demo --precision f16", "f16"),
        case("demo-out-exists", "demo --out run", "run")
            .with(|d| std::fs::create_dir_all(d.join("run")).unwrap()),
        case(
            "flag-max-memory-tiny",
            "train --out run --train d.csv --max-memory 100",
            "--max-memory",
        )
        .file("d.csv", GOOD_CSV),
        // Issue 13's red-team pass (V12, V13, V15, V18): flags that cannot
        // apply or contradict each other, refused by name before any work.
        flag(
            "flag-activation-without-hidden-layers",
            "--hidden none --activation sigmoid",
            "--activation sigmoid applies to hidden layers; --hidden none",
        ),
        case(
            "gradcheck-activation-without-hidden-layers",
            "gradcheck --hidden none --activation relu",
            "--activation relu applies to hidden layers",
        ),
        case(
            "evaluate-label-column-on-pictures",
            "evaluate --model model pics --label-column y",
            "--label-column applies to CSV files only, and pics is a folder of pictures",
        )
        .with(|d| {
            model_with(d, |_| {});
            std::fs::create_dir_all(d.join("pics")).unwrap();
        }),
        flag(
            "flag-features-twice",
            "--features x1,x1",
            "--features lists 'x1' twice",
        ),
        flag("flag-drop-twice", "--drop x1,x1", "--drop lists 'x1' twice"),
        flag(
            "flag-index-column-is-the-label",
            "--index-column label",
            "--index-column 'label' is the label column",
        ),
        flag(
            "flag-l2-diverges-by-itself",
            "--l2 18446744073709551616 --iterations 5",
            "--l2 1.8446744073709552e19 is too large for --learning-rate",
        ),
        case(
            "resume-epochs-on-an-iteration-run",
            "train --resume ckpt --epochs 5",
            "--epochs does not apply to --resume ckpt",
        )
        .with(|d| checkpoint_with(d, |_| {})),
        // Named as data before training, not as a NaN cost after it.
        case(
            "data-feature-beyond-f32-unstandardised",
            "train --out run --train e.csv --no-standardize --iterations 5",
            "e.csv: example 0, column 'a' is 1e308: too large for the model's f32 numbers",
        )
        .file("e.csv", "a,b,label\n1e308,2,0\n-1e308,3,1\n3,4,0\n4,5,1\n"),
        Case {
            code: 1,
            ..case(
                "data-feature-huge-unstandardised",
                "train --out run --train e.csv --no-standardize --hidden none --iterations 5 --precision f64",
                "the features reach |x| = 1e300 (feature 1)",
            )
            .file("e.csv", "a,b,label\n1e300,2,0\n-1e300,3,1\n3,4,0\n4,5,1\n")
        },
    ]
}

fn csv_cases() -> Vec<Case> {
    vec![
        data("csv-empty", "d.csv", "", "d.csv"),
        data("csv-header-only", "d.csv", "x1,x2,label\n", "d.csv"),
        data("csv-only-newlines", "d.csv", "\n\n\n", "d.csv"),
        data("csv-label-only", "d.csv", "label\n0\n1\n", "d.csv"),
        data(
            "csv-no-label-column",
            "d.csv",
            "x1,y\n0.1,0\n0.2,1\n",
            "label",
        ),
        data(
            "csv-non-numeric",
            "d.csv",
            "x1,x2,label\n0.1,abc,0\n0.2,0.3,1\n",
            "d.csv",
        ),
        data("csv-nan", "d.csv", "x1,label\nnan,0\n0.2,1\n", "d.csv"),
        data("csv-inf", "d.csv", "x1,label\ninf,0\n0.2,1\n", "d.csv"),
        data(
            "csv-minus-inf",
            "d.csv",
            "x1,label\n-inf,0\n0.2,1\n",
            "d.csv",
        ),
        data("csv-1e309", "d.csv", "x1,label\n1e309,0\n0.2,1\n", "d.csv"),
        data(
            "csv-1e308",
            "d.csv",
            "x1,label\n1e308,0\n-1e308,1\n",
            "d.csv",
        ),
        data(
            "csv-ragged-short",
            "d.csv",
            "x1,x2,label\n1,2\n3,4,1\n",
            "d.csv",
        ),
        data(
            "csv-ragged-long",
            "d.csv",
            "x1,label\n1,0,5\n3,1\n",
            "d.csv",
        ),
        data(
            "csv-binary-garbage",
            "d.csv",
            (0..=255u8).cycle().take(4096).collect::<Vec<u8>>(),
            "d.csv",
        ),
        data(
            "csv-invalid-utf8",
            "d.csv",
            b"x1,label\n\xff\xfe,0\n1,1\n".to_vec(),
            "d.csv",
        ),
        // Labels are names now (0.5, -1 and 10⁹ are classes like any other);
        // what stays bad is a quantity to predict and a label that is a fraction
        // of a class count too large to train.
        data(
            "csv-label-regression",
            "d.csv",
            (0..40)
                .map(|i| format!("{i},{}.25\n", i * 3))
                .fold(String::from("x1,label\n"), |s, l| s + &l),
            "d.csv",
        ),
        data(
            "csv-label-too-many-classes",
            "d.csv",
            (0..10_001)
                .map(|i| format!("{i},c{i}\n"))
                .fold(String::from("x1,label\n"), |s, l| s + &l),
            "d.csv",
        ),
        data(
            "csv-one-class",
            "d.csv",
            "x1,label\n0.1,0\n0.2,0\n",
            "d.csv",
        ),
        data(
            "csv-duplicate-header",
            "d.csv",
            "x,x,label\n1,2,0\n3,4,1\n",
            "d.csv",
        ),
        data(
            "csv-empty-cell",
            "d.csv",
            "x1,x2,label\n1,,0\n3,4,1\n",
            "d.csv",
        ),
        data("csv-empty-label", "d.csv", "x1,label\n1,\n3,1\n", "d.csv"),
        data(
            "csv-unclosed-quote",
            "d.csv",
            "x1,label\n\"1,0\n3,1\n",
            "d.csv",
        ),
        case(
            "csv-dev-zero",
            "train --out run --iterations 3 --train d.csv",
            "d.csv",
        )
        .with(|d| {
            std::os::unix::fs::symlink("/dev/zero", d.join("d.csv")).unwrap();
        }),
        case(
            "csv-is-a-folder-with-csv-name",
            "train --out run --train d.csv",
            "d.csv",
        )
        .with(|d| std::fs::create_dir_all(d.join("d.csv")).unwrap()),
        data("csv-test-other-features", "d.csv", GOOD_CSV, "t.csv")
            .file("t.csv", "x1,label\n0.1,0\n")
            .with(|_| {})
            .args_push(&["--test", "t.csv"]),
        // Finite values that the training set's standardisation takes beyond
        // the model's float type (f32 by default; ∞ in f64).
        data(
            "csv-test-beyond-f32-standardised",
            "d.csv",
            GOOD_CSV,
            "t.csv: example 1, column 'x1' is 1e38, which the model's standardisation",
        )
        .file("t.csv", "x1,x2,label\n0.1,0.2,0\n1e38,0.3,1\n")
        .args_push(&["--test", "t.csv"]),
        data(
            "csv-test-beyond-f64-standardised",
            "d.csv",
            GOOD_CSV,
            "t.csv: example 0, column 'x2' is -1e308",
        )
        .file("t.csv", "x1,x2,label\n0.1,-1e308,0\n")
        .args_push(&["--test", "t.csv", "--precision", "f64"]),
        data("csv-test-unknown-label", "d.csv", GOOD_CSV, "t.csv")
            .file("t.csv", "x1,x2,label\n0.1,0.2,0\n0.3,0.3,7\n")
            .args_push(&["--test", "t.csv"]),
        data("csv-unknown-extension", "d.txt", GOOD_CSV, "d.txt"),
        data("csv-missing-file", "d.csv", GOOD_CSV, "nope.csv").args_replace("d.csv", "nope.csv"),
    ]
}

impl Case {
    fn args_push(mut self, more: &[&str]) -> Self {
        self.args.extend(more.iter().map(|s| s.to_string()));
        self
    }
    fn args_replace(mut self, from: &str, to: &str) -> Self {
        for a in &mut self.args {
            if a == from {
                *a = to.to_string();
            }
        }
        self
    }
}

fn array_cases() -> Vec<Case> {
    let x = good_x;
    let y = good_y;
    let npy_pair = |name: &'static str, xb: Vec<u8>, yb: Vec<u8>| {
        data(name, "x.npy", xb, "x").file("y.npy", yb)
    };
    vec![
        data("npy-no-labels-beside", "x.npy", x(), "x.npy"),
        npy_pair(
            "npy-bad-magic",
            b"\x93NUMPX\x01\x00\x10\x00{}".to_vec(),
            y(),
        ),
        npy_pair("npy-too-short", b"\x93NU".to_vec(), y()),
        npy_pair(
            "npy-zero-examples-of-huge-shape",
            npy("<f8", "(0, 4294967296, 4294967296)", false, &[]),
            npy("<f8", "(0,)", false, &[]),
        ),
        npy_pair("npy-truncated-header", x()[..40].to_vec(), y()),
        npy_pair(
            "npy-claims-trillion",
            npy("<f8", "(1000000, 1000000)", false, &[0; 16]),
            y(),
        ),
        npy_pair(
            "npy-claims-trillion-u8",
            npy("|u1", "(1000000000000,)", false, &[0; 16]),
            y(),
        ),
        npy_pair(
            "npy-truncated-data",
            {
                let b = x();
                b[..b.len() - 8].to_vec()
            },
            y(),
        ),
        npy_pair(
            "npy-version-9",
            {
                let mut b = x();
                b[6] = 9;
                b
            },
            y(),
        ),
        npy_pair("npy-complex", npy("<c16", "(4, 2)", false, &[0; 128]), y()),
        npy_pair("npy-object", npy("|O", "(4, 2)", false, &[0; 64]), y()),
        npy_pair("npy-unicode", npy("<U3", "(4, 2)", false, &[0; 96]), y()),
        npy_pair("npy-float16", npy("<f2", "(4, 2)", false, &[0; 16]), y()),
        npy_pair(
            "npy-nan",
            npy(
                "<f8",
                "(4, 2)",
                false,
                &f64s(&[0.1, 0.2, f64::NAN, 0.4, 0.5, 0.6, 0.7, 0.8]),
            ),
            y(),
        ),
        npy_pair(
            "npy-inf-f32",
            npy("<f4", "(4, 2)", false, &[0, 0, 0x80, 0x7f].repeat(8)),
            y(),
        ),
        npy_pair("npy-scalar", npy("<f8", "()", false, &f64s(&[1.0])), y()),
        npy_pair(
            "npy-zero-examples",
            npy("<f8", "(0, 2)", false, &[]),
            npy("<f8", "(0,)", false, &[]),
        ),
        npy_pair("npy-zero-features", npy("<f8", "(4, 0)", false, &[]), y()),
        npy_pair("npy-y-length-mismatch", x(), label_npy(&[0.0, 1.0, 1.0])),
        npy_pair("npy-y-half", x(), label_npy(&[0.0, 0.5, 1.0, 0.0])),
        npy_pair("npy-y-nan", x(), label_npy(&[0.0, f64::NAN, 1.0, 0.0])),
        npy_pair(
            "npy-header-not-a-dict",
            npy("<f8", "'many'", false, &[]),
            y(),
        ),
        npy_pair(
            "npy-shape-overflow",
            npy(
                "<f8",
                "(18446744073709551615, 18446744073709551615)",
                false,
                &[],
            ),
            y(),
        ),
        npy_pair("npy-shape-negative", npy("<f8", "(-4, 2)", false, &[]), y()),
        npy_pair(
            "npy-header-length-huge",
            {
                let mut b = b"\x93NUMPY\x02\x00".to_vec();
                b.extend(0x7fff_ffffu32.to_le_bytes());
                b.extend(b"{'descr': '<f8'");
                b
            },
            y(),
        ),
        data("npz-not-a-zip", "d.npz", "this is not a zip", "d.npz"),
        data("npz-empty-file", "d.npz", "", "d.npz"),
        data(
            "npz-missing-x",
            "d.npz",
            npz(&[("y.npy", good_y())], false),
            "d.npz",
        ),
        data(
            "npz-missing-y",
            "d.npz",
            npz(&[("x.npy", good_x())], false),
            "d.npz",
        ),
        data(
            "npz-truncated",
            "d.npz",
            {
                let b = npz(&[("x.npy", good_x()), ("y.npy", good_y())], false);
                b[..b.len() / 2].to_vec()
            },
            "d.npz",
        ),
        data(
            "npz-x-is-garbage",
            "d.npz",
            npz(&[("x.npy", b"garbage".to_vec()), ("y.npy", good_y())], true),
            "d.npz",
        ),
        data(
            "npz-member-truncated",
            "d.npz",
            npz(
                &[
                    ("x.npy", npy("<f8", "(4000, 2)", false, &[0; 64])),
                    ("y.npy", good_y()),
                ],
                true,
            ),
            "d.npz",
        ),
        data(
            "npz-nan",
            "d.npz",
            npz(
                &[
                    (
                        "x.npy",
                        npy(
                            "<f8",
                            "(4, 2)",
                            false,
                            &f64s(&[0.1, 0.2, 0.3, f64::INFINITY, 0.5, 0.6, 0.7, 0.8]),
                        ),
                    ),
                    ("y.npy", good_y()),
                ],
                true,
            ),
            "d.npz",
        ),
        data(
            "npz-200mb-of-zeros-over-budget",
            "d.npz",
            npz_of_zeros(200_000_000),
            "d.npz",
        )
        .args_push(&["--max-memory", "100M"]),
    ]
}

fn idx_cases() -> Vec<Case> {
    let labels = |n: u32| idx(&[n], &vec![1u8; n as usize]);
    let imgs = |n: u32| idx(&[n, 2, 2], &vec![7u8; 4 * n as usize]);
    let pair = |name: &'static str, i: Vec<u8>, l: Vec<u8>, needle: &'static str| {
        data(name, "t-images-idx3-ubyte", i, needle).file("t-labels-idx1-ubyte", l)
    };
    vec![
        pair(
            "idx-bad-magic",
            b"\x00\x00\x09\x03garbage!".to_vec(),
            labels(2),
            "idx3",
        ),
        pair("idx-too-short", vec![0, 0], labels(2), "idx3"),
        // Found by the fuzz target `idx`: 0 images whose shape overflowed.
        pair(
            "idx-zero-images-of-huge-side",
            idx(&[0, 0xf6fc_ffff, 0xf579_8af8], &[]),
            labels(0),
            "idx3",
        ),
        pair(
            "idx-truncated-sizes",
            vec![0, 0, 8, 3, 0, 0],
            labels(2),
            "idx3",
        ),
        pair(
            "idx-claims-more-than-held",
            idx(&[60000, 100_000, 100_000], &[0; 64]),
            labels(2),
            "idx3",
        ),
        pair(
            "idx-extra-bytes",
            {
                let mut b = imgs(2);
                b.extend([1, 2, 3]);
                b
            },
            labels(2),
            "idx3",
        ),
        pair("idx-missing-labels-file", imgs(2), labels(2), "labels")
            .with(|d| std::fs::remove_file(d.join("t-labels-idx1-ubyte")).unwrap()),
        pair("idx-label-count-mismatch", imgs(3), labels(2), "labels"),
        pair(
            "idx-labels-bad-magic",
            imgs(2),
            b"\x00\x00\x08\x03\x00".to_vec(),
            "labels",
        ),
        pair("idx-zero-images", idx(&[0, 2, 2], &[]), labels(0), "idx3"),
        pair("idx-zero-pixels", idx(&[2, 0, 2], &[]), labels(2), "idx3"),
        data(
            "idx-gz-claims-7gb",
            "t-images-idx3-ubyte.gz",
            gz(&idx(&[60000, 346, 346], &[0; 1 << 16])),
            "idx3",
        )
        .file("t-labels-idx1-ubyte", labels(60000)),
        data(
            "idx-gz-corrupt",
            "t-images-idx3-ubyte.gz",
            b"\x1f\x8b\x08\x00garbage-not-deflate".to_vec(),
            "idx3",
        )
        .file("t-labels-idx1-ubyte", labels(2)),
        data(
            "idx-gz-truncated",
            "t-images-idx3-ubyte.gz",
            {
                let b = gz(&imgs(200));
                b[..b.len() / 2].to_vec()
            },
            "idx3",
        )
        .file("t-labels-idx1-ubyte", labels(200)),
    ]
}

fn hdf5_cases() -> Vec<Case> {
    let h = |name: &'static str, needle: &'static str, f: fn(&Path)| {
        case(name, "train --out run --iterations 3 --train d.h5", needle)
            .with(move |d| f(&d.join("d.h5")))
    };
    vec![
        data("h5-garbage", "d.h5", "this is not hdf5", "d.h5"),
        data("h5-empty-file", "d.h5", "", "d.h5"),
        data(
            "h5-hdf5-magic-then-garbage",
            "d.h5",
            b"\x89HDF\r\n\x1a\n\x00\x00\x00garbagegarbagegarbage".to_vec(),
            "d.h5",
        ),
        // Found by the fuzz target `hdf5`: 0 examples whose shape overflowed.
        data(
            "h5-zero-examples-of-huge-shape",
            "d.h5",
            include_bytes!("../../../../fuzz/corpus/hdf5/zero-examples-huge-shape").to_vec(),
            "d.h5",
        ),
        // Found by the fuzz target `hdf5`: 7.7 KB whose chunk layout took 18 s to walk.
        data(
            "h5-chunks-past-the-data",
            "d.h5",
            include_bytes!("../../../../fuzz/corpus/hdf5/huge-chunks").to_vec(),
            "d.h5",
        ),
        // Found by the fuzz target `hdf5`: a chunk whose offset near 2⁶⁴
        // overflowed hdf5-pure's unchecked offset arithmetic.
        data(
            "h5-chunk-offset-overflow",
            "d.h5",
            include_bytes!("../../../../fuzz/corpus/hdf5/chunk-offset-overflow").to_vec(),
            "d.h5",
        ),
        h("h5-no-x-dataset", "_x", |p| {
            let mut b = hdf5_pure::FileBuilder::new();
            b.create_dataset("pixels").with_f64_data(&[1.0, 2.0]);
            b.write(p).unwrap();
        }),
        h("h5-two-x-datasets", "_x", |p| {
            let mut b = hdf5_pure::FileBuilder::new();
            b.create_dataset("a_x").with_f64_data(&[1.0, 2.0]);
            b.create_dataset("b_x").with_f64_data(&[1.0, 2.0]);
            b.create_dataset("a_y").with_f64_data(&[0.0, 1.0]);
            b.write(p).unwrap();
        }),
        h("h5-nan", "d.h5", |p| {
            h5(p, 2, Some(&[0.1, f64::NAN, 0.3, 0.4]), &[0.0, 1.0])
        }),
        h("h5-inf", "d.h5", |p| {
            h5(p, 2, Some(&[0.1, 0.2, f64::NEG_INFINITY, 0.4]), &[0.0, 1.0])
        }),
        h("h5-y-length-mismatch", "d.h5", |p| {
            h5(p, 3, None, &[0.0, 1.0])
        }),
        h("h5-y-half", "d.h5", |p| h5(p, 2, None, &[0.0, 0.5])),
        h("h5-y-nan", "d.h5", |p| h5(p, 2, None, &[0.0, f64::NAN])),
        h("h5-zero-examples", "d.h5", |p| {
            let mut b = hdf5_pure::FileBuilder::new();
            b.create_dataset("train_set_x")
                .with_u8_data(&[])
                .with_shape(&[0, 2, 2, 3]);
            b.create_dataset("train_set_y").with_f64_data(&[]);
            b.write(p).unwrap();
        }),
        h("h5-unwritten-chunked-billion", "d.h5", |p| {
            let mut b = hdf5_pure::FileBuilder::new();
            b.create_dataset("train_set_x")
                .with_f64_data(&[0.0; 1000])
                .with_shape(&[1000, 1])
                .with_maxshape(&[
                    hdf5_pure::MaxExtent::Unlimited,
                    hdf5_pure::MaxExtent::Fixed(1),
                ])
                .with_chunks(&[1000, 1]);
            b.create_dataset("train_set_y").with_f64_data(&[0.0, 1.0]);
            b.write(p).unwrap();
            // Grow the dataset's extent to (10⁹, 1) without writing its chunks.
            let mut bytes = std::fs::read(p).unwrap();
            let from = 1000u64.to_le_bytes();
            let to = 1_000_000_000u64.to_le_bytes();
            let at = bytes
                .windows(8)
                .position(|w| w == from)
                .expect("the extent");
            bytes[at..at + 8].copy_from_slice(&to);
            std::fs::write(p, bytes).unwrap();
        }),
        h("h5-truncated", "d.h5", |p| {
            h5(p, 4, None, &[0.0, 1.0, 0.0, 1.0]);
            let b = std::fs::read(p).unwrap();
            std::fs::write(p, &b[..b.len() / 2]).unwrap();
        }),
        case(
            "h5-x-key-absent",
            "train --out run --iterations 3 --train d.h5 --x-key nope",
            "nope",
        )
        .with(|d| h5(&d.join("d.h5"), 2, None, &[0.0, 1.0])),
        case(
            "h5-label-column-flag",
            "train --out run --iterations 3 --train d.h5 --label-column y",
            "--label-column",
        )
        .with(|d| h5(&d.join("d.h5"), 2, None, &[0.0, 1.0])),
        case(
            "h5-strings-as-x",
            "train --out run --iterations 3 --train d.h5",
            "d.h5",
        )
        .with(|d| {
            let mut b = hdf5_pure::FileBuilder::new();
            b.create_dataset("train_set_x")
                .with_vlen_strings(&["a", "b"]);
            b.create_dataset("train_set_y").with_f64_data(&[0.0, 1.0]);
            b.write(d.join("d.h5")).unwrap();
        }),
    ]
}

fn picture_cases() -> Vec<Case> {
    let two_classes = |d: &Path| {
        for (c, shade) in [("cat", 200u8), ("dog", 30)] {
            std::fs::create_dir_all(d.join("pics").join(c)).unwrap();
            for i in 0..2 {
                png(&d.join("pics").join(c).join(format!("{i}.png")), shade + i);
            }
        }
    };
    let pics = |name: &'static str, flags: &str, needle: &'static str| {
        case(
            name,
            &format!("train --out run --iterations 3 --train pics {flags}"),
            needle,
        )
    };
    vec![
        pics("img-empty-folder", "", "pics")
            .with(|d| std::fs::create_dir_all(d.join("pics")).unwrap()),
        pics("img-one-class", "", "pics").with(|d| {
            std::fs::create_dir_all(d.join("pics/cat")).unwrap();
            png(&d.join("pics/cat/a.png"), 1);
        }),
        pics("img-empty-class-folders", "", "pics").with(|d| {
            std::fs::create_dir_all(d.join("pics/cat")).unwrap();
            std::fs::create_dir_all(d.join("pics/dog")).unwrap();
        }),
        pics("img-corrupt-png", "", "bad.png")
            .with(two_classes)
            .file("pics/cat/bad.png", b"\x89PNG\r\n\x1a\ngarbage".to_vec()),
        pics("img-zero-byte", "", "z.png")
            .with(two_classes)
            .file("pics/dog/z.png", ""),
        pics("img-text-named-jpg", "", "t.jpg")
            .with(two_classes)
            .file("pics/dog/t.jpg", "hello"),
        pics(
            "img-size-hundred-thousand",
            "--image-size 100000",
            "--image-size",
        )
        .with(two_classes),
        pics(
            "img-size-twenty-thousand",
            "--image-size 20000",
            "--image-size",
        )
        .with(two_classes),
        pics("img-size-zero", "--image-size 0", "--image-size").with(two_classes),
        pics("img-positive-unknown", "--positive horse", "horse").with(two_classes),
        pics("img-labels-csv-missing-file", "", "labels.csv").with(|d| {
            std::fs::create_dir_all(d.join("pics")).unwrap();
            png(&d.join("pics/a.png"), 1);
            std::fs::write(
                d.join("pics/labels.csv"),
                "file,label\na.png,cat\nnope.png,dog\n",
            )
            .unwrap();
        }),
    ]
}

fn model_cases() -> Vec<Case> {
    vec![
        case("model-missing", "predict --model nope in.csv", "nope")
            .file("in.csv", "x1,x2\n0.1,0.2\n"),
        case("model-is-a-file", "predict --model m in.csv", "m")
            .file("m", "x")
            .file("in.csv", "x1,x2\n0.1,0.2\n"),
        case(
            "model-empty-folder",
            "predict --model m in.csv",
            "model.json",
        )
        .with(|d| std::fs::create_dir_all(d.join("m")).unwrap())
        .file("in.csv", "x1,x2\n0.1,0.2\n"),
        model("model-json-missing", "model.json", |_| {})
            .with(|d| std::fs::remove_file(d.join("model/model.json")).unwrap()),
        model("model-json-not-json", "model.json", |_| {}).file("model/model.json", "{ not json"),
        model("model-json-empty", "model.json", |_| {}).file("model/model.json", ""),
        model("model-json-wrong-format", "model.json", |v| {
            v["format"] = json!("keras")
        }),
        model("model-weights-missing", "model.safetensors", |_| {})
            .with(|d| std::fs::remove_file(d.join("model/model.safetensors")).unwrap()),
        model("model-weights-garbage", "model.safetensors", |_| {})
            .file("model/model.safetensors", "garbage"),
        model("model-weights-truncated", "model.safetensors", |_| {}).with(|d| {
            let p = d.join("model/model.safetensors");
            let b = std::fs::read(&p).unwrap();
            std::fs::write(&p, &b[..b.len() - 9]).unwrap();
        }),
        model("model-classes-too-many", "model.json", |v| {
            v["classes"] = json!(["a", "b", "c"])
        }),
        model("model-classes-one", "model.json", |v| {
            v["classes"] = json!(["a"])
        }),
        model("model-classes-empty", "model.json", |v| {
            v["classes"] = json!([])
        }),
        model("model-classes-duplicate", "model.json", |v| {
            v["classes"] = json!(["a", "a"])
        }),
        model("model-softmax-hidden", "softmax", |v| {
            v["hidden_activation"] = json!({"name": "softmax"})
        }),
        model("model-output-relu", "model.json", |v| {
            v["output_activation"] = json!("relu")
        }),
        model("model-softmax-output-one-unit", "model.json", |v| {
            v["output_activation"] = json!("softmax")
        }),
        model("model-precision-f16", "model.json", |v| {
            v["precision"] = json!("f16")
        }),
        model("model-precision-mismatch", "model.safetensors", |v| {
            v["precision"] = json!("f32")
        }),
        model("model-layer-sizes-empty", "model.json", |v| {
            v["layer_sizes"] = json!([])
        }),
        model("model-layer-sizes-one", "model.json", |v| {
            v["layer_sizes"] = json!([2])
        }),
        model("model-layer-sizes-mismatch", "model.safetensors", |v| {
            v["layer_sizes"] = json!([2, 4, 1])
        }),
        model("model-layer-sizes-huge", "model", |v| {
            v["layer_sizes"] = json!([18446744073709551615u64, 3, 1])
        }),
        model("model-layer-size-zero", "model.json", |v| {
            v["layer_sizes"] = json!([2, 0, 1])
        }),
        model("model-std-wrong-length", "model.json", |v| {
            v["preprocessing"]["standardization"] =
                json!({"mean": [0.0, 0.0, 0.0], "std": [1.0, 1.0, 1.0]})
        }),
        model("model-std-zero", "model.json", |v| {
            v["preprocessing"]["standardization"] = json!({"mean": [0.0, 0.0], "std": [1.0, 0.0]})
        }),
        model("model-std-negative", "model.json", |v| {
            v["preprocessing"]["standardization"] = json!({"mean": [0.0, 0.0], "std": [-1.0, 1.0]})
        }),
        model("model-scale-zero", "model.json", |v| {
            v["preprocessing"]["scale"] = json!(0.0)
        }),
        model("model-scale-negative", "model.json", |v| {
            v["preprocessing"]["scale"] = json!(-1.0)
        }),
        model("model-image-size-zero", "model.json", |v| {
            v["preprocessing"]["image_size"] = json!(0)
        }),
        model("model-image-size-huge", "model.json", |v| {
            v["preprocessing"]["image_size"] = json!(100000)
        }),
        weights("model-nan-weight", "model.safetensors", |t| {
            t[0].3 = f64s(&[0.1, f64::NAN, 0.1, 0.1, 0.1, 0.1])
        }),
        weights("model-inf-bias", "model.safetensors", |t| {
            t[3].3 = f64s(&[f64::INFINITY])
        }),
        weights("model-missing-tensor", "model.safetensors", |t| {
            t.remove(1);
        }),
        weights("model-extra-tensor", "model.safetensors", |t| {
            t.push(("W3", safetensors::Dtype::F64, vec![1, 1], f64s(&[1.0])))
        }),
        weights("model-wrong-shape", "model.safetensors", |t| {
            t[0].2 = vec![2, 3]
        }),
        weights("model-wrong-dtype", "model.safetensors", |t| {
            t[2] = ("W2", safetensors::Dtype::F32, vec![1, 3], vec![0; 12])
        }),
        weights("model-int-dtype", "model.safetensors", |t| {
            t[3] = ("b2", safetensors::Dtype::I64, vec![1, 1], vec![0; 8])
        }),
        model("predict-input-missing", "nope.csv", |_| {}).args_replace("in.csv", "nope.csv"),
        model("predict-wrong-features", "in.csv", |_| {}).file("in.csv", "x1\n0.1\n"),
        model("predict-nan-input", "in.csv", |_| {}).file("in.csv", "x1,x2\nnan,0.2\n"),
        model("predict-empty-input", "in.csv", |_| {}).file("in.csv", "x1,x2\n"),
        model("predict-unknown-input-type", "in.bin", |_| {})
            .args_replace("in.csv", "in.bin")
            .file("in.bin", "x"),
        case(
            "evaluate-zero-examples",
            "evaluate --model model e.csv",
            "e.csv",
        )
        .with(|d| model_with(d, |_| {}))
        .file("e.csv", "x1,x2,label\n"),
        case(
            "evaluate-unknown-label",
            "evaluate --model model e.csv",
            "e.csv",
        )
        .with(|d| model_with(d, |_| {}))
        .file("e.csv", "x1,x2,label\n0.1,0.2,0\n0.3,0.1,5\n"),
        case(
            "evaluate-format-csv",
            "evaluate --model model e.csv --format csv",
            "--format",
        )
        .with(|d| model_with(d, |_| {}))
        .file("e.csv", "x1,x2,label\n0.1,0.2,0\n"),
        case(
            "evaluate-data-missing",
            "evaluate --model model nope.csv",
            "nope.csv",
        )
        .with(|d| model_with(d, |_| {})),
        case("evaluate-nan", "evaluate --model model e.csv", "e.csv")
            .with(|d| model_with(d, |_| {}))
            .file("e.csv", "x1,x2,label\n0.1,inf,0\n"),
        // A categorical fill of the wrong kind panicked on a missing cell (red team V6).
        model("model-category-fill-number", "fill is the number 3", |v| {
            one_category_column(v, json!(3))
        })
        .file("in.csv", "c,x1\n,1\n"),
        model("model-category-fill-unknown", "'purple' is not one", |v| {
            one_category_column(v, json!("purple"))
        }),
        model("model-number-fill-text", "holds numbers", |v| {
            v["preprocessing"]["table"]["columns"][0]["fill"] = json!("abc")
        }),
        model("model-categories-duplicate", "'red' twice", |v| {
            one_category_column(v, json!(null));
            v["preprocessing"]["table"]["columns"][0]["categories"] = json!(["red", "red"]);
            v["preprocessing"]["feature_names"] = json!(["c=red", "c=red"]);
        }),
        // Fields that made every prediction NaN (red team V8).
        model("model-mean-overflows", "mean[1]", |v| {
            v["preprocessing"]["standardization"]["mean"][1] = json!(1e308)
        }),
        model("model-std-subnormal", "std[1]", |v| {
            v["preprocessing"]["standardization"]["std"][1] = json!(1e-320)
        }),
        model("model-leaky-slope-huge", "slope", |v| {
            v["hidden_activation"] = json!({"name": "leaky-relu", "slope": 1e300})
        }),
        model("model-leaky-slope-negative", "slope", |v| {
            v["hidden_activation"] = json!({"name": "leaky-relu", "slope": -5.0})
        }),
        model("model-relu-with-slope", "slope", |v| {
            v["hidden_activation"] = json!({"name": "relu", "slope": 0.1})
        }),
        model("model-feature-names-short", "feature_names", |v| {
            v["preprocessing"]["feature_names"] = json!(["x"])
        }),
        model("model-example-shape-wrong", "example_shape", |v| {
            v["preprocessing"]["example_shape"] = json!([7])
        }),
        model("model-example-shape-empty", "example_shape", |v| {
            v["preprocessing"]["example_shape"] = json!([])
        }),
        model("model-input-unknown", "preprocessing.input", |v| {
            v["preprocessing"]["input"] = json!("zzz")
        }),
        model("model-input-images-on-csv", "preprocessing.input", |v| {
            v["preprocessing"]["input"] = json!("images")
        }),
        model("model-image-size-on-csv", "image_size", |v| {
            v["preprocessing"]["image_size"] = json!(2)
        }),
        model("model-class-name-empty", "classes[0]", |v| {
            v["classes"] = json!(["", "x"])
        }),
        model("model-label-column-is-feature", "label or index", |v| {
            v["preprocessing"]["table"]["label_column"] = json!("x1")
        }),
        model("model-index-column-is-feature", "label or index", |v| {
            v["preprocessing"]["table"]["index_column"] = json!("x2")
        }),
        // Unknown fields the typed parse skips but a `Value` parse refuses
        // panicked predict, evaluate and export (review B1).
        model_text(
            "model-unknown-field-lone-surrogate",
            "is not a backprop model description",
            r#""x":"\udc00""#.into(),
        ),
        model_text(
            "model-unknown-field-nested-200-deep",
            "is not a backprop model description",
            format!(r#""x":{}{}"#, "[".repeat(200), "]".repeat(200)),
        ),
        // A field given twice stays refused, not the last one taken.
        model_text(
            "model-field-twice",
            "duplicate field `precision`",
            r#""precision":"f32""#.into(),
        ),
        // predict and evaluate have no --missing flag: the fix is in the file (red team V17).
        model("predict-missing-cell-fix", "in the file", |_| {}).file("in.csv", "x1,x2\n,0.2\n"),
        case(
            "evaluate-missing-cell-fix",
            "evaluate --model model e.csv",
            "in the file",
        )
        .with(|d| model_with(d, |_| {}))
        .file("e.csv", "x1,x2,label\n0.1,NA,0\n"),
        // A finite value that standardising makes infinite gave NaN, exit 0 (red team V7).
        model(
            "predict-value-overflows",
            "in.csv: row 1, column 'x1'",
            |_| {},
        )
        .file("in.csv", "x1,x2\n0.1,0.2\n1e308,0.2\n"),
        case(
            "evaluate-value-overflows",
            "evaluate --model model e.csv",
            "e.csv: example 0, column 'x2'",
        )
        .with(|d| model_with(d, |_| {}))
        .file("e.csv", "x1,x2,label\n0.1,-1e308,0\n"),
        // Inputs in range whose products overflow inside the network: every
        // hidden unit is +inf, the output's sum inf − inf + inf = NaN; refused.
        weights(
            "predict-output-nan",
            "in.csv: row 0: the model's output for it is NaN",
            |t| {
                t[0].3 = f64s(&[1e300, 0.0, 1e300, 0.0, 1e300, 0.0]);
                t[2].3 = f64s(&[1.0, -1.0, 1.0]);
            },
        )
        .file("in.csv", "x1,x2\n1e12,1e12\n"),
    ]
}

fn checkpoint_cases() -> Vec<Case> {
    let header = |name, needle, edit: fn(&mut serde_json::Value)| {
        case(name, "train --resume ckpt", needle).with(move |d| checkpoint_header(d, edit))
    };
    let truncated = |name, keep: fn(usize) -> usize| {
        resume(name, "checkpoint.safetensors", |_| {}).with(move |d| {
            let p = d.join("ckpt/checkpoint.safetensors");
            let bytes = std::fs::read(&p).unwrap();
            std::fs::write(&p, &bytes[..keep(bytes.len())]).unwrap();
        })
    };
    vec![
        case("resume-missing-folder", "train --resume nope", "nope"),
        case(
            "resume-empty-folder",
            "train --resume ckpt",
            "checkpoint.safetensors",
        )
        .with(|d| std::fs::create_dir_all(d.join("ckpt")).unwrap()),
        header("resume-json-garbage", "checkpoint.safetensors", |h| {
            h["__metadata__"]["checkpoint"] = json!("{{{")
        }),
        header("resume-no-description", "checkpoint.safetensors", |h| {
            h["__metadata__"] = json!({})
        }),
        resume("resume-wrong-format", "checkpoint.safetensors", |v| {
            v["format"] = json!("other")
        }),
        resume("resume-step-impossible", "checkpoint", |v| {
            v["step"] = json!(1_000_000_000_000u64)
        }),
        resume("resume-batch-impossible", "checkpoint", |v| {
            v["batch"] = json!(999)
        }),
        resume("resume-epoch-impossible", "checkpoint", |v| {
            v["epoch"] = json!(1_000_000)
        }),
        resume("resume-history-ahead-of-run", "checkpoint", |v| {
            v["history"]["costs"] = json!([[0, 0.7], [1_000_000, 0.5]])
        }),
        resume("resume-history-out-of-order", "checkpoint", |v| {
            v["history"]["costs"] = json!([[2, 0.7], [1, 0.5]])
        }),
        resume("resume-optimizer-count-ahead", "checkpoint", |v| {
            v["optimizer_t"] = json!(1_000_000)
        }),
        resume("resume-layers-mismatch", "checkpoint", |v| {
            v["layer_sizes"] = json!([2, 9, 1])
        }),
        resume("resume-layers-huge", "checkpoint", |v| {
            v["layer_sizes"] = json!([2, 100_000_000_000u64, 1])
        }),
        resume("resume-optimizer-slots-huge", "checkpoint", |v| {
            v["optimizer_slots"] = json!(1_000_000)
        }),
        resume(
            "resume-config-invalid",
            "--learning-rate must be > 0, got -1",
            |v| v["config"]["model"]["gd"]["learning_rate"] = json!(-1.0),
        ),
        resume("resume-config-not-a-job", "checkpoint.safetensors", |v| {
            v["config"] = json!("hello")
        }),
        resume("resume-data-gone", "gone.csv", |v| {
            v["config"]["train"] = json!("gone.csv")
        }),
        header("resume-tensors-swapped", "checkpoint", |h| {
            let w1 = h["W1"].clone();
            h["W1"] = h["W2"].clone();
            h["W2"] = w1;
        }),
        header("resume-tensor-missing", "checkpoint", |h| {
            h.as_object_mut().unwrap().remove("b2");
        }),
        header("resume-tensor-wrong-dtype", "checkpoint", |h| {
            h["b2"]["dtype"] = json!("I64")
        }),
        header(
            "resume-tensor-offsets-out-of-file",
            "checkpoint.safetensors",
            |h| h["b2"]["data_offsets"] = json!([0, 1_000_000_000u64]),
        ),
        truncated("resume-truncated-header", |_| 20),
        truncated("resume-truncated-tensors", |n| n - 8),
        resume("resume-file-missing", "checkpoint.safetensors", |_| {})
            .with(|d| std::fs::remove_file(d.join("ckpt/checkpoint.safetensors")).unwrap()),
        resume("resume-file-garbage", "checkpoint.safetensors", |_| {})
            .file("ckpt/checkpoint.safetensors", "garbage"),
        resume("resume-with-model-flags", "--hidden", |_| {}).args_push(&["--hidden", "5"]),
        resume("resume-out-exists", "other", |_| {})
            .args_push(&["--out", "other"])
            .with(|d| std::fs::create_dir_all(d.join("other")).unwrap()),
        // The training data changed since the checkpoint: each cell of the
        // fixture's CSV rewritten by `edit(row, column, cell)` (row 0 the header).
        changed_data(
            "resume-data-columns-reordered",
            "feature columns were [x1, x2], now [x2, x1]",
            |r, c, v| {
                if r == 0 {
                    ["x2", "x1", "label"][c].into()
                } else {
                    v.into()
                }
            },
        ),
        changed_data(
            "resume-data-classes-renamed",
            "classes were [0, 1], now [no, yes]",
            |r, c, v| match (r, c, v) {
                (1.., 2, "0") => "no".into(),
                (1.., 2, _) => "yes".into(),
                _ => v.into(),
            },
        ),
        changed_data(
            "resume-data-rows-dropped",
            "8 examples of 2 features, now 6 of 2",
            |_, _, v| v.into(),
        )
        .with(|d| {
            let p = d.join("good.csv");
            let text = std::fs::read_to_string(&p).unwrap();
            let kept: Vec<&str> = text.lines().take(7).collect();
            std::fs::write(&p, kept.join("\n") + "\n").unwrap();
        }),
        changed_data(
            "resume-data-value-edited",
            "its values changed",
            |r, c, v| {
                if (r, c) == (3, 1) {
                    "0.45".into()
                } else {
                    v.into()
                }
            },
        ),
    ]
}

/// `train --resume ckpt` after the fixture's training CSV (`good.csv`) was
/// rewritten cell by cell by `edit(row, column, cell)`.
fn changed_data(
    name: &'static str,
    needle: &'static str,
    edit: fn(usize, usize, &str) -> String,
) -> Case {
    resume(name, needle, |_| {}).with(move |d| {
        let p = d.join("good.csv");
        let text = std::fs::read_to_string(&p).unwrap();
        let rows: Vec<String> = text
            .lines()
            .enumerate()
            .map(|(r, line)| {
                let cells: Vec<String> = line
                    .split(',')
                    .enumerate()
                    .map(|(c, v)| edit(r, c, v))
                    .collect();
                cells.join(",")
            })
            .collect();
        std::fs::write(&p, rows.join("\n") + "\n").unwrap();
    })
}

fn run_folder_cases() -> Vec<Case> {
    vec![
        flag("out-exists-without-force", "", "already exists").with(|d| {
            std::fs::create_dir_all(d.join("run")).unwrap();
            std::fs::write(d.join("run/keep.txt"), "mine").unwrap();
        }),
        case(
            "out-force-holds-the-training-data",
            "train --train data/d.csv --out data --force",
            "data",
        )
        .file("data/d.csv", GOOD_CSV),
        case(
            "out-force-holds-the-test-data",
            "train --train d.csv --test data/t.csv --out data --force",
            "data",
        )
        .file("d.csv", GOOD_CSV)
        .file("data/t.csv", GOOD_CSV),
        case("out-under-a-file", "train --train d.csv --out f/run", "f")
            .file("d.csv", GOOD_CSV)
            .file("f", "a file"),
        flag("mpirun-without-mpi-openmpi", "", "mpi").env("OMPI_COMM_WORLD_SIZE", "2"),
        flag("mpirun-without-mpi-pmi", "", "mpi").env("PMI_SIZE", "4"),
        // Issue 13's red-team pass, V1: --force never deletes a folder holding
        // a picture the run reads through labels.csv or a symbolic link.
        pictures_into_victim(
            "out-force-holds-a-picture-named-by-absolute-path",
            "an input of this run",
        )
        .with(|d| labels_naming(d, &d.join("victim/v.png").to_string_lossy())),
        pictures_into_victim(
            "out-force-holds-a-picture-named-by-dotdot-path",
            "holds victim/v.png (read as p/../victim/v.png), an input of this run",
        )
        .with(|d| labels_naming(d, "../victim/v.png")),
        pictures_into_victim(
            "out-force-holds-a-linked-class-folder",
            "holds victim/v.png (read as p/cat/v.png), an input of this run",
        )
        .with(|d| {
            two_class_folders(d);
            std::fs::remove_dir_all(d.join("p/cat")).unwrap();
            std::os::unix::fs::symlink("../victim", d.join("p/cat")).unwrap();
        }),
        pictures_into_victim(
            "out-force-holds-linked-pictures",
            "holds victim/v.png (read as p/cat/0.png), an input of this run",
        )
        .with(|d| {
            two_class_folders(d);
            std::fs::remove_file(d.join("p/cat/0.png")).unwrap();
            std::os::unix::fs::symlink("../../victim/v.png", d.join("p/cat/0.png")).unwrap();
        }),
        // V2: a FIFO or a socket is never replaced, even with --force.
        flag(
            "out-force-is-a-fifo",
            "--force",
            "is not a regular file or folder",
        )
        .with(|d| fifo(&d.join("run"))),
        case(
            "export-out-force-is-a-fifo",
            "export --model model --format onnx --out f.onnx --force",
            "is not a regular file or folder",
        )
        .with(|d| copy_dir(&fixtures().0, &d.join("model")))
        .with(|d| fifo(&d.join("f.onnx"))),
        case(
            "demo-out-force-is-a-socket",
            "demo --out s --force",
            "is not a regular file or folder",
        )
        .with(|d| drop(std::os::unix::net::UnixListener::bind(d.join("s")).unwrap())),
        // V3: export --force never replaces the model it reads.
        case(
            "export-force-over-its-model-weights",
            "export --model model --format onnx --out model/model.safetensors --force",
            "an input of this run",
        )
        .with(|d| copy_dir(&fixtures().0, &d.join("model"))),
        case(
            "export-force-over-its-model-json",
            "export --model model --format onnx --out model/model.json --force",
            "an input of this run",
        )
        .with(|d| copy_dir(&fixtures().0, &d.join("model"))),
        // V4, V5: a live run's folder (its lock held) is never written into,
        // nor deleted by --force over a folder around it.
        case(
            "out-force-holds-a-live-run",
            "train --train d.csv --out par --force",
            "another backprop run",
        )
        .file("d.csv", GOOD_CSV)
        .file("par/keep.txt", "mine")
        .with(|d| hold_lock(&d.join("par/.a.lock"))),
        case(
            "out-inside-a-live-run",
            "train --train d.csv --out par/sub",
            "another backprop run",
        )
        .file("d.csv", GOOD_CSV)
        .with(|d| hold_lock(&d.join(".par.lock"))),
        // V14: resume --force never deletes the checkpoint it continues from.
        case(
            "resume-out-force-holds-its-checkpoint",
            "train --resume runs/ckpt --out runs --force",
            "checkpoint.safetensors",
        )
        .with(|d| copy_dir(&fixtures().1, &d.join("runs/ckpt"))),
        // Review B5: nor the IDX labels file read beside the images, here a
        // link into the folder --force would delete.
        case(
            "out-force-holds-the-idx-labels",
            "train --train data/t-images-idx3-ubyte --out victim --force --iterations 3",
            "an input of this run",
        )
        .file(
            "data/t-images-idx3-ubyte",
            idx(&[2, 2, 2], &[7, 9, 7, 9, 1, 2, 1, 2]),
        )
        .file("victim/t-labels-idx1-ubyte", idx(&[2], &[0, 1]))
        .file("victim/keep.txt", "mine")
        .with(|d| {
            std::os::unix::fs::symlink(
                "../victim/t-labels-idx1-ubyte",
                d.join("data/t-labels-idx1-ubyte"),
            )
            .unwrap()
        }),
    ]
}

/// `train --train p --out victim --force` where `victim` holds a picture
/// (`victim/v.png`) and a file of the user's; the refusal must hold `needle`
/// (through a link or `..`, the picture where it lies and as it is read).
fn pictures_into_victim(name: &'static str, needle: &'static str) -> Case {
    case(
        name,
        "train --train p --out victim --force --iterations 3",
        needle,
    )
    .file("victim/keep.txt", "mine")
    .with(|d| png(&d.join("victim/v.png"), 9))
}

/// `p/labels.csv` naming three pictures in `p` and `outside` (a cat).
fn labels_naming(d: &Path, outside: &str) {
    std::fs::create_dir_all(d.join("p")).unwrap();
    for (i, shade) in [10u8, 200, 210].into_iter().enumerate() {
        png(&d.join(format!("p/{i}.png")), shade);
    }
    let labels = format!("file,label\n{outside},cat\n0.png,cat\n1.png,dog\n2.png,dog\n");
    std::fs::write(d.join("p/labels.csv"), labels).unwrap();
}

/// `p/cat` and `p/dog`, two pictures each.
fn two_class_folders(d: &Path) {
    for (class, shade) in [("cat", 10u8), ("dog", 200)] {
        std::fs::create_dir_all(d.join("p").join(class)).unwrap();
        for i in 0..2 {
            png(&d.join(format!("p/{class}/{i}.png")), shade + i);
        }
    }
}

/// Makes a FIFO at `path`.
fn fifo(path: &Path) {
    let c = std::ffi::CString::new(path.to_str().unwrap()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
}

/// Writes the lock file `path` and holds its lock for the rest of the test
/// process, as a live run holds its folder's.
fn hold_lock(path: &Path) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, std::process::id().to_string()).unwrap();
    let file = std::fs::File::open(path).unwrap();
    use std::os::fd::AsRawFd;
    // SAFETY: flock on a file descriptor `file` owns (kept open: forgotten).
    assert_eq!(
        unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) },
        0
    );
    std::mem::forget(file);
}
