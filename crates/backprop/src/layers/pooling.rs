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

use ndarray::{Array4, ArrayView2, ArrayView4};

use super::parallel::{for_items, for_items2};
use super::window::Window;
use crate::error::Error;
use crate::linalg::{dispatch, Float, Threads};

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
        self.forward_on(a_prev, Threads(1))
    }

    /// [`Pool::forward`] with the examples split over `threads` (the same bits).
    pub fn forward_on(&mut self, a_prev: ArrayView4<'_, T>, threads: Threads) -> Result<(), Error> {
        let (m, n_h_prev, n_w_prev, n_c) = a_prev.dim();
        let (n_h, n_w) = self.window.out_dims(n_h_prev, n_w_prev)?;
        if self.a.dim() != (m, n_h, n_w, n_c) {
            self.a = Array4::zeros((m, n_h, n_w, n_c));
        }
        if self.da_prev.dim() != a_prev.dim() {
            self.da_prev = Array4::zeros(a_prev.dim());
        }
        let a_prev = a_prev.as_standard_layout();
        let input = a_prev.as_slice().expect("standard layout");
        let (win, mode) = (self.window, self.mode);
        let dims = Dims {
            prev: (n_h_prev, n_w_prev),
            out: (n_h, n_w),
            n_c,
        };
        let (volume, out) = (dims.prev_len(), dims.out_len());
        let a = self.a.as_slice_mut().expect("owned, standard layout");
        if mode == PoolMode::Average {
            let mut none: [usize; 0] = [];
            for_items2(a, out, &mut none, 0, threads, &|first, a, _| {
                for (j, a) in a.chunks_exact_mut(out.max(1)).enumerate() {
                    let i = first + j;
                    average(&input[i * volume..(i + 1) * volume], dims, win, a);
                }
            });
            return Ok(());
        }
        self.argmax.resize(self.a.len(), 0);
        let a = self.a.as_slice_mut().expect("owned, standard layout");
        for_items2(a, out, &mut self.argmax, out, threads, &|first, a, arg| {
            let chunks = a
                .chunks_exact_mut(out.max(1))
                .zip(arg.chunks_exact_mut(out.max(1)));
            for (j, (a, arg)) in chunks.enumerate() {
                let i = first + j;
                maximum(&input[i * volume..(i + 1) * volume], dims, win, a, arg);
                arg.iter_mut().for_each(|at| *at += i * volume);
            }
        });
        Ok(())
    }

    /// dA_prev for dA (A's shape) of the last forward pass, into `self.da_prev`.
    pub fn backward(&mut self, da: ArrayView4<'_, T>) {
        self.backward_on(da, Threads(1))
    }

    /// [`Pool::backward`] with the examples split over `threads` (the same bits).
    pub fn backward_on(&mut self, da: ArrayView4<'_, T>, threads: Threads) {
        assert_eq!(da.dim(), self.a.dim(), "dA must have A's shape");
        let (_, n_h, n_w, n_c) = da.dim();
        let (_, n_h_prev, n_w_prev, _) = self.da_prev.dim();
        let dims = Dims {
            prev: (n_h_prev, n_w_prev),
            out: (n_h, n_w),
            n_c,
        };
        let (volume, out) = (dims.prev_len(), dims.out_len());
        let da = da.as_standard_layout();
        let da = da.as_slice().expect("standard layout");
        let (win, mode, argmax) = (self.window, self.mode, &self.argmax);
        let da_prev = self.da_prev.as_slice_mut().expect("owned, standard layout");
        for_items(da_prev, volume, threads, &|first, part| {
            part.fill(T::zero());
            let (lo, hi) = (first * out, first * out + part.len() / volume.max(1) * out);
            match mode {
                PoolMode::Max => {
                    for (&d, &at) in da[lo..hi].iter().zip(&argmax[lo..hi]) {
                        part[at - first * volume] += d;
                    }
                }
                PoolMode::Average => {
                    for (j, part) in part.chunks_exact_mut(volume.max(1)).enumerate() {
                        let i = first + j;
                        spread(&da[(i * out)..(i + 1) * out], dims, win, part);
                    }
                }
            }
        });
    }
}

