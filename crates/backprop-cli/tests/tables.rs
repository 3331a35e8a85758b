//! Tables as pandas writes them, trained with the defaults only: the index
//! column, string labels, string feature columns, missing cells, test
//! columns in another order. Each test prints the accuracy it reached.

mod harness;

use harness::{backprop, json, stderr, stdout, TempDir};

use backprop::Gaussian;

const IRIS_TRAIN: &str = include_str!("data/iris_train.csv");
const IRIS_TEST: &str = include_str!("data/iris_test.csv");

fn ok(tmp: &TempDir, args: &[&str]) -> (String, String) {
    let out = backprop(&tmp.0, args);
    assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    (stdout(&out), stderr(&out))
}

/// Exit 2, one line naming `needle`, nothing on stdout, no run folder.
fn refused(tmp: &TempDir, args: &[&str], needle: &str) {
    let out = backprop(&tmp.0, args);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
    assert!(
        err.contains(needle),
        "{args:?}: expected '{needle}' in: {err}"
    );
    assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
    assert!(out.stdout.is_empty(), "{args:?}");
    assert!(
        !tmp.path("refused").exists(),
        "{args:?}: wrote a run folder"
    );
}

#[test]
fn iris_as_pandas_writes_it_trains_with_defaults_only() {
    let tmp = TempDir::new("tables-iris");
    tmp.write("train.csv", IRIS_TRAIN);
    // The test table: its columns in reverse order, as a user might have it.
    tmp.write("test.csv", IRIS_TEST);
    let (text, _) = ok(
        &tmp,
        &[
            "train",
            "--train",
            "train.csv",
            "--test",
            "test.csv",
            "--label-column",
            "target",
            "--out",
            "run",
            "--quiet",
        ],
    );
    let m = json(&tmp.path("run/metrics.json"));
    let test = m["test_accuracy"].as_f64().unwrap();
    eprintln!("iris, defaults only: {text}");
    assert!(test >= 0.9, "test accuracy {test}");
    // The index column is not a feature; the label column and classes are remembered.
    let model = json(&tmp.path("run/model.json"));
    assert_eq!(model["layer_sizes"][0], 4);
    assert_eq!(
        model["classes"],
        serde_json::json!(["setosa", "versicolor", "virginica"])
    );
    assert_eq!(model["preprocessing"]["table"]["label_column"], "target");
    assert_eq!(model["preprocessing"]["table"]["index_column"], "");
    assert!(model["preprocessing"]["standardization"].is_object());

    // evaluate finds the label column by itself and agrees with train.
    let (scores, _) = ok(
        &tmp,
        &["evaluate", "--model", "run", "test.csv", "--format", "json"],
    );
    let scores: serde_json::Value = serde_json::from_str(&scores).unwrap();
    assert_eq!(scores["accuracy"].as_f64(), Some(test));

    // predict: the rows by their pandas index, every class's probability.
    let (out, err) = ok(
        &tmp,
        &["predict", "--model", "run", "test.csv", "--format", "json"],
    );
    assert!(err.is_empty(), "no note for the label column: {err}");
    let preds: Vec<serde_json::Value> = serde_json::from_str(&out).unwrap();
    assert_eq!(preds.len(), 38);
    let first_id = IRIS_TEST.lines().nth(1).unwrap().split(',').next().unwrap();
    // An id that is a number is a JSON number (as the README shows it).
    assert_eq!(preds[0]["input"], first_id.parse::<i64>().unwrap());
    let p = preds[0]["probabilities"].as_object().unwrap();
    let keys: Vec<&str> = p.keys().map(String::as_str).collect();
    assert_eq!(keys, ["setosa", "versicolor", "virginica"]);
    let sum: f64 = p.values().map(|v| v.as_f64().unwrap()).sum();
    assert!((sum - 1.0).abs() < 1e-5, "{sum}");
    assert_eq!(
        preds[0]["probability"],
        p[preds[0]["class"].as_str().unwrap()]
    );
    let (csv, _) = ok(
        &tmp,
        &["predict", "--model", "run", "test.csv", "--format", "csv"],
    );
    assert!(
        csv.starts_with("input,class,probability,p_setosa,p_versicolor,p_virginica\n"),
        "{csv}"
    );
    let (table, _) = ok(&tmp, &["predict", "--model", "run", "test.csv"]);
    assert!(
        table.lines().next().unwrap().contains("P(virginica)"),
        "{table}"
    );
}

