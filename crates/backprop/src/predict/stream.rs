//! `predict` over tables read a block of rows at a time: each block is
//! prepared, predicted and handed on, row by row, so memory holds a block
//! (and the network's batch) whatever the file's size. The answers, notes
//! and errors are those of [`Model::predict_all`]: the same rows in the same
//! order with the same bits (the network sees the batches one pass gives
//! it, `batches.rs`); where a block meets an error, the inputs are read
//! again at once, so that the error is the one reading them at once names.

use std::collections::VecDeque;
use std::path::PathBuf;

use super::batches::Batches;
use super::{unanswered, Model, Prediction};
use crate::data::stream::{Answer, TableStream};
use crate::data::{FileKind, InputName};
use crate::error::Error;

/// Rows read a block at a time where a prediction streams its tables.
pub const STREAM_ROWS: usize = 1 << 16;

/// What a streamed prediction tells besides its rows.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Streamed {
    /// The name of the tables' id column, when their rows have ids.
    pub id_column: Option<String>,
    /// Notes on the inputs (columns ignored, unseen categories, rows dropped).
    pub notes: Vec<String>,
}

/// Why a stream stopped: its data (read again at once for the message), or
/// the receiver of its rows.
enum Failure {
    Data(Error),
    Out(Error),
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Failure::Data(e)
    }
}

impl Model {
    /// [`Model::predict_all`]'s rows handed to `each` in order, CSV tables
    /// read `rows` rows at a time (other inputs are read at once); returns
    /// the id column and the notes. On an error nothing more is handed on,
    /// and the error is [`Model::predict_all`]'s (rows already handed on
    /// are to be thrown away by the receiver).
    pub fn predict_each(
        &self,
        paths: &[PathBuf],
        rows: usize,
        each: &mut dyn FnMut(Prediction) -> Result<(), Error>,
    ) -> Result<Streamed, Error> {
        let tables = paths
            .iter()
            .all(|p| FileKind::of(p) == FileKind::Csv && p.is_file());
        if !tables {
            let all = self.predict_all(paths)?;
            all.rows.into_iter().try_for_each(each)?;
            let (id_column, notes) = (all.id_column, all.notes);
            return Ok(Streamed { id_column, notes });
        }
        match self.stream(paths, rows, each) {
            Ok(streamed) => Ok(streamed),
            Err(Failure::Out(e) | Failure::Data(e @ Error::Stopped { .. })) => Err(e),
            Err(Failure::Data(e)) => Err(self.predict_all(paths).err().unwrap_or(e)),
        }
    }

    /// [`Model::predict_each`] of CSV tables, block by block.
    fn stream(
        &self,
        paths: &[PathBuf],
        rows: usize,
        each: &mut dyn FnMut(Prediction) -> Result<(), Error>,
    ) -> Result<Streamed, Failure> {
        let n_x = self.info.layer_sizes[0];
        let mut answering = Answering {
            model: self,
            batches: Batches::new(n_x, self.network.predict_chunk()),
            answers: VecDeque::new(),
            each,
        };
        let mut streamed = Streamed::default();
        for path in paths {
            let (pre, precision) = (&self.info.preprocessing, self.info.precision.as_str());
            let mut table = TableStream::open(path, pre, n_x, precision)?;
            while let Some(block) = table.next_block(rows)? {
                answering.batches.push(&block.x);
                answering.answers.extend(block.answers);
                while let Some(x) = answering.batches.full() {
                    answering.answer(x)?;
                }
            }
            if table.id_column.is_some() {
                streamed.id_column = table.id_column.clone();
            }
            streamed.notes.extend(table.finish()?);
        }
        for x in answering.batches.last() {
            answering.answer(x)?;
        }
        answering.answers_left()?;
        Ok(streamed)
    }
}

/// The rows read and not yet answered, and where the answers go.
struct Answering<'a> {
    model: &'a Model,
    batches: Batches,
    answers: VecDeque<Answer>,
    each: &'a mut dyn FnMut(Prediction) -> Result<(), Error>,
}

impl Answering<'_> {
    /// Predicts the batch `x` and hands on the rows up to its last, the
    /// unscored ones among them in their places.
    fn answer(&mut self, x: ndarray::Array2<f64>) -> Result<(), Failure> {
        let p = self.model.network.predict_proba(&x);
        let mut rows = Vec::new();
        let mut names: Vec<InputName> = Vec::with_capacity(x.ncols());
        while names.len() < x.ncols() {
            let answer = self.answers.pop_front().expect("a row for each column");
            if let Answer::Scored(name) = &answer {
                names.push(name.clone());
            }
            rows.push(answer);
        }
        self.model
            .check_outputs(&p, &x, |j| format!("row {}", names[j]))?;
        let mut scored = self.model.predictions(names, &p).into_iter();
        for answer in rows {
            let prediction = match answer {
                Answer::Scored(_) => scored.next().expect("a prediction for each column"),
                Answer::Unscored(name, why) => unanswered(name, why),
            };
            (self.each)(prediction).map_err(Failure::Out)?;
        }
        Ok(())
    }

    /// Hands on the rows left once every batch is answered (unscored ones).
    fn answers_left(&mut self) -> Result<(), Failure> {
        for answer in self.answers.drain(..) {
            let Answer::Unscored(name, why) = answer else {
                unreachable!("every scored row was in a batch")
            };
            (self.each)(unanswered(name, why)).map_err(Failure::Out)?;
        }
        Ok(())
    }
}
