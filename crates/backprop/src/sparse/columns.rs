//! The sparse X itself: compressed sparse columns (one column per example),
//! checked once when built (entries within the features, pointers in order,
//! finite values, the memory budget before anything is copied), and the
//! views and gathers the engine's batches read.

use ndarray::Array2;

use crate::data::budget;
use crate::error::Error;
use crate::linalg::Float;

/// X (n_x × m) by columns: example j's stored features are
/// `indices[indptr[j]..indptr[j + 1]]` with values `values[…]` (in any order;
/// a feature stored twice counts as the sum, as scipy's duplicates do).
#[derive(Clone, Debug)]
pub struct SparseColumns<T> {
    nrows: usize,
    indptr: Vec<usize>,
    indices: Vec<u32>,
    values: Vec<T>,
}

/// A borrowed run of columns of a [`SparseColumns`] (all of them, a batch's
/// range, or a gathered batch): column j's entries are at
/// `indptr[j]..indptr[j + 1]` of `indices` and `values`.
#[derive(Clone, Copy, Debug)]
pub struct SparseView<'a, T> {
    nrows: usize,
    indptr: &'a [usize],
    indices: &'a [u32],
    values: &'a [T],
}

/// Why a sparse X is refused, with the fix.
fn refuse(what: String) -> Error {
    Error::Config(format!("the sparse X {what}"))
}

impl<T: Float> SparseColumns<T> {
    /// X with `nrows` features and `ncols` examples from compressed columns
    /// (a CSR matrix of examples × features gives them as they are).
    pub fn new(
        nrows: usize,
        ncols: usize,
        indptr: Vec<usize>,
        indices: Vec<usize>,
        values: Vec<T>,
    ) -> Result<Self, Error> {
        Self::from_slices(nrows, ncols, &indptr, &indices, &values)
    }

    /// [`SparseColumns::new`] from borrowed arrays of any integer type (numpy's
    /// int32 or int64): every check, the memory budget's included, comes
    /// before the copy.
    pub fn from_slices<I: Copy + TryInto<usize>>(
        nrows: usize,
        ncols: usize,
        indptr: &[I],
        indices: &[I],
        values: &[T],
    ) -> Result<Self, Error> {
        let indptr = pointers(ncols, indptr, indices.len(), values.len())?;
        if u32::try_from(nrows).is_err() {
            return Err(refuse(format!(
                "has {nrows} features, more than {}; select fewer features",
                u32::MAX
            )));
        }
        let per_entry = (std::mem::size_of::<T>() + 4) as u64;
        budget::check_array(
            "the sparse X's stored entries",
            &[values.len() as u64],
            per_entry,
        )?;
        let mut x = SparseColumns {
            nrows,
            indptr,
            indices: Vec::with_capacity(indices.len()),
            values: Vec::with_capacity(values.len()),
        };
        for j in 0..ncols {
            for k in x.indptr[j]..x.indptr[j + 1] {
                let (i, v) = (indices[k].try_into().ok().filter(|&i| i < nrows), values[k]);
                let Some(i) = i else {
                    return Err(refuse(format!(
                        "stores a feature index out of range (entry {k}, example {j}): indices \
                         must lie in [0, {nrows}), the number of features; build the matrix \
                         with shape (examples, {nrows}) or fix its indices"
                    )));
                };
                if !v.as_f64().is_finite() {
                    return Err(refuse(format!(
                        "holds {} at example {j}, feature {i}: every value must be finite; \
                         impute or drop the missing values first",
                        v.as_f64()
                    )));
                }
                x.indices.push(i as u32);
                x.values.push(v);
            }
        }
        Ok(x)
    }

    /// An X of `nrows` features and no examples (a gather's buffer).
    pub fn empty(nrows: usize) -> Self {
        SparseColumns {
            nrows,
            indptr: vec![0],
            indices: Vec::new(),
            values: Vec::new(),
        }
    }

    /// Features (n_x).
    pub fn nrows(&self) -> usize {
        self.nrows
    }

    /// Examples (m).
    pub fn ncols(&self) -> usize {
        self.indptr.len() - 1
    }

    /// Stored entries.
    pub fn nnz(&self) -> usize {
        self.values.len()
    }

