//! `backprop train`: flags → TrainConfig → `job::run_train` → printed summary.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use backprop::data::LoadOptions;
use backprop::explain::equations;
use backprop::job::{resume_train, run_train, Hooks, TrainConfig};
use backprop::metrics::one_class_warning;

use crate::flags::{ModelFlags, TrainArgs};
use crate::output::{accuracy_line, early_stop_line, timestamp, LoadBar, TrainingProgress};

pub fn run(args: TrainArgs) -> anyhow::Result<ExitCode> {
    // The library's defaults for this data: the course's network, or the table defaults for a CSV.
    let base = args.train.as_deref().map_or_else(
        backprop::ModelSpec::default,
        backprop::ModelSpec::default_for,
    );
    args.model
        .check_applies(&base)
        .map_err(|e| anyhow::anyhow!(e))?;
    let spec = args.model.spec(&base);
    // The default run folder, claimed (locked) now so that two runs started in
    // the same second get two folders (train-…, train-…-2).
    let default_out = match (&args.out, &args.resume) {
        (None, None) => Some(backprop::job::claim_fresh(
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
            image_size: args.image_size,
            grayscale: args.grayscale.then_some(true),
            positive: args.positive,
            skip_bad: args.skip_bad,
            index_column: args.index_column,
            features: args.features,
            drop: args.drop,
            missing: args.missing,
            standardize: args.no_standardize.then_some(false),
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
    // --explain shows the model that trains: with --resume, the checkpoint's own.
    let explained = match (&args.resume, args.explain) {
        (Some(dir), true) => {
            let info = backprop::engine::checkpoint::read_info(dir)?;
            serde_json::from_value::<backprop::ModelSpec>(info.config["model"].clone())?
        }
        _ => spec.clone(),
    };
    let mut seen = (Vec::new(), false); // the classes, whether the features were standardised
    let mut loaded = |train: &backprop::data::Dataset, test: Option<&backprop::data::Dataset>| {
        load_bar.finish();
        seen = (
            train.classes.clone(),
            train.preprocessing.standardization.is_some(),
        );
        if rank0 {
            for note in train.notes.iter().chain(test.iter().flat_map(|t| &t.notes)) {
                eprintln!("note: {}", crate::names::render(note));
            }
        }
        if explain && !args.output.json {
            print!(
                "{}",
                equations(
                    &explained,
                    train.features(),
                    train.examples(),
                    train.classes.len()
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
            let total = resume_total(dir, &args.model)?;
            resume_train(dir, total, args.out.as_deref(), args.force, hooks)
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
    // The validation accuracy of the weights kept: the best epoch's after early stopping, else the last.
    let kept = m.best_at.filter(|_| m.stopped_early);
    let validation_accuracy = kept
        .and_then(|b| m.validation_accuracies.iter().find(|(i, _)| *i == b))
        .or(m.validation_accuracies.last())
        .map(|(_, a)| *a);
    if let Some(w) = one_class_warning(&m.predicted_counts, &seen.0, seen.1) {
        eprintln!("warning: {}", crate::names::render(&w));
    }
    if args.output.json {
        let summary = serde_json::json!({
            "final_cost": m.final_cost,
            "train_accuracy": m.train_accuracy,
            "test_accuracy": m.test_accuracy,
            "train_examples": m.train_examples,
            "test_examples": m.test_examples,
            "iterations": m.iterations,
            "per_epoch": m.per_epoch,
            "validation_accuracy": validation_accuracy,
            "stopped_early": m.stopped_early,
            "best_at": m.best_at,
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
            crate::names::render(&trained.skipped[0])
        );
    }
    println!(
        "train accuracy: {}",
        accuracy_line(m.train_accuracy, m.train_examples)
    );
    if let (Some(acc), Some(n)) = (validation_accuracy, m.validation_examples) {
        println!("validation accuracy: {}", accuracy_line(acc, n));
    }
    if let (Some(acc), Some(n)) = (m.test_accuracy, m.test_examples) {
        println!("test accuracy: {}", accuracy_line(acc, n));
    }
    if let Some(line) = early_stop_line(m) {
        println!("{line}");
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

/// The new total a `--resume` asks for, in the unit the run in `dir` counts:
/// `--epochs` for a run that counts epochs, `--iterations` for one that counts
/// iterations; the other flag is refused by name rather than read as the wrong unit.
fn resume_total(dir: &Path, model: &ModelFlags) -> anyhow::Result<Option<usize>> {
    let info = backprop::engine::checkpoint::read_info(dir)?;
    let per_epoch = !info.config["model"]["gd"]["epochs"].is_null();
    let (total, wrong, flag, counts) = if per_epoch {
        (
            model.epochs,
            model.iterations,
            "--iterations",
            "epochs: give --epochs",
        )
    } else {
        (
            model.iterations,
            model.epochs,
            "--epochs",
            "iterations: give --iterations",
        )
    };
    if wrong.is_some() {
        anyhow::bail!(
            "{flag} does not apply to --resume {}: the run counts {counts} for the new total",
            dir.display()
        );
    }
    Ok(total)
}
