//! The front door for a Rust program: a [`Classifier`] that trains the notes'
//! network on an n_x × m array and class labels, predicts classes and
//! probabilities, and reads and writes the same model folders as
//! `backprop train` and `backprop predict`.
//!
//! Its settings are a [`ModelSpec`] (hidden layers, activation, init, seed,
//! precision, and a [`crate::GdConfig`]: optimiser, mini-batches, L2, dropout,
//! early stopping), starting from the library's defaults; labels are class
//! numbers 0…K−1 (one-hot targets are made inside); two classes train one
//! sigmoid unit, more a softmax.
//!
//! ```
//! use backprop::{Classifier, ModelSpec, Precision};
//! use ndarray::Array2;
//!
//! // Two features, one example per column; class 1 where x0 + x1 > 0.
//! let x = Array2::from_shape_fn((2, 200), |(i, j)| ((j * 7 + i * 13) % 17) as f64 / 8.0 - 1.0);
//! let labels: Vec<usize> = (0..200).map(|j| usize::from(x[(0, j)] + x[(1, j)] > 0.0)).collect();
//!
//! let mut spec = ModelSpec { hidden: vec![4], precision: Precision::F64, ..Default::default() };
//! spec.gd.learning_rate = 0.5;
//! spec.gd.iterations = 500;
//! let mut model = Classifier::new(spec);
//! model.fit(x.view(), &labels)?;
//! let predicted = model.predict(x.view())?;
//! let right = predicted.iter().zip(&labels).filter(|(p, l)| p == l).count();
//! assert!(right >= 190, "{right} of 200");
//! let p = model.predict_proba(x.view())?; // 2 × 200: P(class 0), P(class 1)
//! assert!((p[(0, 0)] + p[(1, 0)] - 1.0).abs() < 1e-12);
//! # Ok::<(), backprop::Error>(())
//! ```

use std::path::{Path, PathBuf};

use ndarray::{Array2, ArrayView2};

use crate::config::ModelSpec;
use crate::data::{Dataset, Preprocessing};
use crate::error::Error;
use crate::job::{train_on_with, JobData, RunContext};
use crate::model_io;
use crate::network::{with_any, AnyNetwork};
use crate::run_folder::Metrics;
use crate::train::Progress;

/// A network with its training settings; after [`Classifier::fit`], its weights.
#[derive(Clone, Debug)]
pub struct Classifier {
    /// The network and its training (default: [`ModelSpec::default`]).
    pub spec: ModelSpec,
    /// Hold out this fraction of the examples (stratified, seeded) to
    /// validate on while training; early stopping needs it.
    pub validation: Option<f64>,
    fitted: Option<Fitted>,
}

#[derive(Clone, Debug)]
struct Fitted {
    network: AnyNetwork,
    classes: Vec<String>,
    metrics: Option<Metrics>,
}

impl Default for Classifier {
    fn default() -> Self {
        Classifier::new(ModelSpec::default())
    }
}

impl Classifier {
    /// An untrained classifier with these settings.
    pub fn new(spec: ModelSpec) -> Self {
        Classifier {
            spec,
            validation: None,
            fitted: None,
        }
    }

    /// Trains on X (n_x × m, one example per column) and its class labels
    /// (0…K−1, m of them), from freshly drawn weights. Returns the run's
    /// numbers (costs, accuracy, early stopping).
    pub fn fit(&mut self, x: ArrayView2<'_, f64>, labels: &[usize]) -> Result<&Metrics, Error> {
        self.fit_observed(x, labels, &mut |_| {})
    }

    /// [`Classifier::fit`], calling `observe` after every iteration (or epoch).
    pub fn fit_observed(
        &mut self,
        x: ArrayView2<'_, f64>,
        labels: &[usize],
        observe: &mut dyn FnMut(Progress),
    ) -> Result<&Metrics, Error> {
        self.spec.validate()?;
        if self.spec.gd.early_stopping.is_some() && self.validation.is_none() {
            return Err(Error::Config(
                "early stopping needs a validation set to watch: set `validation` (e.g. Some(0.2))"
                    .into(),
            ));
        }
        let train = dataset(x, labels)?;
        let mut data = JobData {
            train,
            test: None,
            validation: None,
            weights: None,
        };
        if let Some(fraction) = self.validation {
            let (t, v) = data.train.split_validation(fraction, self.spec.gd.seed)?;
            data.train = t;
            data.validation = Some(v);
        }
        let trained = train_on_with(&data, &self.spec, RunContext::default(), observe)?;
        let fitted = self.fitted.insert(Fitted {
            network: trained.network,
            classes: data.train.classes,
            metrics: Some(trained.metrics),
        });
        Ok(fitted.metrics.as_ref().expect("just set"))
    }

