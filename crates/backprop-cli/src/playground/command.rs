//! The "equivalent `backprop train` command" of a run: its [`ModelSpec`]
//! written as the command line's flags, so that `backprop train` beside the
//! run's downloaded train.csv (and test.csv) parses it back to the same
//! settings and trains the same weights, bit for bit.

use backprop::optim::{AdamConfig, LbfgsConfig, MomentumConfig, OptimizerConfig, RmsPropConfig};
use backprop::{ModelSpec, Setting};

use crate::names::flag;

/// Where the command writes its run folder.
pub const OUT: &str = "runs/playground";

/// The command that trains `spec` on train.csv (and test.csv when
/// `has_test`), the features as they are (`--no-standardize`: the page
/// trains on the raw coordinates). Every setting the CLI would otherwise
/// take from its defaults for a table is written, each flag named as the
/// CLI names the setting; optimiser constants only where they are not the
/// library's defaults.
pub fn train_command(spec: &ModelSpec, has_test: bool) -> String {
    let gd = &spec.gd;
    let mut args = vec![(Setting::Train, "train.csv".to_string())];
    if has_test {
        args.push((Setting::Test, "test.csv".into()));
    }
    args.push((Setting::Hidden, hidden(&spec.hidden)));
    if !spec.hidden.is_empty() {
        args.push((Setting::Activation, spec.activation.name().into()));
    }
    args.push((Setting::Init, spec.init.name().into()));
    args.push((Setting::LearningRate, number(gd.learning_rate)));
    args.extend(optimizer(gd.optimizer));
    if let Some(b) = gd.batch_size {
        args.push((Setting::BatchSize, b.to_string()));
    }
    args.push(match gd.epochs {
        Some(e) => (Setting::Epochs, e.to_string()),
        None => (Setting::Iterations, gd.iterations.to_string()),
    });
    if let Some(r) = gd.record_every {
        args.push((Setting::RecordEvery, r.to_string()));
    }
    // A table's default L2 is not 0: a run without L2 says `--l2 0`.
    if gd.l2 != ModelSpec::table_default().gd.l2 {
        args.push((Setting::L2, number(gd.l2)));
    }
    if gd.l1 != 0.0 {
        args.push((Setting::L1, number(gd.l1)));
    }
    if !gd.keep_prob.is_empty() {
        let p: Vec<String> = gd.keep_prob.iter().map(|&p| number(p)).collect();
        args.push((Setting::KeepProb, p.join(",")));
    }
    args.push((Setting::Seed, spec.gd.seed.to_string()));
    args.push((Setting::Precision, spec.precision.to_string()));
    args.push((Setting::Threads, spec.threads.to_string()));
    let mut c = String::from("backprop train");
    for (setting, value) in args {
        c.push_str(&format!(" {} {value}", flag(setting)));
    }
    c.push_str(&format!(" --no-standardize {} {OUT}", flag(Setting::Out)));
    c
}

/// `--hidden`'s value: the sizes, comma-separated, or "none".
fn hidden(sizes: &[usize]) -> String {
    if sizes.is_empty() {
        return "none".into();
    }
    let sizes: Vec<String> = sizes.iter().map(usize::to_string).collect();
    sizes.join(",")
}

/// A number as the flag reads it back to the same bits (Rust's shortest
/// round-trip form, in exponent notation when very large or small).
fn number(v: f64) -> String {
    format!("{v:?}")
}

/// `--optimizer` and the constants that differ from the library's defaults.
fn optimizer(o: OptimizerConfig) -> Vec<(Setting, String)> {
    let mut args = Vec::new();
    let mut constant = |setting, v: f64, default: f64| {
        if v != default {
            args.push((setting, number(v)));
        }
    };
    let name = match o {
        OptimizerConfig::Gd => "gd",
        OptimizerConfig::Momentum(c) => {
            constant(Setting::Beta, c.beta, MomentumConfig::default().beta);
            "momentum"
        }
        OptimizerConfig::RmsProp(c) => {
            let d = RmsPropConfig::default();
            constant(Setting::Beta2, c.beta2, d.beta2);
            constant(Setting::Epsilon, c.epsilon, d.epsilon);
            "rmsprop"
        }
        OptimizerConfig::Adam(c) => {
            let d = AdamConfig::default();
            constant(Setting::Beta1, c.beta1, d.beta1);
            constant(Setting::Beta2, c.beta2, d.beta2);
            constant(Setting::Epsilon, c.epsilon, d.epsilon);
            "adam"
        }
        OptimizerConfig::Lbfgs(c) => {
            let d = LbfgsConfig::default();
            constant(Setting::MaxFun, c.max_fun as f64, d.max_fun as f64);
            constant(Setting::Tol, c.tol, d.tol);
            "lbfgs"
        }
    };
    let mut all = vec![(Setting::Optimizer, name.to_string())];
    all.extend(args);
    all
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flags::{Cli, Command};
    use clap::Parser;

    /// The command parsed by the CLI's own flags, over the table defaults
    /// train.csv gets: the spec it describes.
    fn parsed(command: &str) -> ModelSpec {
        let cli = Cli::try_parse_from(command.split(' ')).unwrap();
        let Command::Train(args) = cli.command else {
            panic!("{command} is not train")
        };
        args.model.spec(&ModelSpec::table_default())
    }

    #[test]
    fn the_command_parses_back_to_the_same_spec() {
        let mut spec = ModelSpec {
            hidden: vec![5, 3],
            precision: backprop::Precision::F64,
            threads: 1,
            ..ModelSpec::default()
        };
        spec.gd.seed = 7;
        spec.gd.epochs = Some(40);
        spec.gd.batch_size = Some(32);
        spec.gd.learning_rate = 0.1 + 0.2;
        spec.gd.l2 = 1e-7;
        spec.gd.l1 = 0.003;
        spec.gd.keep_prob = vec![0.8];
        spec.gd.record_every = Some(3);
        for optimizer in [
            OptimizerConfig::Gd,
            OptimizerConfig::Momentum(MomentumConfig {
                beta: 0.8,
                ..Default::default()
            }),
            OptimizerConfig::RmsProp(RmsPropConfig::default()),
            OptimizerConfig::Adam(AdamConfig {
                epsilon: 1e-7,
                ..AdamConfig::default()
            }),
        ] {
            spec.gd.optimizer = optimizer;
            let command = train_command(&spec, true);
            assert_eq!(parsed(&command), spec, "{command}");
        }
        spec.hidden.clear();
        spec.gd.keep_prob.clear();
        spec.gd.l2 = 0.0; // the page's default, not a table's
        let command = train_command(&spec, false);
        assert!(command.contains("--l2 0.0 "), "{command}");
        assert!(command.contains("--hidden none --init"), "{command}");
        assert_eq!(parsed(&command), spec, "{command}");
    }
}
