//! What a session trains on, scores and weighs: borrowed from its caller
//! (views) or its own (owned arrays), so a door that keeps a session alive
//! between requests (the playground) can hand its data over.

use ndarray::{CowArray, Ix2};

use crate::linalg::Float;
use crate::sparse::SparseColumns;

/// A matrix the session reads: borrowed from the caller, or its own.
pub type Matrix<'a, T> = CowArray<'a, T, Ix2>;

/// What a session trains on: X (n_x × m, one example per column) and Y
/// (1 × m, or K × m one-hot), and what it scores or weighs beside them.
pub struct TrainingData<'a, T: Float> {
    /// The inputs X.
    pub x: Matrix<'a, T>,
    /// The targets Y.
    pub y: Matrix<'a, T>,
    /// A test set (X, Y): its cost is recorded.
    pub test: Option<(Matrix<'a, T>, Matrix<'a, T>)>,
    /// A validation set (X, Y, labels 1 × m): cost and accuracy recorded, early stopping.
    pub validation: Option<(Matrix<'a, T>, Matrix<'a, T>, Matrix<'a, T>)>,
    /// Per-example weights of the training set (length m, finite, ≥ 0, not all 0):
    /// J = Σ wᵢ·lᵢ / Σ wᵢ over each batch.
    pub weights: Option<&'a [f64]>,
    /// A sparse X (n_x × m by columns), trained on in place of `x`, which is
    /// then 0 × m ([`TrainingData::sparse`]); the run takes the general road.
    pub sparse: Option<&'a SparseColumns<T>>,
    /// A sparse validation X, scored in place of the validation set's X
    /// (then 0 × m_val).
    pub sparse_validation: Option<&'a SparseColumns<T>>,
}

impl<'a, T: Float> TrainingData<'a, T> {
    /// X and Y alone (borrowed views or owned arrays).
    pub fn new(x: impl Into<Matrix<'a, T>>, y: impl Into<Matrix<'a, T>>) -> Self {
        TrainingData {
            x: x.into(),
            y: y.into(),
            test: None,
            validation: None,
            weights: None,
            sparse: None,
            sparse_validation: None,
        }
    }

    /// A sparse X and Y: `x` never densified (the first layer's products run
    /// over its stored entries).
    pub fn sparse(x: &'a SparseColumns<T>, y: impl Into<Matrix<'a, T>>) -> Self {
        TrainingData {
            sparse: Some(x),
            ..TrainingData::new(ndarray::Array2::zeros((0, x.ncols())), y)
        }
    }
}
