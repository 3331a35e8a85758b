//! The course's convolution and pooling, loop by loop ("Convolutional Neural
//! Networks: Step by Step"): the oracle the layers are checked against.
//!
//! Each function follows the notebook's loops in their order (i, h, w, c) and
//! sums as numpy does (`np.sum` of a product window by numpy's pairwise order,
//! `+=` one example position at a time), so the notebook's printed numbers come
//! out to their last digit. Slow by design; [`super::Conv`] and [`super::Pool`]
//! are the layers a network trains with.

use ndarray::{s, Array2, Array4, ArrayView2, ArrayView3, ArrayView4};

use super::pooling::{numpy_mean, PoolMode};
use super::window::Window;
use crate::error::Error;
use crate::linalg::{pairwise_sum, Float};

/// The course's `zero_pad`: X (m × n_H × n_W × n_C) with `pad` zeros around
/// each picture's height and width, m × (n_H + 2·pad) × (n_W + 2·pad) × n_C.
pub fn zero_pad<T: Float>(x: ArrayView4<'_, T>, pad: usize) -> Array4<T> {
    let (m, h, w, c) = x.dim();
    let mut out = Array4::zeros((m, h + 2 * pad, w + 2 * pad, c));
    out.slice_mut(s![.., pad..pad + h, pad..pad + w, ..])
        .assign(&x);
    out
}

/// The course's `conv_single_step`: Σ(a_slice_prev ⊙ W) + b over one f × f ×
/// n_C_prev window, the products summed in numpy's pairwise order.
pub fn conv_single_step<T: Float>(
    a_slice_prev: ArrayView3<'_, T>,
    w: ArrayView3<'_, T>,
    b: T,
) -> T {
    assert_eq!(
        a_slice_prev.dim(),
        w.dim(),
        "the slice and the filter differ in shape"
    );
    let s: Vec<T> = a_slice_prev
        .iter()
        .zip(w.iter())
        .map(|(&a, &w)| a * w)
        .collect();
    pairwise_sum(&s) + b
}

/// The course's `hparameters` of a convolution (f is read from W).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Hparameters {
    /// How far the window moves.
    pub stride: usize,
    /// Zeros on each side of the height and width.
    pub pad: usize,
}

/// The course's `cache` of `conv_forward`: (A_prev, W, b, hparameters).
#[derive(Clone, Debug)]
pub struct ConvCache<T> {
    /// The input, m × n_H_prev × n_W_prev × n_C_prev.
    pub a_prev: Array4<T>,
    /// The filters, f × f × n_C_prev × n_C.
    pub w: Array4<T>,
    /// The biases, 1 × 1 × 1 × n_C.
    pub b: Array4<T>,
    /// Stride and padding.
    pub hparameters: Hparameters,
}

/// The course's `conv_forward`: Z (m × n_H × n_W × n_C) for A_prev (m ×
/// n_H_prev × n_W_prev × n_C_prev), W (f × f × n_C_prev × n_C) and b (1 × 1 × 1 × n_C),
/// with the cache `conv_backward` reads.
pub fn conv_forward<T: Float>(
    a_prev: ArrayView4<'_, T>,
    w: ArrayView4<'_, T>,
    b: ArrayView4<'_, T>,
    hparameters: Hparameters,
) -> Result<(Array4<T>, ConvCache<T>), Error> {
    let Hparameters { stride, pad } = hparameters;
    let (m, n_h_prev, n_w_prev, _) = a_prev.dim();
    let (f, _, _, n_c) = w.dim();
    let (n_h, n_w) = Window::new(f, stride, pad)?.out_dims(n_h_prev, n_w_prev)?;
    let a_prev_pad = zero_pad(a_prev, pad);
    let mut z = Array4::zeros((m, n_h, n_w, n_c));
    for ((i, h, x, c), z) in z.indexed_iter_mut() {
        let (vert, horiz) = (h * stride, x * stride);
        let slice = a_prev_pad.slice(s![i, vert..vert + f, horiz..horiz + f, ..]);
        *z = conv_single_step(slice, w.slice(s![.., .., .., c]), b[[0, 0, 0, c]]);
    }
    let cache = ConvCache {
        a_prev: a_prev.to_owned(),
        w: w.to_owned(),
        b: b.to_owned(),
        hparameters,
    };
    Ok((z, cache))
}

