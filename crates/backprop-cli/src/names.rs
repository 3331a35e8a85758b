//! The command line's words for the library's settings: each [`Setting`] is
//! the flag that sets it, so a library message (which names settings by their
//! marks, never by a flag) reads as it always has:
//! `--learning-rate must be > 0, got -1`. main.rs renders every
//! `backprop::Error` with [`flag`], and the commands render the library's
//! notes and warnings with it.

use backprop::Setting;

/// The flag that sets `setting`, as a message names it.
pub fn flag(setting: Setting) -> String {
    let named = match setting {
        // The one way to continue a run, so "continue with: backprop train
        // --resume DIR" is a command to copy.
        Setting::Resume => "backprop train --resume",
        Setting::Schedule => "--lr-decay",
        Setting::Shuffle => "--no-shuffle",
        // No flag sets these: leaky-relu's slope is fixed, and the command
        // line weighs every example alike.
        Setting::LeakySlope => "leaky ReLU's slope",
        Setting::SampleWeight => "the sample weights",
        other => return format!("--{}", other.key().replace('_', "-")),
    };
    named.to_string()
}

/// `text` from the library (a note, a warning, a skipped file's reason) with
/// its settings named by their flags.
pub fn render(text: &str) -> String {
    Setting::render(text, &flag)
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeSet, HashSet};

    use clap::CommandFactory;

    use super::*;
    use crate::flags::Cli;

    /// Every long flag of every command, `--` included.
    fn long_flags() -> BTreeSet<String> {
        let cli = Cli::command();
        let commands = std::iter::once(&cli).chain(cli.get_subcommands());
        commands
            .flat_map(|c| c.get_arguments().filter_map(|a| a.get_long()))
            .map(|long| format!("--{long}"))
            .collect()
    }

    #[test]
    fn every_setting_is_named_by_a_flag_the_cli_has() {
        let flags = long_flags();
        let no_flag = [Setting::LeakySlope, Setting::SampleWeight];
        let mut names = HashSet::new();
        for &s in Setting::ALL {
            let name = flag(s);
            assert!(
                names.insert(name.clone()),
                "{s:?}: {name} names two settings"
            );
            if no_flag.contains(&s) {
                assert!(!name.contains("--"), "{s:?}: {name}");
                continue;
            }
            let last = name.split(' ').next_back().unwrap_or_default();
            assert!(
                flags.contains(last),
                "{s:?}: {name} is no flag of backprop ({flags:?})"
            );
        }
        assert_eq!(flag(Setting::LearningRate), "--learning-rate");
        assert_eq!(flag(Setting::L2), "--l2");
        assert_eq!(flag(Setting::Hidden), "--hidden");
        assert_eq!(flag(Setting::MaxMemory), "--max-memory");
        assert_eq!(flag(Setting::Out), "--out");
    }

    #[test]
    fn a_library_error_reads_with_flags() {
        let bad = backprop::GdConfig {
            learning_rate: -1.0,
            ..Default::default()
        };
        let e = bad.validate().unwrap_err();
        assert_eq!(e.render(&flag), "--learning-rate must be > 0, got -1");
        let stopped = backprop::Error::Interrupted {
            out: "runs/a".into(),
            at: 7,
            epochs: false,
        };
        assert!(
            stopped
                .render(&flag)
                .ends_with("continue with: backprop train --resume runs/a"),
            "{}",
            stopped.render(&flag)
        );
        let note = format!("choose the side with {}", Setting::ImageSize);
        assert_eq!(render(&note), "choose the side with --image-size");
    }
}