#[test]
fn columns_are_matched_by_name_everywhere() {
    let tmp = TempDir::new("tables-names");
    tmp.write("train.csv", IRIS_TRAIN);
    let mut extra = String::new();
    for (i, line) in IRIS_TEST.lines().enumerate() {
        let cells: Vec<&str> = line.split(',').collect();
        // Another order, an extra column, the label renamed.
        let head = if i == 0 { "species" } else { cells[1] };
        let note = if i == 0 { "comment" } else { "x" };
        extra.push_str(&format!(
            "{},{},{note},{},{},{},{head}\n",
            cells[0], cells[3], cells[5], cells[2], cells[4]
        ));
    }
    tmp.write("shuffled.csv", &extra);
    ok(
        &tmp,
        &[
            "train",
            "--train",
            "train.csv",
            "--label-column",
            "target",
            "--out",
            "run",
            "--quiet",
        ],
    );
    let (scores, err) = ok(
        &tmp,
        &[
            "evaluate",
            "--model",
            "run",
            "shuffled.csv",
            "--label-column",
            "species",
            "--format",
            "json",
        ],
    );
    assert!(
        err.contains("ignored column(s) the model does not use: comment"),
        "{err}"
    );
    let scores: serde_json::Value = serde_json::from_str(&scores).unwrap();
    let acc = scores["accuracy"].as_f64().unwrap();
    eprintln!("iris, columns shuffled, label renamed: accuracy {acc}");
    assert!(acc >= 0.9, "{acc}");
    // The label column the model remembers is absent: evaluate says so.
    refused(
        &tmp,
        &["evaluate", "--model", "run", "shuffled.csv"],
        "shuffled.csv: has no 'target' column",
    );
    // A feature column missing: named.
    tmp.write("narrow.csv", "petal width (cm),target\n0.2,setosa\n");
    refused(
        &tmp,
        &["predict", "--model", "run", "narrow.csv"],
        "has no columns 'sepal length (cm)', 'sepal width (cm)', 'petal length (cm)', which the model was trained on",
    );
    // --features and --drop choose the columns.
    ok(
        &tmp,
        &[
            "train",
            "--train",
            "train.csv",
            "--label-column",
            "target",
            "--features",
            "petal length (cm),petal width (cm)",
            "--out",
            "two",
            "--quiet",
        ],
    );
    assert_eq!(json(&tmp.path("two/model.json"))["layer_sizes"][0], 2);
    ok(
        &tmp,
        &[
            "train",
            "--train",
            "train.csv",
            "--label-column",
            "target",
            "--drop",
            "sepal width (cm)",
            "--out",
            "three",
            "--quiet",
        ],
    );
    assert_eq!(json(&tmp.path("three/model.json"))["layer_sizes"][0], 3);
    refused(
        &tmp,
        &[
            "train",
            "--train",
            "train.csv",
            "--label-column",
            "target",
            "--drop",
            "petals",
            "--out",
            "refused",
        ],
        "has no column 'petals', named by --drop",
    );
}

/// A table like Palmer penguins, as pandas writes it: an index, a string
/// label, string features (island, sex), measurements of very different
/// scales, and missing cells (two rows without measurements, some sexes).
fn penguins(n: usize, seed: u32) -> String {
    let mut rng = backprop::NumpyRng::new(seed);
    let mut out =
        String::from(",species,island,bill_length_mm,flipper_length_mm,body_mass_g,sex\n");
    let kinds = [
        ("Adelie", 38.8, 190.0, 3700.0),
        ("Chinstrap", 48.8, 196.0, 3733.0),
        ("Gentoo", 47.5, 217.0, 5076.0),
    ];
    for i in 0..n {
        let (species, bill, flipper, mass) = kinds[i % 3];
        let island = match (species, i % 9) {
            ("Gentoo", _) => "Biscoe",
            ("Chinstrap", _) => "Dream",
            (_, 0) => "Torgersen",
            (_, 3) => "Dream",
            _ => "Biscoe",
        };
        let sex = match i % 7 {
            0 => "",
            k if k % 2 == 0 => "MALE",
            _ => "FEMALE",
        };
        if i == 5 || i == 40 {
            out.push_str(&format!("{i},{species},{island},,,,\n"));
            continue;
        }
        out.push_str(&format!(
            "{i},{species},{island},{:.1},{:.0},{:.0},{sex}\n",
            bill + 2.7 * rng.randn(),
            flipper + 6.5 * rng.randn(),
            mass + 450.0 * rng.randn()
        ));
    }
    out
}

