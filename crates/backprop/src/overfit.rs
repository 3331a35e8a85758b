//! A warning when a held-out cost (validation or test) ended well above its
//! minimum: the model overfit after that point. The per-epoch lines show the
//! training cost, which keeps falling, so without this the run looks fine.

use crate::setting::Setting;

/// How far above its minimum a held-out cost may end, relatively, before the
/// run is said to overfit.
const RELATIVE_RISE: f64 = 0.10;

/// And absolutely (in nats): a rise from 0.001 to 0.0012 is noise, not overfitting.
const ABSOLUTE_RISE: f64 = 0.01;

/// A warning when the last of `costs` (iteration or epoch, cost; recorded
/// in order, as [`crate::train::History`] has them) on the held-out `set`
/// ("validation", "test") is more than 10 % and 0.01 above the smallest one,
/// naming both, where the minimum was, and the settings that help (named by
/// their marks: write it with [`crate::Setting::render`]). `None` when the
/// cost ended near its minimum, or fewer than three costs were recorded.
pub fn overfit_warning(set: &str, costs: &[(usize, f64)], per_epoch: bool) -> Option<String> {
    let &(_, last) = costs.last()?;
    let &(at, min) = costs
        .iter()
        .filter(|(_, c)| c.is_finite())
        .min_by(|a, b| a.1.total_cmp(&b.1))?;
    let rose = last - min > ABSOLUTE_RISE && last > min * (1.0 + RELATIVE_RISE);
    if costs.len() < 3 || !last.is_finite() || !rose {
        return None;
    }
    let unit = if per_epoch { "epoch" } else { "iteration" };
    let percent = 100.0 * (last - min) / min;
    Some(format!(
        "the {set} cost ended at {last:.4}, {percent:.0} % above its minimum {min:.4} \
         at {unit} {at}: the model overfit after that. Train for fewer {unit}s ({}), \
         keep the best {unit}'s weights ({} with a {} share), or regularise ({}, {})",
        if per_epoch {
            Setting::Epochs
        } else {
            Setting::Iterations
        },
        Setting::EarlyStopping,
        Setting::Validation,
        Setting::L2,
        Setting::KeepProb,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn costs(values: &[f64]) -> Vec<(usize, f64)> {
        values
            .iter()
            .enumerate()
            .map(|(i, &c)| (10 * i, c))
            .collect()
    }

    #[test]
    fn a_cost_that_rose_well_above_its_minimum_is_named_with_where_it_was_lowest() {
        let w = overfit_warning("test", &costs(&[0.7, 0.5, 0.4, 0.6]), true).unwrap();
        assert!(
            w.starts_with(
                "the test cost ended at 0.6000, 50 % above its minimum 0.4000 at epoch 20"
            ),
            "{w}"
        );
        let flags = Setting::render(&w, &|s: Setting| format!("--{}", s.key().replace('_', "-")));
        assert!(
            flags.contains("(--epochs)")
                && flags.contains("--early-stopping with a --validation share"),
            "{flags}"
        );
        let w = overfit_warning("validation", &costs(&[0.7, 0.5, 0.6]), false).unwrap();
        assert!(
            w.contains("at iteration 10") && w.contains("fewer iterations"),
            "{w}"
        );
    }

    #[test]
    fn a_cost_near_its_minimum_or_a_short_record_says_nothing() {
        // Falling to the end, within 10 %, within 0.01 nats, or only two costs.
        for values in [
            &[0.7, 0.5, 0.4][..],
            &[0.7, 0.5, 0.54],
            &[0.07, 0.005, 0.012],
            &[0.4, 0.9],
            &[],
        ] {
            assert_eq!(
                overfit_warning("test", &costs(values), true),
                None,
                "{values:?}"
            );
        }
    }

    #[test]
    fn a_non_finite_end_is_left_to_the_divergence_report() {
        assert_eq!(
            overfit_warning("test", &costs(&[0.7, 0.5, f64::NAN]), true),
            None
        );
        let w = overfit_warning("test", &costs(&[f64::INFINITY, 0.5, 0.9]), true).unwrap();
        assert!(w.contains("minimum 0.5000 at epoch 10"), "{w}");
    }
}
