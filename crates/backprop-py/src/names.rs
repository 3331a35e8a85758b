//! The Python package's words for the library's settings: each [`Setting`]
//! is the estimators' parameter that sets it, in scikit-learn's names
//! (`python/backprop/_estimators.py`; a table's preparation by
//! `TableClassifier`'s, `python/backprop/_table.py`), so a library error
//! raised as `ValueError` names what a Python user wrote:
//! `learning_rate_init must be > 0, got -1`, `alpha` for the L2 strength. A
//! setting no estimator takes keeps the library's field name.
//!
//! Its tests run in `crates/backprop-cli/tests/python_names.rs` (this crate is
//! an extension module, which cannot link as a test binary).

use backprop::Setting;

/// The estimators' parameter that sets `setting`, if one does.
pub(crate) fn parameter(setting: Setting) -> Option<&'static str> {
    Some(match setting {
        Setting::LearningRate => "learning_rate_init",
        // `max_iter` counts epochs; with solver="gd" (full batch, one update
        // an epoch) the core runs it as the library's iterations.
        Setting::Iterations | Setting::Epochs => "max_iter",
        Setting::BatchSize => "batch_size",
        Setting::L2 => "alpha",
        Setting::L1 => "l1",
        Setting::KeepProb => "dropout",
        // scikit-learn's patience; `early_stopping` is only its switch.
        Setting::EarlyStopping => "n_iter_no_change",
        Setting::Optimizer => "solver",
        // solver="lbfgs"'s limits (scikit-learn's, the library's L-BFGS).
        Setting::MaxFun => "max_fun",
        Setting::Tol => "tol",
        // The momentum solvers' β.
        Setting::Beta => "momentum",
        Setting::Beta1 => "beta_1",
        Setting::Beta2 => "beta_2",
        Setting::Epsilon => "epsilon",
        // scikit-learn's `learning_rate` is the schedule ("constant",
        // "invscaling", "adaptive"), `power_t` its decay exponent.
        Setting::Schedule => "learning_rate",
        Setting::LrDecayRate => "power_t",
        Setting::Hidden => "hidden_layer_sizes",
        Setting::Activation => "activation",
        Setting::Seed => "random_state",
        Setting::Precision => "dtype",
        Setting::Threads => "n_threads",
        Setting::Shuffle => "shuffle",
        Setting::Validation => "validation_fraction",
        Setting::SampleWeight => "sample_weight",
        // TableClassifier's preparation of a table.
        Setting::LabelColumn => "label_column",
        Setting::IndexColumn => "index_column",
        Setting::Features => "features",
        Setting::Drop => "drop",
        Setting::Missing => "missing",
        Setting::Standardize => "standardize",
        Setting::LogSkewed => "log_skewed",
        _ => return None,
    })
}

/// How a Python message names `setting`: its parameter, the package's
/// function for the memory budget (`backprop.set_max_memory`), else its field
/// name.
pub(crate) fn name(setting: Setting) -> String {
    match setting {
        Setting::MaxMemory => "backprop.set_max_memory".to_string(),
        _ => parameter(setting).unwrap_or(setting.key()).to_string(),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    const ESTIMATORS: &str = include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../python/backprop/_estimators.py"
    ));
    const TABLE: &str = include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../python/backprop/_table.py"
    ));

    /// The parameters of the estimators' `__init__` and of `fit`.
    fn python_parameters() -> Vec<String> {
        let mut names = Vec::new();
        let sources = ESTIMATORS.split("def ").chain(TABLE.split("def "));
        for signature in sources.filter(|s| s.contains("):")) {
            let Some((head, _)) = signature.split_once("):") else {
                continue;
            };
            if !(head.starts_with("__init__(") || head.starts_with("fit(")) {
                continue;
            }
            for part in head.split(['(', ',']) {
                let part = part.trim();
                if let Some((p, _)) = part.split_once('=') {
                    names.push(p.trim().to_string());
                } else if !part.is_empty() && part.chars().all(|c| c.is_alphanumeric() || c == '_')
                {
                    names.push(part.to_string());
                }
            }
        }
        names
    }

    #[test]
    fn every_parameter_is_one_the_estimators_take() {
        let taken = python_parameters();
        for p in ["learning_rate_init", "alpha", "max_iter", "sample_weight"] {
            assert!(taken.iter().any(|t| t == p), "{p} not found in {taken:?}");
        }
        let mut mapped = 0;
        for &s in Setting::ALL {
            if let Some(p) = parameter(s) {
                mapped += 1;
                assert!(
                    taken.iter().any(|t| t == p),
                    "{s:?} → {p}: no such parameter"
                );
            }
        }
        assert_eq!(mapped, 32);
    }

    #[test]
    fn each_parameter_names_one_setting_but_max_iter() {
        let mut seen: HashMap<String, Vec<Setting>> = HashMap::new();
        for &s in Setting::ALL {
            seen.entry(name(s)).or_default().push(s);
        }
        for (n, settings) in seen {
            match n.as_str() {
                "max_iter" => assert_eq!(settings, [Setting::Iterations, Setting::Epochs]),
                _ => assert_eq!(settings.len(), 1, "{n} names {settings:?}"),
            }
        }
    }

    #[test]
    fn a_library_error_reads_in_scikit_learns_words() {
        let bad = backprop::GdConfig {
            learning_rate: -1.0,
            ..Default::default()
        };
        let e = bad.validate().unwrap_err();
        assert_eq!(e.render(&name), "learning_rate_init must be > 0, got -1");
        let bad = backprop::GdConfig {
            l2: -1e300,
            ..Default::default()
        };
        let e = bad.validate().unwrap_err();
        assert_eq!(e.render(&name), "alpha must be ≥ 0, got -1e300");
        assert_eq!(name(Setting::Hidden), "hidden_layer_sizes");
        assert_eq!(name(Setting::LabelColumn), "label_column");
    }
}