#[test]
fn penguins_with_categories_and_missing_cells() {
    let tmp = TempDir::new("tables-penguins");
    tmp.write("train.csv", &penguins(240, 1));
    tmp.write("test.csv", &penguins(90, 2));
    let train = ["train", "--train", "train.csv", "--label-column", "species"];
    // Missing cells are refused by default: the count and the first position.
    let mut args = train.to_vec();
    args.extend(["--out", "refused"]);
    refused(
        &tmp,
        &args,
        "train.csv: 43 missing cell(s) (first: line 2, column 'sex'); --missing drop drops those rows",
    );
    // --missing drop: the rows with a gap go; the test set's too.
    let mut args = train.to_vec();
    args.extend([
        "--test",
        "test.csv",
        "--missing",
        "drop",
        "--out",
        "drop",
        "--quiet",
    ]);
    let (_, err) = ok(&tmp, &args);
    assert!(
        err.contains("test.csv: dropped 15 row(s) with missing cells"),
        "{err}"
    );
    let m = json(&tmp.path("drop/metrics.json"));
    let (train_m, acc) = (
        m["train_examples"].as_u64(),
        m["test_accuracy"].as_f64().unwrap(),
    );
    eprintln!("penguins, --missing drop: test accuracy {acc}");
    assert_eq!(train_m, Some(240 - 35 - 2));
    assert!(acc >= 0.9, "{acc}");
    // --missing mean: every row stays; fills are stored and predict applies them.
    let mut args = train.to_vec();
    args.extend([
        "--test",
        "test.csv",
        "--missing",
        "mean",
        "--out",
        "mean",
        "--quiet",
    ]);
    ok(&tmp, &args);
    let m = json(&tmp.path("mean/metrics.json"));
    let acc = m["test_accuracy"].as_f64().unwrap();
    eprintln!("penguins, --missing mean: test accuracy {acc}");
    assert_eq!(m["train_examples"].as_u64(), Some(240));
    assert!(acc >= 0.9, "{acc}");
    let model = json(&tmp.path("mean/model.json"));
    let columns = &model["preprocessing"]["table"]["columns"];
    assert_eq!(columns[0]["name"], "island");
    assert_eq!(
        columns[0]["categories"],
        serde_json::json!(["Biscoe", "Dream", "Torgersen"])
    );
    assert_eq!(columns[4]["fill"], "MALE");
    assert!(columns[1]["fill"].as_f64().unwrap() > 40.0);
    // 3 islands + 3 measurements + 2 sexes.
    assert_eq!(model["layer_sizes"][0], 8);
    // A category never seen in training: zeros, with a note.
    tmp.write(
        "new.csv",
        "island,bill_length_mm,flipper_length_mm,body_mass_g,sex\nAtlantis,47.0,215,5000,MALE\nDream,,,,\n",
    );
    let (out, err) = ok(
        &tmp,
        &["predict", "--model", "mean", "new.csv", "--format", "json"],
    );
    assert!(
        err.contains(
            "column 'island': 1 cell(s) with a category not seen in training (e.g. 'Atlantis')"
        ),
        "{err}"
    );
    let preds: Vec<serde_json::Value> = serde_json::from_str(&out).unwrap();
    assert_eq!(preds.len(), 2);
    assert_eq!(preds[0]["class"], "Gentoo");
    assert_eq!(preds[1]["input"], 1);
    // A column of mostly distinct strings is refused, suggesting --drop.
    let named: String = penguins(60, 3)
        .lines()
        .enumerate()
        .map(|(i, l)| {
            let name = if i == 0 {
                "name".to_string()
            } else {
                format!("bird{i}")
            };
            format!("{l},{name}\n")
        })
        .collect();
    tmp.write("named.csv", &named);
    let mut args = train.to_vec();
    args[2] = "named.csv";
    args.extend(["--missing", "drop", "--out", "refused"]);
    refused(
        &tmp,
        &args,
        "column 'name' holds 49 distinct strings in 49 rows",
    );
    refused(&tmp, &args, "leave it out with --drop name");
    args.extend(["--drop", "name"]);
    args.retain(|a| *a != "refused" && *a != "--out");
    args.extend(["--out", "dropped-name", "--quiet"]);
    ok(&tmp, &args);
}

