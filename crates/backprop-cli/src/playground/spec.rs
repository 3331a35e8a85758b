//! A run's settings as `POST /api/runs` takes them (every field optional),
//! and their one mapping onto the library's settings, [`RunRequest::model`].
//!
//! The library checks every training setting (learning rate, batch size,
//! L2, keep_prob, epochs, …) once, when the run's session starts, and its
//! errors name the page's JSON fields ([`render`]). What this file checks
//! itself are the server's own bounds ([`RunRequest::check_bounds`]): how
//! large a run this server takes, and which data sets it makes.

use backprop::optim::{AdamConfig, MomentumConfig, OptimizerConfig, RmsPropConfig};
use backprop::{Activation, GdConfig, Init, ModelSpec, Network, Precision};
use serde::{Deserialize, Serialize};

/// The server's bound: the most hidden layers a run may have.
pub const MAX_LAYERS: usize = 6;
/// The server's bound: the most units a hidden layer may have.
pub const MAX_UNITS: usize = 16;
/// The server's bound: the most points a generated data set may have.
pub const MAX_POINTS: usize = 5000;
/// The server's bound: the most epochs a run may ask for.
pub const MAX_EPOCHS: usize = 10_000_000;
/// The data sets the server makes.
pub const DATASETS: [&str; 7] = [
    "flower",
    "circle",
    "xor",
    "gauss",
    "spiral",
    "twin-spiral",
    "upload",
];
/// The server's bound: the most epochs a frame may be paced at.
pub const MAX_PACE: usize = 1_000_000;
/// The most costs a run's history keeps: a longer run records every k-th epoch.
pub const MAX_RECORDS: usize = 100_000;

/// One activation for every hidden layer, or one per layer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Activations {
    /// The same g for all hidden layers.
    One(String),
    /// g of each hidden layer, layer 1 first.
    PerLayer(Vec<String>),
}

/// The body of `POST /api/runs` (docs/playground.md lists the fields).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RunRequest {
    pub dataset: String,
    pub classes: usize,
    pub points: usize,
    pub noise: f64,
    pub train_fraction: f64,
    pub upload: Option<String>,
    pub features: Option<[usize; 2]>,
    /// The network's inputs made from the two features (the library's
    /// [`backprop::data::crosses`]: "x1", "x2", "x1^2", "x2^2", "x1*x2",
    /// "sin(x1)", "sin(x2)"); null: the data's own features.
    pub inputs: Option<Vec<String>>,
    pub hidden: Vec<usize>,
    pub activation: Activations,
    pub init: String,
    pub learning_rate: f64,
    pub optimizer: String,
    pub batch_size: Option<usize>,
    pub l2: f64,
    pub l1: f64,
    pub keep_prob: f64,
    pub seed: u32,
    pub epochs: usize,
    pub paused: bool,
    /// Epochs trained per frame while playing (null: as many as a frame's time allows).
    pub epochs_per_frame: Option<usize>,
}

impl Default for RunRequest {
    fn default() -> Self {
        RunRequest {
            dataset: "flower".into(),
            classes: 2,
            points: 400,
            noise: 0.0,
            train_fraction: 0.5,
            upload: None,
            features: None,
            inputs: None,
            hidden: vec![4],
            activation: Activations::One("tanh".into()),
            init: "xavier".into(),
            learning_rate: 1.2,
            optimizer: "gd".into(),
            batch_size: None,
            l2: 0.0,
            l1: 0.0,
            keep_prob: 1.0,
            seed: 1,
            epochs: 3000,
            paused: false,
            epochs_per_frame: None,
        }
    }
}

/// A run's model and training in the library's terms.
#[derive(Clone, Debug)]
pub struct Model {
    /// The network and its training, as `backprop train` takes them.
    pub spec: ModelSpec,
    /// The hidden activation of each layer (all `spec.activation` unless the page mixes them).
    pub activations: Vec<Activation>,
}

impl Model {
    /// Whether every hidden layer has the same activation (a model file and
    /// the `backprop train` command hold one).
    pub fn uniform(&self) -> bool {
        self.activations.windows(2).all(|w| w[0] == w[1])
    }

    /// Sets each hidden layer's activation (the output layer keeps its own).
    pub fn set_activations(&self, net: &mut Network<f64>) {
        for (layer, g) in net.layers_mut().iter_mut().zip(&self.activations) {
            layer.kind = backprop::LayerKind::Hidden(*g);
        }
    }
}

