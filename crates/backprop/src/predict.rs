//! Using a saved model: predictions for new inputs and scores on labelled data.

use std::path::{Path, PathBuf};

use serde::Serialize;

use ndarray::Array2;

use crate::data::{self, load_inputs, Dataset, Frame, InputName, LoadOptions};
use crate::error::Error;
use crate::metrics::{binary_scores, multiclass_scores, BinaryScores, MulticlassScores};
use crate::model_io::{self, ModelInfo};
use crate::network::AnyNetwork;

mod batches;
mod stream;

pub use stream::{Streamed, STREAM_ROWS};

/// One input's answer: `{"input": …, "class": …, "probability": …,
/// "probabilities": {class: p, …}}`, or `{"input": …, "error": why}` for a
/// row the model cannot score (a missing cell under `--missing drop`).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Prediction {
    /// The file, or the row of a table (its id when the table has an index column).
    pub input: data::InputName,
    /// The prediction, or `None` for an input that has none.
    #[serde(flatten)]
    pub score: Option<Score>,
    /// Why the input has no prediction.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// What the model says of one input.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Score {
    /// The predicted class's name.
    pub class: String,
    /// The predicted class's probability.
    pub probability: f64,
    /// Every class's probability, in the model's class order.
    pub probabilities: ClassProbabilities,
}

/// Each class's probability, written as a JSON object in class order.
#[derive(Clone, Debug, PartialEq)]
pub struct ClassProbabilities(pub Vec<(String, f64)>);

impl Serialize for ClassProbabilities {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (class, p) in &self.0 {
            map.serialize_entry(class, p)?;
        }
        map.end()
    }
}

/// The predictions for a set of inputs, with what the user should know.
#[derive(Clone, Debug)]
pub struct Predictions {
    /// One per input, in order (a table's rows that cannot be scored
    /// included, each with its error).
    pub rows: Vec<Prediction>,
    /// The name of the tables' id column, when their rows have ids.
    pub id_column: Option<String>,
    /// Notes on the inputs (columns ignored, unseen categories, rows dropped).
    pub notes: Vec<String>,
}

/// A model folder, loaded.
pub struct Model {
    /// model.json.
    pub info: ModelInfo,
    /// The weights.
    pub network: AnyNetwork,
}

impl Model {
    /// Loads and validates a model folder whose answer is one class an
    /// input (a multi-label model is refused by name).
    pub fn load(dir: &Path) -> Result<Model, Error> {
        let model = Model::open(dir)?;
        if model.info.output_activation == crate::Output::Sigmoids.name() {
            return Err(Error::format(
                dir,
                "is a multi-label model (output_activation \"sigmoids\"): it gives each input a 0/1 per label, \
                 not one class; read it with the Python package (backprop.load) or its ONNX export",
            ));
        }
        Ok(model)
    }

    /// Loads and validates any model folder (the ONNX export takes multi-label ones too).
    pub(crate) fn open(dir: &Path) -> Result<Model, Error> {
        if !dir.is_dir() {
            if let Some(e) = model_io::in_progress(dir) {
                return Err(e);
            }
            return Err(Error::format(
                dir,
                "is not a model folder (a run folder written by `backprop train`)",
            ));
        }
        let (info, network) = model_io::load(dir)?;
        Ok(Model { info, network })
    }

    /// Predictions for pictures, folders of pictures, CSV, npz/npy or HDF5 files.
    pub fn predict(&self, paths: &[PathBuf]) -> Result<Vec<Prediction>, Error> {
        Ok(self.predict_all(paths)?.rows)
    }

    /// [`Model::predict`], with the id column and the notes on the inputs.
    pub fn predict_all(&self, paths: &[PathBuf]) -> Result<Predictions, Error> {
        let (n_x, precision) = (self.info.layer_sizes[0], &self.info.precision);
        let inputs = load_inputs(paths, &self.info.preprocessing, n_x, precision)?;
        let p = self.network.predict_proba(&inputs.x);
        self.check_outputs(&p, &inputs.x, |j| inputs.which(j))?;
        Ok(Predictions {
            rows: with_unscored(self.predictions(inputs.names, &p), inputs.unscored),
            id_column: inputs.id_column,
            notes: inputs.notes,
        })
    }

