//! A convolution layer: Z = conv(A_prev, W) + b and its backward pass, as
//! matrix products over the patch matrix (see [`super::im2col`]).
//!
//! ```text
//! forward:   cols = im2col(A_prev)                 (m·n_H·n_W) × (f·f·n_C_prev)
//!            Z    = cols·W + b                     W seen as (f·f·n_C_prev) × n_C
//! backward:  dW   = α·colsᵀ·dZ     db = α·Σ_rows dZ
//!            dA_prev = col2im(dZ·Wᵀ)
//! ```
//! with Z, dZ seen as (m·n_H·n_W) × n_C: the course's m × n_H × n_W × n_C
//! volume read row-major, so no layout is converted at either edge. α is 1
//! for the course's `conv_backward`, 1/m where dZ is the notes' per-example dZ.

use ndarray::{Array2, Array4, ArrayView2, ArrayView4};

use std::sync::Mutex;

use super::conv_blocks::{self, Shape};
use super::im2col::{col2im, im2col};
use super::window::Window;
use crate::error::Error;
use crate::linalg::{gemm, Float, Threads};
use crate::pool;

/// A convolution's parameters, its forward cache and its gradients; the
/// buffers are sized on the first pass and reused while m stays the same.
#[derive(Clone, Debug)]
pub struct Conv<T: Float> {
    /// Filters W, f × f × n_C_prev × n_C.
    pub w: Array4<T>,
    /// Biases b, 1 × 1 × 1 × n_C.
    pub b: Array4<T>,
    /// The window: f (from W), stride, padding.
    pub window: Window,
    /// Z of the last forward pass, m × n_H × n_W × n_C.
    pub z: Array4<T>,
    /// dW of the last backward pass, W's shape.
    pub dw: Array4<T>,
    /// db of the last backward pass, b's shape.
    pub db: Array4<T>,
    /// dA_prev of the last backward pass, A_prev's shape.
    pub da_prev: Array4<T>,
    /// The last forward pass's patches.
    cols: Array2<T>,
    /// dZ·Wᵀ, the patches' gradient.
    dcols: Array2<T>,
    /// A_prev's m × n_H_prev × n_W_prev × n_C_prev in the last forward pass.
    input: (usize, usize, usize, usize),
}

impl<T: Float> Conv<T> {
    /// A layer with filters W (f × f × n_C_prev × n_C) and biases b (1 × 1 × 1 × n_C).
    pub fn new(w: Array4<T>, b: Array4<T>, stride: usize, pad: usize) -> Result<Self, Error> {
        let (f, f2, n_c_prev, n_c) = w.dim();
        if f != f2 || b.dim() != (1, 1, 1, n_c) {
            return Err(Error::Config(format!(
                "a convolution needs W of f × f × n_C_prev × n_C and b of 1 × 1 × 1 × n_C; got W {f}×{f2}×{n_c_prev}×{n_c} and b {:?}",
                b.dim()
            )));
        }
        Ok(Conv {
            window: Window::new(f, stride, pad)?,
            w: w.as_standard_layout().into_owned(),
            b: b.as_standard_layout().into_owned(),
            z: Array4::zeros((0, 0, 0, n_c)),
            dw: Array4::zeros((f, f, n_c_prev, n_c)),
            db: Array4::zeros((1, 1, 1, n_c)),
            da_prev: Array4::zeros((0, 0, 0, n_c_prev)),
            cols: Array2::zeros((0, 0)),
            dcols: Array2::zeros((0, 0)),
            input: (0, 0, 0, n_c_prev),
        })
    }

    /// n_C, the number of filters.
    pub fn filters(&self) -> usize {
        self.w.dim().3
    }

    /// Z = conv(A_prev, W) + b into `self.z`, keeping the patches for the
    /// backward pass. Fails when A_prev's channels differ from W's or the window does not fit.
    pub fn forward(&mut self, a_prev: ArrayView4<'_, T>, threads: Threads) -> Result<(), Error> {
        let (m, n_h_prev, n_w_prev, n_c_prev) = a_prev.dim();
        if n_c_prev != self.w.dim().2 {
            return Err(Error::Config(format!(
                "the convolution's filters read {} channels but its input has {n_c_prev}",
                self.w.dim().2
            )));
        }
        let (n_h, n_w) = self.window.out_dims(n_h_prev, n_w_prev)?;
        self.input = a_prev.dim();
        let n_c = self.filters();
        if self.z.dim() != (m, n_h, n_w, n_c) {
            self.z = Array4::zeros((m, n_h, n_w, n_c));
        }
        let shape = self.shape((n_h, n_w));
        if shape.blocked(m) {
            let k = shape.input.2 * self.window.f * self.window.f;
            if self.cols.dim() != (m * n_h * n_w, k) {
                self.cols = Array2::zeros((m * n_h * n_w, k));
            }
            let a = a_prev.as_standard_layout();
            let a = a.as_slice().expect("standard layout");
            let b = self.b.as_slice().expect("b is owned, standard layout");
            let z = self.z.as_slice_mut().expect("Z is owned, standard layout");
            let cols = self.cols.as_slice_mut().expect("owned, standard layout");
            conv_blocks::forward(a, shape, (w_matrix(&self.w), b), (z, cols), threads);
            return Ok(());
        }
        im2col(a_prev, self.window, (n_h, n_w), &mut self.cols, Threads(1));
        let mut z = self
            .z
            .view_mut()
            .into_shape_with_order((m * n_h * n_w, n_c))
            .expect("Z is owned, standard layout");
        gemm(
            T::one(),
            self.cols.view(),
            w_matrix(&self.w),
            false,
            z.view_mut(),
            Threads(1),
        );
        let b = self.b.as_slice().expect("b is owned, standard layout");
        for row in z
            .as_slice_mut()
            .expect("standard layout")
            .chunks_exact_mut(n_c.max(1))
        {
            row.iter_mut().zip(b).for_each(|(z, &b)| *z += b);
        }
        Ok(())
    }

