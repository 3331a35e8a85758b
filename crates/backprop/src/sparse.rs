//! Sparse inputs: X (n_x × m, one example per column) stored by columns
//! ([`SparseColumns`], compressed sparse columns), so a table of mostly zero
//! features trains and predicts without ever being densified. Only the first
//! layer reads X: its products Z\[1\] = W\[1\]·X and dW\[1\] = (1/m)·dZ\[1\]·Xᵀ
//! run over the stored entries (`products.rs`); every layer above is dense.
//!
//! A CSR matrix of m rows (examples) × n_x columns (features), scipy's usual
//! layout, is exactly the compressed-columns form of the notes' X = its
//! transpose: its `indptr`, `indices` and `data` are taken as they are.
//!
//! ```
//! use backprop::sparse::SparseColumns;
//! // X = [[1, 0], [0, 2], [3, 0]]: 3 features, 2 examples.
//! let x = SparseColumns::<f64>::new(3, 2, vec![0, 2, 3], vec![0, 2, 1], vec![1.0, 3.0, 2.0])?;
//! assert_eq!((x.nrows(), x.ncols(), x.nnz()), (3, 2, 3));
//! # Ok::<(), backprop::Error>(())
//! ```

mod columns;
mod products;

pub use columns::{SparseColumns, SparseView};
pub(crate) use products::{first_layer_forward, first_layer_gradients};
