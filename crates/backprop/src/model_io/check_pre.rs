//! model.json's `preprocessing` checked against the network before any input
//! is read: the input kind, the example shape and feature names against
//! `layer_sizes[0]`, standardisation statistics that stay finite when applied,
//! and a table's columns (categories, fills, label and index columns). A field
//! that would make every prediction NaN, or a cell that cannot be filled, is
//! refused here, naming the field, instead of surfacing as nonsense (or a
//! panic) at prediction time.

use crate::config::first_repeat;
use crate::data::{ColumnSpec, Fill, Preprocessing, Standardization, TableSpec};

/// The `preprocessing.input` kinds the readers write: pictures, tables,
/// arrays and the built-in data sets.
const INPUTS: [&str; 11] = [
    "csv", "images", "hdf5", "npz", "idx", "array", "planar", "spiral", "xor", "circle", "gauss",
];

/// Checks `pre` for a network of `n_x` inputs; the error is the field and
/// what is wrong with it (the caller names the file).
pub(crate) fn check_preprocessing(pre: &Preprocessing, n_x: usize) -> Result<(), String> {
    check_input_kind(pre)?;
    check_shape(pre, n_x)?;
    if let Some(names) = &pre.feature_names {
        if names.len() != n_x {
            return Err(format!(
                "preprocessing.feature_names lists {} names for {n_x} inputs",
                names.len()
            ));
        }
    }
    if let Some(st) = &pre.standardization {
        check_standardization(st, n_x)?;
    }
    if let Some(table) = &pre.table {
        check_table(table, pre.feature_names.as_deref(), n_x)?;
    }
    Ok(())
}

/// The input kind is one a reader writes, and agrees with the picture and table fields.
fn check_input_kind(pre: &Preprocessing) -> Result<(), String> {
    let kind = pre.input.as_str();
    if !INPUTS.contains(&kind) {
        return Err(format!(
            "preprocessing.input is '{kind}', which is none of {}",
            INPUTS.join(", ")
        ));
    }
    if (kind == "images") != pre.image_size.is_some() {
        return Err(format!(
            "preprocessing.input is '{kind}' but image_size is {:?}: only a picture model has one",
            pre.image_size
        ));
    }
    if kind != "csv" && pre.table.is_some() {
        return Err(format!(
            "preprocessing.input is '{kind}' but preprocessing.table describes CSV columns"
        ));
    }
    Ok(())
}

/// `example_shape` has no zero side and makes `n_x` values; a picture's is
/// `[image_size, image_size, channels]`.
fn check_shape(pre: &Preprocessing, n_x: usize) -> Result<(), String> {
    let shape = &pre.example_shape;
    let product = shape
        .iter()
        .try_fold(1usize, |p, &s| p.checked_mul(s))
        .filter(|_| !shape.contains(&0));
    if product != Some(n_x) {
        return Err(format!(
            "preprocessing.example_shape is {shape:?}, which does not make the {n_x} inputs"
        ));
    }
    if let Some(size) = pre.image_size {
        let side = size as usize;
        if shape[..] != [side, side, pre.picture_channels() as usize] {
            return Err(format!(
                "preprocessing.example_shape is {shape:?}, but pictures of side {size} \
                 with {} channel(s) make [{side}, {side}, {}]",
                pre.picture_channels(),
                pre.picture_channels()
            ));
        }
    }
    Ok(())
}

/// One mean and one standard deviation per input, such that standardising
/// stays finite: each mean finite; each std a positive square root of a
/// finite, positive (representable) variance, which every std computed from
/// data is; and an input of 0 standardises to a finite value (|mean/std| ≤
/// f64::MAX), which a mean of 1e308 over a std of 0.3 does not.
fn check_standardization(st: &Standardization, n_x: usize) -> Result<(), String> {
    if st.mean.len() != n_x || st.std.len() != n_x {
        return Err(format!(
            "preprocessing.standardization has {} means and {} standard deviations for {n_x} inputs",
            st.mean.len(),
            st.std.len()
        ));
    }
    for (i, (&m, &s)) in st.mean.iter().zip(&st.std).enumerate() {
        if !m.is_finite() {
            return Err(format!("preprocessing.standardization.mean[{i}] is {m}"));
        }
        let variance = s * s;
        if !(s > 0.0 && variance > 0.0 && variance.is_finite()) {
            return Err(format!(
                "preprocessing.standardization.std[{i}] is {s:e}; it must be > 0 with a \
                 finite, non-zero square (a variance), as any data's is"
            ));
        }
        if !(m / s).is_finite() {
            return Err(format!(
                "preprocessing.standardization.mean[{i}] is {m:e} and std[{i}] {s:e}: \
                 standardising overflows"
            ));
        }
    }
    let ascending = st.signed_log.windows(2).all(|w| w[0] < w[1]);
    if let Some(f) = st.signed_log.iter().find(|&&f| f >= n_x) {
        return Err(format!(
            "preprocessing.standardization.signed_log names input {f} of a model of {n_x} inputs"
        ));
    }
    if !ascending {
        return Err(
            "preprocessing.standardization.signed_log must list inputs in ascending order, \
             each once"
                .to_string(),
        );
    }
    Ok(())
}