    /// The sizes the blocked products read, for an output of n_H × n_W.
    fn shape(&self, out: (usize, usize)) -> Shape {
        Shape {
            input: (self.input.1, self.input.2, self.input.3),
            out,
            win: self.window,
            filters: self.filters(),
        }
    }

    /// Given dZ (Z's shape) of the last forward pass: dW = α·colsᵀ·dZ,
    /// db = α·Σ dZ (summed in the course's i, h, w order) and, when
    /// `need_da_prev`, dA_prev = col2im(dZ·Wᵀ) (never needed for X).
    pub fn backward(
        &mut self,
        dz: ArrayView4<'_, T>,
        alpha: T,
        need_da_prev: bool,
        threads: Threads,
    ) {
        assert_eq!(dz.dim(), self.z.dim(), "dZ must have Z's shape");
        let (m, n_h, n_w, n_c) = dz.dim();
        let dz = dz.as_standard_layout();
        let dz = dz
            .view()
            .into_shape_with_order((m * n_h * n_w, n_c))
            .expect("standard layout");
        self.bias_gradient(dz, alpha);
        let shape = self.shape((n_h, n_w));
        if shape.blocked(m) {
            return self.blocked_backward(dz, alpha, need_da_prev, threads);
        }
        let mut dw = self
            .dw
            .view_mut()
            .into_shape_with_order((self.cols.ncols(), n_c))
            .expect("dW is owned, standard layout");
        gemm(
            alpha,
            self.cols.t(),
            dz.view(),
            false,
            dw.view_mut(),
            threads,
        );
        if need_da_prev {
            self.input_gradient(dz, (n_h, n_w), threads);
        }
    }

    /// db = α·Σ dZ, summed over the rows in order.
    fn bias_gradient(&mut self, dz: ArrayView2<'_, T>, alpha: T) {
        let db = self
            .db
            .as_slice_mut()
            .expect("db is owned, standard layout");
        db.fill(T::zero());
        let rows = dz.as_slice().expect("standard layout");
        for row in rows.chunks_exact(db.len().max(1)) {
            db.iter_mut().zip(row).for_each(|(db, &d)| *db += d);
        }
        db.iter_mut().for_each(|db| *db *= alpha);
    }

    /// dW and dA_prev by [`conv_blocks`]: on two threads, each product on
    /// its own thread (dW alone: its rows split over the threads).
    fn blocked_backward(
        &mut self,
        dz: ArrayView2<'_, T>,
        alpha: T,
        need_da_prev: bool,
        threads: Threads,
    ) {
        let parts = if threads.0 > 1 {
            threads.0.min(pool::width())
        } else {
            1
        };
        let shape = self.shape((self.z.dim().1, self.z.dim().2));
        if need_da_prev && self.dcols.dim() != self.cols.dim() {
            self.dcols = Array2::zeros(self.cols.dim());
        }
        if need_da_prev && self.da_prev.dim() != self.input {
            self.da_prev = Array4::zeros(self.input);
        }
        let Conv {
            w,
            dw,
            cols,
            dcols,
            da_prev,
            ..
        } = self;
        let dw = dw
            .view_mut()
            .into_shape_with_order((cols.ncols(), shape.filters))
            .expect("dW is owned, standard layout");
        let operands = (cols.view(), dz);
        if !need_da_prev {
            return conv_blocks::filter_gradient(alpha, operands, dw, parts);
        }
        let dz = dz.as_slice().expect("standard layout");
        let dcols = dcols.as_slice_mut().expect("owned, standard layout");
        let da = da_prev.as_slice_mut().expect("owned, standard layout");
        if parts <= 1 {
            conv_blocks::filter_gradient(alpha, operands, dw, 1);
            return conv_blocks::input_gradient(dz, shape, w_matrix(w), (dcols, da), threads);
        }
        let dw = Mutex::new(Some(dw));
        let da = Mutex::new(Some((dcols, da)));
        pool::run(2, &|p| {
            if p == 0 {
                if let Some(dw) = dw.lock().unwrap_or_else(|e| e.into_inner()).take() {
                    conv_blocks::filter_gradient(alpha, operands, dw, 1);
                }
            } else if let Some(out) = da.lock().unwrap_or_else(|e| e.into_inner()).take() {
                conv_blocks::input_gradient(dz, shape, w_matrix(w), out, Threads(1));
            }
        });
    }

    /// dA_prev = col2im(dZ·Wᵀ), with dZ as (m·n_H·n_W) × n_C.
    fn input_gradient(&mut self, dz: ArrayView2<'_, T>, out: (usize, usize), threads: Threads) {
        if self.dcols.dim() != self.cols.dim() {
            self.dcols = Array2::zeros(self.cols.dim());
        }
        gemm(
            T::one(),
            dz,
            w_matrix(&self.w).t(),
            false,
            self.dcols.view_mut(),
            threads,
        );
        if self.da_prev.dim() != self.input {
            self.da_prev = Array4::zeros(self.input);
        }
        col2im(
            self.dcols.view(),
            self.window,
            out,
            self.da_prev.view_mut(),
            threads,
        );
    }
}

/// W as the (f·f·n_C_prev) × n_C matrix the products use (a view, no copy).
fn w_matrix<T: Float>(w: &Array4<T>) -> ArrayView2<'_, T> {
    let (f, _, n_c_prev, n_c) = w.dim();
    w.view()
        .into_shape_with_order((f * f * n_c_prev, n_c))
        .expect("W is owned, standard layout")
}
