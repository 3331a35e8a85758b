//! Crossing the boundary: weights as lists of (W, b) numpy pairs, activations
//! by name, the library's errors as Python's `ValueError`.

use backprop::{Activation, Float, Network};
use ndarray::Array2;
use numpy::{Element, IntoPyArray, PyArray2, PyReadonlyArray1, PyReadonlyArray2};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyList, PyTuple};

use crate::names::name;

/// Each layer's (W, b), layer 1 first, in the notes' shapes.
pub type Params<T> = Vec<(Array2<T>, Array2<T>)>;

/// The library's error as a `ValueError` carrying its one-line message (which
/// names the file at fault, or the setting by its Python parameter).
pub fn value_error(e: backprop::Error) -> PyErr {
    PyValueError::new_err(e.render(&name))
}

/// A hidden activation by its Python name: relu, tanh, logistic (sigmoid), leaky_relu or identity.
pub fn activation(name: &str) -> PyResult<Activation> {
    match name {
        "relu" => Ok(Activation::Relu),
        "tanh" => Ok(Activation::Tanh),
        "logistic" | "sigmoid" => Ok(Activation::Sigmoid),
        "leaky_relu" | "leaky-relu" => Ok(Activation::leaky_relu()),
        "identity" => Ok(Activation::Identity),
        other => Err(PyValueError::new_err(format!(
            "activation must be one of relu, tanh, logistic, leaky_relu, identity, got '{other}'"
        ))),
    }
}

/// The Python name of a hidden activation (the inverse of [`activation`]).
pub fn activation_name(g: Activation) -> &'static str {
    match g {
        Activation::Sigmoid => "logistic",
        Activation::LeakyRelu { .. } => "leaky_relu",
        other => other.name(),
    }
}

/// Reads a sequence of (W, b) pairs; b may be n × 1 or a vector of n.
pub fn params_from_py<T: Float + Element>(list: &Bound<'_, PyAny>) -> PyResult<Params<T>> {
    let mut params = Vec::new();
    for item in list.try_iter()? {
        let item = item?;
        let w: PyReadonlyArray2<'_, T> = item.get_item(0)?.extract()?;
        let b_any = item.get_item(1)?;
        let b = match b_any.extract::<PyReadonlyArray1<'_, T>>() {
            Ok(b1) => b1.as_array().to_owned().insert_axis(ndarray::Axis(1)),
            Err(_) => b_any
                .extract::<PyReadonlyArray2<'_, T>>()?
                .as_array()
                .to_owned(),
        };
        let w = w.as_array().to_owned();
        refuse_non_finite(params.len(), &w, &b)?;
        params.push((w, b));
    }
    if params.is_empty() {
        return Err(PyValueError::new_err("a network needs at least one layer"));
    }
    Ok(params)
}

/// Refuses a NaN or ±∞ in layer `l`'s (W, b) (counted from 0), naming it as
/// the estimator holds it: `coefs_[l]` is Wᵀ, `intercepts_[l]` is b.
fn refuse_non_finite<T: Float>(l: usize, w: &Array2<T>, b: &Array2<T>) -> PyResult<()> {
    let bad = |at: String, v: T| {
        Err(PyValueError::new_err(format!(
            "{at} is {}: the weights must be finite (a NaN or infinite weight makes every \
             prediction meaningless); fit again, or load a sound model folder",
            v.as_f64()
        )))
    };
    if let Some(((i, j), v)) = w.indexed_iter().find(|(_, v)| !v.as_f64().is_finite()) {
        return bad(format!("coefs_[{l}][{j}, {i}]"), *v);
    }
    if let Some(((i, _), v)) = b.indexed_iter().find(|(_, v)| !v.as_f64().is_finite()) {
        return bad(format!("intercepts_[{l}][{i}]"), *v);
    }
    Ok(())
}

/// A network from Python's (W, b) pairs.
pub fn network_from_py<T: Float + Element>(
    list: &Bound<'_, PyAny>,
    hidden: &str,
) -> PyResult<Network<T>> {
    Network::from_parameters(params_from_py(list)?, activation(hidden)?).map_err(value_error)
}

/// [`network_from_py`], with independent sigmoid outputs when `multilabel`.
pub fn network_with_output<T: Float + Element>(
    list: &Bound<'_, PyAny>,
    hidden: &str,
    multilabel: bool,
) -> PyResult<Network<T>> {
    let mut net = network_from_py(list, hidden)?;
    if multilabel {
        net.set_output(backprop::Output::Sigmoids)
            .map_err(value_error)?;
    }
    Ok(net)
}

/// The network's weights as a list of (W, b) numpy pairs (b is n × 1).
pub fn params_to_py<'py, T: Float + Element>(
    py: Python<'py>,
    net: &Network<T>,
) -> PyResult<Bound<'py, PyList>> {
    let pairs = net
        .layers()
        .iter()
        .map(|l| pair(py, l.w.clone(), l.b.clone()))
        .collect::<PyResult<Vec<_>>>()?;
    PyList::new(py, pairs)
}

/// A Python tuple of two arrays.
pub fn pair<'py, T: Element>(
    py: Python<'py>,
    a: Array2<T>,
    b: Array2<T>,
) -> PyResult<Bound<'py, PyTuple>> {
    let a: Bound<'py, PyArray2<T>> = a.into_pyarray(py);
    let b: Bound<'py, PyArray2<T>> = b.into_pyarray(py);
    PyTuple::new(py, [a.into_any(), b.into_any()])
}

/// Whether a numpy array (or anything with a dtype) holds float32.
pub fn is_f32(x: &Bound<'_, PyAny>) -> PyResult<bool> {
    let name: String = x.getattr("dtype")?.getattr("name")?.extract()?;
    match name.as_str() {
        "float32" => Ok(true),
        "float64" => Ok(false),
        other => Err(PyValueError::new_err(format!(
            "X has dtype {other}; expected float32 or float64"
        ))),
    }
}

/// The address of the first element the core reads for a 2-D float array:
/// the numpy buffer's own address when it reaches Rust without a copy (a test's probe).
#[pyfunction]
pub fn data_address(x: &Bound<'_, PyAny>) -> PyResult<usize> {
    Ok(if is_f32(x)? {
        x.extract::<PyReadonlyArray2<'_, f32>>()?
            .as_array()
            .as_ptr() as usize
    } else {
        x.extract::<PyReadonlyArray2<'_, f64>>()?
            .as_array()
            .as_ptr() as usize
    })
}