/// `predict` answers every row it is given: under a model trained with
/// `--missing drop`, a row with a missing cell gets its own row saying why
/// (CSV: empty prediction cells and an `error` column; JSON: an "error"
/// field; the table: the reason), in its place, so the counts are equal.
/// The index's ids are JSON numbers where they are numbers.
#[test]
fn predict_gives_one_row_per_input_row_with_missing_cells_saying_why() {
    let tmp = TempDir::new("tables-predict-every-row");
    tmp.write("train.csv", &penguins(240, 1));
    let test = penguins(90, 2);
    tmp.write("test.csv", &test);
    let rows_in = test.lines().count() - 1;
    let missing: Vec<usize> = (test.lines().skip(1).enumerate())
        .filter(|(_, l)| l.contains(",,") || l.ends_with(','))
        .map(|(i, _)| i)
        .collect();
    assert_eq!(missing.len(), 15, "the table has rows with gaps");
    let train = [
        "train",
        "--train",
        "train.csv",
        "--label-column",
        "species",
        "--missing",
        "drop",
        "--out",
        "drop",
        "--quiet",
        "--epochs",
        "5",
    ];
    ok(&tmp, &train);
    let predict = |format: &str| {
        ok(
            &tmp,
            &["predict", "--model", "drop", "test.csv", "--format", format],
        )
    };
    let (csv, err) = predict("csv");
    assert!(
        err.contains("test.csv: 15 row(s) with missing cells have no prediction (--missing drop)"),
        "{err}"
    );
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len() - 1, rows_in, "one CSV row per input row");
    assert!(lines[0].ends_with(",p_Gentoo,error"), "{}", lines[0]);
    for (i, line) in lines[1..].iter().enumerate() {
        assert!(
            line.starts_with(&format!("{i},")),
            "row {i} in its place: {line}"
        );
        let unscored = line.contains(",,,,,the cell in column '");
        assert_eq!(unscored, missing.contains(&i), "row {i}: {line}");
        assert!(unscored || line.ends_with(','), "row {i}: {line}");
    }
    assert!(
        lines[6]
            .ends_with("is missing and the model was trained to drop such rows (--missing drop)"),
        "{}",
        lines[6]
    );
    let (json, _) = predict("json");
    let rows: Vec<serde_json::Value> = serde_json::from_str(&json).unwrap();
    assert_eq!(rows.len(), rows_in, "one JSON object per input row");
    for (i, row) in rows.iter().enumerate() {
        assert_eq!(row["input"], i, "the id as a number: {row}");
        let error = row["error"].as_str();
        assert_eq!(error.is_some(), missing.contains(&i), "{row}");
        assert_eq!(row["class"].is_string(), error.is_none(), "{row}");
    }
    let (table, _) = predict("table");
    assert_eq!(table.lines().count() - 1, rows_in, "{table}");
    assert!(
        table
            .lines()
            .nth(6)
            .unwrap()
            .contains("(the cell in column '"),
        "{table}"
    );
}

/// `evaluate --format json` names what its numbers are of: the classes in
/// the confusion matrix's order and, for two classes, the positive one.
#[test]
fn evaluate_json_names_the_positive_class_and_the_matrix_order() {
    let tmp = TempDir::new("tables-evaluate-json");
    let table = "a,b,label\n0,1,no\n1,0,yes\n0.1,0.9,no\n0.9,0.2,yes\n0.2,1,no\n1,0.1,yes\n";
    tmp.write("d.csv", table);
    ok(
        &tmp,
        &[
            "train", "--train", "d.csv", "--out", "run", "--quiet", "--epochs", "3",
        ],
    );
    let (out, _) = ok(
        &tmp,
        &["evaluate", "--model", "run", "d.csv", "--format", "json"],
    );
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["classes"], serde_json::json!(["no", "yes"]), "{v}");
    assert_eq!(v["positive_class"], "yes", "{v}");
    assert!(
        v["confusion_matrix_order"]
            .as_str()
            .unwrap()
            .starts_with("rows: the true class"),
        "{v}"
    );
    assert!(v["accuracy"].is_number(), "{v}");
}

/// An imbalanced table (about one row in eight 'yes'): two noisy features.
fn imbalanced(m: usize) -> String {
    let mut rng = backprop::NumpyRng::new(11);
    let mut out = String::from("a,b,label\n");
    for _ in 0..m {
        let (a, b) = (rng.randn(), rng.randn());
        let yes = a + 0.5 * b + 0.8 * rng.randn() > 1.6;
        out.push_str(&format!("{a},{b},{}\n", if yes { "yes" } else { "no" }));
    }
    out
}

