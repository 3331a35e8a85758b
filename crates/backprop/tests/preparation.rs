//! One table preparation for every door: a table in memory (a `Frame`, as
//! the Python package hands over a DataFrame) and the same table as a CSV
//! file (as `backprop train` and `backprop predict` read it) become the same
//! X, bit for bit, with the same model.json preprocessing and classes; and a
//! model's stored preparation applied to the frame gives `predict`'s inputs.

use backprop::data::{self, load_inputs, Frame, FrameColumn, LoadOptions, Missing, Preparation};
use backprop::predict::Model;
use backprop::{model_io, Activation, Network};
use ndarray::Array2;

/// A pandas-written table: the unnamed index, a string label, a string
/// feature with a missing cell, numbers of very different scales with
/// missing cells (one written `NA`), a whole-number column.
const TABLE: &str = "\
,species,island,bill,mass,rings
0,Adelie,Torgersen,39.1,3750,3
1,Adelie,,39.5,3800,4
2,Gentoo,Biscoe,46.1,,5
3,Chinstrap,Dream,46.5,3500,3
4,Gentoo,Biscoe,NA,5700,6
5,Adelie,Dream,36.7,3450,2
6,Chinstrap,Dream,50.0,3900,4
7,Gentoo,Biscoe,48.7,5350,5
";

/// The table's columns as a DataFrame holds them: numbers (NaN for a
/// missing cell) where every cell is a number or missing, else strings.
fn frame(name: &str, skip: &[&str]) -> Frame {
    let mut lines = TABLE.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    let columns = (0..header.len())
        .filter(|&j| !skip.contains(&header[j]))
        .map(|j| {
            let cells: Vec<&str> = rows.iter().map(|r| r[j]).collect();
            let numbers: Option<Vec<f64>> = cells
                .iter()
                .map(|c| match *c {
                    "" | "NA" => Some(f64::NAN),
                    c => c.parse().ok(),
                })
                .collect();
            let column = match numbers {
                Some(v) => FrameColumn::Numbers(v),
                None => FrameColumn::Text(cells.iter().map(|c| c.to_string()).collect()),
            };
            (header[j].to_string(), column)
        })
        .collect();
    Frame::new(name, columns).unwrap()
}

