//! How a run's training cost is going, read off its recorded costs: still
//! learning, diverging (the cost far above where it started, though still
//! finite: a NaN or infinite cost is [`crate::Error::Diverged`] and stops the
//! run), or stalled (the cost has hardly moved from its start). The one rule
//! every door shows: the playground labels its runs with it, as they train.
//!
//! ```
//! use backprop::engine::Trend;
//!
//! let falling = [(0, 0.69), (1, 0.6), (2, 0.4)];
//! assert_eq!(Trend::of(&falling), Trend::Learning);
//! let exploding = [(0, 0.69), (1, 3.0), (2, 2e65)];
//! assert!(matches!(Trend::of(&exploding), Trend::Diverging { at: 2, .. }));
//! ```

use serde::Serialize;

use crate::setting::{compact, Setting};

/// A cost this many times its start is diverging: an untrained network's
/// cross-entropy is the cost of a guess, and twice it is worse than guessing.
pub const DIVERGING_RISE: f64 = 2.0;
/// Units recorded before a run can be called stalled.
pub const STALL_UNITS: usize = 100;
/// A run whose best cost is within this share of its start has stalled.
pub const STALL_SHARE: f64 = 0.01;

/// Where a run's cost is heading.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(tag = "trend", rename_all = "lowercase")]
pub enum Trend {
    /// Falling, or too early to say.
    Learning,
    /// The cost is over `DIVERGING_RISE` (2) × its start, or back at its
    /// start after falling to half of it.
    Diverging {
        /// The last unit recorded.
        at: usize,
        /// Its cost.
        cost: f64,
        /// The cost at unit 0.
        start: f64,
    },
    /// The best cost is within `STALL_SHARE` (1 %) of its start.
    Stalled {
        /// The last unit recorded.
        at: usize,
        /// The lowest cost recorded.
        best: f64,
        /// The cost at unit 0.
        start: f64,
    },
}

impl Trend {
    /// The trend of the recorded (unit, cost) pairs, unit 0 (before the first
    /// update) first. Non-finite costs are the engine's to stop on; here they
    /// are skipped. A run read again and again as it trains keeps a
    /// [`TrendWatch`] instead, which reads each record once.
    pub fn of(costs: &[(usize, f64)]) -> Trend {
        let mut watch = TrendWatch::default();
        watch.update(costs);
        watch.trend()
    }

    /// The rule, on the first and last finite records and the lowest cost.
    fn rule((first, start): (usize, f64), (at, cost): (usize, f64), best: f64) -> Trend {
        if at == first || start <= 0.0 {
            return Trend::Learning;
        }
        let relapsed = cost >= start && best <= 0.5 * start;
        if cost > DIVERGING_RISE * start || relapsed {
            return Trend::Diverging { at, cost, start };
        }
        if at - first >= STALL_UNITS && best >= (1.0 - STALL_SHARE) * start {
            return Trend::Stalled { at, best, start };
        }
        Trend::Learning
    }

    /// "learning", "diverging" or "stalled".
    pub fn name(&self) -> &'static str {
        match self {
            Trend::Learning => "learning",
            Trend::Diverging { .. } => "diverging",
            Trend::Stalled { .. } => "stalled",
        }
    }

    /// What the trend means and what to try, with the settings as marks
    /// (a door renders them, [`Setting::render`]); `unit` is "epoch" or
    /// "iteration", `learning_rate` the run's. None while learning.
    pub fn note(&self, unit: &str, learning_rate: f64) -> Option<String> {
        let rate = format!("{} {}", Setting::LearningRate, compact(learning_rate));
        match *self {
            Trend::Learning => None,
            Trend::Diverging { at, cost, start } => Some(format!(
                "diverging: the cost rose from {} at {unit} 0 to {} at {unit} {at}; the steps overshoot: \
                 try a smaller {rate}",
                short(start),
                short(cost)
            )),
            Trend::Stalled { at, best, start } => Some(format!(
                "no progress: in {at} {unit}s the cost fell less than {}% (from {} to {}); \
                 try a larger {rate}, or another init or activation",
                STALL_SHARE * 100.0,
                short(start),
                short(best)
            )),
        }
    }
}