/// `--class-weight balanced` weighs class c by n / (k · n_c) (scikit-learn's
/// meaning) through the per-example weights: it changes the model (more
/// 'yes' predicted on an imbalanced table), a file giving the same weights
/// trains the very same model, the run records it, and a bad file is refused.
#[test]
fn class_weight_balanced_equals_a_file_of_the_same_weights() {
    let tmp = TempDir::new("tables-class-weight");
    let table = imbalanced(400);
    tmp.write("d.csv", &table);
    let yes = table.lines().filter(|l| l.ends_with(",yes")).count();
    let (n, no) = (400.0, (400 - yes) as f64);
    assert!((30..80).contains(&yes), "{yes}");
    tmp.write(
        "w.csv",
        &format!(
            "class,weight\nno,{}\nyes,{}\n",
            n / (2.0 * no),
            n / (2.0 * yes as f64)
        ),
    );
    let train = |out: &str, extra: &[&str]| {
        let mut args = vec![
            "train", "--train", "d.csv", "--out", out, "--quiet", "--epochs", "20",
        ];
        args.extend_from_slice(extra);
        ok(&tmp, &args);
        std::fs::read(tmp.path(&format!("{out}/model.safetensors"))).unwrap()
    };
    let plain = train("plain", &[]);
    let balanced = train("balanced", &["--class-weight", "balanced"]);
    let file = train("file", &["--class-weight", "w.csv"]);
    assert_ne!(plain, balanced, "the weights change the model");
    assert_eq!(balanced, file, "balanced is n / (k · n_c)");
    let config = &json(&tmp.path("balanced/metrics.json"))["config"];
    assert_eq!(config["class_weight"], "balanced", "{config}");
    let predicted_yes = |model: &str| {
        let (csv, _) = ok(
            &tmp,
            &["predict", "--model", model, "d.csv", "--format", "csv"],
        );
        csv.lines()
            .filter(|l| l.split(',').nth(1) == Some("yes"))
            .count()
    };
    let (before, after) = (predicted_yes("plain"), predicted_yes("balanced"));
    eprintln!("'yes' predicted for {before} rows unweighted, {after} balanced ({yes} true)");
    assert!(after > before, "{before} → {after}");
    tmp.write("unknown.csv", "class,weight\nYES,3\n");
    let refused_with = |file: &str, needle: &str| {
        let args = [
            "train",
            "--train",
            "d.csv",
            "--out",
            "refused",
            "--class-weight",
            file,
        ];
        refused(&tmp, &args, needle);
    };
    refused_with(
        "unknown.csv",
        "--class-weight names the class 'YES', which the training data does not have (classes: no, yes)",
    );
    refused_with("nope.csv", "nope.csv: no such file or folder");
    tmp.write("negative.csv", "class,weight\nyes,-1\n");
    refused_with(
        "negative.csv",
        "negative.csv: line 2: '-1' is not a weight ≥ 0",
    );
}

/// A model that predicts one class for a whole test or evaluated set (recall
/// 0 for the other) is warned about, not only one that does so in training.
#[test]
fn one_class_for_a_whole_test_set_is_warned_about() {
    let tmp = TempDir::new("tables-one-class-test");
    let mut train = String::from("a,label\n");
    let mut test = String::from("a,label\n");
    for i in 0..100 {
        let a = (i as f64 - 49.5) / 10.0;
        train.push_str(&format!("{a},{}\n", if a > 0.0 { "yes" } else { "no" }));
        // Far on the 'no' side, half of them labelled 'yes'.
        test.push_str(&format!(
            "{},{}\n",
            -3.0 - a.abs() / 5.0,
            ["no", "yes"][i % 2]
        ));
    }
    tmp.write("train.csv", &train);
    tmp.write("test.csv", &test);
    let args = [
        "train",
        "--train",
        "train.csv",
        "--test",
        "test.csv",
        "--out",
        "run",
        "--quiet",
    ];
    let (_, err) = ok(&tmp, &args);
    assert!(!err.contains("every training example"), "{err}");
    assert!(
        err.contains("warning: the model predicts 'no' for every test example; likely causes:"),
        "{err}"
    );
    assert!(
        err.contains("--class-weight balanced weighs the classes equally"),
        "{err}"
    );
    let counts = &json(&tmp.path("run/metrics.json"))["test_predicted_counts"];
    assert_eq!(counts, &serde_json::json!([100, 0]));
    let (_, err) = ok(&tmp, &["evaluate", "--model", "run", "test.csv"]);
    assert!(
        err.contains("warning: the model predicts 'no' for every evaluated example"),
        "{err}"
    );
    let (_, err) = ok(&tmp, &["evaluate", "--model", "run", "train.csv"]);
    assert!(!err.contains("warning"), "{err}");
}