/// A table's columns: distinct names, none the label or index column, each
/// with a fill of its own kind, together making the `n_x` features named in
/// `feature_names`.
fn check_table(table: &TableSpec, names: Option<&[String]>, n_x: usize) -> Result<(), String> {
    let index = table.index_column.as_deref();
    if index == Some(table.label_column.as_str()) {
        return Err(format!(
            "preprocessing.table: the label column '{}' is also the index column",
            table.label_column
        ));
    }
    // The width first, summed without allocating: a model.json listing
    // millions of categories for a few inputs is refused before any work per
    // name (review B2).
    let width = table.width();
    if width != n_x {
        return Err(format!(
            "preprocessing.table's columns make {width} features for {n_x} inputs"
        ));
    }
    if let Some(name) = first_repeat(table.columns.iter().map(|c| c.name.as_str())) {
        return Err(format!("preprocessing.table.columns lists '{name}' twice"));
    }
    for (i, c) in table.columns.iter().enumerate() {
        let field = format!("preprocessing.table.columns[{i}] ('{}')", c.name);
        if c.name == table.label_column || Some(c.name.as_str()) == index {
            return Err(format!(
                "{field} is a feature column and also the label or index column"
            ));
        }
        check_column(c).map_err(|m| format!("{field}: {m}"))?;
    }
    let features = table.feature_names();
    if names.is_some_and(|n| n != features) {
        return Err(
            "preprocessing.feature_names disagrees with preprocessing.table's columns".into(),
        );
    }
    Ok(())
}

