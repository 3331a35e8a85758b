//! Weighing examples by their class, with scikit-learn's meaning of
//! `class_weight`: "balanced" weighs class c by n / (k · n_c) (n examples, k
//! classes present, n_c of class c), a table of weights by name weighs each
//! class as it says (a class it does not name: 1). The weights become the
//! per-example sample weights the engine already takes (J = Σ wᵢ·lᵢ / Σ wᵢ):
//! one road for both.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::setting::{Problem, Setting};

/// How a training set's examples are weighted by class.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClassWeight {
    /// Class c weighs n / (k · n_c): every class counts as much in the cost.
    Balanced,
    /// Each named class's weight (finite, ≥ 0); a class not named weighs 1.
    Given(Vec<(String, f64)>),
}

impl ClassWeight {
    /// Reads a table of weights: a CSV file with a header and two columns,
    /// the class's name and its weight (`class,weight` / `yes,4` / `no,1`).
    pub fn read(path: &Path) -> Result<ClassWeight, Error> {
        crate::data::check_exists(path)?;
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        let mut given = Vec::new();
        for (i, line) in text.lines().enumerate().skip(1) {
            if line.trim().is_empty() {
                continue;
            }
            let bad = |why: &str| {
                Error::format(
                    path,
                    format!("line {}: {why}; write one 'class,weight' per line", i + 1),
                )
            };
            let (class, weight) = line.rsplit_once(',').ok_or_else(|| bad("no comma"))?;
            let weight: f64 = (weight.trim().parse().ok())
                .filter(|w: &f64| w.is_finite() && *w >= 0.0)
                .ok_or_else(|| bad(&format!("'{}' is not a weight ≥ 0", weight.trim())))?;
            let class = class.trim().trim_matches('"').to_string();
            if given.iter().any(|(c, _)| *c == class) {
                return Err(bad(&format!("the class '{class}' is named twice")));
            }
            given.push((class, weight));
        }
        if given.is_empty() {
            return Err(Error::format(
                path,
                "names no class; write 'class,weight' lines under the header",
            ));
        }
        Ok(ClassWeight::Given(given))
    }

    /// Refuses weights that are not finite and ≥ 0 (a configuration read back).
    pub fn validate(&self) -> Result<(), Error> {
        match self {
            ClassWeight::Given(given) => {
                match given.iter().find(|(_, w)| !(w.is_finite() && *w >= 0.0)) {
                    Some((class, w)) => Err(Problem::range(
                        Setting::ClassWeight,
                        format!("finite and ≥ 0 (class '{class}')"),
                        w,
                    )
                    .into()),
                    None => Ok(()),
                }
            }
            ClassWeight::Balanced => Ok(()),
        }
    }

    /// Each example's weight, from its class number (`labels`, indices into
    /// `classes`); refuses a table naming a class the data does not have.
    pub fn example_weights(&self, labels: &[usize], classes: &[String]) -> Result<Vec<f64>, Error> {
        let per_class = match self {
            ClassWeight::Balanced => balanced(labels, classes.len()),
            ClassWeight::Given(given) => given_weights(given, classes)?,
        };
        Ok(labels.iter().map(|&c| per_class[c]).collect())
    }
}

/// n / (k · n_c) for each class c with examples (k: how many have some).
fn balanced(labels: &[usize], classes: usize) -> Vec<f64> {
    let mut counts = vec![0usize; classes];
    for &c in labels {
        counts[c] += 1;
    }
    let present = counts.iter().filter(|&&n| n > 0).count() as f64;
    let n = labels.len() as f64;
    counts
        .iter()
        .map(|&n_c| {
            if n_c == 0 {
                0.0
            } else {
                n / (present * n_c as f64)
            }
        })
        .collect()
}

/// Each class's weight from the table (1 where it names none).
fn given_weights(given: &[(String, f64)], classes: &[String]) -> Result<Vec<f64>, Error> {
    if let Some((unknown, _)) = given.iter().find(|(c, _)| !classes.contains(c)) {
        let setting = Setting::ClassWeight;
        return Err(Problem::other(
            setting,
            format!(
                "{setting} names the class '{unknown}', which the training data does not have (classes: {})",
                classes.join(", ")
            ),
        )
        .into());
    }
    Ok(classes
        .iter()
        .map(|c| given.iter().find(|(g, _)| g == c).map_or(1.0, |(_, w)| *w))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn balanced_is_scikit_learns_n_over_k_n_c() {
        // 6 of class 0, 2 of class 1: 8/(2·6) and 8/(2·2).
        let labels = [0, 0, 1, 0, 0, 1, 0, 0];
        let classes = ["a".to_string(), "b".to_string()];
        let w = ClassWeight::Balanced
            .example_weights(&labels, &classes)
            .unwrap();
        let (a, b) = (8.0 / 12.0, 8.0 / 4.0);
        assert_eq!(w, [a, a, b, a, a, b, a, a]);
        // Each class's total weight is n / k.
        assert_eq!(w.iter().sum::<f64>(), 8.0);
    }

    #[test]
    fn a_table_weighs_the_classes_it_names_and_refuses_others() {
        let classes = ["no".to_string(), "yes".to_string()];
        let given = ClassWeight::Given(vec![("yes".into(), 4.0)]);
        assert_eq!(
            given.example_weights(&[0, 1, 1], &classes).unwrap(),
            [1.0, 4.0, 4.0]
        );
        let wrong = ClassWeight::Given(vec![("Yes".into(), 4.0)]);
        let e = wrong
            .example_weights(&[0, 1], &classes)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains(
                "names the class 'Yes', which the training data does not have (classes: no, yes)"
            ),
            "{e}"
        );
        let negative = ClassWeight::Given(vec![("no".into(), -1.0)]);
        assert!(negative.validate().is_err());
    }
}
