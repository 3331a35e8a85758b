//! Using a saved model: predictions for new inputs and scores on labelled data.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::data::{self, load_inputs, Dataset, LoadOptions};
use crate::error::Error;
use crate::metrics::{binary_scores, BinaryScores};
use crate::model_io::{self, AnyNetwork, ModelInfo};

/// One input's prediction: `{"input": …, "probability": …, "class": …}`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Prediction {
    /// The file, or the row index of a table.
    pub input: data::InputName,
    /// P(positive class).
    pub probability: f64,
    /// The predicted class's name.
    pub class: String,
}

/// A model folder, loaded.
pub struct Model {
    /// model.json.
    pub info: ModelInfo,
    /// The weights.
    pub network: AnyNetwork,
}

impl Model {
    /// Loads and validates a model folder.
    pub fn load(dir: &Path) -> Result<Model, Error> {
        if !dir.is_dir() {
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
        let n_x = self.info.layer_sizes[0];
        let inputs = load_inputs(paths, &self.info.preprocessing, n_x)?;
        let p = self.network.predict_proba(&inputs.x);
        Ok(inputs
            .names
            .into_iter()
            .zip(p)
            .map(|(input, probability)| Prediction {
                input,
                probability,
                class: self.info.classes[usize::from(probability > 0.5)].clone(),
            })
            .collect())
    }

    /// Loads a labelled data set the way the model's training set was loaded.
    pub fn load_labelled(&self, path: &Path) -> Result<Dataset, Error> {
        let pre = &self.info.preprocessing;
        let options = LoadOptions {
            image_size: pre.image_size.unwrap_or(64),
            positive: pre.image_size.map(|_| self.info.classes[1].clone()),
            ..LoadOptions::default()
        };
        let mut d = data::load(path, &options)?;
        if d.features() != self.info.layer_sizes[0] {
            return Err(Error::format(
                path,
                format!(
                    "gives {} features per example but the model takes {}; give data made like its training data",
                    d.features(),
                    self.info.layer_sizes[0]
                ),
            ));
        }
        if pre.image_size.is_some() && d.classes != self.info.classes {
            return Err(Error::format(
                path,
                format!(
                    "has classes {:?}, the model knows {:?}",
                    d.classes, self.info.classes
                ),
            ));
        }
        if let Some(s) = &pre.standardization {
            d.apply_standardization(s);
        }
        Ok(d)
    }

    /// Scores the model on a labelled data set.
    pub fn evaluate(&self, path: &Path) -> Result<BinaryScores, Error> {
        let d = self.load_labelled(path)?;
        let p = self.network.predict_proba(&d.x);
        let y: Vec<f64> = d.y.iter().copied().collect();
        Ok(binary_scores(&p, &y))
    }
}
