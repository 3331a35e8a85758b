//! A table's cells made into features (m × n_x, row-major: each example
//! contiguous), a block of rows at a time from the last, so that a table
//! holding its columns apart can free each block's cells once it is read:
//! the features grow as the table shrinks, and the two are never whole
//! together. The values, the error (the first in row order, then column
//! order) and the notes are those of reading the table row by row.

use std::ops::Range;

use super::cells::{Cell, Table, Value};
use super::{ColumnSpec, Fill, TableSpec};
use crate::error::Error;

/// Features written between two releases of the table's rows (2 MB of f64).
const BLOCK_VALUES: usize = 1 << 18;

/// Cells of one column with a category not seen in training.
#[derive(Clone, Debug)]
pub(crate) struct Unseen {
    /// The first such cell: (row, the column's place in the spec).
    first: (usize, usize),
    column: String,
    count: usize,
    example: String,
}

/// What reading one column found: its first error (row, why) and its unseen categories.
type ColumnOutcome = (Option<(usize, String)>, Option<Unseen>);

/// Makes rows into features, row-major (m × n_x): `at[i]` is the position of
/// `spec.columns[i]` in the table. Each cell gives exactly its column's
/// `width()` features or an error. Missing cells are filled (a fill must
/// exist: the caller refused or dropped them otherwise); a category not
/// seen in training gives zeros and a note. The rows are read in blocks
/// from the last; once a block is read, its cells of the columns in `at`
/// are released ([`Table::done_with`]).
pub(crate) fn encode(
    t: &dyn Table,
    spec: &TableSpec,
    at: &[usize],
    unseen: &mut Vec<Unseen>,
) -> Result<Vec<f64>, Error> {
    let (m, n_x) = (t.rows(), spec.width());
    let what = format!("{}: its {m} × {n_x} features", t.source().display());
    super::budget::check_array(&what, &[m as u64, n_x as u64], 8)?;
    let block = (BLOCK_VALUES / n_x.max(1)).max(1);
    encode_in_blocks(t, spec, at, unseen, block)
}

/// [`encode`], `block` rows at a time.
fn encode_in_blocks(
    t: &dyn Table,
    spec: &TableSpec,
    at: &[usize],
    found: &mut Vec<Unseen>,
    block: usize,
) -> Result<Vec<f64>, Error> {
    let (m, n_x) = (t.rows(), spec.width());
    // Zeroed pages take memory only once written: block by block, from the end.
    let mut values = vec![0.0; m * n_x];
    let mut error: Option<(usize, String)> = None;
    let mut unseen: Vec<Unseen> = Vec::new();
    let mut end = m;
    while end > 0 {
        let start = end.saturating_sub(block);
        // An earlier block's error comes first in row order: it replaces a later one.
        let found = encode_block(t, spec, at, start..end, &mut values, &mut unseen);
        error = found.or(error);
        for &j in at {
            t.done_with(j, start);
        }
        end = start;
    }
    if let Some((_, message)) = error {
        return Err(Error::format(t.source(), message));
    }
    found.extend(unseen);
    Ok(values)
}

/// Encodes rows `rows` of every column of the spec into `values`; returns
/// the block's first error in row order, then column order, as its message.
fn encode_block(
    t: &dyn Table,
    spec: &TableSpec,
    at: &[usize],
    rows: Range<usize>,
    values: &mut [f64],
    unseen: &mut Vec<Unseen>,
) -> Option<(usize, String)> {
    let n_x = spec.width();
    let mut error: Option<(usize, String)> = None;
    let mut offset = 0;
    for (i, (c, &j)) in spec.columns.iter().zip(at).enumerate() {
        let end = error.as_ref().map_or(rows.end, |e| e.0);
        let slots = Slots {
            values,
            offset,
            n_x,
        };
        let (wrong, new) = encode_column(t, c, (i, j), rows.start..end, slots);
        if let Some((r, why)) = wrong {
            error = Some((r, format!("{}, column '{}': {why}", t.place(r), c.name)));
        }
        unseen.extend(new);
        offset += c.width();
    }
    error
}

