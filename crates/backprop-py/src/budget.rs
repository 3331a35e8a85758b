//! `backprop.set_max_memory`: the process-wide memory budget that every fit
//! and prediction is checked against before it allocates (the library's
//! `data::budget`, which the command line sets with `--max-memory`).

use backprop::data::budget;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

/// Sets the memory budget to `size`: a size such as `"64G"` or `"512M"`, or a
/// number of bytes; `None` goes back to the detected one (the least of the
/// memory available, `ulimit -v` and the cgroup's limit).
#[pyfunction]
pub fn set_max_memory(size: Option<&Bound<'_, PyAny>>) -> PyResult<()> {
    let bytes = match size {
        None => None,
        Some(size) => Some(bytes_of(size)?),
    };
    budget::set_max_memory(bytes);
    Ok(())
}

fn bytes_of(size: &Bound<'_, PyAny>) -> PyResult<u64> {
    let refused = || {
        PyValueError::new_err(format!(
            "set_max_memory takes a size like '64G' or '512M' or a positive number of bytes, got {size}"
        ))
    };
    if let Ok(text) = size.extract::<String>() {
        return budget::parse_size(&text).map_err(PyValueError::new_err);
    }
    match size.extract::<u64>() {
        Ok(0) | Err(_) => Err(refused()),
        Ok(bytes) => Ok(bytes),
    }
}
