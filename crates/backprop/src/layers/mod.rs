//! Layers beyond dense (course 4, week 1: "Convolutional Neural Networks: Step
//! by Step"): convolution and pooling, each forward beside its backward.
//!
//! Shapes are the course's: a volume A is m × n_H × n_W × n_C (one example per
//! first index, channels last, row-major), a convolution's W is
//! f × f × n_C_prev × n_C and its b is 1 × 1 × 1 × n_C.
//!
//! Convolution with stride s and `pad` zeros on each side, A_pad = zero_pad(A_prev):
//! ```text
//! n_H = ⌊(n_H_prev + 2·pad − f)/s⌋ + 1          (n_W alike)
//! Z[i,h,w,c]  = Σ_{p,q,k} A_pad[i, h·s+p, w·s+q, k]·W[p,q,k,c] + b[c]
//! dA_pad[i, h·s+p, w·s+q, k] += W[p,q,k,c]·dZ[i,h,w,c]
//! dW[p,q,k,c] = Σ_{i,h,w} A_pad[i, h·s+p, w·s+q, k]·dZ[i,h,w,c]
//! db[c]       = Σ_{i,h,w} dZ[i,h,w,c]
//! ```
//! (as the course's `conv_backward`, with no 1/m: dZ is the cost's gradient;
//! the layers take a factor α for dW and db, 1 for the course).
//!
//! Pooling (no padding): A[i,h,w,c] = max or mean of A_prev[i, h·s.., w·s.., c]
//! over the f × f window; its backward sends dA to the window's maximum, or
//! dA/f² to each of its entries.
//!
//! Batch normalisation of a dense layer's Z (course 2, week 3) is in [`batchnorm`].
//!
//! [`course`] holds the course's loops, summed in numpy's order (the oracle
//! that reproduces the notebook's printed numbers); [`conv`] and [`pooling`]
//! the layers a network trains with, the convolution as matrix products
//! through [`crate::linalg::gemm`] over the patches of [`im2col`].

pub mod batchnorm;
pub mod conv;
mod conv_blocks;
pub mod course;
pub mod im2col;
mod parallel;
pub mod parse;
pub mod pooling;
pub mod spec;
pub mod stack;
mod stack_params;
pub mod window;

pub use batchnorm::{BatchNorm, BatchNormConfig};
pub use conv::Conv;
pub use parse::LayerList;
pub use pooling::{Pool, PoolMode};
pub use spec::{Picture, PictureLayer, Pooling};
pub use stack::ConvStack;