#[test]
fn string_labels_positive_class_and_unscaled_features() {
    let tmp = TempDir::new("tables-binary");
    // Two features of very different scales; the class is by their sum.
    let mut rng = backprop::NumpyRng::new(3);
    let mut csv = String::from("a,b,kind\n");
    for _ in 0..200 {
        let (a, b) = (rng.randn(), rng.randn());
        let kind = if a + b > 0.3 { "cat" } else { "dog" };
        csv.push_str(&format!("{},{},{kind}\n", a * 1000.0 + 5000.0, b * 0.001));
    }
    tmp.write("d.csv", &csv);
    let base = [
        "train",
        "--train",
        "d.csv",
        "--label-column",
        "kind",
        "--quiet",
    ];
    let mut args = base.to_vec();
    args.extend(["--out", "run", "--positive", "dog"]);
    ok(&tmp, &args);
    let model = json(&tmp.path("run/model.json"));
    assert_eq!(model["classes"], serde_json::json!(["cat", "dog"]));
    let acc = json(&tmp.path("run/metrics.json"))["train_accuracy"]
        .as_f64()
        .unwrap();
    eprintln!("unscaled binary table, defaults only: train accuracy {acc}");
    assert!(acc >= 0.9, "{acc}");
    let mut args = base.to_vec();
    args.extend(["--out", "cat", "--positive", "cat"]);
    ok(&tmp, &args);
    let model = json(&tmp.path("cat/model.json"));
    assert_eq!(model["classes"], serde_json::json!(["dog", "cat"]));
    // Unstandardised and barely trained, the model predicts one class: it says so.
    let mut args = base.to_vec();
    args.extend([
        "--out",
        "raw",
        "--no-standardize",
        "--iterations",
        "1",
        "--learning-rate",
        "1e-9",
    ]);
    let (_, err) = ok(&tmp, &args);
    assert!(err.contains("warning: the model predicts '"), "{err}");
    assert!(
        err.contains(
            "for every training example; likely causes: features of very different scales"
        ),
        "{err}"
    );
    let mut args = base.to_vec();
    args.extend(["--out", "refused", "--positive", "bird"]);
    refused(
        &tmp,
        &args,
        "has no class 'bird' (classes: cat, dog); fix --positive",
    );
}

/// Two moons (2 features, string classes) as pandas writes them, m rows from `seed`.
fn moons(m: usize, seed: u32) -> String {
    let mut g = backprop::NumpyRng::new(seed);
    let mut s = String::from(",width,height,kind\n");
    for i in 0..m {
        let round = i % 2 == 1;
        let t = std::f64::consts::PI * (i as f64 / m as f64);
        let (x, y) = if round {
            (1.0 - t.cos(), 0.5 - t.sin())
        } else {
            (t.cos(), t.sin())
        };
        let kind = if round { "round" } else { "flat" };
        s.push_str(&format!(
            "{i},{},{},{kind}\n",
            100.0 * (x + 0.15 * g.randn()),
            100.0 * (y + 0.15 * g.randn()) + 50.0
        ));
    }
    s
}

#[test]
fn a_table_trains_with_the_table_defaults_and_hdf5_keeps_the_courses() {
    let tmp = TempDir::new("tables-defaults");
    tmp.write("train.csv", IRIS_TRAIN);
    ok(
        &tmp,
        &[
            "train",
            "--train",
            "train.csv",
            "--label-column",
            "target",
            "--out",
            "run",
            "--quiet",
        ],
    );
    let config = &json(&tmp.path("run/metrics.json"))["config"]["model"];
    let table = serde_json::to_value(backprop::ModelSpec::table_default()).unwrap();
    for key in ["hidden", "activation", "init"] {
        assert_eq!(config[key], table[key], "{key}");
    }
    for key in [
        "learning_rate",
        "optimizer",
        "batch_size",
        "epochs",
        "seed",
        "l2",
    ] {
        assert_eq!(config["gd"][key], table["gd"][key], "{key}");
    }
    assert_ne!(table["gd"]["l2"], 0.0, "a table's default L2 is on");
    // --iterations alone means the course's full-batch gradient descent: the table's
    // optimiser, learning rate, batches and epochs go; its network stays.
    ok(
        &tmp,
        &[
            "train",
            "--train",
            "train.csv",
            "--label-column",
            "target",
            "--iterations",
            "50",
            "--out",
            "run2",
            "--quiet",
        ],
    );
    let gd = &json(&tmp.path("run2/metrics.json"))["config"]["model"]["gd"];
    assert!(gd["batch_size"].is_null() && gd["epochs"].is_null(), "{gd}");
    assert_eq!(gd["iterations"], 50);
    let course = serde_json::to_value(backprop::ModelSpec::default()).unwrap();
    assert_eq!(gd["optimizer"], course["gd"]["optimizer"]);
    assert_eq!(gd["learning_rate"], course["gd"]["learning_rate"]);
    assert_eq!(gd["l2"], course["gd"]["l2"]);
    let hidden = &json(&tmp.path("run2/metrics.json"))["config"]["model"]["hidden"];
    assert_eq!(*hidden, table["hidden"]);
    // Adam's flags apply to a table's default optimiser without naming it.
    ok(
        &tmp,
        &[
            "train",
            "--train",
            "train.csv",
            "--label-column",
            "target",
            "--beta1",
            "0.8",
            "--epochs",
            "2",
            "--l2",
            "0",
            "--out",
            "run3",
            "--quiet",
        ],
    );
    // `--l2 0` turns the table's default L2 off.
    let gd = &json(&tmp.path("run3/metrics.json"))["config"]["model"]["gd"];
    assert_eq!(gd["l2"], 0.0, "{gd}");
    refused(
        &tmp,
        &[
            "train",
            "--train",
            "train.csv",
            "--label-column",
            "target",
            "--optimizer",
            "gd",
            "--beta1",
            "0.8",
            "--out",
            "refused",
        ],
        "--beta1 does not apply to --optimizer gd",
    );
    // Anything else (HDF5, pictures) keeps the course's network.
    assert_eq!(
        serde_json::to_value(backprop::ModelSpec::default_for(std::path::Path::new(
            "x.h5"
        )))
        .unwrap(),
        course
    );
    let help = stdout(&backprop(&tmp.0, &["train", "--help"]));
    assert!(help.contains("CSV tables: 64"), "{help}");
}

