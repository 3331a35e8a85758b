//! `backprop train`: flags → TrainConfig → `job::run_train` → printed summary.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use backprop::collective::Collective;
use backprop::data::{Dataset, LoadOptions};
use backprop::explain::equations_for;
use backprop::job::{resume_train, run_train, Hooks, OutFolder, Trained};
use backprop::metrics::{class_counts, majority_warning, one_class_warning_on, overfit_warning};
use backprop::{ClassWeight, Metrics, ModelSpec, TrainConfig};

use crate::flags::{ModelFlags, TrainArgs};
use crate::output::{
    accuracy_line, early_stop_line, errln, lbfgs_line, out, outln, timestamp, LoadBar,
    TrainingProgress,
};

pub fn run(args: TrainArgs) -> anyhow::Result<ExitCode> {
    let spec = model_spec(&args)?;
    let class_weight = class_weight(&args)?;
    // The default run folder, claimed (locked) now so that two runs started in
    // the same second get two folders (train-…, train-…-2).
    let default_out = match (&args.out, &args.resume) {
        (None, None) => Some(OutFolder::fresh(
            &PathBuf::from("runs").join(format!("train-{}", timestamp())),
        )?),
        _ => None,
    };
    let config = TrainConfig {
        class_weight,
        ..train_config(&args, &spec, default_out.as_ref())
    };
    // Under mpirun (a build with --features mpi) every rank trains; rank 0 alone prints and writes.
    #[cfg(feature = "mpi")]
    let ranks = crate::mpi_ranks::MpiRanks::init();
    #[cfg(feature = "mpi")]
    let collective: Option<&dyn Collective> = ranks.as_ref().map(|r| r as &dyn Collective);
    #[cfg(not(feature = "mpi"))]
    let collective: Option<&dyn Collective> = None;
    let rank0 = collective.is_none_or(|c| c.rank() == 0);
    let chatty = rank0 && !(args.output.quiet || args.output.json);
    let terminal = std::io::stderr().is_terminal();
    let load_bar = LoadBar::new(chatty && terminal);
    let mut progress = TrainingProgress::new(chatty, terminal);
    let explained = explained(&args, &spec)?;
    let mut seen = Seen::new(rank0, explained.as_ref(), &load_bar);
    let trained = train(&args, &config, collective, &mut seen, &mut progress)?;
    if !rank0 {
        return Ok(ExitCode::SUCCESS);
    }
    warn_one_class(&trained.metrics, &seen);
    warn_overfit(&trained.metrics);
    // The run folder: where the (resumed) run says it wrote, else `--out`'s.
    let out = trained
        .metrics
        .config
        .get("out")
        .and_then(|o| o.as_str())
        .map(PathBuf::from)
        .unwrap_or(config.out);
    if args.output.json {
        outln!("{}", json_summary(&trained, &out));
    } else {
        print_summary(&trained, &out);
    }
    if backprop::stop::requested() {
        // The stop came after the last update: the library finished the write.
        errln!(
            "note: the stop came while the finished run was being written; the write was completed first ({})",
            out.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Warns when the model predicts one class for the whole training or test
/// set, or else when its accuracy there is no better than the majority share.
fn warn_one_class(m: &Metrics, seen: &Seen<'_>) {
    let sets = [
        (
            "training",
            Some(&m.predicted_counts),
            Some(m.train_accuracy),
            &seen.train_labels,
        ),
        (
            "test",
            m.test_predicted_counts.as_ref(),
            m.test_accuracy,
            &seen.test_labels,
        ),
    ];
    for (set, counts, accuracy, labels) in sets {
        let one_class =
            counts.and_then(|c| one_class_warning_on(set, c, &seen.classes, seen.standardised));
        let warning = one_class
            .or_else(|| majority_warning(set, accuracy?, labels.as_deref()?, &seen.classes));
        if let Some(w) = warning {
            errln!("warning: {}", crate::names::render(&w));
        }
    }
}

/// Warns when the validation or test cost ended well above its minimum. With
/// early stopping the validation-best weights were kept: the validation cost
/// is at its minimum by choice, and the test costs up to the kept epoch say
/// whether the kept model overfit.
fn warn_overfit(m: &Metrics) {
    let kept = |costs: &[(usize, f64)]| match m.best_at {
        Some(best) => costs.partition_point(|&(i, _)| i <= best),
        None => costs.len(),
    };
    let validation = m
        .best_at
        .is_none()
        .then_some(("validation", &m.validation_costs[..]));
    let test = ("test", &m.test_costs[..kept(&m.test_costs)]);
    let mut warnings = validation
        .into_iter()
        .chain([test])
        .filter_map(|(set, costs)| overfit_warning(set, costs, m.per_epoch));
    if let Some(w) = warnings.next() {
        errln!("warning: {}", crate::names::render(&w));
    }
}

/// The model the flags ask for, over the library's defaults for this data:
/// the course's network, or the table defaults for a CSV.
fn model_spec(args: &TrainArgs) -> anyhow::Result<ModelSpec> {
    let base = match (&args.model.layers, args.train.as_deref()) {
        (Some(_), _) => ModelSpec::picture_default(),
        (None, train) => train.map_or_else(ModelSpec::default, ModelSpec::default_for),
    };
    args.model
        .check_applies(&base)
        .map_err(|e| anyhow::anyhow!(e))?;
    Ok(args.model.spec(&base))
}

/// Runs the job (or resumes the run of `--resume`), reporting to `seen` and
/// `progress`; Ctrl-C or SIGTERM (main.rs sets the library's stop flag)
/// finishes the update in progress, writes a checkpoint and ends it cleanly.
fn train(
    args: &TrainArgs,
    config: &TrainConfig,
    collective: Option<&dyn Collective>,
    seen: &mut Seen<'_>,
    progress: &mut TrainingProgress,
) -> anyhow::Result<Trained> {
    let load_bar = seen.load_bar;
    let hooks = Hooks {
        load_progress: &|done, total| load_bar.tick(done, total),
        loaded: &mut |train, test| seen.loaded(train, test),
        iteration: &mut |p| progress.update(p),
        stop: Some(backprop::stop::flag()),
        collective,
    };
    let result = match &args.resume {
        Some(dir) => {
            let total = resume_total(dir, &args.model)?;
            resume_train(dir, total, args.out.as_deref(), args.force, hooks)
        }
        None => run_train(config, hooks),
    };
    progress.finish();
    Ok(result?)
}

/// The model `--explain` shows: the one that trains, with `--resume` the
/// checkpoint's own; none without `--explain` or with `--json`.
fn explained(args: &TrainArgs, spec: &ModelSpec) -> anyhow::Result<Option<ModelSpec>> {
    let spec = match (&args.resume, args.explain) {
        (Some(dir), true) => {
            let info = backprop::engine::checkpoint::read_info(dir)?;
            Some(serde_json::from_value::<ModelSpec>(
                info.config["model"].clone(),
            )?)
        }
        (None, true) => Some(spec.clone()),
        (_, false) => None,
    };
    Ok(spec.filter(|_| !args.output.json))
}

/// What the run learns of its training data as it is loaded (its classes,
/// whether its features were standardised), printing its notes and
/// `--explain`'s equations.
struct Seen<'a> {
    classes: Vec<String>,
    /// The training and test sets' examples per class.
    train_labels: Option<Vec<usize>>,
    test_labels: Option<Vec<usize>>,
    standardised: bool,
    /// Whether to print the data's notes (rank 0 alone).
    notes: bool,
    explain: Option<&'a ModelSpec>,
    load_bar: &'a LoadBar,
}

impl<'a> Seen<'a> {
    /// Nothing seen yet; `notes`: whether to print the data's notes.
    fn new(notes: bool, explain: Option<&'a ModelSpec>, load_bar: &'a LoadBar) -> Self {
        Seen {
            classes: Vec::new(),
            train_labels: None,
            test_labels: None,
            standardised: false,
            notes,
            explain,
            load_bar,
        }
    }

    fn loaded(&mut self, train: &Dataset, test: Option<&Dataset>) {
        self.load_bar.finish();
        self.classes = train.classes.clone();
        let k = train.classes.len();
        self.train_labels = Some(class_counts(train.y.view(), k));
        self.test_labels = test.map(|t| class_counts(t.y.view(), k));
        self.standardised = train.preprocessing.standardization.is_some();
        if self.notes {
            for note in train.notes.iter().chain(test.iter().flat_map(|t| &t.notes)) {
                errln!("note: {}", crate::names::render(note));
            }
        }
        if let Some(spec) = self.explain {
            if let Some(line) = backprop::explain::inputs(&train.preprocessing) {
                out!("{line}\n");
            }
            out!(
                "{}",
                equations_for(
                    spec,
                    &train.preprocessing,
                    train.features(),
                    train.examples(),
                    train.classes.len()
                )
            );
        }
    }
}

/// `--class-weight`: "balanced", or the weights read from the file it names.
fn class_weight(args: &TrainArgs) -> Result<Option<ClassWeight>, backprop::Error> {
    match args.class_weight.as_deref() {
        None => Ok(None),
        Some("balanced") => Ok(Some(ClassWeight::Balanced)),
        Some(file) => ClassWeight::read(Path::new(file)).map(Some),
    }
}

/// The job the flags describe, writing into `--out` or the `default_out` claimed.
fn train_config(
    args: &TrainArgs,
    spec: &ModelSpec,
    default_out: Option<&OutFolder>,
) -> TrainConfig {
    let out = match (&args.out, default_out) {
        (Some(out), _) => out.clone(),
        (None, Some(folder)) => folder.path().to_path_buf(),
        (None, None) => PathBuf::new(),
    };
    TrainConfig {
        train: args.train.clone().unwrap_or_default(),
        test: args.test.clone(),
        load: LoadOptions {
            x_key: args.x_key.clone(),
            y_key: args.y_key.clone(),
            label_column: args.label_column.clone(),
            image_size: args.image_size,
            grayscale: args.grayscale.then_some(true),
            positive: args.positive.clone(),
            skip_bad: args.skip_bad,
            index_column: args.index_column.clone(),
            features: args.features.clone(),
            drop: args.drop.clone(),
            missing: args.missing,
            standardize: args.no_standardize.then_some(false),
            log_skewed: args
                .log_skewed
                .map_or(LoadOptions::default().log_skewed, |t| t.0),
        },
        model: spec.clone(),
        out,
        force: args.force,
        standardize: args.standardize,
        validation: args.validation,
        checkpoint_every: args.checkpoint_every,
        class_weight: None,
    }
}

/// The validation accuracy of the weights kept: the best epoch's after early stopping, else the last.
fn kept_validation_accuracy(m: &Metrics) -> Option<f64> {
    let kept = m.best_at.filter(|_| m.stopped_early);
    kept.and_then(|b| m.validation_accuracies.iter().find(|(i, _)| *i == b))
        .or(m.validation_accuracies.last())
        .map(|(_, a)| *a)
}

/// `--json`'s one line.
fn json_summary(trained: &Trained, out: &Path) -> serde_json::Value {
    let m = &trained.metrics;
    serde_json::json!({
        "final_cost": m.final_cost,
        "train_accuracy": m.train_accuracy,
        "test_accuracy": m.test_accuracy,
        "train_examples": m.train_examples,
        "test_examples": m.test_examples,
        "iterations": m.iterations,
        "per_epoch": m.per_epoch,
        "validation_accuracy": kept_validation_accuracy(m),
        "stopped_early": m.stopped_early,
        "best_at": m.best_at,
        "train_seconds": m.train_seconds,
        "skipped_files": trained.skipped.len(),
        "out": out,
    })
}

/// The summary for reading: skipped files, the accuracies, early stopping, where the files are.
fn print_summary(trained: &Trained, out: &Path) {
    let m = &trained.metrics;
    if !trained.skipped.is_empty() {
        outln!(
            "skipped {} unreadable files (--skip-bad), e.g. {}",
            trained.skipped.len(),
            crate::names::render(&trained.skipped[0])
        );
    }
    outln!(
        "train accuracy: {}",
        accuracy_line(m.train_accuracy, m.train_examples)
    );
    if let (Some(acc), Some(n)) = (kept_validation_accuracy(m), m.validation_examples) {
        outln!("validation accuracy: {}", accuracy_line(acc, n));
    }
    if let (Some(acc), Some(n)) = (m.test_accuracy, m.test_examples) {
        outln!("test accuracy: {}", accuracy_line(acc, n));
    }
    for line in early_stop_line(m).into_iter().chain(lbfgs_line(m)) {
        outln!("{line}");
    }
    outln!(
        "{} {} in {:.2} s; model, metrics.json and learning_curve.png in {}",
        m.iterations,
        if m.per_epoch { "epochs" } else { "iterations" },
        m.train_seconds,
        out.display()
    );
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
