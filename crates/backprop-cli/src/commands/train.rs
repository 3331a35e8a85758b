//! `backprop train`: flags → TrainConfig → `job::run_train` → printed summary.

use std::path::PathBuf;
use std::process::ExitCode;

use backprop::data::LoadOptions;
use backprop::job::{run_train, TrainConfig};

use crate::flags::TrainArgs;
use crate::output::{accuracy_line, print_costs, timestamp};

pub fn run(args: TrainArgs) -> anyhow::Result<ExitCode> {
    let config = TrainConfig {
        train: args.train,
        test: args.test,
        load: LoadOptions {
            x_key: args.x_key,
            y_key: args.y_key,
            label_column: Some(args.label_column),
        },
        model: args.model.spec(),
        out: args
            .out
            .unwrap_or_else(|| PathBuf::from("runs").join(format!("train-{}", timestamp()))),
        force: args.force,
    };
    let trained = run_train(&config, &mut print_costs())?;
    let m = &trained.metrics;
    println!(
        "train accuracy: {}",
        accuracy_line(m.train_accuracy, m.train_examples)
    );
    if let (Some(acc), Some(n)) = (m.test_accuracy, m.test_examples) {
        println!("test accuracy: {}", accuracy_line(acc, n));
    }
    println!(
        "{} iterations in {:.2} s; model and metrics.json in {}",
        m.iterations,
        m.train_seconds,
        config.out.display()
    );
    Ok(ExitCode::SUCCESS)
}
