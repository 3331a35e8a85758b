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

use super::im2col::{col2im, im2col};
use super::window::Window;
use crate::error::Error;
use crate::linalg::{gemm, Float, Threads};

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
        im2col(a_prev, self.window, (n_h, n_w), &mut self.cols);
        self.input = a_prev.dim();
        let n_c = self.filters();
        if self.z.dim() != (m, n_h, n_w, n_c) {
            self.z = Array4::zeros((m, n_h, n_w, n_c));
        }
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
            threads,
        );
        let b = self.b.as_slice().expect("b is owned, standard layout");
        for mut row in z.rows_mut() {
            row.iter_mut().zip(b).for_each(|(z, &b)| *z += b);
        }
        Ok(())
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
        let db = self
            .db
            .as_slice_mut()
            .expect("db is owned, standard layout");
        db.fill(T::zero());
        for row in dz.rows() {
            db.iter_mut().zip(row).for_each(|(db, &d)| *db += d);
        }
        db.iter_mut().for_each(|db| *db *= alpha);
        if need_da_prev {
            self.input_gradient(dz, (n_h, n_w), threads);
        }
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
        col2im(self.dcols.view(), self.window, out, self.da_prev.view_mut());
    }
}

/// W as the (f·f·n_C_prev) × n_C matrix the products use (a view, no copy).
fn w_matrix<T: Float>(w: &Array4<T>) -> ArrayView2<'_, T> {
    let (f, _, n_c_prev, n_c) = w.dim();
    w.view()
        .into_shape_with_order((f * f * n_c_prev, n_c))
        .expect("W is owned, standard layout")
}
