//! Rows a model cannot score (a missing cell under `--missing drop`): each
//! keeps its place in the answer, with the reason, so a prediction has one
//! row out per row in.

use super::cells::Table;

/// A table row left out of X: its position in the table, its id, and why.
#[derive(Clone, Debug, PartialEq)]
pub struct Skipped {
    /// The row's position among the table's rows, from 0.
    pub row: usize,
    /// Its value in the index column, when the table has one.
    pub id: Option<String>,
    /// Why it has no prediction.
    pub reason: String,
}

/// The rows of `t` not in `keep` (ascending), each with the first of the
/// `watched` columns (position, name) whose cell is missing, and its id in
/// column `index`.
pub(crate) fn skipped_rows(
    t: &dyn Table,
    watched: &[(usize, &str, bool)],
    keep: &[usize],
    index: Option<usize>,
) -> Vec<Skipped> {
    let mut kept = keep.iter().peekable();
    let mut skipped = Vec::with_capacity(t.rows() - keep.len());
    for r in 0..t.rows() {
        if kept.next_if_eq(&&r).is_some() {
            continue;
        }
        let column = (watched.iter())
            .find(|&&(j, _, _)| t.cell(r, j).is_missing())
            .map_or("?", |&(_, name, _)| name);
        skipped.push(Skipped {
            row: r,
            id: index.map(|j| t.cell(r, j).to_string()),
            reason: format!(
                "the cell in column '{column}' is missing and the model was trained to drop \
                 such rows ({} drop)",
                crate::Setting::Missing
            ),
        });
    }
    skipped
}

/// How many of `rows` (ascending positions) come before position `row`:
/// where a skipped row goes among the scored ones.
pub(crate) fn scored_before(rows: &[usize], row: usize) -> usize {
    rows.partition_point(|&r| r < row)
}