/// One example's sizes: n_H_prev × n_W_prev in, n_H × n_W out, n_C channels.
#[derive(Clone, Copy)]
struct Dims {
    prev: (usize, usize),
    out: (usize, usize),
    n_c: usize,
}

impl Dims {
    fn prev_len(self) -> usize {
        self.prev.0 * self.prev.1 * self.n_c
    }
    fn out_len(self) -> usize {
        self.out.0 * self.out.1 * self.n_c
    }
    /// The flat index of (y, x, 0) in the input volume.
    fn at(self, y: usize, x: usize) -> usize {
        (y * self.prev.1 + x) * self.n_c
    }
}

/// One example's max pooling: each window's first maximum (row-major order)
/// and its flat index in the example's volume `input`, channels side by side.
fn maximum<T: Float>(input: &[T], d: Dims, win: Window, a: &mut [T], arg: &mut [usize]) {
    dispatch!(avx2, maximum_body, (input: &[T], d: Dims, win: Window, a: &mut [T], arg: &mut [usize]))
}

/// [`maximum`] in two passes the compiler vectorises over the channels: the
/// maximum (`v > best` from the window's first entry, as one scan would),
/// then the first entry equal to it (none, for a NaN maximum: the first entry).
#[inline(always)]
fn maximum_body<T: Float>(input: &[T], d: Dims, win: Window, a: &mut [T], arg: &mut [usize]) {
    let (f, s, n_c) = (win.f, win.stride, d.n_c);
    let out = a
        .chunks_exact_mut(n_c.max(1))
        .zip(arg.chunks_exact_mut(n_c.max(1)));
    for (o, (best, at)) in out.enumerate() {
        let (vert, horiz) = ((o / d.out.1) * s, (o % d.out.1) * s);
        let first = d.at(vert, horiz);
        best.copy_from_slice(&input[first..first + n_c]);
        for y in vert..vert + f {
            for x in horiz..horiz + f {
                let v = &input[d.at(y, x)..d.at(y, x) + n_c];
                best.iter_mut()
                    .zip(v)
                    .for_each(|(b, &v)| *b = if v > *b { v } else { *b });
            }
        }
        at.iter_mut()
            .enumerate()
            .for_each(|(c, at)| *at = first + c);
        for y in (vert..vert + f).rev() {
            for x in (horiz..horiz + f).rev() {
                let start = d.at(y, x);
                let v = &input[start..start + n_c];
                for (c, ((at, &b), &v)) in at.iter_mut().zip(&*best).zip(v).enumerate() {
                    *at = if v == b { start + c } else { *at };
                }
            }
        }
    }
}

/// One example's average pooling, each window summed as [`numpy_mean`] sums it.
fn average<T: Float>(input: &[T], d: Dims, win: Window, a: &mut [T]) {
    let (f, s, n_c) = (win.f, win.stride, d.n_c);
    let count = T::cast((f * f) as f64);
    for (o, a) in a.chunks_exact_mut(n_c.max(1)).enumerate() {
        let (vert, horiz) = ((o / d.out.1) * s, (o % d.out.1) * s);
        for (c, a) in a.iter_mut().enumerate() {
            let sum = (vert..vert + f).fold(T::zero(), |acc, y| {
                acc + (horiz..horiz + f).fold(T::zero(), |r, x| r + input[d.at(y, x) + c])
            });
            *a = sum / count;
        }
    }
}

/// One example's average-pooling gradient: dA/f² onto each entry of its window.
fn spread<T: Float>(da: &[T], d: Dims, win: Window, da_prev: &mut [T]) {
    let (f, s, n_c) = (win.f, win.stride, d.n_c);
    let count = T::cast((f * f) as f64);
    for (o, da) in da.chunks_exact(n_c.max(1)).enumerate() {
        let (vert, horiz) = ((o / d.out.1) * s, (o % d.out.1) * s);
        for y in vert..vert + f {
            for x in horiz..horiz + f {
                let start = d.at(y, x);
                let dst = &mut da_prev[start..start + n_c];
                // The course's distribute_value: dz / (f·f).
                dst.iter_mut().zip(da).for_each(|(t, &d)| *t += d / count);
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
