//! `backprop._core`: the stateless Rust core under the Python package
//! (`python/backprop/`). Every function takes numpy arrays and plain values
//! and returns new ones; the scikit-learn estimators, which hold the state,
//! are plain Python classes.
//!
//! Conventions at this boundary: examples arrive one per **row**, as
//! scikit-learn passes them (X is m × n_x); the transpose of such an array is
//! the notes' X (n_x × m, one example per column) as a view, so float32 and
//! float64 arrays in C or Fortran order reach the library without a copy.
//! Weights cross in the notes' shapes: W\[l\] is n\[l\] × n\[l-1\], b\[l\] n\[l\] × 1.

mod arrays;
mod budget;
mod console;
mod course;
mod fit;
mod model;
mod names;
mod picture;
mod prepare;
mod rules;
mod sparse;
mod spec;

use pyo3::prelude::*;

/// The module `backprop._core`.
#[pymodule]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_class::<spec::Checked>()?;
    m.add_function(wrap_pyfunction!(spec::check, m)?)?;
    m.add_function(wrap_pyfunction!(budget::set_max_memory, m)?)?;
    m.add_function(wrap_pyfunction!(fit::fit, m)?)?;
    m.add_function(wrap_pyfunction!(arrays::data_address, m)?)?;
    m.add_function(wrap_pyfunction!(model::predict_proba, m)?)?;
    m.add_function(wrap_pyfunction!(model::save, m)?)?;
    m.add_function(wrap_pyfunction!(model::load, m)?)?;
    m.add_function(wrap_pyfunction!(prepare::prepare_fit, m)?)?;
    m.add_function(wrap_pyfunction!(prepare::prepare_apply, m)?)?;
    m.add_function(wrap_pyfunction!(course::load_course_data, m)?)?;
    m.add_function(wrap_pyfunction!(course::flower, m)?)?;
    m.add_function(wrap_pyfunction!(course::train, m)?)?;
    m.add_function(wrap_pyfunction!(course::gradients, m)?)?;
    Ok(())
}
