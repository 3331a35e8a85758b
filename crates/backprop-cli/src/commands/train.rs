//! `backprop train`: flags → TrainConfig → `job::run_train` → printed summary.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use backprop::data::LoadOptions;
use backprop::explain::equations;
use backprop::job::{run_train, Hooks, TrainConfig};

use crate::flags::TrainArgs;
use crate::output::{accuracy_line, timestamp, LoadBar, TrainingProgress};

pub fn run(args: TrainArgs) -> anyhow::Result<ExitCode> {
    let spec = args.model.spec();
    let config = TrainConfig {
        train: args.train,
        test: args.test,
        load: LoadOptions {
            x_key: args.x_key,
            y_key: args.y_key,
            label_column: Some(args.label_column),
            image_size: args.image_size,
            positive: args.positive,
            skip_bad: args.skip_bad,
        },
        model: spec.clone(),
        out: args
            .out
            .unwrap_or_else(|| PathBuf::from("runs").join(format!("train-{}", timestamp()))),
        force: args.force,
        standardize: args.standardize,
    };
    let chatty = !(args.output.quiet || args.output.json);
    let terminal = std::io::stderr().is_terminal();
    let load_bar = LoadBar::new(chatty && terminal);
    let mut progress = TrainingProgress::new(chatty, terminal);
    let explain = args.explain;
    let mut loaded = |train: &backprop::data::Dataset, _: Option<&backprop::data::Dataset>| {
        load_bar.finish();
        if explain && !args.output.json {
            let mut sizes = vec![train.features()];
            sizes.extend(&spec.hidden);
            sizes.push(1);
            print!(
                "{}",
                equations(
                    &sizes,
                    train.examples(),
                    spec.activation,
                    spec.gd.learning_rate
                )
            );
        }
    };
    let trained = run_train(
        &config,
        Hooks {
            load_progress: &|done, total| load_bar.tick(done, total),
            loaded: &mut loaded,
            iteration: &mut |p| progress.update(p),
        },
    )?;
    progress.finish();
    let m = &trained.metrics;
    if args.output.json {
        let summary = serde_json::json!({
            "final_cost": m.final_cost,
            "train_accuracy": m.train_accuracy,
            "test_accuracy": m.test_accuracy,
            "train_examples": m.train_examples,
            "test_examples": m.test_examples,
            "iterations": m.iterations,
            "train_seconds": m.train_seconds,
            "skipped_files": trained.skipped.len(),
            "out": config.out,
        });
        println!("{summary}");
        return Ok(ExitCode::SUCCESS);
    }
    if !trained.skipped.is_empty() {
        println!(
            "skipped {} unreadable files (--skip-bad), e.g. {}",
            trained.skipped.len(),
            trained.skipped[0]
        );
    }
    println!(
        "train accuracy: {}",
        accuracy_line(m.train_accuracy, m.train_examples)
    );
    if let (Some(acc), Some(n)) = (m.test_accuracy, m.test_examples) {
        println!("test accuracy: {}", accuracy_line(acc, n));
    }
    println!(
        "{} iterations in {:.2} s; model, metrics.json and learning_curve.png in {}",
        m.iterations,
        m.train_seconds,
        config.out.display()
    );
    Ok(ExitCode::SUCCESS)
}
