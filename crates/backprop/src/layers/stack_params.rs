//! The parameters of the picture layers as the engine steps them: each
//! convolution's W (f × f × n_C_prev × n_C) seen as the (f·f·n_C_prev) × n_C
//! matrix of its products, and b as 1 × n_C, so the optimisers, checkpoints
//! and model files treat them as they treat a dense layer's W and b.
//! Reshaping an owned array moves no data and allocates nothing.

use ndarray::{Array2, Array4, Zip};

use super::stack::ConvStack;
use crate::linalg::Float;
use crate::optim::{gd, Optimizer};

/// A call on one tensor: its optimiser slot, the parameter, its gradient.
pub(crate) type TensorFn<'a, T> = dyn FnMut(usize, &mut Array2<T>, &Array2<T>) + 'a;

/// Runs `f` on `a` seen as a matrix of `rows` rows, then puts it back.
fn as_matrix<T: Float, R>(
    a: &mut Array4<T>,
    rows: usize,
    f: impl FnOnce(&mut Array2<T>) -> R,
) -> R {
    let dim = a.dim();
    let cols = dim.3;
    let mut m = std::mem::take(a)
        .into_shape_with_order((rows, cols))
        .expect("owned, standard layout");
    let r = f(&mut m);
    *a = m
        .into_shape_with_order(dim)
        .expect("the same number of entries");
    r
}

/// Runs `f` on (W, dW) and then on (b, db) of a convolution, as matrices.
fn each_tensor<T: Float>(
    w: &mut Array4<T>,
    dw: &mut Array4<T>,
    b: &mut Array4<T>,
    db: &mut Array4<T>,
    f: &mut TensorFn<'_, T>,
) {
    let (kf, kf2, c_prev, _) = w.dim();
    let rows = kf * kf2 * c_prev;
    as_matrix(w, rows, |w| as_matrix(dw, rows, |dw| f(0, w, dw)));
    as_matrix(b, 1, |b| as_matrix(db, 1, |db| f(1, b, db)));
}

impl<T: Float> ConvStack<T> {
    /// The shape of each tensor [`ConvStack::for_each_parameter`] hands out,
    /// in its order: per convolution W as (f·f·n_C_prev) × n_C, then b as 1 × n_C
    /// (the optimiser's slots for them have these shapes).
    pub(crate) fn parameter_shapes(&self) -> Vec<[usize; 2]> {
        self.convs()
            .flat_map(|c| {
                let (f, f2, c_prev, n_c) = c.w.dim();
                [[f * f2 * c_prev, n_c], [1, n_c]]
            })
            .collect()
    }

    /// (Σ W², Σ |W|) over every convolution's W.
    pub fn weight_sums(&self) -> (f64, f64) {
        self.convs()
            .flat_map(|c| c.w.iter())
            .fold((0.0, 0.0), |(s2, s1), w| {
                let w = w.as_f64();
                (s2 + w * w, s1 + w.abs())
            })
    }

    /// dW += k·W for every convolution (the L2 term's gradient, k = λ/m).
    pub fn add_l2_gradient(&mut self, k: T) {
        for c in self.convs_mut() {
            Zip::from(&mut c.dw)
                .and(&c.w)
                .for_each(|dw, &w| *dw += k * w);
        }
    }

    /// `f(slot, parameter, gradient)` for W and b of every convolution, in
    /// order (W first), slots counted from `first_slot`.
    pub(crate) fn for_each_parameter(&mut self, first_slot: usize, f: &mut TensorFn<'_, T>) {
        for (j, c) in self.convs_mut().enumerate() {
            let slot = first_slot + 2 * j;
            each_tensor(&mut c.w, &mut c.dw, &mut c.b, &mut c.db, &mut |k, p, g| {
                f(slot + k, p, g)
            });
        }
    }

    /// One gradient-descent step of every convolution: W −= α·dW, b −= α·db.
    pub fn descend(&mut self, learning_rate: T) {
        self.for_each_parameter(0, &mut |_, p, g| gd::update(p, g, learning_rate));
    }

    /// The optimiser's step of every convolution, in slots from `first_slot`.
    pub(crate) fn update(&mut self, optimizer: &mut Optimizer<T>, first_slot: usize, lr: T) {
        self.for_each_parameter(first_slot, &mut |k, p, g| optimizer.update(k, p, g, lr));
    }
}
