//! `_core.prepare_fit` and `_core.prepare_apply`: the library's one table
//! preparation (`backprop::data::Preparation`: columns by name, classes,
//! one-hot categories, missing cells, standardisation) for pandas
//! DataFrames, so that Python prepares a table with the code `backprop
//! train` and `backprop predict` run. A table crosses as a list of (name,
//! column) pairs, each column a float64 numpy array (NaN: missing) or a list
//! of strings (None: missing); a preparation crosses as model.json's
//! `preprocessing` (JSON) and `classes`.

use backprop::data::{Frame, FrameColumn, LoadOptions, Missing, Preparation, Prepared};
use backprop::Setting;
use numpy::{IntoPyArray, PyReadonlyArray1};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::arrays::value_error;
use crate::names;

/// A table from Python's (name, column) pairs, named `name` in messages.
fn frame(name: &str, columns: &Bound<'_, PyAny>) -> PyResult<Frame> {
    let mut out = Vec::new();
    for item in columns.try_iter()? {
        let item = item?;
        let column_name: String = item.get_item(0)?.extract()?;
        let cells = item.get_item(1)?;
        let column = match cells.extract::<PyReadonlyArray1<'_, f64>>() {
            Ok(numbers) => FrameColumn::Numbers(numbers.as_array().to_vec()),
            Err(_) => {
                let text: Vec<Option<String>> = cells.extract().map_err(|_| {
                    PyValueError::new_err(format!(
                        "{name}: column '{column_name}' is neither float64 numbers nor strings"
                    ))
                })?;
                FrameColumn::Text(text.into_iter().map(Option::unwrap_or_default).collect())
            }
        };
        out.push((column_name, column));
    }
    Frame::new(name, out).map_err(value_error)
}

/// The prepared table as a dict: `x` (m × n_x float64), `rows` (each
/// example's row in the table), `notes`, and `y` (class numbers) when given.
fn prepared<'py>(py: Python<'py>, p: Prepared) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("x", p.x.reversed_axes().into_pyarray(py))?;
    let rows: Vec<i64> = p.rows.iter().map(|&r| r as i64).collect();
    d.set_item("rows", rows.into_pyarray(py))?;
    if let Some(y) = p.y {
        let y: Vec<i64> = y.iter().map(|&c| c as i64).collect();
        d.set_item("y", y.into_pyarray(py))?;
    }
    // Notes name settings by their marks: Python's parameter names here.
    let notes: Vec<String> = p
        .notes
        .iter()
        .map(|n| Setting::render(n, &names::name))
        .collect();
    d.set_item("notes", notes)?;
    Ok(d)
}

/// Fits the preparation on a training table (the label column among its
/// columns) and prepares it. Returns a dict: `x`, `y`, `rows`, `notes`,
/// `classes` and `preprocessing` (model.json's, as JSON).
#[pyfunction]
#[pyo3(signature = (columns, *, label_column=None, features=None, drop=None, index_column=None,
    missing="refuse", standardize=true,
    log_skewed=Some(backprop::data::skew::DEFAULT_SKEW_THRESHOLD), name="X"))]
#[allow(clippy::too_many_arguments)]
pub fn prepare_fit<'py>(
    py: Python<'py>,
    columns: &Bound<'py, PyAny>,
    label_column: Option<String>,
    features: Option<Vec<String>>,
    drop: Option<Vec<String>>,
    index_column: Option<String>,
    missing: &str,
    standardize: bool,
    log_skewed: Option<f64>,
    name: &str,
) -> PyResult<Bound<'py, PyDict>> {
    let table = frame(name, columns)?;
    let options = LoadOptions {
        label_column,
        index_column,
        features: features.unwrap_or_default(),
        drop: drop.unwrap_or_default(),
        missing: missing.parse::<Missing>().map_err(PyValueError::new_err)?,
        standardize: Some(standardize),
        log_skewed,
        ..LoadOptions::default()
    };
    let (preparation, p) = py
        .detach(|| Preparation::fit(&table, &options))
        .map_err(value_error)?;
    let json = serde_json::to_string(&preparation.preprocessing()).expect("serialises");
    let d = prepared(py, p)?;
    d.set_item("classes", preparation.classes)?;
    d.set_item("preprocessing", json)?;
    Ok(d)
}

/// Prepares new rows as a model's preparation says (`preprocessing`:
/// model.json's, as JSON; `classes`: its classes), for a network of
/// `precision` ("f32", "f64"). Returns a dict: `x`, `rows`, `notes`.
#[pyfunction]
#[pyo3(signature = (preprocessing, classes, columns, *, precision="f64", name="X"))]
pub fn prepare_apply<'py>(
    py: Python<'py>,
    preprocessing: &str,
    classes: Vec<String>,
    columns: &Bound<'py, PyAny>,
    precision: &str,
    name: &str,
) -> PyResult<Bound<'py, PyDict>> {
    let pre = crate::model::preprocessing(preprocessing)?;
    let preparation = Preparation::of_model(&pre, &classes)
        .ok_or_else(|| PyValueError::new_err("the preprocessing describes no table"))?;
    let table = frame(name, columns)?;
    let p = py
        .detach(|| preparation.apply(&table, precision))
        .map_err(value_error)?;
    prepared(py, p)
}