#[test]
fn early_stopping_says_where_it_stopped_and_validation_is_printed_per_epoch() {
    let tmp = TempDir::new("tables-early");
    tmp.write("train.csv", IRIS_TRAIN);
    let (text, _) = ok(
        &tmp,
        &[
            "train",
            "--train",
            "train.csv",
            "--label-column",
            "target",
            "--validation",
            "0.3",
            "--early-stopping",
            "2",
            "--learning-rate",
            "0.1",
            "--epochs",
            "200",
            "--out",
            "run",
        ],
    );
    eprintln!("{text}");
    let m = json(&tmp.path("run/metrics.json"));
    assert_eq!(m["stopped_early"], true, "{text}");
    let best = m["best_at"].as_u64().unwrap();
    let last = m["iterations"].as_u64().unwrap() - 1;
    let vc = m["validation_costs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p[0] == best)
        .unwrap()[1]
        .as_f64()
        .unwrap();
    let expected = format!(
        "stopped early at epoch {last}; best epoch {best} (validation cost {vc:.6}, accuracy "
    );
    assert!(text.contains(&expected), "expected '{expected}' in {text}");
    // Every epoch's line carries the validation cost and accuracy.
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("Cost after epoch"))
        .collect();
    assert_eq!(lines.len() as u64, last + 1, "{text}");
    assert!(
        lines
            .iter()
            .all(|l| l.contains("(validation cost ") && l.ends_with(" %)")),
        "{text}"
    );
    assert!(text.contains("validation accuracy: "), "{text}");
    // --json says the same.
    let out = ok(
        &tmp,
        &[
            "train",
            "--train",
            "train.csv",
            "--label-column",
            "target",
            "--validation",
            "0.3",
            "--early-stopping",
            "2",
            "--learning-rate",
            "0.1",
            "--epochs",
            "200",
            "--out",
            "run2",
            "--json",
        ],
    )
    .0;
    let summary: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(summary["stopped_early"], true);
    assert_eq!(summary["best_at"].as_u64(), Some(best));
    assert!(summary["validation_accuracy"].as_f64().is_some());
}

#[test]
fn the_plots_name_the_network_the_data_the_features_and_the_classes() {
    let tmp = TempDir::new("tables-plots");
    tmp.write("train.csv", &moons(200, 3));
    tmp.write("test.csv", &moons(60, 4));
    ok(
        &tmp,
        &[
            "train",
            "--train",
            "train.csv",
            "--test",
            "test.csv",
            "--label-column",
            "kind",
            "--validation",
            "0.2",
            "--out",
            "run",
            "--quiet",
        ],
    );
    let curve = std::fs::read_to_string(tmp.path("run/learning_curve.svg")).unwrap();
    let title = "2-64-1 relu/sigmoid · train.csv · adam α=0.003, batch 32";
    assert!(
        curve.contains(title),
        "no title '{title}' in the learning curve"
    );
    for text in ["accuracy (%)", "validation", "train 9", "test "] {
        assert!(curve.contains(text), "no '{text}' in the learning curve");
    }
    let boundary = std::fs::read_to_string(tmp.path("run/decision_boundary.svg")).unwrap();
    for text in [
        "width (standardised)",
        "height (standardised)",
        "flat",
        "round",
        "train: dots, test: crosses",
    ] {
        assert!(
            boundary.contains(text),
            "no '{text}' in the decision boundary"
        );
    }
    // Unscaled features trained by plain gradient descent: the first cost dwarfs the rest,
    // and the cost axis turns logarithmic.
    ok(
        &tmp,
        &[
            "train",
            "--train",
            "train.csv",
            "--label-column",
            "kind",
            "--no-standardize",
            "--optimizer",
            "gd",
            "--iterations",
            "1000",
            "--out",
            "raw",
            "--quiet",
        ],
    );
    let m = json(&tmp.path("raw/metrics.json"));
    let costs: Vec<(usize, f64)> = serde_json::from_value(m["costs"].clone()).unwrap();
    let log = backprop::figure::log_cost_axis(&[("train", &costs)]);
    assert!(
        log,
        "the raw features' first cost should dwarf the rest: {costs:?}"
    );
    let svg = std::fs::read_to_string(tmp.path("raw/learning_curve.svg")).unwrap();
    assert_eq!(svg.contains("cost (log scale)"), log, "{costs:?}");
    let linear = std::fs::read_to_string(tmp.path("run/learning_curve.svg")).unwrap();
    assert!(!linear.contains("cost (log scale)"));
}

