//! Predictions and the model folder the CLI reads and writes
//! (`model.safetensors` + `model.json`, see the library's `model_io`).

use std::path::PathBuf;

use backprop::data::Preprocessing;
use backprop::model_io;
use backprop::AnyNetwork;
use backprop::{Float, Network};
use ndarray::Array2;
use numpy::{Element, IntoPyArray, PyArray2};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyList;

use crate::arrays::{activation_name, is_f32, network_with_output, params_to_py, value_error};
use crate::sparse::Input;

pub(crate) fn preprocessing(json: &str) -> PyResult<Preprocessing> {
    serde_json::from_str(json)
        .map_err(|e| PyValueError::new_err(format!("preprocessing is not valid: {e}")))
}

/// The output layer's probabilities for X (m × n_x), as m × n_L: P(class 1)
/// for a sigmoid output, P(class k) for a softmax one, P(label k) of each
/// independent sigmoid when `multilabel`. With `preprocessing`
/// (a model.json's, as JSON), the raw inputs are first scaled and
/// standardised as the model's training data was, by the library's
/// `Preprocessing::prepare_array` (a value too large for the model refused).
#[pyfunction]
#[pyo3(signature = (x, params, activation, preprocessing=None, n_threads=1, multilabel=false))]
pub fn predict_proba<'py>(
    py: Python<'py>,
    x: &Bound<'py, PyAny>,
    params: &Bound<'py, PyAny>,
    activation: &str,
    preprocessing: Option<&str>,
    n_threads: usize,
    multilabel: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let stored = Stored {
        params,
        activation,
        preprocessing,
        n_threads,
        multilabel,
    };
    if is_f32(x)? {
        proba::<f32>(py, x, stored)
    } else {
        proba::<f64>(py, x, stored)
    }
}

/// What `predict_proba` was given of the model: its parameters, hidden
/// activation, preparation (model.json's, as JSON) and threads.
struct Stored<'a, 'py> {
    params: &'a Bound<'py, PyAny>,
    activation: &'a str,
    preprocessing: Option<&'a str>,
    n_threads: usize,
    /// Independent sigmoid outputs (multi-label), P(label k) each.
    multilabel: bool,
}

fn proba<'py, T: Float + Element>(
    py: Python<'py>,
    x: &Bound<'py, PyAny>,
    stored: Stored<'_, 'py>,
) -> PyResult<Bound<'py, PyAny>> {
    let mut net: Network<T> =
        network_with_output(stored.params, stored.activation, stored.multilabel)?;
    net.set_threads(backprop::Threads(stored.n_threads.max(1)));
    let x = Input::<T>::read(x)?;
    let xv = x.matrix();
    let n_x = net.sizes()[0];
    if x.features() != n_x {
        return Err(PyValueError::new_err(format!(
            "X has {} features, but the network takes {n_x}",
            x.features()
        )));
    }
    let pre = stored.preprocessing.map(preprocessing).transpose()?;
    let p =
        match (x.sparse(), pre) {
            (Some(_), Some(_)) => return Err(PyValueError::new_err(
                "this model prepares its inputs (its model.json's preprocessing), which needs a \
                 dense X: pass X.toarray(), or train the model on the sparse data",
            )),
            (Some(sx), None) => py.detach(|| net.sparse_predict_proba(sx)),
            (None, pre) => dense_proba(py, &net, xv, pre)?,
        };
    let p: Bound<'py, PyArray2<T>> = p.reversed_axes().into_pyarray(py);
    Ok(p.into_any())
}

/// P(class) for a dense X (n_x × m), prepared first when the model says so.
fn dense_proba<T: Float + Element>(
    py: Python<'_>,
    net: &Network<T>,
    xv: ndarray::ArrayView2<'_, T>,
    pre: Option<Preprocessing>,
) -> PyResult<Array2<T>> {
    Ok(match pre {
        Some(pre) => {
            let mut x64: Array2<f64> = xv.mapv(|v| v.as_f64());
            pre.prepare_array(&mut x64, "X", T::NAME)
                .map_err(value_error)?;
            let xt = x64.mapv(T::cast);
            py.detach(|| net.predict_proba(xt.view()))
        }
        None => py.detach(|| net.predict_proba(xv)),
    })
}

/// Writes the network into the folder `dir` (which must exist) as the CLI
/// does: `model.safetensors` and `model.json` with `classes` and the
/// `preprocessing` (JSON). Each file is written whole or not at all.
#[pyfunction]
#[pyo3(signature = (dir, params, activation, classes, preprocessing_json, multilabel=false))]
pub fn save(
    dir: PathBuf,
    params: &Bound<'_, PyAny>,
    activation: &str,
    classes: Vec<String>,
    preprocessing_json: &str,
    multilabel: bool,
) -> PyResult<()> {
    let pre = preprocessing(preprocessing_json)?;
    let first_w = params.get_item(0)?.get_item(0)?;
    if is_f32(&first_w)? {
        let net: Network<f32> = network_with_output(params, activation, multilabel)?;
        model_io::save(&dir, &net, &classes, &pre).map_err(value_error)?;
    } else {
        let net: Network<f64> = network_with_output(params, activation, multilabel)?;
        model_io::save(&dir, &net, &classes, &pre).map_err(value_error)?;
    }
    Ok(())
}

/// Reads a model folder the CLI (or `save`) wrote, checking every tensor
/// against model.json. Returns (model.json as a dict-ready JSON string, the
/// hidden activation's Python name, the (W, b) pairs in the model's dtype).
/// A folder that does not load raises one `ValueError` naming the file.
#[pyfunction]
pub fn load<'py>(
    py: Python<'py>,
    dir: PathBuf,
) -> PyResult<(String, &'static str, Bound<'py, PyList>)> {
    if !dir.is_dir() {
        if let Some(e) = model_io::in_progress(&dir) {
            return Err(value_error(e));
        }
        return Err(PyValueError::new_err(format!(
            "{}: is not a model folder (one holding model.json and model.safetensors)",
            dir.display()
        )));
    }
    let (info, net) = model_io::load(&dir).map_err(value_error)?;
    if !info.picture_layers.is_empty() {
        return Err(PyValueError::new_err(format!(
            "{}: holds a network with picture layers (convolutions, pooling), which the \
             Python package does not load yet; use `backprop predict --model {}` on pictures",
            dir.join(model_io::INFO_FILE).display(),
            dir.display()
        )));
    }
    let json = serde_json::to_string(&info).expect("model info serialises");
    let (g, params) = match &net {
        AnyNetwork::F32(n) => (n.hidden_activation(), params_to_py(py, n)?),
        AnyNetwork::F64(n) => (n.hidden_activation(), params_to_py(py, n)?),
    };
    Ok((json, activation_name(g), params))
}
