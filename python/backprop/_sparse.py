"""Sparse X (scipy CSR/CSC matrices and arrays): what the estimators accept,
and how it crosses to the library without being densified. A CSR matrix of
examples × features is, as it is, the library's compressed columns of the
notes' X (features × examples); a CSC one is converted to CSR first (a copy
of its stored entries, never a dense one)."""

import numpy as np
import scipy.sparse as sp

#: The sparse formats ``validate_data`` lets through.
ACCEPT = ["csr", "csc"]


def as_library_x(X):
    """X as ``_core`` takes it: a dense array unchanged; a sparse one as CSR
    with its ``indptr`` and ``indices`` of one integer type."""
    if not sp.issparse(X):
        return X
    X = X.tocsr()
    if X.indptr.dtype != X.indices.dtype:
        X = X.copy()
        X.indptr = X.indptr.astype(np.int64)
        X.indices = X.indices.astype(np.int64)
    return X


def column_scale(X, weights, centred):
    """Each column's standard deviation (``centred``) or root mean square,
    each example counted by its weight, computed over the stored entries
    (1 where a column is constant or empty, as for a dense X)."""
    if weights is None:
        mean = np.asarray(X.mean(axis=0), dtype=np.float64).ravel()
        mean_sq = np.asarray(X.multiply(X).mean(axis=0), dtype=np.float64).ravel()
    else:
        w = np.asarray(weights, dtype=np.float64)
        mean = (X.T @ w) / w.sum()
        mean_sq = (X.multiply(X).T @ w) / w.sum()
    var = mean_sq - mean ** 2 if centred else mean_sq
    std = np.sqrt(np.maximum(var, 0.0))
    std[~(std > 0)] = 1.0
    return std.astype(X.dtype)


def scale_columns(X, std):
    """X with each column divided by ``std``, still sparse (CSR)."""
    return (X @ sp.diags((1.0 / std).astype(X.dtype))).tocsr()