    /// Predictions for a table in memory (columns by name, in any order),
    /// prepared as the model's training table was: `predict`'s answers for
    /// the same rows as a CSV file. Each row is named by its id (the index
    /// column's value) or its row.
    pub fn predict_frame(&self, table: &Frame) -> Result<Predictions, Error> {
        let preparation = self.info.preparation().ok_or_else(|| {
            let input = &self.info.preprocessing.input;
            Error::Config(format!(
                "the model was trained on {input} data, not a table; give it {input} inputs"
            ))
        })?;
        let prepared = preparation.apply(table, &self.info.precision)?;
        let p = self.network.predict_proba(&prepared.x);
        let source = table.name().display();
        let rows = &prepared.rows;
        self.check_outputs(&p, &prepared.x, |j| format!("{source}: row {}", rows[j]))?;
        let (id_column, names) = match prepared.ids {
            Some((column, ids)) => (Some(column), ids.into_iter().map(InputName::Id).collect()),
            None => (None, rows.iter().map(|&r| InputName::Row(r)).collect()),
        };
        let unscored = (prepared.skipped.into_iter())
            .map(|s| {
                let before = data::scored_before(rows, s.row);
                let name = s.id.map_or(InputName::Row(s.row), InputName::Id);
                (before, name, s.reason)
            })
            .collect();
        Ok(Predictions {
            rows: with_unscored(self.predictions(names, &p), unscored),
            id_column,
            notes: prepared.notes,
        })
    }

    /// Each input's prediction from the network's output `p` (one column per input).
    fn predictions(&self, names: Vec<InputName>, p: &Array2<f64>) -> Vec<Prediction> {
        let classes = &self.info.classes;
        names
            .into_iter()
            .zip(p.columns())
            .map(|(input, col)| {
                // Sigmoid: one row, P(second class); softmax: one row per class.
                let all: Vec<f64> = if col.len() == 1 {
                    vec![1.0 - col[0], col[0]]
                } else {
                    col.to_vec()
                };
                let best = if col.len() == 1 {
                    usize::from(col[0] > 0.5)
                } else {
                    all.iter()
                        .enumerate()
                        .fold(0, |b, (c, v)| if *v > all[b] { c } else { b })
                };
                let score = Score {
                    class: classes[best].clone(),
                    probability: all[best],
                    probabilities: ClassProbabilities(
                        classes.iter().cloned().zip(all.iter().copied()).collect(),
                    ),
                };
                Prediction {
                    input,
                    score: Some(score),
                    error: None,
                }
            })
            .collect()
    }

    /// Loads a labelled data set the way the model's training set was loaded:
    /// tables by column name (the label column the model remembers, unless
    /// `label_column` names another), labels numbered by the model's classes,
    /// refusing a value too large for the model (named by file and example,
    /// counted from 0 among the examples read).
    pub fn load_labelled(&self, path: &Path, label_column: Option<&str>) -> Result<Dataset, Error> {
        crate::config::csv_only(crate::Setting::LabelColumn, label_column.is_some(), path)?;
        let pre = &self.info.preprocessing;
        // Pictures take the model's side and channels (data::load_like).
        let mut d = data::load_like(
            path,
            &LoadOptions::default(),
            pre,
            &self.info.classes,
            label_column,
            &|_, _| {},
        )?;
        if d.examples() == 0 {
            return Err(Error::format(path, "has no examples to evaluate on"));
        }
        let (st, precision) = (pre.standardization.as_ref(), &self.info.precision);
        d.standardize_for(st, precision, "", data::FIT_THE_MODEL)?;
        Ok(d)
    }

    /// Scores the model on a labelled data set made like its training data.
    pub fn evaluate(&self, path: &Path) -> Result<Scores, Error> {
        self.score(&self.load_labelled(path, None)?)
    }

    /// Scores the model on a data set loaded by [`Model::load_labelled`]
    /// (refused, naming the example, where the network's output is not finite).
    pub fn score(&self, d: &Dataset) -> Result<Scores, Error> {
        let p = self.network.predict_proba(&d.x);
        self.check_outputs(&p, &d.x, |j| example_of(&d.source, j))?;
        let y: Vec<f64> = d.y.iter().copied().collect();
        Ok(if p.nrows() == 1 {
            Scores::Binary(binary_scores(p.as_slice().expect("a fresh row"), &y))
        } else {
            Scores::Multiclass(multiclass_scores(&p, &y, &self.info.classes))
        })
    }

