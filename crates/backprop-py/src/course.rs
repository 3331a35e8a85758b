//! The course's runs for `backprop.course`, in the notes' layout (X is
//! n_x × m, one example per column) and in f64: the course's data, its
//! seeded initialisations and full-batch gradient descent, and one
//! iteration's gradients for given parameters.

use std::path::PathBuf;

use backprop::data::{self, planar, LoadOptions};
use backprop::engine::{fit_with, Path};
use backprop::GdConfig;
use backprop::{Init, Network, NumpyRng};
use numpy::{IntoPyArray, PyArray2, PyReadonlyArray2};
use pyo3::exceptions::{PyKeyboardInterrupt, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyList;

use crate::arrays::{activation, network_from_py, pair, params_to_py, value_error};
use crate::console::Console;

/// X, Y and the class names of a course data file.
type CourseData<'py> = (
    Bound<'py, PyArray2<f64>>,
    Bound<'py, PyArray2<f64>>,
    Vec<String>,
);

/// Loads a course data file (the cat pictures' `.h5`) as the notebooks do:
/// (X n_x × m ÷ 255, Y 1 × m, class names).
#[pyfunction]
pub fn load_course_data<'py>(py: Python<'py>, path: PathBuf) -> PyResult<CourseData<'py>> {
    let d = data::load(&path, &LoadOptions::default()).map_err(value_error)?;
    Ok((d.x.into_pyarray(py), d.y.into_pyarray(py), d.classes))
}

/// The course's planar flower (`load_planar_dataset`): X 2 × 400, Y 1 × 400.
#[pyfunction]
pub fn flower(py: Python<'_>) -> (Bound<'_, PyArray2<f64>>, Bound<'_, PyArray2<f64>>) {
    let d = planar::flower();
    (d.x.into_pyarray(py), d.y.into_pyarray(py))
}

/// Full-batch gradient descent as the notebooks run it: a network of
/// `layer_sizes` with `np.random.seed(seed)` and the course's `init` (or
/// from `params`), `iterations` updates at `learning_rate`. Prints "Cost
/// after iteration i" every `print_every` iterations (0: never). Returns the
/// final (W, b) pairs and the cost of every iteration (before its update).
#[pyfunction]
#[pyo3(signature = (x, y, layer_sizes, hidden_activation, init, learning_rate, iterations, seed, print_every, params=None))]
#[allow(clippy::too_many_arguments)]
pub fn train<'py>(
    py: Python<'py>,
    x: PyReadonlyArray2<'py, f64>,
    y: PyReadonlyArray2<'py, f64>,
    layer_sizes: Vec<usize>,
    hidden_activation: &str,
    init: &str,
    learning_rate: f64,
    iterations: usize,
    seed: u32,
    print_every: usize,
    params: Option<&Bound<'py, PyAny>>,
) -> PyResult<(Bound<'py, PyList>, Vec<f64>)> {
    let g = activation(hidden_activation)?;
    let mut net: Network<f64> = match params {
        Some(p) => network_from_py(p, hidden_activation)?,
        None => {
            let init: Init = init.parse().map_err(PyValueError::new_err)?;
            Network::new(&layer_sizes, g, init, &mut NumpyRng::new(seed)).map_err(value_error)?
        }
    };
    let (xv, yv) = (x.as_array(), y.as_array());
    check_shapes(&net, xv.dim(), yv.dim())?;
    let config = GdConfig {
        learning_rate,
        iterations,
        record_every: Some(1),
        ..GdConfig::default()
    };
    let mut console = Console::new(print_every, false);
    let stop = std::sync::atomic::AtomicBool::new(false);
    let history = py
        .detach(|| {
            fit_with(
                &mut net,
                xv,
                yv,
                None,
                &config,
                Path::Auto,
                Some(&stop),
                &mut |p| {
                    console.cost(p.iteration, p.cost);
                    if console.interrupted(false) {
                        stop.store(true, std::sync::atomic::Ordering::SeqCst);
                    }
                },
            )
        })
        .map_err(value_error)?;
    if stop.load(std::sync::atomic::Ordering::SeqCst) {
        return Err(PyKeyboardInterrupt::new_err(format!(
            "stopped after {} iterations",
            history.iterations
        )));
    }
    let costs = history.costs.iter().map(|c| c.1).collect();
    Ok((params_to_py(py, &net)?, costs))
}

/// One iteration's forward and backward pass at `params` on (X, Y): the
/// cost and each layer's (dW, db), layer 1 first, in the notes' shapes.
#[pyfunction]
pub fn gradients<'py>(
    py: Python<'py>,
    x: PyReadonlyArray2<'py, f64>,
    y: PyReadonlyArray2<'py, f64>,
    params: &Bound<'py, PyAny>,
    hidden_activation: &str,
) -> PyResult<(f64, Bound<'py, PyList>)> {
    let mut net: Network<f64> = network_from_py(params, hidden_activation)?;
    let (xv, yv) = (x.as_array(), y.as_array());
    check_shapes(&net, xv.dim(), yv.dim())?;
    net.forward(xv);
    let cost = net.cost(yv);
    net.backward(xv, yv);
    let grads = net
        .layers()
        .iter()
        .map(|l| pair(py, l.dw.clone(), l.db.clone()))
        .collect::<PyResult<Vec<_>>>()?;
    Ok((cost, PyList::new(py, grads)?))
}

fn check_shapes(net: &Network<f64>, x: (usize, usize), y: (usize, usize)) -> PyResult<()> {
    let sizes = net.sizes();
    let (n_x, n_l) = (sizes[0], sizes[sizes.len() - 1]);
    if x.0 != n_x || y.0 != n_l || y.1 != x.1 {
        return Err(PyValueError::new_err(format!(
            "X is {}×{} and Y {}×{}; the network takes X of {n_x}×m and Y of {n_l}×m (one example per column)",
            x.0, x.1, y.0, y.1
        )));
    }
    Ok(())
}