/// Where a column's features go: `offset` in each row of `n_x` values.
struct Slots<'a> {
    values: &'a mut [f64],
    offset: usize,
    n_x: usize,
}

/// Reads rows `rows` of column `j` (the spec's `i`-th) into `slots`.
fn encode_column(
    t: &dyn Table,
    c: &ColumnSpec,
    (i, j): (usize, usize),
    rows: Range<usize>,
    slots: Slots<'_>,
) -> ColumnOutcome {
    let Slots {
        values,
        offset,
        n_x,
    } = slots;
    if c.categories.is_none() {
        if let Some(numbers) = t.numbers(j) {
            for (r, &v) in numbers[rows.clone()].iter().enumerate() {
                values[(rows.start + r) * n_x + offset] = v;
            }
            return (None, None);
        }
    }
    let width = c.width();
    let mut unseen: Option<Unseen> = None;
    for r in rows {
        let cell = t.cell(r, j);
        let out = &mut values[r * n_x + offset..r * n_x + offset + width];
        match c.encode_cell(cell, out) {
            Ok(true) => {}
            Ok(false) => match &mut unseen {
                Some(u) => u.count += 1,
                None => {
                    unseen = Some(Unseen {
                        first: (r, i),
                        column: c.name.clone(),
                        count: 1,
                        example: cell.to_string(),
                    })
                }
            },
            Err(why) => return (Some((r, why)), unseen),
        }
    }
    (None, unseen)
}

/// The unseen categories of a block whose row 0 is row `first` of the
/// whole table, counted from the whole table's row 0.
pub(crate) fn moved(found: Vec<Unseen>, first: usize) -> impl Iterator<Item = Unseen> {
    found.into_iter().map(move |mut u| {
        u.first.0 += first;
        u
    })
}

/// The notes on unseen categories of the table `source`, one per column
/// name, in the order their first cells come row by row.
pub(crate) fn unseen_notes(source: &std::path::Path, found: Vec<Unseen>) -> Vec<String> {
    let mut merged: Vec<Unseen> = Vec::new();
    for u in found {
        match merged.iter_mut().find(|m| m.column == u.column) {
            Some(m) => {
                m.count += u.count;
                if u.first < m.first {
                    (m.first, m.example) = (u.first, u.example);
                }
            }
            None => merged.push(u),
        }
    }
    merged.sort_by_key(|u| u.first);
    (merged.into_iter())
        .map(|u| {
            format!(
                "{}: column '{}': {} cell(s) with a category not seen in training \
                 (e.g. '{}') were given all-zero features",
                source.display(),
                u.column,
                u.count,
                u.example
            )
        })
        .collect()
}

