//! A scipy sparse X across the boundary: a CSR matrix (m examples × n_x
//! features, what the Python package hands over) is read through its
//! `indptr`, `indices` and `data` arrays as the library's compressed columns
//! of the notes' X (n_x × m), without a dense copy.

use backprop::sparse::SparseColumns;
use backprop::Float;
use ndarray::{Array2, ArrayView2};
use numpy::{Element, PyReadonlyArray1, PyReadonlyArray2};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

use crate::arrays::value_error;

/// Whether `x` is a sparse matrix (or array) in CSR form: it carries `indptr`.
pub fn is_sparse(x: &Bound<'_, PyAny>) -> bool {
    x.hasattr("indptr").unwrap_or(false)
}

/// The CSR matrix `x` as the notes' X by columns, checked by the library
/// (indices in range, pointers in order, finite values, the memory budget).
pub fn columns<T: Float + Element>(x: &Bound<'_, PyAny>) -> PyResult<SparseColumns<T>> {
    let (m, n_x): (usize, usize) = x.getattr("shape")?.extract()?;
    let data: PyReadonlyArray1<'_, T> = x.getattr("data")?.extract()?;
    let (indptr, indices) = (x.getattr("indptr")?, x.getattr("indices")?);
    let data = data.as_slice()?;
    let built = if let (Ok(p), Ok(i)) = (
        indptr.extract::<PyReadonlyArray1<'_, i32>>(),
        indices.extract::<PyReadonlyArray1<'_, i32>>(),
    ) {
        SparseColumns::from_slices(n_x, m, p.as_slice()?, i.as_slice()?, data)
    } else if let (Ok(p), Ok(i)) = (
        indptr.extract::<PyReadonlyArray1<'_, i64>>(),
        indices.extract::<PyReadonlyArray1<'_, i64>>(),
    ) {
        SparseColumns::from_slices(n_x, m, p.as_slice()?, i.as_slice()?, data)
    } else {
        return Err(PyValueError::new_err(
            "the sparse X's indptr and indices must be int32 or int64 arrays of one type; \
             convert it with X.tocsr()",
        ));
    };
    built.map_err(value_error)
}

/// X as a fit or a prediction receives it: a numpy array (examples by rows,
/// whose transpose is the notes' X as a view) or a CSR matrix.
pub enum Input<'py, T: Float + Element> {
    /// A dense array, m × n_x.
    Dense(PyReadonlyArray2<'py, T>),
    /// A sparse matrix by columns of the notes' X, and the 0 × m stand-in
    /// the library's dense slot then holds.
    Sparse(SparseColumns<T>, Array2<T>),
}

impl<'py, T: Float + Element> Input<'py, T> {
    /// Reads `x`: a CSR matrix (anything with `indptr`) or a 2-d float array.
    pub fn read(x: &Bound<'py, PyAny>) -> PyResult<Self> {
        if is_sparse(x) {
            let sx = columns::<T>(x)?;
            let stand_in = Array2::zeros((0, sx.ncols()));
            Ok(Input::Sparse(sx, stand_in))
        } else {
            Ok(Input::Dense(x.extract()?))
        }
    }

    /// The notes' X (n_x × m) for a dense input; the 0 × m stand-in for a sparse one.
    pub fn matrix(&self) -> ArrayView2<'_, T> {
        match self {
            Input::Dense(x) => x.as_array().reversed_axes(),
            Input::Sparse(_, stand_in) => stand_in.view(),
        }
    }

    /// The sparse X, when it is one.
    pub fn sparse(&self) -> Option<&SparseColumns<T>> {
        match self {
            Input::Sparse(sx, _) => Some(sx),
            Input::Dense(_) => None,
        }
    }

    /// Features (n_x).
    pub fn features(&self) -> usize {
        self.sparse().map_or(self.matrix().nrows(), |sx| sx.nrows())
    }
}
