//! `backprop evaluate`: a model folder and labelled data → its scores.

use std::process::ExitCode;

use backprop::predict::Model;

use crate::flags::{EvaluateArgs, Format};

pub fn run(args: EvaluateArgs) -> anyhow::Result<ExitCode> {
    if args.format == Format::Csv {
        anyhow::bail!("--format csv is for predict; evaluate prints a table or json");
    }
    let model = Model::load(&args.model)?;
    let s = model.evaluate(&args.data)?;
    if args.format == Format::Json {
        println!("{}", serde_json::to_string_pretty(&s)?);
        return Ok(ExitCode::SUCCESS);
    }
    let [neg, pos] = [&model.info.classes[0], &model.info.classes[1]];
    let [[tn, fp], [fn_, tp]] = s.confusion_matrix;
    let m = tn + fp + fn_ + tp;
    println!(
        "{} examples of {}; positive class '{pos}'",
        m,
        args.data.display()
    );
    println!("accuracy   {:.4}", s.accuracy);
    println!("precision  {:.4}", s.precision);
    println!("recall     {:.4}", s.recall);
    println!("f1         {:.4}", s.f1);
    println!("log loss   {:.4}", s.log_loss);
    let w = neg.len().max(pos.len()).max(6);
    println!("confusion matrix (rows: true class, columns: predicted)");
    println!("  {:<w$}  {:>w$}  {:>w$}", "", neg, pos);
    println!("  {:<w$}  {:>w$}  {:>w$}", neg, tn, fp);
    println!("  {:<w$}  {:>w$}  {:>w$}", pos, fn_, tp);
    Ok(ExitCode::SUCCESS)
}
