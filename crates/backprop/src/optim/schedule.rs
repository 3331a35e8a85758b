//! Learning-rate schedules (the course's forms), as functions of the epoch
//! number (from 0; with full-batch training an epoch is an iteration).

use serde::{Deserialize, Serialize};

/// How α changes over the epochs.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "name")]
pub enum LrSchedule {
    /// α stays α₀.
    None,
    /// α = α₀ / (1 + rate·epoch).
    InverseTime {
        /// The decay rate.
        rate: f64,
    },
    /// α = α₀ · rate^epoch (rate < 1, e.g. 0.95).
    Exponential {
        /// The factor per epoch.
        rate: f64,
    },
    /// α = α₀ / (1 + rate·⌊epoch / interval⌋) (the course's "scheduled" decay).
    Step {
        /// The decay rate.
        rate: f64,
        /// Epochs between decays.
        interval: usize,
    },
}

impl LrSchedule {
    /// α at `epoch` for a base rate α₀.
    pub fn at(&self, base: f64, epoch: usize) -> f64 {
        let e = epoch as f64;
        match *self {
            LrSchedule::None => base,
            LrSchedule::InverseTime { rate } => base / (1.0 + rate * e),
            LrSchedule::Exponential { rate } => base * rate.powf(e),
            LrSchedule::Step { rate, interval } => {
                base / (1.0 + rate * (epoch / interval.max(1)) as f64)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn course_schedules() {
        // update_lr(0.5, epoch_num=2, decay_rate=1) = 0.5 / 3
        assert_eq!(LrSchedule::InverseTime { rate: 1.0 }.at(0.5, 2), 0.5 / 3.0);
        // schedule_lr_decay(0.5, epoch_num=100, decay_rate=0.3, time_interval=1000) = 0.5
        assert_eq!(
            LrSchedule::Step {
                rate: 0.3,
                interval: 1000
            }
            .at(0.5, 100),
            0.5
        );
        // schedule_lr_decay(0.5, epoch_num=2000, decay_rate=0.3, time_interval=1000) = 0.5 / 1.6
        assert_eq!(
            LrSchedule::Step {
                rate: 0.3,
                interval: 1000
            }
            .at(0.5, 2000),
            0.5 / 1.6
        );
        assert_eq!(LrSchedule::Exponential { rate: 0.5 }.at(1.0, 3), 0.125);
        assert_eq!(LrSchedule::None.at(0.1, 7), 0.1);
    }
}
