//! `predict` reading its tables a block of rows at a time
//! (`Model::predict_each`) answers as reading them at once
//! (`Model::predict_all`): the same rows in the same order — the ones a
//! drop model cannot score in their places, with their ids — the same
//! probabilities bit for bit (more rows than two of the network's chunks
//! included), the same notes and the same errors, in f32 and f64, for
//! blocks of 1, 7 and many rows.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use backprop::data::{self, LoadOptions, Missing};
use backprop::predict::{Model, Prediction, Predictions};
use backprop::{model_io, Activation, Float, Network, PREDICT_CHUNK};
use ndarray::Array2;

/// A pandas-written table of `m` rows: the unnamed index (an id written
/// over two lines every 500 rows), a string label, a string feature with
/// categories never seen in training (`unseen`) and missing cells, numbers
/// with missing cells.
fn table(m: usize, unseen: bool) -> String {
    let mut s = String::from(",species,island,bill,mass\n");
    let species = ["Adelie", "Chinstrap", "Gentoo"];
    let islands = ["Torgersen", "Biscoe", "Dream"];
    for i in 0..m {
        let id = match i % 500 {
            499 => format!("\"id\n{i}\""),
            _ => i.to_string(),
        };
        let island = match i % 41 {
            0 => "",
            7 if unseen => "Mars",
            _ => islands[i % 3],
        };
        let bill = match i % 97 {
            3 => String::new(),
            _ => format!("{:.1}", 35.0 + (i % 17) as f64 + 0.3 * (i % 3) as f64),
        };
        let mass = 3000.0 + ((i * 37) % 2500) as f64;
        writeln!(s, "{id},{},{island},{bill},{mass}", species[i % 3]).unwrap();
    }
    s
}

/// A model folder in `dir` for the training table, computing in `T`.
fn model<T: Float>(dir: &Path, missing: Missing) -> Model {
    let csv = dir.join("train.csv");
    std::fs::write(&csv, table(300, false)).unwrap();
    // A refusing model is a dropping one told to refuse (its training
    // table has missing cells).
    let options = LoadOptions {
        label_column: Some("species".into()),
        missing: if missing == Missing::Mean {
            missing
        } else {
            Missing::Drop
        },
        ..LoadOptions::default()
    };
    let mut d = data::load_training(&csv, &options, &|_, _| {}).unwrap();
    d.standardize(options.log_above().unwrap()).unwrap();
    d.preprocessing.table.as_mut().unwrap().missing = missing;
    let n_x = d.features();
    let weights = |rows: usize, cols: usize, k: f64| {
        Array2::from_shape_fn((rows, cols), |(i, j)| {
            T::cast(((i * cols + j) as f64 * k).sin())
        })
    };
    let net = Network::<T>::from_parameters(
        vec![
            (weights(16, n_x, 0.7), weights(16, 1, 0.3)),
            (weights(3, 16, 1.1), weights(3, 1, 0.5)),
        ],
        Activation::Tanh,
    )
    .unwrap();
    let folder = dir.join(format!("model-{missing:?}-{}", std::mem::size_of::<T>()));
    std::fs::create_dir_all(&folder).unwrap();
    model_io::save(&folder, &net, &d.classes, &d.preprocessing).unwrap();
    Model::load(&folder).unwrap()
}

/// The streamed answer, as `predict_all` gives it.
fn streamed(model: &Model, paths: &[PathBuf], rows: usize) -> Result<Predictions, String> {
    let mut got: Vec<Prediction> = Vec::new();
    let s = model
        .predict_each(paths, rows, &mut |p| {
            got.push(p);
            Ok(())
        })
        .map_err(|e| e.to_string())?;
    Ok(Predictions {
        rows: got,
        id_column: s.id_column,
        notes: s.notes,
    })
}

/// Streams `paths` in blocks of 1, 7 and many rows, each answer the whole
/// reading's (rows, bits, ids, notes), or its error.
fn same_as_at_once(model: &Model, paths: &[PathBuf]) -> Result<Predictions, String> {
    let whole = model.predict_all(paths).map_err(|e| e.to_string());
    for rows in [1, 7, 1 << 16] {
        let got = streamed(model, paths, rows);
        match (&got, &whole) {
            (Ok(got), Ok(whole)) => {
                assert_eq!(got.rows.len(), whole.rows.len(), "{rows} rows a block");
                for (g, w) in got.rows.iter().zip(&whole.rows) {
                    assert_eq!(g, w, "{rows} rows a block");
                    let bits = |p: &Prediction| {
                        (p.score.as_ref()).map(|s| {
                            s.probabilities
                                .0
                                .iter()
                                .map(|c| c.1.to_bits())
                                .collect::<Vec<_>>()
                        })
                    };
                    assert_eq!(bits(g), bits(w), "{rows} rows a block");
                }
                assert_eq!(got.id_column, whole.id_column);
                assert_eq!(got.notes, whole.notes);
            }
            (Err(g), Err(w)) => assert_eq!(g, w, "{rows} rows a block"),
            _ => panic!("{rows} rows a block: {got:?} against {whole:?}"),
        }
    }
    whole
}

fn stream_as_at_once<T: Float>(name: &str) {
    let dir = std::env::temp_dir().join(format!("backprop-streamed-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let drop = model::<T>(&dir, Missing::Drop);
    // More rows than two of the network's chunks: batches past the first.
    let big = dir.join("big.csv");
    std::fs::write(&big, table(2 * PREDICT_CHUNK + 1234, true)).unwrap();
    let small = dir.join("small.csv");
    std::fs::write(&small, table(60, true)).unwrap();
    let got = same_as_at_once(&drop, std::slice::from_ref(&big)).unwrap();
    assert_eq!(
        got.rows.len(),
        2 * PREDICT_CHUNK + 1234,
        "one answer per row"
    );
    assert!(got.rows.iter().any(|p| p.error.is_some()), "unscored rows");
    assert!(
        got.notes.iter().any(|n| n.contains("category not seen")),
        "{:?}",
        got.notes
    );
    same_as_at_once(&drop, &[small.clone(), big.clone()]).unwrap();
    // Up to two chunks: one pass's batches exactly.
    let mid = dir.join("mid.csv");
    std::fs::write(&mid, table(PREDICT_CHUNK + 5, false)).unwrap();
    same_as_at_once(&drop, &[mid]).unwrap();
    // A model filling missing cells, and one refusing them (an error).
    let mean = model::<T>(&dir, Missing::Mean);
    same_as_at_once(&mean, std::slice::from_ref(&small)).unwrap();
    let refuse = model::<T>(&dir, Missing::Refuse);
    let e = same_as_at_once(&refuse, std::slice::from_ref(&small)).unwrap_err();
    assert!(e.contains("missing cell(s) (first: line 2"), "{e}");
    // A cell that is not a number, deep in the file: the whole file's error.
    let text =
        table(3000, false).replacen("\n2500,Chinstrap,Biscoe,", "\n2500,Chinstrap,Biscoe,abc", 1);
    let bad = dir.join("bad.csv");
    std::fs::write(&bad, text).unwrap();
    let e = same_as_at_once(&mean, &[small, bad]).unwrap_err();
    assert!(e.contains("bad.csv: line 2507, column 'bill'"), "{e}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn streamed_predictions_are_those_of_the_whole_table_f32() {
    stream_as_at_once::<f32>("f32");
}

#[test]
fn streamed_predictions_are_those_of_the_whole_table_f64() {
    stream_as_at_once::<f64>("f64");
}