#[test]
fn a_frame_and_its_csv_file_are_prepared_alike() {
    let dir = std::env::temp_dir().join(format!("backprop-preparation-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let csv = dir.join("penguins.csv");
    std::fs::write(&csv, TABLE).unwrap();
    let options = LoadOptions {
        label_column: Some("species".into()),
        missing: Missing::Mean,
        ..LoadOptions::default()
    };
    // The command line's way: the file, then standardised (job.rs).
    let mut d = data::load_training(&csv, &options, &|_, _| {}).unwrap();
    d.standardize(options.log_above().unwrap()).unwrap();
    // The Python door's way: the frame, in one call.
    let (preparation, prepared) = Preparation::fit(&frame("X", &[]), &options).unwrap();
    assert_eq!(preparation.preprocessing(), d.preprocessing);
    assert_eq!(preparation.classes, ["Adelie", "Chinstrap", "Gentoo"]);
    assert_eq!(preparation.classes, d.classes);
    assert_eq!(
        preparation.feature_names(),
        [
            "island=Biscoe",
            "island=Dream",
            "island=Torgersen",
            "bill",
            "mass",
            "rings"
        ]
    );
    assert_eq!(prepared.x, d.x, "the same X, bit for bit");
    let y: Vec<usize> = d.y.iter().map(|&c| c as usize).collect();
    assert_eq!(prepared.y, Some(y));
    let ids = prepared.ids.unwrap();
    assert_eq!((ids.0.as_str(), ids.1[7].as_str()), ("", "7"));

    // New rows: `predict`'s inputs from the file, the stored preparation's
    // from the frame (without the labels, columns in another order).
    let pre = preparation.preprocessing();
    let inputs = load_inputs(std::slice::from_ref(&csv), &pre, 6, "f64").unwrap();
    let stored = Preparation::of_model(&pre, &d.classes).unwrap();
    assert_eq!(stored, preparation);
    let mut new = frame("new", &["species"]);
    let applied = stored.apply(&new, "f64").unwrap();
    assert_eq!(applied.x, inputs.x);
    assert_eq!(applied.rows, (0..8).collect::<Vec<_>>());
    assert!(applied.ignored.is_empty() && applied.notes.is_empty());
    // A value an f32 model cannot hold is refused, naming its row and column.
    new = Frame::new(
        "new",
        vec![
            ("rings".into(), FrameColumn::Numbers(vec![3.0, 1e39])),
            ("mass".into(), FrameColumn::Numbers(vec![3000.0, 3000.0])),
            ("bill".into(), FrameColumn::Numbers(vec![40.0, 40.0])),
            (
                "island".into(),
                FrameColumn::Text(vec!["Dream".into(), "Mars".into()]),
            ),
        ],
    )
    .unwrap();
    let e = stored.apply(&new, "f32").unwrap_err().to_string();
    assert!(e.starts_with("new: row 1, column 'rings' is 1e39"), "{e}");
    let applied = stored.apply(&new, "f64").unwrap();
    assert!(
        applied.notes[0].contains("1 cell(s) with a category not seen in training (e.g. 'Mars')")
    );

    // A model storing the preparation predicts the frame as `predict` the file.
    let model_dir = dir.join("model");
    std::fs::create_dir_all(&model_dir).unwrap();
    let weights = |rows: usize, cols: usize, k: f64| {
        Array2::from_shape_fn((rows, cols), |(i, j)| ((i * cols + j) as f64 * k).sin())
    };
    let net = Network::from_parameters(
        vec![
            (weights(4, 6, 0.7), weights(4, 1, 0.3)),
            (weights(3, 4, 1.1), weights(3, 1, 0.5)),
        ],
        Activation::Tanh,
    )
    .unwrap();
    model_io::save(&model_dir, &net, &d.classes, &pre).unwrap();
    let model = Model::load(&model_dir).unwrap();
    let from_file = model.predict_all(std::slice::from_ref(&csv)).unwrap();
    let from_frame = model.predict_frame(&frame("new", &["species"])).unwrap();
    assert_eq!(from_frame.rows, from_file.rows);
    assert_eq!(from_frame.id_column.as_deref(), Some(""));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_frame_is_refused_as_a_file_would_be() {
    let options = LoadOptions {
        label_column: Some("species".into()),
        ..LoadOptions::default()
    };
    let e = Preparation::fit(&frame("X", &[]), &options).unwrap_err();
    let e = e.to_string();
    assert!(
        e.starts_with("X: 3 missing cell(s) (first: row 1, column 'island'); "),
        "{e}"
    );
    let drop = LoadOptions {
        missing: Missing::Drop,
        ..options
    };
    let (preparation, prepared) = Preparation::fit(&frame("X", &[]), &drop).unwrap();
    assert_eq!(prepared.rows, [0, 3, 5, 6, 7]);
    let e = preparation
        .apply(&frame("new", &["island"]), "f64")
        .unwrap_err();
    assert!(
        e.to_string()
            .starts_with("new: has no column 'island', which the model was trained on"),
        "{e}"
    );
}

/// A model folder written before model.json described tables (its
/// `preprocessing` has feature names and standardisation, no `table`) still
/// reads a table's numeric columns by name, in any order, extra ones ignored.
#[test]
fn a_model_without_a_stored_table_reads_columns_by_name() {
    let dir = std::env::temp_dir().join(format!("backprop-old-model-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let pre = data::Preprocessing {
        input: "csv".into(),
        scale: 1.0,
        example_shape: vec![2],
        feature_names: Some(vec!["a".into(), "b".into()]),
        standardization: Some(data::Standardization {
            mean: vec![1.0, 10.0],
            std: vec![2.0, 5.0],
            signed_log: Vec::new(),
            log_above: None,
        }),
        ..data::Preprocessing::default()
    };
    let w = Array2::from_shape_vec((1, 2), vec![0.5, -1.0]).unwrap();
    let net = Network::from_parameters(vec![(w, Array2::zeros((1, 1)))], Activation::Relu).unwrap();
    model_io::save(&dir, &net, &["no".into(), "yes".into()], &pre).unwrap();
    std::fs::write(dir.join("new.csv"), "b,extra,a\n20,x,3\n5,y,-1\n").unwrap();
    let model = Model::load(&dir).unwrap();
    assert!(model.info.preparation().is_none());
    let p = model.predict_all(&[dir.join("new.csv")]).unwrap();
    // z = 0.5·(a − 1)/2 − (b − 10)/5: 0.5 − 2 = −1.5 and −0.5 + 1 = 0.5.
    let sigma = |z: f64| 1.0 / (1.0 + (-z).exp());
    assert!((p.rows[0].score.as_ref().unwrap().probabilities.0[1].1 - sigma(-1.5)).abs() < 1e-15);
    assert!((p.rows[1].score.as_ref().unwrap().probabilities.0[1].1 - sigma(0.5)).abs() < 1e-15);
    assert!(p.notes[0].ends_with("ignored column(s) the model does not use: extra"));
    std::fs::remove_dir_all(&dir).unwrap();
}
