//! What a training set was — its size, columns, classes and a hash of its
//! values — recorded in a run's checkpoints so that `--resume` refuses data
//! that changed since (columns reordered, classes renamed, rows dropped or
//! edited): the weights would meet inputs they were not trained on, and the
//! resumed run would not be the interrupted one continued.

use serde::{Deserialize, Serialize};

use std::sync::atomic::{AtomicBool, Ordering};

use super::Dataset;
use crate::error::Error;

/// A training set's fingerprint (see the module's doc).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct Fingerprint {
    examples: usize,
    features: usize,
    feature_names: Option<Vec<String>>,
    classes: Vec<String>,
    /// A 64-bit hash of X and Y's values, in hex.
    values: String,
}

impl Fingerprint {
    /// The fingerprint of `d` as the run sees it (after any split and
    /// standardisation); [`Error::Stopped`] once `stop` (the run's stop flag)
    /// is set meanwhile.
    pub(crate) fn of(d: &Dataset, stop: Option<&AtomicBool>) -> Result<Self, Error> {
        let mut h = Hash::new();
        let words = d.x.iter().chain(d.y.iter()).map(|v| v.to_bits());
        for (i, w) in words.enumerate() {
            if i % POLL_EVERY == 0 && stop.is_some_and(|s| s.load(Ordering::Relaxed)) {
                return Err(Error::Stopped {
                    phase: format!("hashing {}", d.source.display()),
                });
            }
            h.add(w);
        }
        Ok(Fingerprint {
            examples: d.examples(),
            features: d.features(),
            feature_names: d.preprocessing.feature_names.clone(),
            classes: d.classes.clone(),
            values: format!("{:016x}", h.0),
        })
    }

    /// What differs in `now` from `self`, in words; `None` when nothing does.
    pub(crate) fn difference(&self, now: &Fingerprint) -> Option<String> {
        if self.feature_names != now.feature_names {
            let names = |n: &Option<Vec<String>>| n.as_ref().map(|n| n.join(", "));
            return Some(format!(
                "its feature columns were [{}], now [{}]",
                names(&self.feature_names).unwrap_or_default(),
                names(&now.feature_names).unwrap_or_default()
            ));
        }
        if self.classes != now.classes {
            return Some(format!(
                "its classes were [{}], now [{}]",
                self.classes.join(", "),
                now.classes.join(", ")
            ));
        }
        if (self.examples, self.features) != (now.examples, now.features) {
            return Some(format!(
                "it had {} examples of {} features, now {} of {}",
                self.examples, self.features, now.examples, now.features
            ));
        }
        (self.values != now.values).then(|| "its values changed".to_string())
    }
}

/// Values hashed between two polls of the stop flag (about a millisecond).
const POLL_EVERY: usize = 1 << 20;

/// FNV-style, a whole word per step, rotated first so that every bit of a
/// word reaches every bit of the hash: a change detector, not a
/// cryptographic hash (it guards against an edited file, not an adversary).
struct Hash(u64);

impl Hash {
    fn new() -> Self {
        Hash(0xcbf2_9ce4_8422_2325)
    }

    fn add(&mut self, w: u64) {
        const PRIME: u64 = 0x0000_0100_0000_01b3;
        self.0 = (self.0.rotate_left(29) ^ w).wrapping_mul(PRIME);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::Preprocessing;
    use ndarray::array;

    fn set(x: ndarray::Array2<f64>, names: &[&str], classes: &[&str]) -> Dataset {
        let m = x.ncols();
        Dataset {
            source: "d.csv".into(),
            x,
            y: ndarray::Array2::from_shape_fn((1, m), |(_, j)| (j % 2) as f64),
            classes: classes.iter().map(|c| c.to_string()).collect(),
            preprocessing: Preprocessing {
                feature_names: Some(names.iter().map(|n| n.to_string()).collect()),
                ..Preprocessing::default()
            },
            skipped: Vec::new(),
            notes: Vec::new(),
        }
    }

    #[test]
    fn the_same_data_matches_and_each_change_is_named() {
        let x = array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]];
        let base = Fingerprint::of(&set(x.clone(), &["a", "b"], &["no", "yes"]), None).unwrap();
        assert_eq!(
            base.difference(
                &Fingerprint::of(&set(x.clone(), &["a", "b"], &["no", "yes"]), None).unwrap()
            ),
            None
        );
        let changed = [
            (
                set(x.clone(), &["b", "a"], &["no", "yes"]),
                "feature columns were [a, b], now [b, a]",
            ),
            (
                set(x.clone(), &["a", "b"], &["0", "1"]),
                "classes were [no, yes], now [0, 1]",
            ),
            (
                set(
                    x.slice(ndarray::s![.., ..2]).to_owned(),
                    &["a", "b"],
                    &["no", "yes"],
                ),
                "3 examples of 2 features, now 2 of 2",
            ),
            (
                set(
                    array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.5]],
                    &["a", "b"],
                    &["no", "yes"],
                ),
                "values changed",
            ),
        ];
        for (d, words) in changed {
            let got = base.difference(&Fingerprint::of(&d, None).unwrap());
            assert!(got.as_deref().is_some_and(|g| g.contains(words)), "{got:?}");
        }
    }
}
