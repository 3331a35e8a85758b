//! The playground's words for the library's settings: each [`Setting`] is
//! the field of `POST /api/runs` that sets it ([`super::spec::RunRequest`]),
//! so a library error in a 400 response names the field the page sent:
//! `learning_rate must be > 0, got -1`, `keep_prob`, `epochs`. A setting no
//! field sets keeps the library's field name.

use backprop::Setting;

/// The field of a run's settings that sets `setting`, if one does.
pub fn field(setting: Setting) -> Option<&'static str> {
    Some(match setting {
        Setting::LearningRate => "learning_rate",
        // A playground epoch is one full-batch update or one pass of
        // mini-batches: the library's iterations or epochs, both `epochs`.
        Setting::Iterations | Setting::Epochs => "epochs",
        Setting::BatchSize => "batch_size",
        Setting::L2 => "l2",
        Setting::L1 => "l1",
        Setting::KeepProb => "keep_prob",
        Setting::Optimizer => "optimizer",
        Setting::Hidden => "hidden",
        Setting::Activation => "activation",
        Setting::Init => "init",
        Setting::Seed => "seed",
        // The generated data's classes, and an upload's two feature columns.
        Setting::Classes => "classes",
        Setting::Features => "features",
        _ => return None,
    })
}

/// How a playground message names `setting`: its field, the command line's
/// `--max-memory` for the server's memory budget (set when the server is
/// started), else its field name in the library.
pub fn name(setting: Setting) -> String {
    match setting {
        Setting::MaxMemory => "the playground's --max-memory".to_string(),
        _ => field(setting).unwrap_or(setting.key()).to_string(),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::super::spec::RunRequest;
    use super::*;

    #[test]
    fn every_field_is_one_a_run_takes() {
        let body = serde_json::to_value(RunRequest::default()).unwrap();
        let fields = body.as_object().unwrap();
        let mut mapped = 0;
        for &s in Setting::ALL {
            if let Some(f) = field(s) {
                mapped += 1;
                assert!(fields.contains_key(f), "{s:?} → {f}: no such field");
            }
        }
        assert_eq!(mapped, 14);
    }

    #[test]
    fn each_field_names_one_setting_but_epochs() {
        let mut seen: HashMap<String, Vec<Setting>> = HashMap::new();
        for &s in Setting::ALL {
            seen.entry(name(s)).or_default().push(s);
        }
        for (n, settings) in seen {
            match n.as_str() {
                "epochs" => assert_eq!(settings, [Setting::Iterations, Setting::Epochs]),
                _ => assert_eq!(settings.len(), 1, "{n} names {settings:?}"),
            }
        }
    }

    #[test]
    fn a_library_error_names_the_field() {
        let bad = backprop::GdConfig {
            keep_prob: vec![1.5],
            ..Default::default()
        };
        let e = bad.validate().unwrap_err();
        assert_eq!(e.render(&name), "keep_prob must be in (0, 1], got 1.5");
        let bad = backprop::GdConfig {
            iterations: 0,
            ..Default::default()
        };
        assert_eq!(
            bad.validate().unwrap_err().render(&name),
            "epochs must be at least 1, got 0"
        );
    }
}