fn check(ok: bool, message: impl FnOnce() -> String) -> Result<(), String> {
    if ok {
        Ok(())
    } else {
        Err(message())
    }
}

/// A pace the server takes: null (full speed) or 1..[`MAX_PACE`] epochs a frame.
pub fn check_pace(pace: Option<usize>) -> Result<(), String> {
    check(pace.is_none_or(|p| (1..=MAX_PACE).contains(&p)), || {
        format!(
            "epochs_per_frame {}: use 1..{MAX_PACE}, or null for full speed",
            pace.unwrap_or(0)
        )
    })
}

impl RunRequest {
    /// The server's own bounds: the data set's name and generator options,
    /// and the size of the network and of the run. Every training setting is
    /// the library's to check.
    pub fn check_bounds(&self) -> Result<(), String> {
        self.check_data_bounds()?;
        let r = self;
        check(r.hidden.len() <= MAX_LAYERS, || {
            format!(
                "{} hidden layers; this server takes at most {MAX_LAYERS}",
                r.hidden.len()
            )
        })?;
        check(r.hidden.iter().all(|&n| n <= MAX_UNITS), || {
            format!(
                "hidden {:?}: this server takes at most {MAX_UNITS} units a layer",
                r.hidden
            )
        })?;
        check(r.epochs <= MAX_EPOCHS, || {
            format!(
                "epochs {}: this server takes at most {MAX_EPOCHS}",
                r.epochs
            )
        })?;
        check_pace(r.epochs_per_frame)
    }

    fn check_data_bounds(&self) -> Result<(), String> {
        let r = self;
        check(DATASETS.contains(&r.dataset.as_str()), || {
            format!(
                "dataset '{}' is unknown; use {}",
                r.dataset,
                DATASETS.join(", ")
            )
        })?;
        check((2..=5).contains(&r.classes), || {
            format!("classes {} is out of range 2..5", r.classes)
        })?;
        check(
            r.classes == 2 || ["gauss", "spiral"].contains(&r.dataset.as_str()),
            || {
                format!(
                    "dataset '{}' has 2 classes; classes applies to gauss and spiral",
                    r.dataset
                )
            },
        )?;
        check((20..=MAX_POINTS).contains(&r.points), || {
            format!("points {} is out of range 20..{MAX_POINTS}", r.points)
        })?;
        check((0.0..=1.0).contains(&r.noise), || {
            format!("noise {} is out of range 0..1", r.noise)
        })?;
        check(r.train_fraction > 0.0 && r.train_fraction <= 1.0, || {
            format!("train_fraction {} is out of range (0, 1]", r.train_fraction)
        })?;
        check(r.inputs.as_ref().is_none_or(|i| i.len() <= 7), || {
            "inputs: list each of x1, x2, x1^2, x2^2, x1*x2, sin(x1), sin(x2) at most once".into()
        })?;
        check((r.dataset == "upload") == r.upload.is_some(), || {
            "dataset 'upload' needs the \"upload\" id from POST /api/uploads (and only it takes one)"
                .into()
        })
    }

    /// The hidden activation of each layer.
    fn activations(&self) -> Result<Vec<Activation>, String> {
        let names = match &self.activation {
            Activations::One(g) => vec![g.as_str(); self.hidden.len()],
            Activations::PerLayer(gs) => gs.iter().map(String::as_str).collect(),
        };
        check(names.len() == self.hidden.len(), || {
            format!(
                "activation lists {} layers but hidden has {}",
                names.len(),
                self.hidden.len()
            )
        })?;
        names.iter().map(|g| g.parse::<Activation>()).collect()
    }

    /// The one mapping of the page's settings onto the library's, for a
    /// training set of `m` examples: the full batch (`batch_size` null) is
    /// the batch of all m examples, one update an epoch, as `--batch-size m`
    /// says on the command line; an epoch run; one thread (the page's
    /// networks are small, and several train at once). Names are read here;
    /// ranges are the library's to check.
    pub fn model(&self, m: usize) -> Result<Model, String> {
        let activations = self.activations()?;
        let gd = GdConfig {
            learning_rate: self.learning_rate,
            batch_size: Some(self.batch_size.unwrap_or(m)),
            epochs: Some(self.epochs),
            record_every: (self.epochs > MAX_RECORDS).then(|| self.epochs.div_ceil(MAX_RECORDS)),
            optimizer: optimizer(&self.optimizer)?,
            l2: self.l2,
            l1: self.l1,
            keep_prob: if self.keep_prob == 1.0 {
                Vec::new()
            } else {
                vec![self.keep_prob]
            },
            seed: self.seed,
            ..GdConfig::default()
        };
        let spec = ModelSpec {
            layers: Vec::new(),
            hidden: self.hidden.clone(),
            activation: activations.first().copied().unwrap_or(Activation::Tanh),
            init: self.init.parse::<Init>()?,
            gd,
            precision: Precision::F64,
            threads: 1,
            batch_norm: None,
        };
        Ok(Model { spec, activations })
    }
}

