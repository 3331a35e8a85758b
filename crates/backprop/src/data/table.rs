//! How a table's columns become features, learned from the training table and
//! stored in model.json ([`TableSpec`]), so `--test`, `predict` and `evaluate`
//! make any table with those columns — in any order, with extra ones — into
//! the same X: numbers as they are, string columns one-hot over the training
//! set's categories, missing cells refused, dropped or filled as in training.

use serde::{Deserialize, Serialize};

use super::cells::{Table, Value};
use crate::error::Error;
use crate::setting::Setting;

/// What to do with missing cells (empty, `NA`, `NaN`, …: pandas' markers).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Missing {
    /// Refuse the table, giving the count and the first position (the default).
    #[default]
    Refuse,
    /// Drop the rows that have one.
    Drop,
    /// Fill numbers with the training mean, categories with the most frequent value.
    Mean,
}

impl std::str::FromStr for Missing {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "refuse" => Ok(Missing::Refuse),
            "drop" => Ok(Missing::Drop),
            "mean" => Ok(Missing::Mean),
            other => Err(format!(
                "unknown missing-cell choice '{other}' (expected refuse, drop or mean)"
            )),
        }
    }
}

/// A string column with more distinct values than this…
const MOSTLY_DISTINCT: usize = 20;

/// The columns of a training table, in the order their features take in X.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TableSpec {
    /// The label column's name.
    pub label_column: String,
    /// The column of row ids (pandas' index), shown by `predict`; not a feature.
    #[serde(default)]
    pub index_column: Option<String>,
    /// The feature columns.
    pub columns: Vec<ColumnSpec>,
    /// How missing cells were treated in training (and are in new tables).
    #[serde(default)]
    pub missing: Missing,
}

/// One feature column of a table.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ColumnSpec {
    /// The header name.
    pub name: String,
    /// A string column's categories (sorted), one 0/1 feature each; absent for numbers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub categories: Option<Vec<String>>,
    /// `--missing mean`: what fills a missing cell (the training mean, or the
    /// most frequent category).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fill: Option<Fill>,
}

/// A missing cell's replacement.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Fill {
    /// A numeric column's training mean.
    Number(f64),
    /// A string column's most frequent category.
    Category(String),
}

impl ColumnSpec {
    /// How many features the column makes.
    pub fn width(&self) -> usize {
        self.categories.as_ref().map_or(1, Vec::len)
    }

    /// The names of its features: the column's, or `column=category` for each category.
    pub fn feature_names(&self) -> Vec<String> {
        match &self.categories {
            None => vec![self.name.clone()],
            Some(cats) => cats.iter().map(|c| format!("{}={c}", self.name)).collect(),
        }
    }
}

impl TableSpec {
    /// How many features its columns make (n_x).
    pub fn width(&self) -> usize {
        self.columns.iter().map(ColumnSpec::width).sum()
    }

    /// The names of X's rows.
    pub fn feature_names(&self) -> Vec<String> {
        self.columns
            .iter()
            .flat_map(ColumnSpec::feature_names)
            .collect()
    }

    /// For each feature, whether it is a category's 0/1 indicator (kept
    /// unstandardised).
    pub fn one_hot_mask(&self) -> Vec<bool> {
        self.columns
            .iter()
            .flat_map(|c| std::iter::repeat_n(c.categories.is_some(), c.width()))
            .collect()
    }
}

/// A training column's cells: the sum and count of its numbers, and its words.
struct Scan<'a> {
    sum: f64,
    numbers: usize,
    texts: Vec<&'a str>,
}

/// Reads a training column's cells, refusing a number that is not finite and
/// a stray word in a column of mostly numbers (a typo, not a category).
fn scan_column<'a>(t: &'a dyn Table, column: usize, name: &str) -> Result<Scan<'a>, Error> {
    let not_finite = |r: usize| {
        Error::format(
            t.source(),
            format!(
                "{}, column '{name}': '{}' is not a finite number",
                t.place(r),
                t.cell(r, column)
            ),
        )
    };
    let mut scan = Scan {
        sum: 0.0,
        numbers: 0,
        texts: Vec::new(),
    };
    if let Some(numbers) = t.numbers(column) {
        scan.sum = numbers.iter().fold(0.0, |sum, &v| sum + v);
        scan.numbers = numbers.len();
        return Ok(scan);
    }
    let mut first_text = None;
    for r in 0..t.rows() {
        match t.cell(r, column).value() {
            Value::Missing => {}
            Value::Number(v) if !v.is_finite() => return Err(not_finite(r)),
            Value::Number(v) => {
                scan.sum += v;
                scan.numbers += 1;
            }
            Value::Text(s) => {
                first_text.get_or_insert(r);
                scan.texts.push(s);
            }
        }
    }
    match first_text.filter(|_| scan.numbers >= scan.texts.len()) {
        Some(r) => Err(not_finite(r)),
        None => Ok(scan),
    }
}

