//! One data preparation for tables, whatever door they come through (a CSV
//! file, a pandas DataFrame): which columns are features, the label column's
//! classes, each string column's categories (one-hot), what fills a missing
//! cell, and the standardisation statistics. It is fitted on a training
//! table, stored in the model (model.json's `preprocessing` and `classes`)
//! and applied to raw rows by `train --test`, `predict`, `evaluate` and the
//! Python package alike.
//!
//! ```
//! use backprop::data::{Frame, FrameColumn, LoadOptions, Preparation};
//!
//! let column = |name: &str, cells: &[&str]| {
//!     (name.to_string(), FrameColumn::Text(cells.iter().map(|c| c.to_string()).collect()))
//! };
//! let train = Frame::new("X", vec![
//!     column("colour", &["red", "blue", "red", "NA"]),
//!     ("size".to_string(), FrameColumn::Numbers(vec![1.0, 3.0, f64::NAN, 2.0])),
//!     column("label", &["big", "small", "big", "small"]),
//! ])?;
//! let options = LoadOptions { missing: backprop::data::Missing::Mean, ..LoadOptions::default() };
//! let (preparation, prepared) = Preparation::fit(&train, &options)?;
//! assert_eq!(preparation.classes, ["big", "small"]);
//! assert_eq!(preparation.feature_names(), ["colour=blue", "colour=red", "size"]);
//! assert_eq!(prepared.y, Some(vec![0, 1, 0, 1]));
//! // New rows, columns in any order: a missing size is filled with the training mean.
//! let new = Frame::new("new", vec![
//!     ("size".to_string(), FrameColumn::Numbers(vec![f64::NAN])),
//!     column("colour", &["blue"]),
//! ])?;
//! let x = preparation.apply(&new, "f64")?.x;
//! assert_eq!(x.shape(), [3, 1]);
//! assert_eq!(x[(2, 0)], 0.0, "the mean, standardised");
//! # Ok::<(), backprop::Error>(())
//! ```

use std::collections::HashMap;
use std::path::Path;

use ndarray::Array2;

use super::cells::{Frame, Rows, Table};
use super::columns::{choose, match_model};
use super::encode::{encode, unseen_notes, Unseen};
use super::labels::{class_codes, sorted_classes};
use super::skipped::{skipped_rows, Skipped};
use super::standardize::{float_limit, standardize_within, FIT_THE_MODEL};
use super::table::{fit_column, rows_without_missing, MissingChoice};
use super::{
    examples_to_columns, ColumnSpec, Dataset, LoadOptions, Missing, Preprocessing, Standardization,
    TableSpec,
};
use crate::error::Error;

/// How a table's raw rows become a network's inputs (X) and labels.
#[derive(Clone, Debug, PartialEq)]
pub struct Preparation {
    /// The columns by name: the label column, the index column, and each
    /// feature column with its categories and fill; what missing cells do.
    pub table: TableSpec,
    /// The label encoding: the class names, index = label (numbers written
    /// canonically, `1.0` as `1`; names as written), sorted.
    pub classes: Vec<String>,
    /// The features' standardisation: the training set's mean and standard
    /// deviation (a category's 0/1 feature keeps mean 0, std 1).
    pub standardization: Option<Standardization>,
}

/// A table prepared: X, and Y when it has labels.
#[derive(Clone, Debug)]
pub struct Prepared {
    /// X, n_x × m: one example per column, standardised as the preparation says.
    pub x: Array2<f64>,
    /// Each example's class (an index into the classes), for a training table.
    pub y: Option<Vec<usize>>,
    /// Each example's row in the table, from 0 (rows with missing cells are
    /// dropped under [`Missing::Drop`]).
    pub rows: Vec<usize>,
    /// The index column's name and each example's id in it, when the table has one.
    pub ids: Option<(String, Vec<String>)>,
    /// New rows that cannot be scored (a missing cell under [`Missing::Drop`]),
    /// each with its position and why; empty for a training table.
    pub skipped: Vec<Skipped>,
    /// The table's columns the preparation does not read (a door may say so).
    pub ignored: Vec<String>,
    /// What the user should know: categories not seen in training, rows dropped.
    pub notes: Vec<String>,
}