/// The optimiser named `name`, with the library's default constants.
fn optimizer(name: &str) -> Result<OptimizerConfig, String> {
    Ok(match name {
        "gd" => OptimizerConfig::Gd,
        "momentum" => OptimizerConfig::Momentum(MomentumConfig::default()),
        "rmsprop" => OptimizerConfig::RmsProp(RmsPropConfig::default()),
        "adam" => OptimizerConfig::Adam(AdamConfig::default()),
        other => {
            return Err(format!(
                "optimizer '{other}' is unknown; use gd, momentum, rmsprop or adam"
            ))
        }
    })
}

/// A library error in the page's words: each setting named by its JSON field.
pub fn render(e: &backprop::Error) -> String {
    e.render(&super::names::name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(body: &str) -> Result<Model, String> {
        let r = serde_json::from_str::<RunRequest>(body).map_err(|e| e.to_string())?;
        r.check_bounds()?;
        r.model(200)
    }

    #[test]
    fn the_issues_example_body_maps_onto_the_library_settings() {
        let body = r#"{"dataset": "flower", "noise": 0, "train_fraction": 0.5, "hidden": [4],
            "activation": "tanh", "learning_rate": 1.2, "optimizer": "gd", "batch_size": null,
            "l2": 0, "keep_prob": 1, "seed": 1, "epochs": 3000}"#;
        let model = parse(body).unwrap();
        assert_eq!(model.activations, vec![Activation::Tanh]);
        let gd = &model.spec.gd;
        assert_eq!(
            (gd.learning_rate, gd.batch_size, gd.epochs, gd.record_every),
            (1.2, Some(200), Some(3000), None)
        );
        assert!(gd.keep_prob.is_empty() && gd.l2 == 0.0 && gd.seed == 1);
        assert!(parse("{}").is_ok());
        let long = parse(r#"{"epochs": 10000000, "keep_prob": 0.5}"#).unwrap();
        assert_eq!(long.spec.gd.record_every, Some(100));
        assert_eq!(long.spec.gd.keep_prob, vec![0.5]);
    }

    #[test]
    fn the_servers_bounds_and_names_are_refused_by_name() {
        for (body, word) in [
            (r#"{"hidden": [4,4,4,4,4,4,4]}"#, "hidden layers"),
            (r#"{"hidden": [17]}"#, "hidden"),
            (r#"{"epochs": 20000000}"#, "epochs"),
            (r#"{"dataset": "moons"}"#, "dataset"),
            (r#"{"activation": ["tanh", "relu"]}"#, "activation"),
            (r#"{"activation": "swish"}"#, "swish"),
            (r#"{"optimizer": "sgd"}"#, "optimizer"),
            (r#"{"points": 1000000}"#, "points"),
            (r#"{"classes": 3}"#, "classes"),
            (r#"{"dataset": "upload"}"#, "upload"),
            (r#"{"epochs_per_frame": 0}"#, "epochs_per_frame"),
        ] {
            let err = parse(body).unwrap_err();
            assert!(err.contains(word), "{body}: {err}");
        }
        assert!(
            parse(r#"{"learning_rat": 1}"#).is_err(),
            "a misspelt field is refused"
        );
    }

    #[test]
    fn training_ranges_are_the_librarys_named_by_the_pages_fields() {
        // Mapped as given; the library refuses them, in the page's words.
        for (body, field) in [
            (r#"{"learning_rate": -1}"#, "learning_rate"),
            (r#"{"epochs": 0}"#, "epochs"),
            (r#"{"keep_prob": 0}"#, "keep_prob"),
            (r#"{"l2": -1}"#, "l2"),
            (r#"{"l1": -1}"#, "l1"),
            (r#"{"batch_size": 0}"#, "batch_size"),
            (r#"{"hidden": [0]}"#, "hidden"),
        ] {
            let model = parse(body).unwrap();
            let e = render(&model.spec.validate().unwrap_err());
            assert!(e.starts_with(field), "{body}: {e}");
        }
    }
}
