//! A table for `predict`, a block of rows at a time: each block prepared as
//! the model's training table was (columns by name, missing cells,
//! categories, standardisation) into the block's X, with each row's name
//! (its id or its row) and the rows without a prediction in their places.
//! The notes are those of reading the whole table at once (`inputs.rs`).

use std::path::{Path, PathBuf};

use ndarray::Array2;

use super::cells::Table;
use super::chunks::TableChunks;
use super::csv::text_columns;
use super::inputs::{model_preparation, no_rows, InputName};
use super::preparation::{ignored_note, Found, Preparation};
use super::standardize::{float_limit, standardize_within, FIT_THE_MODEL};
use super::{examples_to_columns, Preprocessing};
use crate::error::Error;

/// One row of the table, in the table's order: scored (a column of the
/// block's X) or not, and why.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Answer {
    /// The row's name; its features are the next column of X.
    Scored(InputName),
    /// The row's name and why it has no prediction.
    Unscored(InputName, String),
}

/// A block of a table's rows, prepared.
pub(crate) struct Block {
    /// The scored rows' features, standardised (n_x × scored rows).
    pub x: Array2<f64>,
    /// Every row of the block, in order.
    pub answers: Vec<Answer>,
}

/// A CSV file read for `predict` a block at a time.
pub(crate) struct TableStream<'a> {
    path: PathBuf,
    chunks: TableChunks,
    preparation: Preparation,
    pre: &'a Preprocessing,
    precision: &'a str,
    found: Found,
    ignored: Vec<String>,
    scored: usize,
    /// The table's id column, once a block showed it has one.
    pub id_column: Option<String>,
}

impl<'a> TableStream<'a> {
    /// Opens `path` for a model with preprocessing `pre`, `n_x` inputs and
    /// `precision`: its preparation by column name (or, for a model that
    /// describes no table, its numeric columns), its width checked.
    pub(crate) fn open(
        path: &Path,
        pre: &'a Preprocessing,
        n_x: usize,
        precision: &'a str,
    ) -> Result<Self, Error> {
        super::check_exists(path)?;
        let open = |text: &[Option<&str>]| TableChunks::open(path, &text_columns(text));
        let (preparation, chunks) = model_preparation(path, pre, n_x, open, TableChunks::header)?;
        Ok(TableStream {
            path: path.to_path_buf(),
            chunks,
            preparation,
            pre,
            precision,
            found: Found::default(),
            ignored: Vec::new(),
            scored: 0,
            id_column: None,
        })
    }

    /// The next block of at most `rows` rows, prepared, or `None` at the end.
    pub(crate) fn next_block(&mut self, rows: usize) -> Result<Option<Block>, Error> {
        let Some(t) = self.chunks.next_block(rows)? else {
            return Ok(None);
        };
        let first = self.chunks.first_row();
        let (read, found) = self.preparation.read_found(&t, None)?;
        self.found.add(found, first);
        self.ignored = read.ignored;
        let names: Vec<InputName> = match read.ids {
            Some((column, ids)) => {
                self.id_column = Some(column);
                ids.into_iter().map(InputName::Id).collect()
            }
            None => read
                .rows
                .iter()
                .map(|&r| InputName::Row(first + r))
                .collect(),
        };
        let mut x =
            examples_to_columns(read.rows.len(), self.preparation.table.width(), read.values);
        self.standardize(&mut x, &names)?;
        self.scored += names.len();
        let mut scored = names.into_iter();
        let mut skipped = read.skipped.into_iter().peekable();
        let answers = (0..t.rows())
            .filter_map(|r| match skipped.next_if(|s| s.row == r) {
                Some(s) => {
                    let name = s.id.map_or(InputName::Row(first + s.row), InputName::Id);
                    Some(Answer::Unscored(name, s.reason))
                }
                None => scored.next().map(Answer::Scored),
            })
            .collect();
        Ok(Some(Block { x, answers }))
    }

    /// Standardises a block's X as the model's, refusing a value its
    /// precision cannot hold (named by the file and the row's name).
    fn standardize(&self, x: &mut Array2<f64>, names: &[InputName]) -> Result<(), Error> {
        let st = self.pre.standardization.as_ref();
        let limit = float_limit(self.precision);
        standardize_within(x, st, limit).map_err(|t| {
            let which = format!("{}: row {}", self.path.display(), names[t.example]);
            let column = self.pre.column_name(t.feature);
            t.error(&which, &column, st, self.precision, FIT_THE_MODEL)
        })
    }

    /// The notes on the whole table, once every block is read: as reading
    /// it at once gives them. A table without rows to predict is refused.
    pub(crate) fn finish(self) -> Result<Vec<String>, Error> {
        if self.scored == 0 {
            return Err(no_rows(&self.path));
        }
        let ignored = ignored_note(&self.path, &self.ignored);
        let notes = self.found.notes(&self.path, false);
        Ok(ignored.into_iter().chain(notes).collect())
    }
}