/// Learns how a training column becomes features: numbers, or categories when
/// its cells are strings; under `--missing mean`, the value that fills a gap.
pub(crate) fn fit_column(
    t: &dyn Table,
    column: usize,
    name: &str,
    missing: Missing,
) -> Result<ColumnSpec, Error> {
    let scan = scan_column(t, column, name)?;
    if scan.texts.is_empty() {
        if scan.numbers == 0 {
            return Err(Error::format(
                t.source(),
                format!(
                    "column '{name}' has no values; drop it with {} {name}",
                    Setting::Drop
                ),
            ));
        }
        let fill = (missing == Missing::Mean).then(|| Fill::Number(scan.sum / scan.numbers as f64));
        return Ok(ColumnSpec {
            name: name.to_string(),
            categories: None,
            fill,
        });
    }
    fit_categories(t, name, scan.texts, missing)
}

/// A column of strings: its categories (sorted), each counted for the most
/// frequent one (`--missing mean`'s fill); a column of mostly distinct
/// strings is refused.
fn fit_categories(
    t: &dyn Table,
    name: &str,
    mut texts: Vec<&str>,
    missing: Missing,
) -> Result<ColumnSpec, Error> {
    texts.sort_unstable();
    let mut counts: Vec<(&str, usize)> = Vec::new();
    for text in texts {
        match counts.last_mut() {
            Some((last, n)) if *last == text => *n += 1,
            _ => counts.push((text, 1)),
        }
    }
    let k = counts.len();
    if k > MOSTLY_DISTINCT && 2 * k > t.rows() {
        return Err(Error::format(
            t.source(),
            format!(
                "column '{name}' holds {k} distinct strings in {} rows (names, dates, ids?), \
                 which make no useful categories; leave it out with {} {name}",
                t.rows(),
                Setting::Drop
            ),
        ));
    }
    let fill = (missing == Missing::Mean).then(|| {
        let best = counts
            .iter()
            .fold(counts[0], |b, &c| if c.1 > b.1 { c } else { b });
        Fill::Category(best.0.to_string())
    });
    Ok(ColumnSpec {
        name: name.to_string(),
        categories: Some(counts.into_iter().map(|(c, _)| c.to_string()).collect()),
        fill,
    })
}

/// Who chose what happens to missing cells, which decides the fix a message offers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum MissingChoice {
    /// `train`'s `--missing` flag, which the user can change.
    Flag,
    /// A saved model's (predict, evaluate, a `--test` set): its training chose.
    Model,
}

/// The rows to keep given the missing cells in `columns` (position, name,
/// whether `--missing mean` can fill it): all of them when there are none;
/// those without one under `--missing drop`; all under `--missing mean` when
/// every gap can be filled; otherwise an error with the count, the first
/// position and a fix that `choice`'s user can apply.
pub(crate) fn rows_without_missing(
    t: &dyn Table,
    columns: &[(usize, &str, bool)],
    missing: Missing,
    choice: MissingChoice,
) -> Result<Vec<usize>, Error> {
    let (mut count, mut first, mut unfillable) = (0usize, None, None);
    let mut keep = Vec::with_capacity(t.rows());
    // A column of numbers only has no missing cell.
    let columns: Vec<_> = (columns.iter())
        .filter(|c| t.numbers(c.0).is_none())
        .collect();
    for r in 0..t.rows() {
        let mut whole = true;
        for &&(j, name, fillable) in &columns {
            if t.cell(r, j).is_missing() {
                whole = false;
                count += 1;
                first.get_or_insert_with(|| (t.place(r), name));
                if !fillable {
                    unfillable.get_or_insert_with(|| (t.place(r), name));
                }
            }
        }
        if whole || missing != Missing::Drop {
            keep.push(r);
        }
    }
    let m = Setting::Missing;
    let fix = match (missing, choice) {
        (Missing::Mean, MissingChoice::Flag) => format!("{m} drop drops such rows"),
        (Missing::Mean, MissingChoice::Model) => {
            "the model has no fill for it: fill the cell or drop the row in the file".to_string()
        }
        (_, MissingChoice::Flag) => format!(
            "{m} drop drops those rows, {m} mean fills numbers with the \
             training mean and categories with the most frequent value"
        ),
        (_, MissingChoice::Model) => format!(
            "the model was trained to refuse them: fill the cells or drop those rows in the \
             file, or train it again with {m} drop (drops such rows) or {m} mean \
             (fills feature cells)"
        ),
    };
    match (missing, first, unfillable) {
        (_, None, _) | (Missing::Drop, _, _) | (Missing::Mean, _, None) => Ok(keep),
        (Missing::Mean, _, Some((place, name))) => Err(Error::format(
            t.source(),
            format!("{place}, column '{name}': the cell is missing and cannot be filled; {fix}"),
        )),
        (Missing::Refuse, Some((place, name)), _) => Err(Error::format(
            t.source(),
            format!("{count} missing cell(s) (first: {place}, column '{name}'); {fix}"),
        )),
    }
}
