//! A convolution's patches as the rows of one matrix, and back.
//!
//! Row r = (i, h, w) of the patch matrix (i over the examples, then h, then w,
//! so the rows run as Z's m × n_H × n_W entries do) holds the window
//! A_pad[i, h·s .. h·s+f, w·s .. w·s+f, :] flattened in W's own (p, q, k)
//! order: with W seen as a (f·f·n_C_prev) × n_C matrix, Z = patches·W + b is
//! the convolution, and the padding's zeros are written without a padded copy.

use ndarray::{Array2, ArrayView2, ArrayView4, ArrayViewMut4};

use super::parallel::for_items;
use super::window::Window;
use crate::linalg::{Float, Threads};

/// The input row y (or column x) a window offset lands on, `None` in the padding.
#[inline]
fn source(out: usize, offset: usize, win: Window, n_prev: usize) -> Option<usize> {
    (out * win.stride + offset)
        .checked_sub(win.pad)
        .filter(|&y| y < n_prev)
}

/// Writes the patches of `a_prev` (m × n_H_prev × n_W_prev × n_C_prev) into
/// `cols`, (m·n_H·n_W) × (f·f·n_C_prev), reallocating it only when its shape
/// changes; the examples are split over `threads`.
pub fn im2col<T: Float>(
    a_prev: ArrayView4<'_, T>,
    win: Window,
    out: (usize, usize),
    cols: &mut Array2<T>,
    threads: Threads,
) {
    let (m, n_h_prev, n_w_prev, n_c) = a_prev.dim();
    let (n_h, n_w) = out;
    let k = win.f * win.f * n_c;
    if cols.dim() != (m * n_h * n_w, k) || !cols.is_standard_layout() {
        *cols = Array2::zeros((m * n_h * n_w, k));
    }
    let a = a_prev.as_standard_layout();
    let a = a.as_slice().expect("standard layout");
    let cols = cols.as_slice_mut().expect("owned, standard layout");
    let shape = (n_h_prev, n_w_prev, n_c);
    for_items(cols, n_h * n_w * k, threads, &|first, part| {
        patches_from(a, shape, win, out, first, part);
    });
}

/// The patch rows of the examples first, first + 1, … (as many as `rows`
/// holds) of the volume `a` (all the examples, n_H_prev × n_W_prev × n_C each).
pub(crate) fn patches_from<T: Float>(
    a: &[T],
    shape: (usize, usize, usize),
    win: Window,
    out: (usize, usize),
    first: usize,
    rows: &mut [T],
) {
    let volume = shape.0 * shape.1 * shape.2;
    let per = out.0 * out.1 * win.f * win.f * shape.2;
    for (j, rows) in rows.chunks_exact_mut(per.max(1)).enumerate() {
        let a = &a[(first + j) * volume..(first + j + 1) * volume];
        segments(shape, win, out, |start, len, from| {
            let dst = &mut rows[start..start + len];
            match from {
                Some(i) => dst.copy_from_slice(&a[i..i + len]),
                None => dst.fill(T::zero()),
            }
        });
    }
}

/// Walks one example's patch rows in runs: `run(start, len, from)` for the
/// `len` entries at `start` of the rows, read from the volume's entries at
/// `from` on (`None`: the padding's zeros). Rows r = (h, w), then p, then q, in
/// order; a window row p wholly inside the input is one run of f·n_C.
#[inline(always)]
fn segments(
    (n_h_prev, n_w_prev, n_c): (usize, usize, usize),
    win: Window,
    (n_h, n_w): (usize, usize),
    mut run: impl FnMut(usize, usize, Option<usize>),
) {
    let (f, k) = (win.f, win.f * win.f * n_c);
    for r in 0..n_h * n_w {
        let (h, w) = (r / n_w, r % n_w);
        let inside = (w * win.stride)
            .checked_sub(win.pad)
            .filter(|&x| x + f <= n_w_prev);
        for p in 0..f {
            let start = r * k + p * f * n_c;
            let Some(y) = source(h, p, win, n_h_prev) else {
                run(start, f * n_c, None);
                continue;
            };
            let base = y * n_w_prev;
            if let Some(x) = inside {
                run(start, f * n_c, Some((base + x) * n_c));
                continue;
            }
            for q in 0..f {
                let from = source(w, q, win, n_w_prev).map(|x| (base + x) * n_c);
                run(start + q * n_c, n_c, from);
            }
        }
    }
}

/// The adjoint of [`im2col`]: each patch row of `dcols` added back onto the
/// input positions it was read from (the padding's entries dropped), into
/// `da_prev` (m × n_H_prev × n_W_prev × n_C_prev, standard layout), which is
/// overwritten; the examples are split over `threads`, each entry summed in
/// the same order on any number of them.
pub fn col2im<T: Float>(
    dcols: ArrayView2<'_, T>,
    win: Window,
    out: (usize, usize),
    mut da_prev: ArrayViewMut4<'_, T>,
    threads: Threads,
) {
    let (_, n_h_prev, n_w_prev, n_c) = da_prev.dim();
    let (n_h, n_w) = out;
    let k = win.f * win.f * n_c;
    let dcols = dcols.as_standard_layout();
    let dcols = dcols.as_slice().expect("standard layout");
    let da = da_prev.as_slice_mut().expect("dA_prev in standard layout");
    let per = n_h * n_w * k;
    let shape = (n_h_prev, n_w_prev, n_c);
    for_items(da, n_h_prev * n_w_prev * n_c, threads, &|first, part| {
        add_patches_from(&dcols[first * per..], shape, win, out, part);
    });
}

/// [`col2im`] of the examples whose volumes `da` holds (overwritten), from
/// `dcols`, their patch rows (first first).
pub(crate) fn add_patches_from<T: Float>(
    dcols: &[T],
    shape: (usize, usize, usize),
    win: Window,
    out: (usize, usize),
    da: &mut [T],
) {
    let volume = shape.0 * shape.1 * shape.2;
    let per = out.0 * out.1 * win.f * win.f * shape.2;
    for (j, da) in da.chunks_exact_mut(volume.max(1)).enumerate() {
        let dcols = &dcols[j * per..(j + 1) * per];
        da.fill(T::zero());
        // Each entry's terms are added in the rows' order.
        segments(shape, win, out, |start, len, from| {
            if let Some(i) = from {
                let src = &dcols[start..start + len];
                da[i..i + len]
                    .iter_mut()
                    .zip(src)
                    .for_each(|(d, &s)| *d += s);
            }
        });
    }
}