/// A table with a missing cell, a free-text column and two bad numbers is
/// told all four problems, each with its fix, in one run (it took three runs
/// when the first problem ended the check); mended as told, it trains.
#[test]
fn every_problem_of_a_table_is_told_in_one_run() {
    let tmp = TempDir::new("tables-every-problem");
    let mut csv = String::from("a,name,c,d,label\n");
    for i in 0..100 {
        let a = if i == 5 { String::new() } else { i.to_string() };
        let c = if i == 7 {
            "oops".to_string()
        } else {
            format!("{}", i as f64 / 2.0)
        };
        let d = if i == 9 { "inf" } else { "1" };
        csv += &format!("{a},person{i},{c},{d},{}\n", i % 2);
    }
    tmp.write("messy.csv", &csv);
    let args = ["train", "--train", "messy.csv", "--out", "refused"];
    refused(
        &tmp,
        &args,
        "messy.csv: 4 problems, each with its fix: (1) 1 missing cell(s)",
    );
    let err = stderr(&backprop(&tmp.0, &args));
    for needle in [
        "(1) 1 missing cell(s) (first: line 7, column 'a'); --missing drop",
        "(2) column 'name' holds 100 distinct strings in 100 rows",
        "leave it out with --drop name;",
        "(3) line 9, column 'c': 'oops' is not a finite number;",
        "(4) line 11, column 'd': 'inf' is not a finite number",
    ] {
        assert!(err.contains(needle), "'{needle}' in: {err}");
    }
    // One problem alone reads as before, with no count.
    let only = "a,label\n1,0\n,1\n3,0\n4,1\n";
    tmp.write("one.csv", only);
    refused(
        &tmp,
        &["train", "--train", "one.csv", "--out", "refused"],
        "one.csv: 1 missing cell(s)",
    );
    // Mended as the messages say, the table trains.
    let mended: String = csv
        .lines()
        .filter(|l| !l.starts_with(",person5") && !l.contains("oops") && !l.contains("inf"))
        .map(|l| format!("{l}\n"))
        .collect();
    tmp.write("mended.csv", &mended);
    ok(
        &tmp,
        &[
            "train",
            "--train",
            "mended.csv",
            "--drop",
            "name",
            "--epochs",
            "2",
            "--out",
            "run",
        ],
    );
}

/// A table's size is checked against the memory budget before its columns
/// are reserved: the rows its first 1 024 promise (here 3 000 rows × 3
/// columns × 8 bytes = 72 kB, over a 50 kB budget), in one line, with the fix.
#[test]
fn a_table_over_the_memory_budget_is_refused_before_it_is_read() {
    let tmp = TempDir::new("table-budget");
    let mut csv = String::from("a,b,label\n");
    for i in 0..3000 {
        csv += &format!("{i}.25,{}.5,{}\n", i % 7, i % 2);
    }
    tmp.write("big.csv", &csv);
    let args = [
        "train",
        "--train",
        "big.csv",
        "--max-memory",
        "50K",
        "--out",
        "refused",
    ];
    refused(&tmp, &args, "big.csv: its ");
    refused(&tmp, &args, "rows (estimated) would take");
    refused(&tmp, &args, "--max-memory");
    // With room for them, the same table trains.
    let args = [
        "train",
        "--train",
        "big.csv",
        "--max-memory",
        "2G",
        "--epochs",
        "1",
        "--out",
        "run",
    ];
    ok(&tmp, &args);
}
