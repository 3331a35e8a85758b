//! `backprop gradcheck`: central differences against backprop on a random problem.

use std::process::ExitCode;

use backprop::gradcheck::{check, generic_network, random_problem, EPSILON, EXAMPLES, THRESHOLD};

use crate::flags::GradcheckArgs;

pub fn run(args: GradcheckArgs) -> anyhow::Result<ExitCode> {
    if args.features == 0 {
        anyhow::bail!("--features must be at least 1");
    }
    let mut sizes = vec![args.features];
    sizes.extend(&args.hidden.0);
    sizes.push(1);
    backprop::data::budget::check_network(&sizes, EXAMPLES, 8)?;
    let (x, y) = random_problem(args.features, EXAMPLES, args.seed);
    let mut net = generic_network(&sizes, args.activation, args.seed)?;
    let report = check(&mut net, x.view(), y.view(), EPSILON);
    println!(
        "gradient check of {:?} ({} hidden), {EXAMPLES} random examples, ε = {EPSILON:e}, f64",
        sizes,
        args.activation.name()
    );
    for t in &report.tensors {
        println!(
            "  d{:<4} {:>5} parameters  relative difference {:.3e}",
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