impl Preparation {
    /// Fits the preparation on a training table as `options` say (the label
    /// column, `features`/`drop`, the index column, `missing`, `standardize`:
    /// by default yes), refusing labels that are not classes; returns it and
    /// the table prepared.
    pub fn fit(table: &Frame, options: &LoadOptions) -> Result<(Preparation, Prepared), Error> {
        let mut fitted = fit_table(table, options)?;
        let (rows, ids) = (std::mem::take(&mut fitted.rows), fitted.ids.take());
        let mut preparation = fitted.preparation.clone();
        let mut d = fitted.into_dataset(table.source());
        d.check_trainable(Some(&preparation.table.label_column))?;
        if options.standardizes(&d) {
            preparation.standardization = Some(d.standardize(options.log_above()?)?);
        }
        let y = d.y.iter().map(|&c| c as usize).collect();
        let prepared = Prepared {
            x: d.x,
            y: Some(y),
            rows,
            ids,
            skipped: Vec::new(),
            ignored: Vec::new(),
            notes: d.notes,
        };
        Ok((preparation, prepared))
    }

    /// Prepares new rows (no labels): the model's columns found by name,
    /// missing cells treated as in training, categories one-hot,
    /// standardised; refuses a value that a model of `precision` ("f32",
    /// "f64") cannot hold, naming its row and column.
    pub fn apply(&self, table: &Frame, precision: &str) -> Result<Prepared, Error> {
        let read = self.read(table, None)?;
        if read.rows.is_empty() {
            return Err(Error::format(
                table.source(),
                "holds no rows to predict; give at least one example",
            ));
        }
        let mut x = examples_to_columns(read.rows.len(), self.table.width(), read.values);
        let st = self.standardization.as_ref();
        standardize_within(&mut x, st, float_limit(precision)).map_err(|t| {
            let which = format!(
                "{}: {}",
                table.source().display(),
                Table::place(table, read.rows[t.example])
            );
            let column = self.preprocessing().column_name(t.feature);
            t.error(&which, &column, st, precision, FIT_THE_MODEL)
        })?;
        Ok(Prepared {
            x,
            y: None,
            rows: read.rows,
            ids: read.ids,
            skipped: read.skipped,
            ignored: read.ignored,
            notes: read.notes,
        })
    }

    /// The preparation a model stores: model.json's table (`pre.table`) with
    /// its `classes` and standardisation; `None` for a model of other data.
    pub fn of_model(pre: &Preprocessing, classes: &[String]) -> Option<Preparation> {
        pre.table.as_ref().map(|table| Preparation {
            table: table.clone(),
            classes: classes.to_vec(),
            standardization: pre.standardization.clone(),
        })
    }

    /// A preparation of numeric columns by name (a model whose model.json
    /// describes no table: written before tables were, or trained on arrays);
    /// the label column is [`super::DEFAULT_LABEL_COLUMN`].
    pub(crate) fn numeric(names: Vec<String>, pre: &Preprocessing, classes: &[String]) -> Self {
        let columns = names
            .into_iter()
            .filter(|n| n != super::DEFAULT_LABEL_COLUMN)
            .map(|name| ColumnSpec {
                name,
                categories: None,
                fill: None,
            })
            .collect();
        Preparation {
            table: TableSpec {
                label_column: super::DEFAULT_LABEL_COLUMN.into(),
                index_column: None,
                columns,
                missing: Missing::Refuse,
            },
            classes: classes.to_vec(),
            standardization: pre.standardization.clone(),
        }
    }

