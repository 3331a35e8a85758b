//! `backprop gradcheck`: central differences against backprop on a random
//! problem: a sigmoid or softmax output (`--classes`), with L2 (`--l2`) and
//! dropout under a fixed mask (`--keep-prob`).

use std::process::ExitCode;

use backprop::gradcheck::{
    check_with_l2, generic_network, generic_picture_network, random_problem, random_targets,
    GradCheckReport, EPSILON, EXAMPLES, THRESHOLD,
};
use backprop::{Activation, NumpyRng, Output};

use crate::flags::{GradcheckArgs, GRADCHECK_ACTIVATION};

pub fn run(args: GradcheckArgs) -> anyhow::Result<ExitCode> {
    let shape = Shape::of(&args)?;
    check_args(&args, &shape.hidden)?;
    let hidden = &shape.hidden;
    let activation = shape.activation;
    let output = Output::for_units(Output::units_for_classes(args.classes));
    let mut sizes = vec![shape.n_x];
    sizes.extend(hidden);
    sizes.push(Output::units_for_classes(args.classes));
    backprop::data::budget::check_network(&sizes, EXAMPLES, 8)?;
    let (x, y) = random_problem(shape.n_x, EXAMPLES, args.seed);
    let y = match output {
        Output::Softmax => random_targets(args.classes, EXAMPLES, args.seed),
        Output::Sigmoid | Output::Sigmoids => y,
    };
    let mut net = match &args.layers {
        Some(l) => {
            generic_picture_network(&sizes, args.picture, &l.list.picture, activation, args.seed)?
        }
        None => generic_network(&sizes, activation, args.seed)?,
    };
    if !args.keep_prob.is_empty() {
        let keep: Vec<f64> = if args.keep_prob.len() == 1 {
            vec![args.keep_prob[0]; hidden.len()]
        } else {
            args.keep_prob.clone()
        };
        net.draw_dropout(&keep, EXAMPLES, &mut NumpyRng::new(args.seed));
    }
    let report = check_with_l2(&mut net, x.view(), y.view(), EPSILON, args.l2)?;
    let output = match output {
        Output::Softmax => format!("softmax of {}", args.classes),
        Output::Sigmoid | Output::Sigmoids => "sigmoid".to_string(),
    };
    let mut extras = String::new();
    if args.l2 > 0.0 {
        extras.push_str(&format!(", L2 λ = {}", args.l2));
    }
    if !args.keep_prob.is_empty() {
        extras.push_str(&format!(
            ", dropout keep {:?} (one fixed mask)",
            args.keep_prob
        ));
    }
    println!(
        "gradient check of {}{:?} ({} hidden, {output} output{extras}), {EXAMPLES} random examples, ε = {EPSILON:e}, f64",
        shape.front,
        net.sizes(),
        activation.name()
    );
    print_report(&report)
}

/// What is checked: a dense network of `--features` inputs, or a conv net's
/// picture layers (`--layers`) over random pictures of `--picture`.
struct Shape {
    n_x: usize,
    hidden: Vec<usize>,
    activation: Activation,
    /// "conv net LIST over pictures of H×W×C, then " for a conv net.
    front: String,
}

impl Shape {
    fn of(args: &GradcheckArgs) -> anyhow::Result<Shape> {
        let Some(layers) = &args.layers else {
            return Ok(Shape {
                n_x: args.features,
                hidden: args.hidden.0.clone(),
                activation: args.activation.unwrap_or(GRADCHECK_ACTIVATION),
                front: String::new(),
            });
        };
        let activation = layers
            .activation(args.activation)
            .map_err(anyhow::Error::msg)?;
        let p = args.picture;
        let mut shape = p;
        for (i, layer) in layers.list.picture.iter().enumerate() {
            shape = layer.output(shape).map_err(|e| {
                anyhow::anyhow!(
                    "--layers over --picture {p}: picture layer {} (over {shape}): {e}",
                    i + 1
                )
            })?;
        }
        Ok(Shape {
            n_x: p.len(),
            hidden: layers.list.hidden.clone(),
            activation: activation.unwrap_or(GRADCHECK_ACTIVATION),
            front: format!("conv net {} over pictures of {p}, then ", layers.text),
        })
    }
}

/// Refuses settings the check cannot run with.
fn check_args(args: &GradcheckArgs, hidden: &[usize]) -> anyhow::Result<()> {
    if args.features == 0 {
        anyhow::bail!("--features must be at least 1");
    }
    if args.classes < 2 {
        anyhow::bail!("--classes must be at least 2, got {}", args.classes);
    }
    if !(args.l2.is_finite() && args.l2 >= 0.0) {
        anyhow::bail!("--l2 must be a number ≥ 0, got {}", args.l2);
    }
    if args.layers.is_none() {
        crate::flags::activation_applies(args.activation, hidden).map_err(anyhow::Error::msg)?;
    }
    if let Some(p) = args.keep_prob.iter().find(|p| !(**p > 0.0 && **p <= 1.0)) {
        anyhow::bail!("--keep-prob {p} is not in (0, 1]");
    }
    if !args.keep_prob.is_empty() && hidden.is_empty() {
        anyhow::bail!("--keep-prob needs hidden layers (dropout acts on them)");
    }
    if args.keep_prob.len() > 1 && args.keep_prob.len() != hidden.len() {
        anyhow::bail!(
            "--keep-prob gives {} values for {} hidden layers; give one, or one per layer",
            args.keep_prob.len(),
            hidden.len()
        );
    }
    Ok(())
}

/// Each tensor's relative difference, the overall one, and the verdict (exit 1 when it fails).
fn print_report(report: &GradCheckReport) -> anyhow::Result<ExitCode> {
    let width = report
        .tensors
        .iter()
        .map(|t| t.name.len())
        .max()
        .unwrap_or(0)
        .max(4);
    for t in &report.tensors {
        println!(
            "  d{:<width$} {:>5} parameters  relative difference {:.3e}",
            t.name, t.count, t.relative_difference
        );
    }
    println!(
        "relative difference (all parameters): {:.3e}",
        report.overall
    );
    if report.passed() {
        println!("ok: below {THRESHOLD:e}");
        Ok(ExitCode::SUCCESS)
    } else {
        println!("FAILED: above {THRESHOLD:e}; the backward pass disagrees with the cost");
        Ok(ExitCode::from(1))
    }
}