impl ColumnSpec {
    /// Writes the column's `width()` features for one cell into `out` (a
    /// missing one replaced by the fill): the number, or the category's
    /// one-hot row. Returns whether the cell was a known category (numbers
    /// always are); an error for text in a numeric column, a missing cell
    /// without a fill, or a fill of the other kind (a damaged model.json).
    pub(crate) fn encode_cell(&self, cell: Cell<'_>, out: &mut [f64]) -> Result<bool, String> {
        let fill = match (cell.is_missing(), &self.fill) {
            (false, _) => None,
            (true, Some(f)) => Some(f),
            (true, None) => return Err("the cell is missing; fill or drop it in the file".into()),
        };
        let one_hot = |cats: &[String], name: &str, out: &mut [f64]| {
            let hit = cats.iter().position(|k| k == name);
            for (k, o) in out.iter_mut().enumerate() {
                *o = f64::from(u8::from(Some(k) == hit));
            }
            hit.is_some()
        };
        match (&self.categories, fill) {
            (None, None) => match cell.value() {
                Value::Number(v) if v.is_finite() => {
                    out[0] = v;
                    Ok(true)
                }
                _ => Err(format!("'{cell}' is not a finite number")),
            },
            (None, Some(Fill::Number(v))) => {
                out[0] = *v;
                Ok(true)
            }
            (Some(cats), None) => Ok(one_hot(cats, &cell.text(), out)),
            (Some(cats), Some(Fill::Category(f))) => Ok(one_hot(cats, f, out)),
            (_, Some(f)) => Err(format!(
                "the model's fill {f:?} is of the other kind than the column's cells; \
                 its model.json is damaged: train it again"
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each cell gives exactly its column's width or an error, whatever the
    /// fill says (a number for categories used to leave a row short: a panic).
    #[test]
    fn a_cell_gives_its_width_or_an_error() {
        let colour = |fill| ColumnSpec {
            name: "colour".into(),
            categories: Some(vec!["blue".into(), "red".into()]),
            fill,
        };
        let mut out = [9.0; 2];
        assert_eq!(
            colour(None).encode_cell(Cell::Text("red"), &mut out),
            Ok(true)
        );
        assert_eq!(out, [0.0, 1.0]);
        assert_eq!(
            colour(None).encode_cell(Cell::Text("teal"), &mut out),
            Ok(false)
        );
        assert_eq!(out, [0.0, 0.0]);
        let filled = colour(Some(Fill::Category("blue".into())));
        assert_eq!(filled.encode_cell(Cell::Text("NA"), &mut out), Ok(true));
        assert_eq!(out, [1.0, 0.0]);
        let wrong = colour(Some(Fill::Number(3.0)));
        assert!(wrong
            .encode_cell(Cell::Text(""), &mut out)
            .unwrap_err()
            .contains("damaged"));
        assert!(colour(None)
            .encode_cell(Cell::Text(""), &mut out)
            .unwrap_err()
            .contains("in the file"));
        let number = ColumnSpec {
            name: "x".into(),
            categories: None,
            fill: Some(Fill::Category("a".into())),
        };
        let mut one = [7.0];
        assert!(number
            .encode_cell(Cell::Text(""), &mut one)
            .unwrap_err()
            .contains("damaged"));
        assert!(number.encode_cell(Cell::Text("abc"), &mut one).is_err());
        assert_eq!(one, [7.0], "nothing written on an error");
    }

    /// Read in blocks from the last row, a table gives the values, the first
    /// error (row order, then column order) and the notes of one pass.
    #[test]
    fn blocks_give_the_values_error_and_notes_of_one_pass() {
        use crate::data::cells::{Frame, FrameColumn};
        let text = |v: &[&str]| FrameColumn::Text(v.iter().map(|s| s.to_string()).collect());
        let frame = |x: Vec<f64>, c: &[&str]| {
            let columns = vec![
                ("x".to_string(), FrameColumn::Numbers(x)),
                ("c".to_string(), text(c)),
            ];
            Frame::new("t", columns).unwrap()
        };
        let spec = TableSpec {
            label_column: "y".into(),
            index_column: None,
            columns: vec![
                ColumnSpec {
                    name: "x".into(),
                    categories: None,
                    fill: None,
                },
                ColumnSpec {
                    name: "c".into(),
                    categories: Some(vec!["a".into(), "b".into()]),
                    fill: None,
                },
            ],
            missing: Default::default(),
        };
        let run = |t: &Frame, block: usize| {
            let mut found = Vec::new();
            let got = encode_in_blocks(t, &spec, &[0, 1], &mut found, block);
            (
                got.map_err(|e| e.to_string()),
                unseen_notes(t.source(), found),
            )
        };
        let good = frame(vec![1.0, 2.0, 3.0, 4.0, 5.0], &["a", "z", "b", "q", "z"]);
        let bad = frame(
            vec![1.0, 2.0, f64::NAN, 4.0, f64::NAN],
            &["a", "", "b", "", "a"],
        );
        for t in [&good, &bad] {
            let whole = run(t, 5);
            for block in [1, 2, 3] {
                assert_eq!(run(t, block), whole, "{block} rows a block");
            }
        }
        let (values, notes) = run(&good, 2);
        let values = values.unwrap();
        assert_eq!(&values[..6], &[1.0, 1.0, 0.0, 2.0, 0.0, 0.0]);
        assert!(
            notes[0].contains("3 cell(s)") && notes[0].contains("'z'"),
            "{notes:?}"
        );
        let error = run(&bad, 2).0.unwrap_err();
        assert!(error.contains("row 1, column 'c'"), "{error}");
    }
}
