//! A run's settings as `POST /api/runs` takes them: every field optional,
//! each range-checked, so a bad body becomes one 400 line and never a panic.

use backprop::optim::{AdamConfig, MomentumConfig, OptimizerConfig, RmsPropConfig};
use backprop::{Activation, Init};
use serde::{Deserialize, Serialize};

/// The most hidden layers a run may have.
pub const MAX_LAYERS: usize = 6;
/// The most units a hidden layer may have.
pub const MAX_UNITS: usize = 16;
/// The most points a generated data set may have.
pub const MAX_POINTS: usize = 5000;
/// The most epochs a run may ask for.
pub const MAX_EPOCHS: usize = 10_000_000;

/// One activation for every hidden layer, or one per layer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Activations {
    /// The same g for all hidden layers.
    One(String),
    /// g of each hidden layer, layer 1 first.
    PerLayer(Vec<String>),
}

/// The body of `POST /api/runs` (docs/playground.md lists the fields and their ranges).
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
    pub hidden: Vec<usize>,
    pub activation: Activations,
    pub init: String,
    pub learning_rate: f64,
    pub optimizer: String,
    pub batch_size: Option<usize>,
    pub l2: f64,
    pub keep_prob: f64,
    pub seed: u32,
    pub epochs: usize,
    pub paused: bool,
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
            hidden: vec![4],
            activation: Activations::One("tanh".into()),
            init: "xavier".into(),
            learning_rate: 1.2,
            optimizer: "gd".into(),
            batch_size: None,
            l2: 0.0,
            keep_prob: 1.0,
            seed: 1,
            epochs: 3000,
            paused: false,
        }
    }
}

/// A validated request: library types, every value in range.
#[derive(Clone, Debug)]
pub struct RunSpec {
    pub request: RunRequest,
    pub activations: Vec<Activation>,
    pub init: Init,
    pub optimizer: OptimizerConfig,
}

fn check(ok: bool, message: impl FnOnce() -> String) -> Result<(), String> {
    if ok {
        Ok(())
    } else {
        Err(message())
    }
}

impl RunRequest {
    /// Checks every field and converts names to the library's types.
    pub fn validate(self) -> Result<RunSpec, String> {
        let r = &self;
        check(
            ["flower", "circle", "xor", "gauss", "spiral", "upload"].contains(&r.dataset.as_str()),
            || {
                format!(
                    "dataset '{}' is unknown; use flower, circle, xor, gauss, spiral or upload",
                    r.dataset
                )
            },
        )?;
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
        check((r.dataset == "upload") == r.upload.is_some(), || {
            "dataset 'upload' needs the \"upload\" id from POST /api/uploads (and only it takes one)"
                .into()
        })?;
        check(r.hidden.len() <= MAX_LAYERS, || {
            format!("{} hidden layers; at most {MAX_LAYERS}", r.hidden.len())
        })?;
        check(r.hidden.iter().all(|n| (1..=MAX_UNITS).contains(n)), || {
            format!(
                "hidden {:?}: each layer needs 1..{MAX_UNITS} units",
                r.hidden
            )
        })?;
        let names = match &r.activation {
            Activations::One(g) => vec![g.clone(); r.hidden.len()],
            Activations::PerLayer(gs) => gs.clone(),
        };
        check(names.len() == r.hidden.len(), || {
            format!(
                "activation lists {} layers but hidden has {}",
                names.len(),
                r.hidden.len()
            )
        })?;
        let mut activations = Vec::with_capacity(names.len());
        for g in &names {
            activations.push(g.parse::<Activation>()?);
        }
        let init = r.init.parse::<Init>()?;
        check(r.learning_rate > 0.0 && r.learning_rate <= 100.0, || {
            format!("learning_rate {} is out of range (0, 100]", r.learning_rate)
        })?;
        let optimizer = match r.optimizer.as_str() {
            "gd" => OptimizerConfig::Gd,
            "momentum" => OptimizerConfig::Momentum(MomentumConfig { beta: 0.9 }),
            "rmsprop" => OptimizerConfig::RmsProp(RmsPropConfig {
                beta2: 0.999,
                epsilon: 1e-8,
            }),
            "adam" => OptimizerConfig::Adam(AdamConfig {
                beta1: 0.9,
                beta2: 0.999,
                epsilon: 1e-8,
            }),
            other => {
                return Err(format!(
                    "optimizer '{other}' is unknown; use gd, momentum, rmsprop or adam"
                ))
            }
        };
        check(r.batch_size.is_none_or(|b| b >= 1), || {
            "batch_size must be at least 1 (or null for the full batch)".into()
        })?;
        check(r.l2 >= 0.0 && r.l2 <= 100.0, || {
            format!("l2 {} is out of range 0..100", r.l2)
        })?;
        check(r.keep_prob > 0.0 && r.keep_prob <= 1.0, || {
            format!("keep_prob {} is out of range (0, 1]", r.keep_prob)
        })?;
        check((1..=MAX_EPOCHS).contains(&r.epochs), || {
            format!("epochs {} is out of range 1..{MAX_EPOCHS}", r.epochs)
        })?;
        Ok(RunSpec {
            request: self,
            activations,
            init,
            optimizer,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(body: &str) -> Result<RunSpec, String> {
        serde_json::from_str::<RunRequest>(body)
            .map_err(|e| e.to_string())?
            .validate()
    }

    #[test]
    fn the_issues_example_body_is_accepted() {
        let body = r#"{"dataset": "flower", "noise": 0, "train_fraction": 0.5, "hidden": [4],
            "activation": "tanh", "learning_rate": 1.2, "optimizer": "gd", "batch_size": null,
            "l2": 0, "keep_prob": 1, "seed": 1, "epochs": 3000}"#;
        let spec = parse(body).unwrap();
        assert_eq!(spec.activations, vec![Activation::Tanh]);
        assert!(parse("{}").is_ok());
    }

    #[test]
    fn out_of_range_fields_are_refused_by_name() {
        for (body, word) in [
            (r#"{"hidden": [4,4,4,4,4,4,4]}"#, "hidden layers"),
            (r#"{"hidden": [17]}"#, "hidden"),
            (r#"{"learning_rate": -1}"#, "learning_rate"),
            (r#"{"epochs": 0}"#, "epochs"),
            (r#"{"dataset": "moons"}"#, "dataset"),
            (r#"{"activation": ["tanh", "relu"]}"#, "activation"),
            (r#"{"activation": "swish"}"#, "swish"),
            (r#"{"keep_prob": 0}"#, "keep_prob"),
            (r#"{"points": 1000000}"#, "points"),
            (r#"{"classes": 3}"#, "classes"),
            (r#"{"dataset": "upload"}"#, "upload"),
        ] {
            let err = parse(body).unwrap_err();
            assert!(err.contains(word), "{body}: {err}");
        }
        assert!(
            parse(r#"{"learning_rat": 1}"#).is_err(),
            "a misspelt field is refused"
        );
    }
}