/// A column's categories (some, none twice, none empty-named) and its fill:
/// a finite number for a numeric column, one of the categories for the others.
fn check_column(c: &ColumnSpec) -> Result<(), String> {
    match (&c.categories, &c.fill) {
        (Some(cats), fill) => {
            if cats.is_empty() {
                return Err("categories is empty".into());
            }
            if let Some(cat) = first_repeat(cats.iter().map(String::as_str)) {
                return Err(format!("categories lists '{cat}' twice"));
            }
            match fill {
                None => Ok(()),
                Some(Fill::Category(f)) if cats.contains(f) => Ok(()),
                Some(Fill::Category(f)) => Err(format!("fill '{f}' is not one of its categories")),
                Some(Fill::Number(v)) => Err(format!(
                    "fill is the number {v}, but the column holds categories"
                )),
            }
        }
        (None, Some(Fill::Number(v))) if !v.is_finite() => Err(format!("fill is {v}")),
        (None, Some(Fill::Category(f))) => Err(format!(
            "fill is the text '{f}', but the column holds numbers"
        )),
        (None, _) => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::Missing;

    fn table(columns: Vec<ColumnSpec>) -> Preprocessing {
        let spec = TableSpec {
            label_column: "label".into(),
            index_column: None,
            columns,
            missing: Missing::Mean,
        };
        Preprocessing {
            input: "csv".into(),
            scale: 1.0,
            example_shape: vec![spec.feature_names().len()],
            feature_names: Some(spec.feature_names()),
            table: Some(spec),
            ..Preprocessing::default()
        }
    }

    fn colour(fill: Option<Fill>) -> ColumnSpec {
        ColumnSpec {
            name: "colour".into(),
            categories: Some(vec!["blue".into(), "red".into()]),
            fill,
        }
    }

    #[test]
    fn a_category_fill_must_be_one_of_the_categories() {
        let ok = table(vec![colour(Some(Fill::Category("red".into())))]);
        assert_eq!(check_preprocessing(&ok, 2), Ok(()));
        for (fill, needle) in [
            (Fill::Number(3.0), "the number 3"),
            (Fill::Category("purple".into()), "'purple' is not one"),
        ] {
            let e = check_preprocessing(&table(vec![colour(Some(fill))]), 2).unwrap_err();
            assert!(
                e.contains("columns[0] ('colour')") && e.contains(needle),
                "{e}"
            );
        }
    }

    #[test]
    fn signed_log_must_name_inputs_of_the_model_in_order() {
        let mut pre = table(vec![colour(None)]);
        let st = |signed_log: Vec<usize>| Standardization {
            mean: vec![0.0; 2],
            std: vec![1.0; 2],
            signed_log,
            log_above: None,
        };
        pre.standardization = Some(st(vec![0, 1]));
        assert_eq!(check_preprocessing(&pre, 2), Ok(()));
        for (logged, needle) in [
            (vec![2], "signed_log names input 2 of a model of 2 inputs"),
            (vec![1, 0], "ascending order"),
            (vec![1, 1], "ascending order"),
        ] {
            pre.standardization = Some(st(logged));
            let e = check_preprocessing(&pre, 2).unwrap_err();
            assert!(e.contains(needle), "{e}");
        }
    }

    #[test]
    fn standardization_that_overflows_is_refused() {
        let mut pre = table(vec![ColumnSpec {
            name: "a".into(),
            categories: None,
            fill: None,
        }]);
        let st = |mean: f64, std: f64| Standardization {
            mean: vec![mean],
            std: vec![std],
            signed_log: Vec::new(),
            log_above: None,
        };
        for (s, needle) in [
            (st(1e308, 0.29), "overflows"),
            (st(0.5, 1e-320), "std[0]"),
            (st(0.0, 1e-200), "std[0]"),
            (st(0.0, 1e200), "std[0]"),
            (st(f64::NAN, 1.0), "mean[0]"),
        ] {
            pre.standardization = Some(s);
            let e = check_preprocessing(&pre, 1).unwrap_err();
            assert!(e.contains(needle), "{e}");
        }
        // What data can give: a tiny spread (a subnormal variance).
        pre.standardization = Some(st(1.0, 1e-160));
        assert_eq!(check_preprocessing(&pre, 1), Ok(()));
    }

    /// Review B2: a model.json listing 200 000 categories (or columns) for 2
    /// inputs is refused by the width check before any repeat is looked for,
    /// and with the widths right a repeat at the end is found by hashing (the
    /// pairwise scan took ~2·10¹⁰ comparisons, 5·10¹¹ for 10⁶).
    #[test]
    fn many_categories_or_columns_are_checked_in_linear_time() {
        const N: usize = 200_000;
        let names = |first: &str| -> Vec<String> {
            std::iter::once(first.to_string())
                .chain((0..N).map(|i| format!("c{i}")))
                .collect()
        };
        let many_categories = vec![ColumnSpec {
            name: "c".into(),
            categories: Some(names("c0")),
            fill: None,
        }];
        let many_columns: Vec<ColumnSpec> = names("c0")
            .into_iter()
            .map(|name| ColumnSpec {
                name,
                categories: None,
                fill: None,
            })
            .collect();
        for columns in [many_categories, many_columns] {
            let mut pre = table(columns);
            pre.example_shape = vec![2];
            pre.feature_names = None;
            let e = check_preprocessing(&pre, 2).unwrap_err();
            assert!(
                e.contains(&format!("make {} features for 2 inputs", N + 1)),
                "{e}"
            );
            // The repeat last: found, in linear time.
            let mut spec = pre.table.take().unwrap();
            spec.columns.rotate_left(1);
            if let Some(cats) = &mut spec.columns[0].categories {
                cats.rotate_left(1);
            }
            pre.table = Some(spec);
            pre.example_shape = vec![N + 1];
            let e = check_preprocessing(&pre, N + 1).unwrap_err();
            assert!(e.contains("'c0'") && e.contains("twice"), "{e}");
        }
    }

    #[test]
    fn shapes_and_names_must_make_the_inputs() {
        let mut pre = table(vec![colour(None)]);
        pre.example_shape = vec![7];
        assert!(check_preprocessing(&pre, 2)
            .unwrap_err()
            .contains("example_shape"));
        pre.example_shape = vec![];
        assert!(check_preprocessing(&pre, 2)
            .unwrap_err()
            .contains("example_shape"));
        pre.example_shape = vec![2];
        pre.feature_names = Some(vec!["x".into()]);
        assert!(check_preprocessing(&pre, 2)
            .unwrap_err()
            .contains("feature_names"));
    }
}
