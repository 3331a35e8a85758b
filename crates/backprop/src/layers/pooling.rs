//! Max and average pooling over f × f windows (no padding), forward beside backward.
//!
//! ```text
//! max:      A[i,h,w,c] = max over the window of A_prev[i, h·s+p, w·s+q, c]
//!           dA_prev[the window's first maximum] += dA[i,h,w,c]
//! average:  A[i,h,w,c] = (1/f²)·Σ_{p,q} A_prev[i, h·s+p, w·s+q, c]
//!           dA_prev[i, h·s+p, w·s+q, c] += dA[i,h,w,c]/f²
//! ```
//! A window with several equal maxima sends its gradient to the first (in
//! row-major order), as PyTorch and ONNX do; the course's mask sends it to
//! each of them ([`super::course::pool_backward`]). Pooling has no parameters.

use ndarray::{s, Array4, ArrayView2, ArrayView4};

use super::window::Window;
use crate::error::Error;
use crate::linalg::Float;

/// Which summary of a window pooling keeps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PoolMode {
    /// The window's maximum.
    Max,
    /// The window's mean.
    Average,
}

/// A pooling layer's window, its forward output and the input's gradient.
#[derive(Clone, Debug)]
pub struct Pool<T: Float> {
    /// The f × f window and its stride (padding 0).
    pub window: Window,
    /// Max or average.
    pub mode: PoolMode,
    /// A of the last forward pass, m × n_H × n_W × n_C.
    pub a: Array4<T>,
    /// dA_prev of the last backward pass, A_prev's shape.
    pub da_prev: Array4<T>,
    /// Max pooling: for each output, the flat index in A_prev of its window's first maximum.
    argmax: Vec<usize>,
}

impl<T: Float> Pool<T> {
    /// An f × f pooling moved by `stride`.
    pub fn new(f: usize, stride: usize, mode: PoolMode) -> Result<Self, Error> {
        Ok(Pool {
            window: Window::new(f, stride, 0)?,
            mode,
            a: Array4::zeros((0, 0, 0, 0)),
            da_prev: Array4::zeros((0, 0, 0, 0)),
            argmax: Vec::new(),
        })
    }

    /// A = pool(A_prev) into `self.a` (and, for max, where each maximum was).
    pub fn forward(&mut self, a_prev: ArrayView4<'_, T>) -> Result<(), Error> {
        let (m, n_h_prev, n_w_prev, n_c) = a_prev.dim();
        let (n_h, n_w) = self.window.out_dims(n_h_prev, n_w_prev)?;
        if self.a.dim() != (m, n_h, n_w, n_c) {
            self.a = Array4::zeros((m, n_h, n_w, n_c));
        }
        if self.da_prev.dim() != a_prev.dim() {
            self.da_prev = Array4::zeros(a_prev.dim());
        }
        let (f, stride) = (self.window.f, self.window.stride);
        if self.mode == PoolMode::Average {
            for ((i, h, x, c), a) in self.a.indexed_iter_mut() {
                let (vert, horiz) = (h * stride, x * stride);
                *a = numpy_mean(a_prev.slice(s![i, vert..vert + f, horiz..horiz + f, c]));
            }
            return Ok(());
        }
        self.argmax.resize(self.a.len(), 0);
        for (((i, h, x, c), a), arg) in self.a.indexed_iter_mut().zip(&mut self.argmax) {
            let (vert, horiz) = (h * stride, x * stride);
            let (mut best, mut at) = (a_prev[[i, vert, horiz, c]], (vert, horiz));
            for y in vert..vert + f {
                for xx in horiz..horiz + f {
                    let v = a_prev[[i, y, xx, c]];
                    if v > best {
                        (best, at) = (v, (y, xx));
                    }
                }
            }
            *a = best;
            *arg = ((i * n_h_prev + at.0) * n_w_prev + at.1) * n_c + c;
        }
        Ok(())
    }

    /// dA_prev for dA (A's shape) of the last forward pass, into `self.da_prev`.
    pub fn backward(&mut self, da: ArrayView4<'_, T>) {
        assert_eq!(da.dim(), self.a.dim(), "dA must have A's shape");
        self.da_prev.fill(T::zero());
        match self.mode {
            PoolMode::Max => {
                let out = self.da_prev.as_slice_mut().expect("owned, standard layout");
                for (&d, &at) in da.iter().zip(&self.argmax) {
                    out[at] += d;
                }
            }
            PoolMode::Average => {
                let (f, stride) = (self.window.f, self.window.stride);
                let count = T::cast((f * f) as f64);
                for ((i, h, x, c), &d) in da.indexed_iter() {
                    let (vert, horiz) = (h * stride, x * stride);
                    let d = d / count; // the course's distribute_value: dz / (f·f)
                    self.da_prev
                        .slice_mut(s![i, vert..vert + f, horiz..horiz + f, c])
                        .iter_mut()
                        .for_each(|t| *t += d);
                }
            }
        }
    }
}

/// `np.mean` of a strided f × f window: numpy sums each row (the inner,
/// strided axis), adds the row sums in order, then divides by the count.
pub fn numpy_mean<T: Float>(x: ArrayView2<'_, T>) -> T {
    let sum = x.rows().into_iter().fold(T::zero(), |acc, row| {
        acc + row.fold(T::zero(), |r, &v| r + v)
    });
    sum / T::cast(x.len() as f64)
}
