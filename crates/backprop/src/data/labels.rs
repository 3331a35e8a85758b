//! Class labels as users have them: the distinct values of a label column,
//! numbers or strings, in sorted order (scikit-learn's `classes_`), and the
//! checks that a set of labels can be trained on (two classes or more, not a
//! regression target, no class without an example).

use std::collections::HashMap;
use std::path::Path;

use super::cells::{Cell, Table};
use super::Dataset;
use crate::error::Error;
use crate::setting::Setting;

/// A label cell's class name: a number is written canonically (`1`, `1.0` and
/// `1e0` are the class `1`, in a file or a numeric column), anything else as
/// it is.
pub(crate) fn class_name(cell: Cell<'_>) -> String {
    match cell {
        Cell::Text(text) => canonical(text),
        Cell::Number(v) => number_name(v).unwrap_or_else(|| cell.to_string()),
    }
}

/// The label column `j` of `t` as class names: the distinct names (in the
/// order first met) and each row's, as an index into them. A text is named
/// once however many rows hold it.
pub(crate) fn class_codes(t: &dyn Table, j: usize) -> (Vec<String>, Vec<u32>) {
    let (mut by_text, mut by_name) = (HashMap::new(), HashMap::new());
    let mut names: Vec<String> = Vec::new();
    let mut code_of = |name: String| {
        let next = names.len() as u32;
        *by_name.entry(name).or_insert_with_key(|n: &String| {
            names.push(n.clone());
            next
        })
    };
    let codes = (0..t.rows())
        .map(|r| match t.cell(r, j) {
            Cell::Text(text) => match by_text.get(text) {
                Some(&code) => code,
                None => {
                    let code = code_of(canonical(text));
                    by_text.insert(text, code);
                    code
                }
            },
            number => code_of(class_name(number)),
        })
        .collect();
    (names, codes)
}

/// A label written as text: [`class_name`]'s rule.
fn canonical(cell: &str) -> String {
    cell.parse::<f64>()
        .ok()
        .and_then(number_name)
        .unwrap_or_else(|| cell.to_string())
}

/// A finite number as a class name: whole ones without a fraction.
fn number_name(v: f64) -> Option<String> {
    match v {
        v if v.is_finite() && v.fract() == 0.0 && v.abs() < 1e15 => Some(format!("{}", v as i64)),
        v if v.is_finite() => Some(format!("{v}")),
        _ => None,
    }
}

/// The sorted distinct classes of `names`: by value when every one is a
/// number (2 before 10), as text otherwise.
pub(crate) fn sorted_classes(names: &[String]) -> Vec<String> {
    let mut classes: Vec<String> = names.to_vec();
    classes.sort();
    classes.dedup();
    let numbers: Option<Vec<f64>> = classes.iter().map(|c| c.parse::<f64>().ok()).collect();
    if let Some(values) = numbers {
        let mut pairs: Vec<(f64, String)> = values.into_iter().zip(classes).collect();
        pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
        classes = pairs.into_iter().map(|(_, c)| c).collect();
    }
    classes
}

/// Labels that many distinct numbers are a quantity to predict, not classes:
/// more than this many distinct values…
const REGRESSION_DISTINCT: usize = 20;
/// …with fewer than this many examples per value on average.
const REGRESSION_PER_CLASS: usize = 5;

impl Dataset {
    /// Checks that this set can train a classifier: at least two classes,
    /// labels that are not a regression target. `column` names the labels
    /// in messages (a CSV column; `None` for arrays).
    pub fn check_trainable(&self, column: Option<&str>) -> Result<(), Error> {
        let what = match column {
            Some(c) => format!("column '{c}'"),
            None => "the labels".to_string(),
        };
        let k = self.classes.len();
        if k < 2 {
            let only = self.classes.first().cloned().unwrap_or_default();
            return Err(Error::format(
                &self.source,
                format!(
                    "{what} has one class only ('{only}'); a classifier needs examples of two \
                     classes or more"
                ),
            ));
        }
        if k > super::MAX_CLASSES {
            return Err(Error::format(
                &self.source,
                format!(
                    "{what} has {k} distinct values; backprop trains at most {} classes",
                    super::MAX_CLASSES
                ),
            ));
        }
        let numeric = self.classes.iter().all(|c| c.parse::<f64>().is_ok());
        let fractional = self
            .classes
            .iter()
            .any(|c| c.parse::<f64>().is_ok_and(|v| v.fract() != 0.0));
        if numeric
            && k > REGRESSION_DISTINCT
            && (fractional || k * REGRESSION_PER_CLASS > self.examples())
        {
            return Err(Error::format(
                &self.source,
                format!(
                    "backprop classifies; {what} has {k} distinct values, which looks like a \
                     quantity to predict (regression), not classes; choose a column of classes \
                     with {}",
                    Setting::LabelColumn
                ),
            ));
        }
        Ok(())
    }

