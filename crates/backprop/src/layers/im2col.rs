//! A convolution's patches as the rows of one matrix, and back.
//!
//! Row r = (i, h, w) of the patch matrix (i over the examples, then h, then w,
//! so the rows run as Z's m × n_H × n_W entries do) holds the window
//! A_pad[i, h·s .. h·s+f, w·s .. w·s+f, :] flattened in W's own (p, q, k)
//! order: with W seen as a (f·f·n_C_prev) × n_C matrix, Z = patches·W + b is
//! the convolution, and the padding's zeros are written without a padded copy.

use ndarray::{Array2, ArrayView2, ArrayView4, ArrayViewMut4};

use super::window::Window;
use crate::linalg::Float;

/// The input row y (or column x) a window offset lands on, `None` in the padding.
#[inline]
fn source(out: usize, offset: usize, win: Window, n_prev: usize) -> Option<usize> {
    (out * win.stride + offset)
        .checked_sub(win.pad)
        .filter(|&y| y < n_prev)
}

/// Writes the patches of `a_prev` (m × n_H_prev × n_W_prev × n_C_prev) into
/// `cols`, (m·n_H·n_W) × (f·f·n_C_prev), reallocating it only when its shape changes.
pub fn im2col<T: Float>(
    a_prev: ArrayView4<'_, T>,
    win: Window,
    out: (usize, usize),
    cols: &mut Array2<T>,
) {
    let (m, n_h_prev, n_w_prev, n_c) = a_prev.dim();
    let (n_h, n_w) = out;
    let (f, k) = (win.f, win.f * win.f * n_c);
    if cols.dim() != (m * n_h * n_w, k) || !cols.is_standard_layout() {
        *cols = Array2::zeros((m * n_h * n_w, k));
    }
    let a = a_prev.as_standard_layout();
    let a = a.as_slice().expect("standard layout");
    let cols = cols.as_slice_mut().expect("owned, standard layout");
    for (r, row) in cols.chunks_exact_mut(k.max(1)).enumerate() {
        let (i, h, w) = (r / (n_h * n_w), (r / n_w) % n_h, r % n_w);
        for p in 0..f {
            let dst = &mut row[p * f * n_c..(p + 1) * f * n_c];
            let Some(y) = source(h, p, win, n_h_prev) else {
                dst.fill(T::zero());
                continue;
            };
            let base = (i * n_h_prev + y) * n_w_prev;
            for q in 0..f {
                let d = &mut dst[q * n_c..(q + 1) * n_c];
                match source(w, q, win, n_w_prev) {
                    Some(x) => d.copy_from_slice(&a[(base + x) * n_c..(base + x + 1) * n_c]),
                    None => d.fill(T::zero()),
                }
            }
        }
    }
}

/// The adjoint of [`im2col`]: each patch row of `dcols` added back onto the
/// input positions it was read from (the padding's entries dropped), into
/// `da_prev` (m × n_H_prev × n_W_prev × n_C_prev, standard layout), which is overwritten.
pub fn col2im<T: Float>(
    dcols: ArrayView2<'_, T>,
    win: Window,
    out: (usize, usize),
    mut da_prev: ArrayViewMut4<'_, T>,
) {
    let (_, n_h_prev, n_w_prev, n_c) = da_prev.dim();
    let (n_h, n_w) = out;
    let (f, k) = (win.f, win.f * win.f * n_c);
    da_prev.fill(T::zero());
    let da = da_prev.as_slice_mut().expect("dA_prev in standard layout");
    for (r, row) in dcols.outer_iter().enumerate() {
        let row = row.to_slice().expect("patch rows are contiguous");
        debug_assert_eq!(row.len(), k);
        let (i, h, w) = (r / (n_h * n_w), (r / n_w) % n_h, r % n_w);
        for p in 0..f {
            let Some(y) = source(h, p, win, n_h_prev) else {
                continue;
            };
            let base = (i * n_h_prev + y) * n_w_prev;
            for q in 0..f {
                if let Some(x) = source(w, q, win, n_w_prev) {
                    let src = &row[(p * f + q) * n_c..(p * f + q + 1) * n_c];
                    for (d, &s) in da[(base + x) * n_c..(base + x + 1) * n_c]
                        .iter_mut()
                        .zip(src)
                    {
                        *d += s;
                    }
                }
            }
        }
    }
}
