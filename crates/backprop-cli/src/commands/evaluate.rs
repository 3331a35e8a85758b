//! `backprop evaluate`: a model folder and labelled data → its scores.

use std::process::ExitCode;

use backprop::metrics::{one_class_warning_on, MulticlassScores};
use backprop::predict::{Model, Scores};

use crate::flags::{EvaluateArgs, ScoreFormat};

pub fn run(args: EvaluateArgs) -> anyhow::Result<ExitCode> {
    let model = Model::load(&args.model)?;
    let data = model.load_labelled(&args.data, args.label_column.as_deref())?;
    for note in &data.notes {
        eprintln!("note: {}", crate::names::render(note));
    }
    let scores = model.score(&data)?;
    let (_, matrix) = headline(&scores);
    // The predicted counts: the confusion matrix's column sums.
    let counts: Vec<usize> = (0..matrix.len())
        .map(|c| matrix.iter().map(|row| row[c]).sum())
        .collect();
    let standardized = model.info.preprocessing.standardization.is_some();
    if let Some(w) = one_class_warning_on("evaluated", &counts, &model.info.classes, standardized) {
        eprintln!("warning: {}", crate::names::render(&w));
    }
    let classes = &model.info.classes;
    if args.format == ScoreFormat::Json {
        let described = Described::new(&scores, classes);
        println!("{}", serde_json::to_string_pretty(&described)?);
        return Ok(ExitCode::SUCCESS);
    }
    let (numbers, _) = headline(&scores);
    let m: usize = matrix.iter().flatten().sum();
    match &scores {
        Scores::Binary(_) => println!(
            "{m} examples of {}; positive class '{}'",
            args.data.display(),
            classes[1]
        ),
        Scores::Multiclass(_) => println!(
            "{m} examples of {}; {} classes (precision, recall, F1: mean over classes)",
            args.data.display(),
            classes.len()
        ),
    }
    let [accuracy, precision, recall, f1, log_loss] = numbers;
    println!("accuracy   {accuracy:.4}");
    println!("precision  {precision:.4}");
    println!("recall     {recall:.4}");
    println!("f1         {f1:.4}");
    println!("log loss   {log_loss:.4}");
    if let Scores::Multiclass(s) = &scores {
        print_per_class(classes, s);
    }
    print_confusion_matrix(classes, &matrix);
    Ok(ExitCode::SUCCESS)
}

/// The scores as JSON, with what reading them needs: the classes (the
/// confusion matrix's order: rows the true class, columns the predicted) and,
/// for two, the positive class that precision, recall and F1 are of.
#[derive(serde::Serialize)]
struct Described<'a> {
    #[serde(flatten)]
    scores: &'a Scores,
    classes: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    positive_class: Option<&'a str>,
    confusion_matrix_order: &'static str,
}

impl<'a> Described<'a> {
    fn new(scores: &'a Scores, classes: &'a [String]) -> Self {
        Described {
            scores,
            classes,
            positive_class: match scores {
                Scores::Binary(_) => Some(&classes[1]),
                Scores::Multiclass(_) => None,
            },
            confusion_matrix_order:
                "rows: the true class, columns: the predicted class, both in the order of classes",
        }
    }
}

/// (accuracy, precision, recall, F1, log loss) and the confusion matrix, whatever the output.
fn headline(scores: &Scores) -> ([f64; 5], Vec<Vec<usize>>) {
    match scores {
        Scores::Binary(s) => {
            let cm = s
                .confusion_matrix
                .iter()
                .map(|r| r.to_vec())
                .collect::<Vec<_>>();
            ([s.accuracy, s.precision, s.recall, s.f1, s.log_loss], cm)
        }
        Scores::Multiclass(s) => (
            [s.accuracy, s.precision, s.recall, s.f1, s.log_loss],
            s.confusion_matrix.clone(),
        ),
    }
}

/// Precision, recall, F1 and support of each class.
fn print_per_class(classes: &[String], s: &MulticlassScores) {
    let w = column_width(classes, 5);
    println!("  {:<w$}  precision  recall     f1  support", "class");
    for c in &s.per_class {
        println!(
            "  {:<w$}  {:>9.4}  {:>6.4}  {:>5.4}  {:>7}",
            c.class, c.precision, c.recall, c.f1, c.support
        );
    }
}

/// The confusion matrix, rows the true class, columns the predicted.
fn print_confusion_matrix(classes: &[String], matrix: &[Vec<usize>]) {
    let w = column_width(classes, 6);
    println!("confusion matrix (rows: true class, columns: predicted)");
    print!("  {:<w$}", "");
    for c in classes {
        print!("  {c:>w$}");
    }
    println!();
    for (c, row) in classes.iter().zip(matrix) {
        print!("  {c:<w$}");
        for v in row {
            print!("  {v:>w$}");
        }
        println!();
    }
}

/// The width of a column of class names: the longest name's, at least `least`.
fn column_width(classes: &[String], least: usize) -> usize {
    classes
        .iter()
        .map(|c| c.chars().count())
        .max()
        .unwrap_or(least)
        .max(least)
}