    /// Drops classes without an example and numbers the rest 0…K−1 in order
    /// (labels {0, 3} make two classes "0" and "3", not four).
    pub fn drop_empty_classes(&mut self) {
        let mut used = vec![false; self.classes.len()];
        for &v in self.y.iter() {
            if let Some(u) = used.get_mut(v as usize) {
                *u = true;
            }
        }
        if used.iter().all(|&u| u) {
            return;
        }
        let mut new_index = vec![0usize; used.len()];
        let mut kept = Vec::new();
        for (c, name) in self.classes.iter().enumerate() {
            if used[c] {
                new_index[c] = kept.len();
                kept.push(name.clone());
            }
        }
        self.y.mapv_inplace(|v| new_index[v as usize] as f64);
        self.classes = kept;
    }

    /// Makes `positive` the second class (label 1) of a two-class set, as
    /// `--positive` asks.
    pub fn choose_positive(&mut self, positive: &str, flag_path: &Path) -> Result<(), Error> {
        let Some(p) = self.classes.iter().position(|c| c == positive) else {
            return Err(Error::format(
                flag_path,
                format!(
                    "has no class '{positive}' (classes: {}); fix {}",
                    self.classes.join(", "),
                    Setting::Positive
                ),
            ));
        };
        if self.classes.len() != 2 {
            return Err(Error::format(
                flag_path,
                format!(
                    "has {} classes; {} chooses between two",
                    self.classes.len(),
                    Setting::Positive
                ),
            ));
        }
        if p == 0 {
            self.classes.swap(0, 1);
            self.y.mapv_inplace(|v| 1.0 - v);
        }
        Ok(())
    }

    /// Renumbers the labels into `classes` (a model's, or the training set's)
    /// by name; a label those classes do not have is an error naming it.
    pub fn use_classes(&mut self, classes: &[String]) -> Result<(), Error> {
        if self.classes == classes {
            return Ok(());
        }
        let mut map = Vec::with_capacity(self.classes.len());
        for name in &self.classes {
            map.push(classes.iter().position(|c| c == name));
        }
        if let Some(j) = self
            .y
            .iter()
            .position(|&v| map.get(v as usize).is_none_or(|m| m.is_none()))
        {
            let name = self
                .classes
                .get(self.y[(0, j)] as usize)
                .cloned()
                .unwrap_or_default();
            return Err(Error::format(
                &self.source,
                format!(
                    "example {j} has the class '{name}', which the training data does not have \
                     (classes: {})",
                    classes.join(", ")
                ),
            ));
        }
        self.y
            .mapv_inplace(|v| map[v as usize].expect("checked above") as f64);
        self.classes = classes.to_vec();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_one_class_however_written_and_sort_by_value() {
        assert_eq!(canonical("1.0"), "1");
        assert_eq!(canonical("1e0"), "1");
        assert_eq!(canonical("0.5"), "0.5");
        assert_eq!(canonical("setosa"), "setosa");
        assert_eq!(class_name(Cell::Number(2.0)), "2");
        assert_eq!(class_name(Cell::Number(0.5)), "0.5");
        assert_eq!(class_name(Cell::Text("2.0")), "2");
        let names: Vec<String> = ["10", "2", "2", "-1"].map(String::from).to_vec();
        assert_eq!(sorted_classes(&names), ["-1", "2", "10"]);
        let names: Vec<String> = ["b", "a", "10", "a"].map(String::from).to_vec();
        assert_eq!(sorted_classes(&names), ["10", "a", "b"]);
    }
}
