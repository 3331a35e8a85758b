//! `fit`'s labels as the library's targets: class indices (1 × m of 0/1 for
//! two classes, one-hot K × m for more) or, multi-label, an m × K indicator
//! matrix of 0/1 (its transpose: K × m, one sigmoid unit a label).

use backprop::Float;
use ndarray::{Array2, ArrayView1, ArrayView2};
use numpy::{PyReadonlyArray1, PyReadonlyArray2};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

use crate::spec::Checked;

/// The targets Y of `labels` and the labels as the accuracy compares them
/// with the predictions (class indices as 1 × m, or the K × m indicator).
pub(super) fn read<T: Float>(
    labels: &Bound<'_, PyAny>,
    spec: &Checked,
) -> PyResult<(Array2<T>, Array2<T>)> {
    if spec.multilabel {
        let y: PyReadonlyArray2<'_, i64> = labels.extract()?;
        let y = indicator::<T>(y.as_array(), spec.classes)?;
        return Ok((y.clone(), y));
    }
    let labels: PyReadonlyArray1<'_, i64> = labels.extract()?;
    let labels = labels.as_array();
    let row = labels
        .mapv(|l| T::cast(l as f64))
        .insert_axis(ndarray::Axis(0));
    Ok((of_classes(labels, spec.classes)?, row))
}

/// K × m targets of an m × K indicator matrix of 0/1.
fn indicator<T: Float>(y: ArrayView2<'_, i64>, labels: usize) -> PyResult<Array2<T>> {
    if y.ncols() != labels {
        return Err(PyValueError::new_err(format!(
            "the indicator matrix has {} columns, but the fit has {labels} labels",
            y.ncols()
        )));
    }
    if let Some(bad) = y.iter().find(|&&v| v != 0 && v != 1) {
        return Err(PyValueError::new_err(format!(
            "a multi-label indicator matrix holds 0 and 1 only, got {bad}"
        )));
    }
    Ok(Array2::from_shape_fn((labels, y.nrows()), |(k, j)| {
        T::cast(y[(j, k)] as f64)
    }))
}

/// The targets of `labels` (class indices): 1 × m of 0/1 for two classes,
/// one-hot K × m for more.
fn of_classes<T: Float>(labels: ArrayView1<'_, i64>, classes: usize) -> PyResult<Array2<T>> {
    if let Some(bad) = labels.iter().find(|&&l| l < 0 || l as usize >= classes) {
        return Err(PyValueError::new_err(format!(
            "label index {bad} is not one of the {classes} classes"
        )));
    }
    let m = labels.len();
    Ok(if classes <= 2 {
        Array2::from_shape_fn((1, m), |(_, j)| T::cast(labels[j] as f64))
    } else {
        Array2::from_shape_fn((classes, m), |(c, j)| {
            if labels[j] as usize == c {
                T::one()
            } else {
                T::zero()
            }
        })
    })
}
