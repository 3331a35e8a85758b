//! `backprop demo`: the notes' planar flower, logistic regression against a
//! 4-unit tanh network (the course's week-3 assignment), on data made in-process.

use std::process::ExitCode;

use backprop::data::planar;
use backprop::job::{train_on, OutFolder, Trained};
use backprop::{Activation, GdConfig, Init, ModelSpec, Precision};

use crate::flags::DemoArgs;
use crate::output::accuracy_line;

/// The two models of the demo: (folder name, title, spec).
pub fn demo_models(precision: Precision) -> [(&'static str, &'static str, ModelSpec); 2] {
    let gd = GdConfig {
        learning_rate: 1.2,
        iterations: 10_000,
        record_every: Some(1000),
        ..GdConfig::default()
    };
    let spec = |hidden: Vec<usize>, init, seed| ModelSpec {
        layers: Vec::new(),
        hidden,
        activation: Activation::Tanh,
        init,
        gd: GdConfig { seed, ..gd.clone() },
        precision,
        threads: 1,
        batch_norm: None,
    };
    [
        (
            "logistic",
            "logistic regression",
            spec(vec![], Init::Zeros, 2),
        ),
        (
            "tanh-4",
            "one hidden layer, 4 tanh units",
            spec(vec![4], Init::Small, 2),
        ),
    ]
}

pub fn run(args: DemoArgs) -> anyhow::Result<ExitCode> {
    // Held until the folder is written: a second run to the same --out is refused meanwhile.
    let folder = match &args.out {
        Some(out) => Some(OutFolder::claim(out, args.force)?),
        None => None,
    };
    let flower = planar::flower();
    println!(
        "planar flower: {} points, 2 classes (np.random.seed(1), as the course's load_planar_dataset)",
        flower.examples()
    );
    let mut runs: Vec<(&str, Trained)> = Vec::new();
    for (name, title, spec) in demo_models(args.precision) {
        let config = serde_json::to_value(&spec)?;
        let trained = train_on(&flower, None, &spec, config, &mut |_| {})?;
        println!(
            "{title:<32} accuracy {}  ({} iterations, lr {}, {:.3} s)",
            accuracy_line(trained.metrics.train_accuracy, flower.examples()),
            spec.gd.iterations,
            spec.gd.learning_rate,
            trained.metrics.train_seconds
        );
        runs.push((name, trained));
    }
    if let Some(folder) = folder {
        let written = folder.write_runs("flower.csv", &flower, &runs)?;
        println!(
            "models, metrics, learning curves, decision boundaries and flower.csv in {}",
            written.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}