    /// What model.json stores of it (its `preprocessing`; the classes are
    /// model.json's `classes`).
    pub fn preprocessing(&self) -> Preprocessing {
        let names = self.table.feature_names();
        Preprocessing {
            input: "csv".into(),
            scale: 1.0,
            example_shape: vec![names.len()],
            feature_names: Some(names),
            standardization: self.standardization.clone(),
            table: Some(self.table.clone()),
            ..Preprocessing::default()
        }
    }

    /// The names of X's rows: a number column's name, `column=category` for
    /// each category of a string column.
    pub fn feature_names(&self) -> Vec<String> {
        self.table.feature_names()
    }

    /// Reads a table's rows as the preparation says, unstandardised: the
    /// model's columns by name (the others listed), missing cells refused,
    /// dropped or filled, categories one-hot; with `label`, each row's class
    /// from that column, refusing a class the model does not have.
    pub(crate) fn read(&self, t: &dyn Table, label: Option<&str>) -> Result<TableRows, Error> {
        let (mut rows, found) = self.read_found(t, label)?;
        rows.notes = found.notes(t.source(), label.is_some());
        Ok(rows)
    }

    /// [`Preparation::read`], its notes not yet written: what they say.
    pub(crate) fn read_found(
        &self,
        t: &dyn Table,
        label: Option<&str>,
    ) -> Result<(TableRows, Found), Error> {
        let matched = match_model(t, &self.table, label)?;
        let mut watched: Vec<(usize, &str, bool)> = (self.table.columns.iter().zip(&matched.at))
            .map(|(c, &j)| (j, c.name.as_str(), c.fill.is_some()))
            .collect();
        if let (Some(j), Some(l)) = (matched.label, label) {
            watched.push((j, l, false));
        }
        let keep = rows_without_missing(t, &watched, self.table.missing, MissingChoice::Model)?;
        // New rows (no label) keep their place, with the reason; labelled ones are dropped.
        let skipped = match label {
            None => skipped_rows(t, &watched, &keep, matched.index),
            Some(_) => Vec::new(),
        };
        let kept = Rows::new(t, keep);
        let mut found = Found {
            dropped: t.rows() - kept.rows(),
            unseen: Vec::new(),
        };
        let values = encode(&kept, &self.table, &matched.at, &mut found.unseen)?;
        let y = matched
            .label
            .map(|j| self.class_numbers(&kept, j))
            .transpose()?;
        let ids = ids(&kept, matched.index);
        let rows = TableRows {
            values,
            y,
            ids,
            skipped,
            rows: kept.positions(),
            ignored: matched.extra,
            notes: Vec::new(),
        };
        Ok((rows, found))
    }

    /// Each row's class number, from the label column `j`.
    fn class_numbers(&self, kept: &Rows<'_>, j: usize) -> Result<Vec<usize>, Error> {
        let number: HashMap<&str, usize> = (self.classes.iter().enumerate())
            .map(|(i, c)| (c.as_str(), i))
            .collect();
        let (names, codes) = class_codes(kept, j);
        let numbers: Vec<Option<usize>> = (names.iter())
            .map(|n| number.get(n.as_str()).copied())
            .collect();
        (codes.iter().enumerate())
            .map(|(r, &code)| {
                numbers[code as usize].ok_or_else(|| {
                    Error::format(
                        kept.source(),
                        format!(
                            "row {} has the class '{}', which the training data does not \
                             have (classes: {})",
                            kept.position(r),
                            names[code as usize],
                            self.classes.join(", ")
                        ),
                    )
                })
            })
            .collect()
    }
}

/// A table read as a preparation says, before standardisation.
pub(crate) struct TableRows {
    /// Features, row-major (m × n_x).
    pub values: Vec<f64>,
    /// Each row's class number, when labels were read.
    pub y: Option<Vec<usize>>,
    /// The index column's name and each row's id, when the table has one.
    pub ids: Option<(String, Vec<String>)>,
    /// Rows without labels left out of `values` (a missing cell under drop), and why.
    pub skipped: Vec<Skipped>,
    /// Each row's position among the table's rows (from 0).
    pub rows: Vec<usize>,
    /// The table's columns the model does not use.
    pub ignored: Vec<String>,
    /// What the user should know (rows dropped, categories not seen in training).
    pub notes: Vec<String>,
}

