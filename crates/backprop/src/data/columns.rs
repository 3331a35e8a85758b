//! Column selection by name. In a training table: the label column, the
//! column of row ids (pandas' index) and the feature columns (`features`,
//! `drop`). In a new table: the model's columns wherever they are, extra
//! ones noted, absent ones an error naming them.

use std::collections::HashSet;

use super::cells::{listed, Table};
use super::{LoadOptions, TableSpec};
use crate::error::Error;
use crate::setting::Setting;

/// The label column's name when none is given.
pub const DEFAULT_LABEL_COLUMN: &str = "label";

/// The columns of a training table, by position.
pub(crate) struct Chosen {
    /// The label column.
    pub label: usize,
    /// The column of row ids, if any.
    pub index: Option<usize>,
    /// The feature columns, in the order their features take in X.
    pub features: Vec<usize>,
}

/// Chooses a training table's columns as `options` say: the label column
/// (default `label`), the index column (default: pandas' unnamed index, if
/// any), the features (`features`, else every other column but `drop`'s).
pub(crate) fn choose(t: &dyn Table, options: &LoadOptions) -> Result<Chosen, Error> {
    let label_name = options
        .label_column
        .as_deref()
        .unwrap_or(DEFAULT_LABEL_COLUMN);
    let label = label_position(t, label_name)?;
    let index = match &options.index_column {
        Some(name) => {
            let why = format!("named by {}", Setting::IndexColumn);
            Some(find_all(t, std::slice::from_ref(name), &why)?[0])
        }
        None => pandas_index(t)?.filter(|&i| i != label),
    };
    if let Some(j) = t
        .header()
        .iter()
        .position(String::is_empty)
        .filter(|&j| Some(j) != index)
    {
        return Err(Error::format(
            t.source(),
            format!("column {} has no name; name it in the header", j + 1),
        ));
    }
    let features = features(t, options, label, index)?;
    Ok(Chosen {
        label,
        index,
        features,
    })
}

/// The feature columns: `options.features`, else all but the label, index
/// and `options.drop` columns.
fn features(
    t: &dyn Table,
    options: &LoadOptions,
    label: usize,
    index: Option<usize>,
) -> Result<Vec<usize>, Error> {
    let features: Vec<usize> = if options.features.is_empty() {
        let dropped: HashSet<usize> =
            find_all(t, &options.drop, &format!("named by {}", Setting::Drop))?
                .into_iter()
                .collect();
        (0..t.header().len())
            .filter(|&j| j != label && Some(j) != index && !dropped.contains(&j))
            .collect()
    } else {
        let why = format!("named by {}", Setting::Features);
        let chosen = find_all(t, &options.features, &why)?;
        if let Some(&j) = chosen.iter().find(|&&j| j == label || Some(j) == index) {
            return Err(Error::format(
                t.source(),
                format!(
                    "{} names '{}', the label or index column",
                    Setting::Features,
                    t.header()[j]
                ),
            ));
        }
        chosen
    };
    if features.is_empty() {
        return Err(Error::format(
            t.source(),
            "needs at least one feature column besides the label",
        ));
    }
    Ok(features)
}

/// The columns of a new table that a model reads, by position.
pub(crate) struct Matched {
    /// Each of the model's feature columns.
    pub at: Vec<usize>,
    /// The label column, when labels are read.
    pub label: Option<usize>,
    /// The column of row ids, if the table has one.
    pub index: Option<usize>,
    /// The columns the model does not use (none of the above).
    pub extra: Vec<String>,
}

/// Finds a model's columns (`spec`) in a new table by name, in any order;
/// with `label`, that label column too.
pub(crate) fn match_model(
    t: &dyn Table,
    spec: &TableSpec,
    label: Option<&str>,
) -> Result<Matched, Error> {
    let names: Vec<String> = spec.columns.iter().map(|c| c.name.clone()).collect();
    let at = find_all(t, &names, "which the model was trained on")?;
    let used: HashSet<usize> = at.iter().copied().collect();
    let label_at = label.map(|l| label_position(t, l)).transpose()?;
    let index = match spec.index_column.as_deref().and_then(|n| t.position(n)) {
        Some(j) => Some(j),
        None => pandas_index(t).ok().flatten(),
    }
    .filter(|j| !used.contains(j));
    let extra = (0..t.header().len())
        .filter(|j| !used.contains(j) && Some(*j) != index && Some(*j) != label_at)
        .map(|j| t.header()[j].clone())
        .filter(|h| *h != spec.label_column)
        .collect();
    Ok(Matched {
        at,
        label: label_at,
        index,
        extra,
    })
}

/// The positions of named columns, or an error naming the absent ones.
fn find_all(t: &dyn Table, names: &[String], why: &str) -> Result<Vec<usize>, Error> {
    let at = t.positions(names);
    let absent: Vec<&str> = (names.iter().zip(&at))
        .filter(|(_, j)| j.is_none())
        .map(|(n, _)| n.as_str())
        .collect();
    if !absent.is_empty() {
        return Err(Error::format(
            t.source(),
            format!(
                "has no column{} '{}', {why} (columns: {})",
                if absent.len() > 1 { "s" } else { "" },
                listed(&absent, "', '"),
                t.columns_list()
            ),
        ));
    }
    Ok(at.into_iter().flatten().collect())
}

/// The label column's position, or an error suggesting the column of that
/// name in another case ("did you mean 'Purchase'?"), else the label column's setting.
fn label_position(t: &dyn Table, name: &str) -> Result<usize, Error> {
    t.position(name).ok_or_else(|| {
        if t.header().is_empty() {
            let message = format!(
                "is empty: its first line must name the columns, one of them '{name}' \
                 (or name the label column with {})",
                Setting::LabelColumn
            );
            return Error::format(t.source(), message);
        }
        let lower = name.to_lowercase();
        let message = match t.header().iter().find(|h| h.to_lowercase() == lower) {
            Some(other) => format!(
                "has no '{name}' column; did you mean '{other}'? (column names are \
                 case-sensitive: {} '{other}')",
                Setting::LabelColumn
            ),
            None => format!(
                "has no '{name}' column (columns: {}); name the label column with {}",
                t.columns_list(),
                Setting::LabelColumn
            ),
        };
        Error::format(t.source(), message)
    })
}

/// Whether column `j` holds distinct whole numbers (an index).
fn is_index_like(t: &dyn Table, j: usize) -> bool {
    let mut seen = std::collections::HashSet::with_capacity(t.rows());
    (0..t.rows()).all(|r| t.cell(r, j).whole().is_some_and(|v| seen.insert(v)))
}

/// pandas' index: a first column without a name (or named `Unnamed: 0`)
/// holding distinct whole numbers.
fn pandas_index(t: &dyn Table) -> Result<Option<usize>, Error> {
    let first = t.header().first().map(String::as_str).unwrap_or("");
    if !(first.is_empty() || first == "Unnamed: 0") {
        return Ok(None);
    }
    if is_index_like(t, 0) {
        return Ok(Some(0));
    }
    if first.is_empty() {
        return Err(Error::format(
            t.source(),
            "the first column has no name and does not hold distinct whole numbers \
             (pandas' index); name it in the header",
        ));
    }
    Ok(None)
}
