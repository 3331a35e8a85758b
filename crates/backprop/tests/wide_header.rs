//! A CSV header of 10⁶ columns (issue 23): every check over the header is
//! linear (the repeated-name check, finding named feature columns, matching
//! a model's columns in a new table), so the table is read or refused at
//! once; a quadratic check would take minutes here. Messages list at most
//! 50 column names, not a million.

use std::path::PathBuf;

use backprop::data::{self, LoadOptions};

const COLUMNS: usize = 1_000_000;

/// A folder for this test's files, removed when dropped.
struct Folder(PathBuf);

impl Folder {
    fn new(name: &str) -> Folder {
        let dir = std::env::temp_dir().join(format!("backprop-wide-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        Folder(dir)
    }
}

impl Drop for Folder {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn names() -> Vec<String> {
    (0..COLUMNS).map(|j| format!("c{j}")).collect()
}

/// A table of `header` (then `label`) and four rows of small numbers.
fn write_table(dir: &Folder, file: &str, header: &[String]) -> PathBuf {
    let mut text = header.join(",") + ",label\n";
    for r in 0..4 {
        let row: Vec<String> = (0..header.len())
            .map(|j| ((j + r) % 5).to_string())
            .collect();
        text += &format!("{},{}\n", row.join(","), r % 2);
    }
    let path = dir.0.join(file);
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn a_million_columns_are_read_by_name_and_matched_to_the_model() {
    let dir = Folder::new("read");
    let names = names();
    let path = write_table(&dir, "wide.csv", &names);
    // Every column named as a feature: each name found through one index.
    let options = LoadOptions {
        features: names.clone(),
        standardize: Some(false),
        ..LoadOptions::default()
    };
    let d = data::load(&path, &options).unwrap();
    assert_eq!((d.features(), d.examples()), (COLUMNS, 4));
    // A new table read like the training one: the model's million columns matched by name.
    let again = data::load_like(
        &path,
        &options,
        &d.preprocessing,
        &d.classes,
        Some("label"),
        &|_, _| {},
    )
    .unwrap();
    assert_eq!(again.x, d.x);
}

#[test]
fn a_repeated_name_among_a_million_is_refused_and_messages_stay_short() {
    let dir = Folder::new("refuse");
    let mut header = names();
    header.push("c0".into());
    let path = write_table(&dir, "repeated.csv", &header);
    let message = data::load(&path, &LoadOptions::default())
        .unwrap_err()
        .to_string();
    assert!(
        message.contains("columns 1 and 1000001 are both named 'c0'"),
        "{message}"
    );
    let path = write_table(&dir, "wide.csv", &names());
    let options = LoadOptions {
        label_column: Some("target".into()),
        ..LoadOptions::default()
    };
    let message = data::load(&path, &options).unwrap_err().to_string();
    assert!(message.contains("has no 'target' column"), "{message}");
    assert!(message.contains("c49, … and 999951 more"), "{message}");
    assert!(message.len() < 2_000, "{} bytes", message.len());
}