impl TableRows {
    /// The notes, after one naming the ignored columns if any (what the
    /// command line prints).
    pub(crate) fn all_notes(&self, source: &Path) -> Vec<String> {
        ignored_note(source, &self.ignored)
            .into_iter()
            .chain(self.notes.iter().cloned())
            .collect()
    }
}

/// The note naming a table's columns the model does not use, if any.
pub(crate) fn ignored_note(source: &Path, ignored: &[String]) -> Option<String> {
    (!ignored.is_empty()).then(|| {
        format!(
            "{}: ignored column(s) the model does not use: {}",
            source.display(),
            ignored.join(", ")
        )
    })
}

/// What reading a table found that its notes tell: the rows with missing
/// cells left out (a drop model) and the categories not seen in training.
#[derive(Debug, Default)]
pub(crate) struct Found {
    pub(crate) dropped: usize,
    pub(crate) unseen: Vec<Unseen>,
}

impl Found {
    /// Adds what a later block of the table found, its row 0 being the
    /// table's row `first`.
    pub(crate) fn add(&mut self, block: Found, first: usize) {
        self.dropped += block.dropped;
        self.unseen
            .extend(super::encode::moved(block.unseen, first));
    }

    /// The notes of the table `source`, read with labels (`labelled`) or not.
    pub(crate) fn notes(self, source: &Path, labelled: bool) -> Vec<String> {
        let mut notes = Vec::new();
        let (count, missing) = (self.dropped, crate::Setting::Missing);
        if count > 0 {
            notes.push(match labelled {
                false => format!(
                    "{}: {count} row(s) with missing cells have no prediction ({missing} \
                     drop); each says why in its row",
                    source.display()
                ),
                true => format!(
                    "{}: dropped {count} row(s) with missing cells ({missing} drop)",
                    source.display()
                ),
            });
        }
        notes.extend(unseen_notes(source, self.unseen));
        notes
    }
}

/// The index column's name and each row's value in it.
fn ids(t: &dyn Table, index: Option<usize>) -> Option<(String, Vec<String>)> {
    index.map(|j| {
        let ids = (0..t.rows()).map(|r| t.cell(r, j).to_string()).collect();
        (t.header()[j].clone(), ids)
    })
}

/// A training table read and its preparation fitted, before standardisation.
pub(crate) struct Fitted {
    /// The preparation (no standardisation yet).
    pub preparation: Preparation,
    /// Features, row-major (m × n_x).
    pub values: Vec<f64>,
    /// Each row's class number.
    pub y: Vec<usize>,
    /// Each row's position among the table's rows.
    pub rows: Vec<usize>,
    /// The index column's name and the rows' ids.
    pub ids: Option<(String, Vec<String>)>,
    /// What the user should know.
    pub notes: Vec<String>,
}

