//! `predict` streams its CSV inputs (`--block-rows` rows at a time) and
//! writes what it wrote reading them at once: the same bytes on stdout and
//! stderr for blocks of 1, 7 and 65 536 rows, in every format — a table
//! with string columns, missing cells, categories not seen in training, ids
//! over two lines and rows a drop model cannot score (one output row per
//! input row), for a two-class and a three-class model. An error found late
//! in a file writes no row: stdout stays empty, as when nothing streamed.

mod harness;

use std::fmt::Write as _;

use harness::{backprop, stderr, stdout, TempDir};

/// A table of `m` rows (see the module's comment; an `id` column), with two
/// label columns to choose from: 3 species, or 2 sizes; `unseen`: an
/// island not in the training table's.
fn table(m: usize, unseen: bool) -> String {
    let mut s = String::from("id,species,size,island,bill,mass\n");
    let species = ["Adelie", "Chinstrap", "Gentoo"];
    let islands = ["Torgersen", "Biscoe", "Dream"];
    for i in 0..m {
        let id = if i % 50 == 49 {
            format!("\"id, {i}\nof two lines\"")
        } else {
            i.to_string()
        };
        let island = match i % 23 {
            0 => "",
            7 if unseen => "Mars",
            _ => islands[(i / 3) % 3],
        };
        let bill = match i % 31 {
            3 => String::new(),
            _ => format!("{:.1}", 35.0 + (i % 17) as f64 + 4.0 * (i % 3) as f64),
        };
        let mass = 3000.0 + ((i * 37) % 2500) as f64 + 500.0 * (i % 3) as f64;
        let size = if mass > 4000.0 { "big" } else { "small" };
        writeln!(s, "{id},{},{size},{island},{bill},{mass}", species[i % 3]).unwrap();
    }
    s
}

fn train(tmp: &TempDir, label: &str, out: &str) {
    let args = [
        "train",
        "--train",
        "train.csv",
        "--label-column",
        label,
        "--missing",
        "drop",
        "--index-column",
        "id",
        "--epochs",
        "3",
        "--quiet",
        "--out",
        out,
    ];
    let o = backprop(&tmp.0, &args);
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn blocks_of_any_size_write_the_same_bytes() {
    let tmp = TempDir::new("streamed-predict");
    tmp.write("train.csv", &table(400, false));
    tmp.write("new.csv", &table(700, true));
    train(&tmp, "species", "three");
    train(&tmp, "size", "two");
    for model in ["three", "two"] {
        for format in ["table", "csv", "json"] {
            let run = |rows: &str| {
                let args = [
                    "predict",
                    "--model",
                    model,
                    "new.csv",
                    "--format",
                    format,
                    "--block-rows",
                    rows,
                ];
                let o = backprop(&tmp.0, &args);
                assert!(o.status.success(), "{}", stderr(&o));
                (stdout(&o), stderr(&o))
            };
            let whole = run("65536");
            assert!(whole.1.contains("have no prediction"), "{}", whole.1);
            assert!(whole.1.contains("not seen in training"), "{}", whole.1);
            let rows = match format {
                "json" => whole.0.matches("\"input\"").count(),
                // The header, and 14 ids over two lines.
                _ => whole.0.lines().count() - 1 - 14,
            };
            assert_eq!(rows, 700, "{model} {format}: one row per input row");
            for block in ["1", "7"] {
                assert_eq!(run(block), whole, "{model} {format}, {block} rows a block");
            }
        }
    }
}

#[test]
fn an_error_late_in_the_file_writes_no_row() {
    let tmp = TempDir::new("streamed-predict-late");
    tmp.write("train.csv", &table(300, false));
    train(&tmp, "species", "m");
    let mut text = table(2000, true);
    text.push_str("2000,Adelie,big,Dream,abc,3500\n");
    tmp.write("new.csv", &text);
    let o = backprop(
        &tmp.0,
        &["predict", "--model", "m", "new.csv", "--block-rows", "7"],
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("column 'bill': 'abc' is not a finite number"),
        "{}",
        stderr(&o)
    );
    assert!(o.stdout.is_empty(), "rows written before the error");
}