    /// All the columns.
    pub fn view(&self) -> SparseView<'_, T> {
        SparseView {
            nrows: self.nrows,
            indptr: &self.indptr,
            indices: &self.indices,
            values: &self.values,
        }
    }

    /// Replaces self by the columns `cols` of `src`, in that order (a shuffled
    /// mini-batch), reusing its buffers.
    pub fn gather(&mut self, src: SparseView<'_, T>, cols: &[usize]) {
        self.nrows = src.nrows;
        self.indptr.clear();
        self.indptr.push(0);
        self.indices.clear();
        self.values.clear();
        for &j in cols {
            let (idx, val) = src.column(j);
            self.indices.extend_from_slice(idx);
            self.values.extend_from_slice(val);
            self.indptr.push(self.values.len());
        }
    }

    /// X as a dense n_x × m matrix (for checks on small data: the engine never calls it).
    pub fn to_dense(&self) -> Array2<T> {
        let mut x = Array2::zeros((self.nrows, self.ncols()));
        let v = self.view();
        for j in 0..v.ncols() {
            let (idx, val) = v.column(j);
            for (&i, &x_ij) in idx.iter().zip(val) {
                x[(i as usize, j)] += x_ij;
            }
        }
        x
    }
}

impl<'a, T: Float> SparseView<'a, T> {
    /// Features (n_x).
    pub fn nrows(&self) -> usize {
        self.nrows
    }

    /// Examples in the view.
    pub fn ncols(&self) -> usize {
        self.indptr.len() - 1
    }

    /// Column `j`'s feature indices and values.
    pub fn column(&self, j: usize) -> (&'a [u32], &'a [T]) {
        let (lo, hi) = (self.indptr[j], self.indptr[j + 1]);
        (&self.indices[lo..hi], &self.values[lo..hi])
    }

    /// The columns [lo, hi) (a batch in order, a rank's share), without a copy.
    pub fn columns(&self, lo: usize, hi: usize) -> SparseView<'a, T> {
        SparseView {
            indptr: &self.indptr[lo..=hi],
            ..*self
        }
    }

    /// The largest |x| stored, and its feature (from 1): the divergence diagnosis's.
    pub(crate) fn largest(&self) -> (f64, usize) {
        let (lo, hi) = (self.indptr[0], self.indptr[self.ncols()]);
        self.indices[lo..hi]
            .iter()
            .zip(&self.values[lo..hi])
            .map(|(&i, v)| (v.as_f64().abs(), i as usize + 1))
            .fold((0.0, 0), |best, e| if e.0 > best.0 { e } else { best })
    }
}

/// The column pointers, checked: m + 1 of them, from 0, never decreasing, to
/// the number of stored entries (that of the indices and of the values).
fn pointers<I: Copy + TryInto<usize>>(
    m: usize,
    indptr: &[I],
    n_indices: usize,
    n_values: usize,
) -> Result<Vec<usize>, Error> {
    if indptr.len() != m + 1 {
        return Err(refuse(format!(
            "has {} column pointers (indptr) for {m} examples: it needs m + 1 = {}; pass the \
             matrix's own indptr, indices and data with its shape",
            indptr.len(),
            m + 1
        )));
    }
    if n_indices != n_values {
        return Err(refuse(format!(
            "has {n_indices} indices but {n_values} values: they must pair up one to one"
        )));
    }
    let mut out = Vec::with_capacity(m + 1);
    for &p in indptr {
        let p = p.try_into().ok().filter(|&p| p <= n_values);
        match (p, out.last()) {
            (Some(p), Some(&prev)) if p >= prev => out.push(p),
            (Some(0), None) => out.push(0),
            _ => {
                return Err(refuse(format!(
                    "has column pointers (indptr) out of order: they must start at 0, never \
                     decrease and end at the {n_values} stored entries; rebuild the matrix \
                     (scipy's check_format() says where)"
                )))
            }
        }
    }
    if out.last() != Some(&n_values) {
        return Err(refuse(format!(
            "column pointers (indptr) end at {} but {n_values} entries are stored: they must \
             end at the number of entries",
            out.last().copied().unwrap_or(0)
        )));
    }
    Ok(out)
}