    /// P(class k | x) for each column of X: a K × m matrix whose columns sum
    /// to 1 (for two classes, the rows P(class 0) and P(class 1)).
    pub fn predict_proba(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>, Error> {
        let fitted = self.fitted()?;
        check_features(&fitted.network, x)?;
        let p = fitted.network.predict_proba(&x.to_owned());
        if p.nrows() > 1 {
            return Ok(p);
        }
        let m = p.ncols();
        Ok(Array2::from_shape_fn((2, m), |(c, j)| {
            if c == 1 {
                p[(0, j)]
            } else {
                1.0 - p[(0, j)]
            }
        }))
    }

    /// The most probable class of each column of X (two classes: 1 where
    /// P(class 1) > 0.5, as the notes predict).
    pub fn predict(&self, x: ArrayView2<'_, f64>) -> Result<Vec<usize>, Error> {
        let fitted = self.fitted()?;
        check_features(&fitted.network, x)?;
        let p = fitted.network.predict_proba(&x.to_owned());
        Ok(p.columns()
            .into_iter()
            .map(|col| {
                if col.len() == 1 {
                    usize::from(col[0] > 0.5)
                } else {
                    col.iter()
                        .enumerate()
                        .fold(0, |b, (c, v)| if *v > col[b] { c } else { b })
                }
            })
            .collect())
    }

    /// The trained network (f32 or f64), once fitted or loaded.
    pub fn network(&self) -> Option<&AnyNetwork> {
        self.fitted.as_ref().map(|f| &f.network)
    }

    /// The class names, index = label, once fitted or loaded.
    pub fn classes(&self) -> Option<&[String]> {
        self.fitted.as_ref().map(|f| f.classes.as_slice())
    }

    /// The last fit's numbers (`None` before a fit, and for a loaded model).
    pub fn metrics(&self) -> Option<&Metrics> {
        self.fitted.as_ref().and_then(|f| f.metrics.as_ref())
    }

    /// Writes model.safetensors and model.json into `dir` (created if
    /// missing), readable by `backprop predict --model DIR` and by Python.
    pub fn save(&self, dir: &Path) -> Result<(), Error> {
        let fitted = self.fitted()?;
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        let pre = preprocessing(fitted.network.sizes()[0]);
        with_any!(&fitted.network, n => model_io::save(dir, n, &fitted.classes, &pre)).map(|_| ())
    }

    /// Reads a model folder (written by [`Classifier::save`] or `backprop
    /// train`), validated whole. Its inputs must be prepared as its
    /// preprocessing says (pictures and tables: use `backprop predict`).
    pub fn load(dir: &Path) -> Result<Self, Error> {
        let (info, network) = model_io::load(dir)?;
        let mut spec = ModelSpec {
            hidden: info.layer_sizes[1..info.layer_sizes.len() - 1].to_vec(),
            activation: info.hidden_activation,
            ..ModelSpec::default()
        };
        spec.precision = network.precision();
        Ok(Classifier {
            spec,
            validation: None,
            fitted: Some(Fitted {
                network,
                classes: info.classes,
                metrics: None,
            }),
        })
    }

    fn fitted(&self) -> Result<&Fitted, Error> {
        self.fitted.as_ref().ok_or_else(|| {
            Error::Config("the classifier is not trained: call fit (or load a model) first".into())
        })
    }
}

/// An in-memory training set: X with each example contiguous (the layout
/// every loader gives), Y the labels, classes "0" … "K−1".
fn dataset(x: ArrayView2<'_, f64>, labels: &[usize]) -> Result<Dataset, Error> {
    let (n_x, m) = x.dim();
    if m == 0 || n_x == 0 {
        return Err(Error::Config(format!(
            "X is {n_x} × {m}: fit needs at least one feature and one example (one example per column)"
        )));
    }
    if labels.len() != m {
        return Err(Error::Config(format!(
            "{} labels for {m} examples (X is n_x × m, one example per column)",
            labels.len()
        )));
    }
    if let Some((i, j)) = x
        .indexed_iter()
        .find(|(_, v)| !v.is_finite())
        .map(|(ij, _)| ij)
    {
        return Err(Error::Config(format!(
            "X[{i}, {j}] is {}: every value must be finite",
            x[(i, j)]
        )));
    }
    let k = labels.iter().max().map_or(2, |&c| (c + 1).max(2));
    if k > crate::data::MAX_CLASSES {
        return Err(Error::Config(format!(
            "labels go up to {}; at most {} classes",
            k - 1,
            crate::data::MAX_CLASSES
        )));
    }
    let mut columns = Array2::zeros((m, n_x));
    columns.assign(&x.t());
    Ok(Dataset {
        source: PathBuf::from("<array>"),
        x: columns.reversed_axes(),
        y: Array2::from_shape_fn((1, m), |(_, j)| labels[j] as f64),
        classes: (0..k).map(|c| c.to_string()).collect(),
        preprocessing: preprocessing(n_x),
        skipped: Vec::new(),
        notes: Vec::new(),
    })
}

fn preprocessing(n_x: usize) -> Preprocessing {
    Preprocessing {
        input: "array".into(),
        scale: 1.0,
        example_shape: vec![n_x],
        ..Preprocessing::default()
    }
}

fn check_features(net: &AnyNetwork, x: ArrayView2<'_, f64>) -> Result<(), Error> {
    let n_x = net.sizes()[0];
    if x.nrows() != n_x {
        return Err(Error::Config(format!(
            "X has {} rows (features) but the model takes {n_x} (one example per column)",
            x.nrows()
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Precision;
    use crate::data::spiral;

    #[test]
    fn three_classes_train_predict_save_and_load() {
        let data = spiral::spiral(60, 3, 0);
        let labels: Vec<usize> = data.y.iter().map(|&v| v as usize).collect();
        let mut spec = ModelSpec {
            hidden: vec![32],
            precision: Precision::F64,
            ..Default::default()
        };
        spec.gd.learning_rate = 0.5;
        spec.gd.iterations = 300;
        spec.gd.record_every = Some(50);
        let mut model = Classifier::new(spec);
        let metrics = model.fit(data.x.view(), &labels).unwrap().clone();
        let p = model.predict_proba(data.x.view()).unwrap();
        assert_eq!(p.dim(), (3, 180));
        for col in p.columns() {
            assert!((col.sum() - 1.0).abs() < 1e-12);
        }
        let predicted = model.predict(data.x.view()).unwrap();
        let right = predicted
            .iter()
            .zip(&labels)
            .filter(|(a, b)| a == b)
            .count();
        assert_eq!(right as f64 / 180.0, metrics.train_accuracy);

        let dir = std::env::temp_dir().join(format!("backprop-classifier-{}", std::process::id()));
        model.save(&dir).unwrap();
        let loaded = Classifier::load(&dir).unwrap();
        assert_eq!(loaded.predict(data.x.view()).unwrap(), predicted);
        assert_eq!(loaded.classes().unwrap(), ["0", "1", "2"]);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn bad_input_is_refused_with_a_reason() {
        let mut model = Classifier::default();
        let x = Array2::<f64>::zeros((2, 3));
        let err = |r: Result<&Metrics, Error>| r.unwrap_err().to_string();
        assert!(err(model.fit(x.view(), &[0, 1])).contains("2 labels for 3 examples"));
        let mut nan = x.clone();
        nan[(1, 2)] = f64::NAN;
        assert!(err(model.fit(nan.view(), &[0, 1, 1])).contains("X[1, 2] is NaN"));
        assert!(model
            .predict(x.view())
            .unwrap_err()
            .to_string()
            .contains("not trained"));
        model.spec.gd.early_stopping = Some(3);
        assert!(err(model.fit(x.view(), &[0, 1, 1])).contains("validation"));
    }
}