/// A run's [`Trend`] kept as its costs are recorded: the first and last
/// finite records and the lowest cost so far, so each new record is read
/// once, however long the run (the playground reads its run's trend at
/// every frame). It labels as [`Trend::of`] the whole history does.
///
/// ```
/// use backprop::engine::{Trend, TrendWatch};
///
/// let mut costs = vec![(0, 0.69), (1, 0.6)];
/// let mut watch = TrendWatch::default();
/// watch.update(&costs);
/// costs.extend([(2, 3.0), (3, 2e65)]); // the history grows
/// watch.update(&costs); // reads the two new records only
/// assert_eq!(watch.trend(), Trend::of(&costs));
/// assert_eq!(watch.trend().name(), "diverging");
/// ```
#[derive(Clone, Debug, Default)]
pub struct TrendWatch {
    /// The first and the last finite (unit, cost) read.
    first: Option<(usize, f64)>,
    last: Option<(usize, f64)>,
    /// The lowest finite cost read (∞ before any).
    best: Option<f64>,
    /// How many records of the history have been read.
    read: usize,
}

impl TrendWatch {
    /// Reads the records of `costs` (a run's whole history so far, which
    /// only grows) after those already read; a shorter history than was
    /// read (another run's) is read from its start.
    pub fn update(&mut self, costs: &[(usize, f64)]) {
        if costs.len() < self.read {
            *self = TrendWatch::default();
        }
        for &(unit, cost) in &costs[self.read..] {
            self.push(unit, cost);
        }
        self.read = costs.len();
    }

    /// Reads one record (a non-finite cost is skipped, as [`Trend::of`] skips it).
    fn push(&mut self, unit: usize, cost: f64) {
        if !cost.is_finite() {
            return;
        }
        self.first.get_or_insert((unit, cost));
        self.last = Some((unit, cost));
        self.best = Some(self.best.map_or(cost, |b| b.min(cost)));
    }

    /// The trend of the records read so far.
    pub fn trend(&self) -> Trend {
        match (self.first, self.last, self.best) {
            (Some(first), Some(last), Some(best)) => Trend::rule(first, last, best),
            _ => Trend::Learning,
        }
    }
}