/// Fits a training table's columns, categories, fills and classes
/// (`options` choose the columns and what missing cells do).
pub(crate) fn fit_table(t: &dyn Table, options: &LoadOptions) -> Result<Fitted, Error> {
    let chosen = choose(t, options)?;
    let header = t.header();
    let label_name = &header[chosen.label];
    let mut watched: Vec<(usize, &str, bool)> = (chosen.features.iter())
        .map(|&j| (j, header[j].as_str(), true))
        .collect();
    watched.push((chosen.label, label_name, false));
    // Missing cells refused, the columns are still checked (on every row), so
    // that all of the table's problems are told in one run.
    let mut problems = Vec::new();
    let keep = match rows_without_missing(t, &watched, options.missing, MissingChoice::Flag) {
        Ok(keep) => keep,
        Err(e) => {
            problems.push(problem(e)?);
            (0..t.rows()).collect()
        }
    };
    let kept = Rows::new(t, keep);
    if kept.rows() == 0 {
        return Err(Error::format(t.source(), "has a header but no examples"));
    }
    let columns = fit_columns(&kept, &chosen.features, options.missing, &mut problems)?;
    if !problems.is_empty() {
        return Err(together(t.source(), problems));
    }
    let table = TableSpec {
        label_column: label_name.clone(),
        index_column: chosen.index.map(|j| header[j].clone()),
        columns,
        missing: options.missing,
    };
    let mut unseen = Vec::new();
    let values = encode(&kept, &table, &chosen.features, &mut unseen)?;
    let notes = unseen_notes(t.source(), unseen);
    let (names, codes) = class_codes(&kept, chosen.label);
    kept.done_with(chosen.label, 0);
    let classes = sorted_classes(&names);
    let number: HashMap<&str, usize> = (classes.iter().enumerate())
        .map(|(i, c)| (c.as_str(), i))
        .collect();
    let numbers: Vec<usize> = names.iter().map(|n| number[n.as_str()]).collect();
    let y = codes.iter().map(|&c| numbers[c as usize]).collect();
    let ids = ids(&kept, chosen.index);
    Ok(Fitted {
        preparation: Preparation {
            table,
            classes,
            standardization: None,
        },
        values,
        y,
        rows: kept.positions(),
        ids,
        notes,
    })
}

/// Fits each feature column of `t`, adding the message of each one that
/// cannot be a feature to `problems` (a stop request or another kind of
/// error ends it at once).
fn fit_columns(
    t: &dyn Table,
    features: &[usize],
    missing: Missing,
    problems: &mut Vec<String>,
) -> Result<Vec<ColumnSpec>, Error> {
    let header = t.header();
    let mut columns = Vec::with_capacity(features.len());
    for (i, &j) in features.iter().enumerate() {
        if i % 4096 == 0 {
            crate::stop::check(&format!("reading the columns of {}", t.source().display()))?;
        }
        match fit_column(t, j, &header[j], missing) {
            Ok(column) => columns.push(column),
            Err(e) => problems.push(problem(e)?),
        }
    }
    Ok(columns)
}

/// A table's problem (a [`Error::Format`]'s message), or the error itself
/// when it is of another kind.
fn problem(e: Error) -> Result<String, Error> {
    match e {
        Error::Format { message, .. } => Ok(message),
        other => Err(other),
    }
}

/// How many of a table's problems one message spells out.
const PROBLEMS_SHOWN: usize = 8;

/// One error telling every problem of the table `source`, each with its fix
/// (the first [`PROBLEMS_SHOWN`] of them, and how many more).
fn together(source: &Path, mut problems: Vec<String>) -> Error {
    if problems.len() == 1 {
        return Error::format(source, problems.remove(0));
    }
    let mut message = format!("{} problems, each with its fix:", problems.len());
    for (i, p) in problems.iter().take(PROBLEMS_SHOWN).enumerate() {
        message += &format!(
            " ({}) {p}{}",
            i + 1,
            if i + 1 < problems.len() { ";" } else { "" }
        );
    }
    if problems.len() > PROBLEMS_SHOWN {
        message += &format!(" … and {} more", problems.len() - PROBLEMS_SHOWN);
    }
    Error::format(source, message)
}

impl Fitted {
    /// The training set read from `source`, unstandardised.
    pub(crate) fn into_dataset(self, source: &Path) -> Dataset {
        let m = self.y.len();
        let y = self.y.iter().map(|&c| c as f64).collect();
        Dataset {
            source: source.to_path_buf(),
            x: examples_to_columns(m, self.preparation.table.width(), self.values),
            y: Array2::from_shape_vec((1, m), y).expect("one label per row"),
            preprocessing: self.preparation.preprocessing(),
            classes: self.preparation.classes,
            skipped: Vec::new(),
            notes: self.notes,
        }
    }
}