    /// Refuses probabilities `p` that are not finite (inputs in range whose
    /// products still overflow the network's sums), naming the first input
    /// that gives them (`which`) and its largest feature of X: a NaN is never
    /// printed as a prediction or folded into a score.
    fn check_outputs(
        &self,
        p: &Array2<f64>,
        x: &Array2<f64>,
        which: impl Fn(usize) -> String,
    ) -> Result<(), Error> {
        let bad = |c: ndarray::ArrayView1<'_, f64>| c.iter().find(|v| !v.is_finite()).copied();
        let Some((j, v)) = p
            .columns()
            .into_iter()
            .enumerate()
            .find_map(|(j, c)| bad(c).map(|v| (j, v)))
        else {
            return Ok(());
        };
        let (f, largest) = x
            .column(j)
            .iter()
            .enumerate()
            .fold(
                (0, 0.0f64),
                |b, (f, &v)| {
                    if v.abs() > b.1.abs() {
                        (f, v)
                    } else {
                        b
                    }
                },
            );
        Err(Error::Config(format!(
            "{}: the model's output for it is {v}: its largest input, {} at {largest:e} \
             (as the network sees it), is too large for its {} arithmetic; give values in \
             the range of its training data",
            which(j),
            self.info.preprocessing.column_name(f),
            self.info.precision
        )))
    }
}

/// The scored predictions with each unscored input (how many scored ones
/// come before it, its name, why) in its place: one answer per input.
fn with_unscored(
    scored: Vec<Prediction>,
    unscored: Vec<(usize, InputName, String)>,
) -> Vec<Prediction> {
    let mut all = Vec::with_capacity(scored.len() + unscored.len());
    let mut pending = unscored.into_iter().peekable();
    for (j, prediction) in scored.into_iter().enumerate() {
        while let Some((_, input, error)) = pending.next_if(|u| u.0 <= j) {
            all.push(unanswered(input, error));
        }
        all.push(prediction);
    }
    all.extend(pending.map(|(_, input, error)| unanswered(input, error)));
    all
}

/// An input without a prediction, and why.
fn unanswered(input: InputName, error: String) -> Prediction {
    Prediction {
        input,
        score: None,
        error: Some(error),
    }
}

/// Example `j` (from 0) of the labelled file `path`, for messages.
fn example_of(path: &Path, j: usize) -> String {
    format!("{}: example {j}", path.display())
}

/// What `evaluate` measures: binary scores for a sigmoid model, per-class ones for softmax.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Scores {
    /// Two classes.
    Binary(BinaryScores),
    /// K classes.
    Multiclass(MulticlassScores),
}

#[cfg(test)]
mod multilabel_tests {
    use ndarray::array;

    use super::*;
    use crate::{Activation, Network, Output};

    #[test]
    fn a_multi_label_model_is_refused_by_name_not_read_as_one_class() {
        let params = vec![(array![[1.0, 2.0], [3.0, 4.0]], array![[0.5], [-0.5]])];
        let mut net = Network::<f64>::from_parameters(params, Activation::Relu).unwrap();
        net.set_output(Output::Sigmoids).unwrap();
        let dir = std::env::temp_dir().join(format!("backprop-multilabel-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let classes = ["0".to_string(), "1".to_string()];
        let pre = crate::data::Preprocessing {
            scale: 1.0,
            example_shape: vec![2],
            input: "csv".into(),
            ..Default::default()
        };
        model_io::save(&dir, &net, &classes, &pre).unwrap();
        let (info, back) = model_io::load(&dir).unwrap();
        assert_eq!(info.output_activation, "sigmoids");
        let AnyNetwork::F64(back) = back else {
            panic!("f64")
        };
        assert_eq!(back.output(), Output::Sigmoids);
        let err = Model::load(&dir).err().expect("refused").to_string();
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(err.contains("multi-label model"), "{err}");
    }
}