/// A cost in four significant digits (`0.6931`, `2.113e65`).
fn short(v: f64) -> String {
    if v != 0.0 && !(1e-3..1e5).contains(&v.abs()) {
        format!("{v:.3e}")
    } else {
        format!("{}", (v * 1e4).round() / 1e4)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn curve(f: impl Fn(usize) -> f64, n: usize) -> Vec<(usize, f64)> {
        (0..=n).map(|i| (i, f(i))).collect()
    }

    #[test]
    fn a_falling_cost_is_learning_and_too_early_is_learning() {
        assert_eq!(
            Trend::of(&curve(|i| 0.69 / (1.0 + i as f64), 3000)),
            Trend::Learning
        );
        assert_eq!(Trend::of(&[]), Trend::Learning);
        assert_eq!(Trend::of(&[(0, 0.69)]), Trend::Learning);
        // Flat for fewer than STALL_UNITS units: too early to call.
        assert_eq!(
            Trend::of(&curve(|_| 0.69, STALL_UNITS - 1)),
            Trend::Learning
        );
    }

    #[test]
    fn a_cost_far_above_its_start_is_diverging_and_says_so() {
        let t = Trend::of(&curve(|i| if i == 0 { 0.6932 } else { 2.113e65 }, 3000));
        assert_eq!(t.name(), "diverging");
        let note = t.note("epoch", 50.0).unwrap();
        assert_eq!(
            Setting::render(&note, &|s| s.key().to_uppercase()),
            "diverging: the cost rose from 0.6932 at epoch 0 to 2.113e65 at epoch 3000; \
             the steps overshoot: try a smaller LEARNING_RATE 50"
        );
        // Fell to a tenth, then came back above the start: diverging too.
        let relapse = [(0, 0.7), (1, 0.07), (2, 0.71)];
        assert!(matches!(
            Trend::of(&relapse),
            Trend::Diverging { at: 2, .. }
        ));
        // Just under twice the start, having never fallen far: not yet.
        assert_eq!(Trend::of(&[(0, 0.7), (1, 1.39)]), Trend::Learning);
        // NaN records are the engine's business: the finite ones decide.
        let nan = [(0, 0.7), (1, 0.5), (2, f64::NAN)];
        assert_eq!(Trend::of(&nan), Trend::Learning);
    }

    /// The rule as `Trend::of` applied it before the watch: a scan of the
    /// whole history at every call.
    fn scanned(costs: &[(usize, f64)]) -> Trend {
        let finite = || costs.iter().filter(|(_, c)| c.is_finite());
        let (Some(&first), Some(&last)) = (finite().next(), finite().next_back()) else {
            return Trend::Learning;
        };
        let best = finite().map(|&(_, c)| c).fold(f64::INFINITY, f64::min);
        Trend::rule(first, last, best)
    }

    /// The watch, fed a history in pieces of every size from 1 to 7, labels
    /// each prefix as the full scan of it did: on falling, exploding,
    /// relapsing, flat and slow curves, NaN and ∞ records among them, a
    /// start of 0, and 40 seeded random walks.
    #[test]
    fn the_watch_labels_every_prefix_as_the_full_scan_did() {
        let mut curves = vec![
            curve(|i| 0.69 / (1.0 + i as f64), 300),
            curve(|i| if i == 0 { 0.6932 } else { 2.113e65 }, 300),
            vec![
                (0, 0.7),
                (1, 0.07),
                (2, f64::NAN),
                (3, 0.71),
                (4, f64::INFINITY),
            ],
            curve(|i| 0.6932 - 1e-6 * i as f64, 300),
            curve(|i| 0.6932 * (1.0 - 0.02 * i as f64 / 300.0), 300),
            vec![(0, f64::NAN), (1, 0.0), (2, 0.5)],
            vec![(0, 0.0), (5, 1.0)],
        ];
        let mut seed = 12345u64;
        for _ in 0..40 {
            let mut cost = 0.7;
            let walk = (0..250).map(|i| {
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                let step = (seed >> 11) as f64 / (1u64 << 53) as f64 - 0.52;
                cost = (cost * (1.0 + 0.3 * step)).max(1e-9);
                (i, if seed % 97 == 0 { f64::NAN } else { cost })
            });
            curves.push(walk.collect());
        }
        let mut labels = std::collections::HashSet::new();
        for costs in &curves {
            for piece in 1..=7 {
                let mut watch = TrendWatch::default();
                let mut k = 0;
                while k < costs.len() {
                    k = (k + piece).min(costs.len());
                    watch.update(&costs[..k]);
                    assert_eq!(watch.trend(), scanned(&costs[..k]), "{:?}", &costs[..k]);
                    labels.insert(watch.trend().name());
                }
            }
        }
        assert_eq!(labels.len(), 3, "every label was met: {labels:?}");
        // Another, shorter history is read from its start.
        let mut watch = TrendWatch::default();
        watch.update(&curves[1]);
        watch.update(&curves[0][..5]);
        assert_eq!(watch.trend(), scanned(&curves[0][..5]));
    }

    #[test]
    fn a_cost_that_barely_moves_is_stalled_and_a_slow_fall_is_not() {
        let flat = curve(|i| 0.6932 - 1e-6 * i as f64, 3000);
        let t = Trend::of(&flat);
        assert!(matches!(t, Trend::Stalled { at: 3000, .. }), "{t:?}");
        let note = t.note("epoch", 1e-5).unwrap();
        assert!(
            note.starts_with(
                "no progress: in 3000 epochs the cost fell less than 1% (from 0.6932 to 0.6902)"
            ),
            "{note}"
        );
        // 2 % down over the run: slow, but learning.
        let slow = curve(|i| 0.6932 * (1.0 - 0.02 * i as f64 / 3000.0), 3000);
        assert_eq!(Trend::of(&slow), Trend::Learning);
        assert_eq!(Trend::Learning.note("epoch", 1.0), None);
    }
}
