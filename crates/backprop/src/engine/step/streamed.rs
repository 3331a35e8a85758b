//! Logistic regression on an X larger than the caches, streamed: one sigmoid
//! layer, X taken in blocks of examples that fit in L2. For each block Z, A,
//! dZ = A − Y and dW += (1/m)·dZ·Xᵀ before the next, so X crosses the memory
//! bus once an iteration instead of twice. Then db and the update, as the
//! layer path does them. It keeps no state between iterations.

use ndarray::{ArrayView2, Axis};

use crate::activation::{activate_row, Activation};
use crate::layer::{Dense, LayerKind};
use crate::linalg::{gemm, Float, Threads};
use crate::network::Network;
use crate::output::{output_dz, Output};

/// The bytes of X per block: a quarter of L2 (1 MiB a core on Zen 4).
const BLOCK_BYTES: usize = 1 << 18;

/// X bigger than this (bytes) is streamed in blocks by logistic regression.
const STREAM_MIN_BYTES: usize = 8 << 20;

/// Whether an iteration should stream X: logistic regression (one sigmoid
/// layer, no dropout) on an X larger than the caches, Y contiguous.
pub(crate) fn applies<T: Float>(
    net: &Network<T>,
    x: ArrayView2<'_, T>,
    y: ArrayView2<'_, T>,
) -> bool {
    let [layer] = net.layers() else {
        return false;
    };
    layer.kind == LayerKind::Output(Output::Sigmoid)
        && layer.mask.is_none()
        && x.len() * std::mem::size_of::<T>() > STREAM_MIN_BYTES
        && y.as_slice().is_some()
}

/// One gradient-descent iteration of the single layer on (X, Y).
pub(crate) fn step<T: Float>(
    layer: &mut Dense<T>,
    x: ArrayView2<'_, T>,
    y: ArrayView2<'_, T>,
    learning_rate: T,
    threads: Threads,
) {
    let (n_x, m) = x.dim();
    layer.prepare(m);
    let inv_m = T::one() / T::cast(m as f64);
    let per_block = (BLOCK_BYTES / (n_x.max(1) * std::mem::size_of::<T>())).max(16) / 16 * 16;
    let y = y.as_slice().expect("Y contiguous (checked by `applies`)");
    let g = Activation::Sigmoid; // the sigmoid output's σ (checked by `applies`)
    let mut j0 = 0;
    while j0 < m {
        let j1 = (j0 + per_block).min(m);
        let xb = x.slice_axis(Axis(1), (j0..j1).into());
        gemm(
            T::one(),
            layer.w.view(),
            xb,
            false,
            layer.z.slice_axis_mut(Axis(1), (j0..j1).into()),
            threads,
        );
        for u in 0..layer.units() {
            let z = &mut layer.z.row_mut(u).into_slice().expect("standard layout")[j0..j1];
            let a = &mut layer.a.row_mut(u).into_slice().expect("standard layout")[j0..j1];
            activate_row(g, layer.b[(u, 0)], z, a);
            let dz = &mut layer.dz.row_mut(u).into_slice().expect("standard layout")[j0..j1];
            output_dz(dz, a, &y[u * m + j0..u * m + j1]);
        }
        gemm(
            inv_m,
            layer.dz.slice_axis(Axis(1), (j0..j1).into()),
            xb.t(),
            j0 > 0,
            layer.dw.view_mut(),
            threads,
        );
        j0 = j1;
    }
    layer.bias_gradient();
    layer.descend(learning_rate);
}