/// The course's `conv_backward`: (dA_prev, dW, db) for dZ and the forward
/// pass's cache, accumulated in the notebook's loop order (no 1/m).
pub fn conv_backward<T: Float>(
    dz: ArrayView4<'_, T>,
    cache: &ConvCache<T>,
) -> (Array4<T>, Array4<T>, Array4<T>) {
    let Hparameters { stride, pad } = cache.hparameters;
    let w = cache.w.view();
    let (_, n_h_prev, n_w_prev, _) = cache.a_prev.dim();
    let (f, _, _, n_c) = w.dim();
    let a_prev_pad = zero_pad(cache.a_prev.view(), pad);
    let mut da_prev_pad = Array4::zeros(a_prev_pad.dim());
    let mut dw = Array4::zeros(w.dim());
    let mut db = Array4::zeros((1, 1, 1, n_c));
    for ((i, h, x, c), &d) in dz.indexed_iter() {
        let (vert, horiz) = (h * stride, x * stride);
        let window = s![i, vert..vert + f, horiz..horiz + f, ..];
        da_prev_pad
            .slice_mut(window)
            .zip_mut_with(&w.slice(s![.., .., .., c]), |da, &w| *da += w * d);
        dw.slice_mut(s![.., .., .., c])
            .zip_mut_with(&a_prev_pad.slice(window), |dw, &a| *dw += a * d);
        db[[0, 0, 0, c]] += d;
    }
    let da_prev = da_prev_pad
        .slice(s![.., pad..pad + n_h_prev, pad..pad + n_w_prev, ..])
        .to_owned();
    (da_prev, dw, db)
}

/// The course's `cache` of `pool_forward`: (A_prev, hparameters).
#[derive(Clone, Debug)]
pub struct PoolCache<T> {
    /// The input, m × n_H_prev × n_W_prev × n_C.
    pub a_prev: Array4<T>,
    /// f and stride (padding 0).
    pub hparameters: Window,
}

/// The course's `pool_forward`: the max or the mean of each f × f window of
/// each channel, m × n_H × n_W × n_C (no padding), with its cache.
pub fn pool_forward<T: Float>(
    a_prev: ArrayView4<'_, T>,
    hparameters: Window,
    mode: PoolMode,
) -> Result<(Array4<T>, PoolCache<T>), Error> {
    let Window { f, stride, .. } = hparameters;
    let (m, n_h_prev, n_w_prev, n_c) = a_prev.dim();
    let (n_h, n_w) = hparameters.out_dims(n_h_prev, n_w_prev)?;
    let mut a = Array4::zeros((m, n_h, n_w, n_c));
    for ((i, h, x, c), a) in a.indexed_iter_mut() {
        let (vert, horiz) = (h * stride, x * stride);
        let slice = a_prev.slice(s![i, vert..vert + f, horiz..horiz + f, c]);
        *a = match mode {
            PoolMode::Max => slice.fold(T::neg_infinity(), |m, &v| if v > m { v } else { m }),
            PoolMode::Average => numpy_mean(slice),
        };
    }
    let cache = PoolCache {
        a_prev: a_prev.to_owned(),
        hparameters,
    };
    Ok((a, cache))
}

/// The course's `create_mask_from_window`: true where x equals its maximum.
pub fn create_mask_from_window<T: Float>(x: ArrayView2<'_, T>) -> Array2<bool> {
    let max = x.fold(T::neg_infinity(), |m, &v| if v > m { v } else { m });
    x.mapv(|v| v == max)
}

/// The course's `distribute_value`: dz spread evenly over an n_H × n_W matrix.
pub fn distribute_value<T: Float>(dz: T, shape: (usize, usize)) -> Array2<T> {
    let average = dz / T::cast((shape.0 * shape.1) as f64);
    Array2::from_elem(shape, average)
}

/// The course's `pool_backward`: dA_prev for dA and the forward pass's cache.
/// Max sends dA to every entry equal to the window's maximum (the course's
/// mask; [`super::Pool`] sends it to the first); average spreads dA/f².
pub fn pool_backward<T: Float>(
    da: ArrayView4<'_, T>,
    cache: &PoolCache<T>,
    mode: PoolMode,
) -> Array4<T> {
    let Window { f, stride, .. } = cache.hparameters;
    let a_prev = cache.a_prev.view();
    let mut da_prev = Array4::zeros(a_prev.dim());
    for ((i, h, x, c), &d) in da.indexed_iter() {
        let (vert, horiz) = (h * stride, x * stride);
        let window = s![i, vert..vert + f, horiz..horiz + f, c];
        let mut target = da_prev.slice_mut(window);
        match mode {
            PoolMode::Max => {
                let mask = create_mask_from_window(a_prev.slice(window));
                target.zip_mut_with(&mask, |t, &k| {
                    if k {
                        *t += d;
                    }
                });
            }
            PoolMode::Average => target += &distribute_value(d, (f, f)),
        }
    }
    da_prev
}
