//! `backprop train`: flags → TrainConfig → `job::run_train` → printed summary.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use backprop::data::LoadOptions;
use backprop::explain::equations;
use backprop::job::{resume_train, run_train, Hooks, TrainConfig};

use crate::flags::TrainArgs;
use crate::output::{accuracy_line, timestamp, LoadBar, TrainingProgress};

pub fn run(args: TrainArgs) -> anyhow::Result<ExitCode> {
    args.model.check_applies().map_err(|e| anyhow::anyhow!(e))?;
    let spec = args.model.spec();
    // The default run folder, claimed (locked) now so that two runs started in
    // the same second get two folders (train-…, train-…-2).
    let default_out = match (&args.out, &args.resume) {
        (None, None) => Some(backprop::fsutil::claim_fresh(
            &PathBuf::from("runs").join(format!("train-{}", timestamp())),
        )?),
        _ => None,
    };
    let config = TrainConfig {
        train: args.train.clone().unwrap_or_default(),
        test: args.test,
        load: LoadOptions {
            x_key: args.x_key,
            y_key: args.y_key,
            label_column: args.label_column,
            image_size: args.image_size.unwrap_or(LoadOptions::default().image_size),
            positive: args.positive,
            skip_bad: args.skip_bad,
        },
        model: spec.clone(),
        out: match (&args.out, &default_out) {
            (Some(out), _) => out.clone(),
            (None, Some((out, _))) => out.clone(),
            (None, None) => PathBuf::new(),
        },
        force: args.force,
        standardize: args.standardize,
        validation: args.validation,
        checkpoint_every: args.checkpoint_every,
    };
    // Under mpirun (a build with --features mpi) every rank trains; rank 0 alone prints and writes.
    #[cfg(feature = "mpi")]
    let ranks = crate::mpi_ranks::MpiRanks::init();
    #[cfg(feature = "mpi")]
    let collective: Option<&dyn backprop::collective::Collective> = ranks
        .as_ref()
        .map(|r| r as &dyn backprop::collective::Collective);
    #[cfg(not(feature = "mpi"))]
    let collective: Option<&dyn backprop::collective::Collective> = None;
    let rank0 = collective.is_none_or(|c| c.rank() == 0);
    let chatty = rank0 && !(args.output.quiet || args.output.json);
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
    // Ctrl-C or SIGTERM (main.rs sets the library's stop flag): finish the update
    // in progress, write a checkpoint, exit cleanly.
    let stop = backprop::stop::flag();
    let hooks = Hooks {
        load_progress: &|done, total| load_bar.tick(done, total),
        loaded: &mut loaded,
        iteration: &mut |p| progress.update(p),
        stop: Some(stop),
        collective,
    };
    let result = match &args.resume {
        Some(dir) => {
            let total = args.model.epochs.or(args.model.iterations);
            resume_train(dir, total, args.out.as_deref(), hooks)
        }
        None => run_train(&config, hooks),
    };
    progress.finish();
    let trained = result?;
    if !rank0 {
        return Ok(ExitCode::SUCCESS);
    }
    let out = trained
        .metrics
        .config
        .get("out")
        .and_then(|o| o.as_str())
        .map(PathBuf::from)
        .unwrap_or_else(|| config.out.clone());
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
            "out": out,
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
        "{} {} in {:.2} s; model, metrics.json and learning_curve.png in {}",
        m.iterations,
        if m.per_epoch { "epochs" } else { "iterations" },
        m.train_seconds,
        out.display()
    );
    Ok(ExitCode::SUCCESS)
}
