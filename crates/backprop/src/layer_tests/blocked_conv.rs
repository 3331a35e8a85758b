//! The blocked, threaded kernels (`conv_blocks`, `parallel`) on layers large
//! enough to take them: the same bits on 1, 2 and 3 threads, and the
//! course's loops' numbers (to 1e-12; exactly for pooling).

use ndarray::Array4;

use super::numpy_reference::ConvCase as Case;
use super::{randn4, random_conv};
use crate::layers::course::{
    conv_backward, conv_forward, pool_backward, pool_forward, Hparameters,
};
use crate::layers::window::Window;
use crate::layers::{Pool, PoolMode};
use crate::linalg::Threads;
use crate::rng::NumpyRng;

/// Several blocks per thread, an odd number of examples, stride 2, f = 1, padding wider than f.
const CASES: [Case; 4] = [
    (37, 16, 16, 3, 3, 8, 1, 1),
    (9, 15, 13, 4, 3, 5, 2, 1),
    (20, 12, 12, 6, 1, 7, 1, 0),
    (5, 10, 11, 2, 2, 9, 1, 3),
];

/// Z, dW, db, dA_prev of the layer on `threads`.
fn layer(case: Case, threads: usize) -> [Array4<f64>; 4] {
    let (m, h, w, k, f, c, stride, pad) = case;
    let mut rng = NumpyRng::new(7);
    let a_prev = randn4(&mut rng, (m, h, w, k));
    let mut conv = random_conv(&mut rng, (f, k, c), stride, pad);
    // Twice, as a training loop does: the second pass reuses the buffers.
    for _ in 0..2 {
        conv.forward(a_prev.view(), Threads(threads)).unwrap();
        let dz = randn4(&mut NumpyRng::new(8), conv.z.dim());
        conv.backward(dz.view(), 1.0, true, Threads(threads));
    }
    [conv.z, conv.dw, conv.db, conv.da_prev]
}

fn close(ours: &Array4<f64>, loops: &Array4<f64>, what: &str) {
    assert_eq!(ours.dim(), loops.dim(), "{what}");
    for (a, b) in ours.iter().zip(loops) {
        assert!(
            (a - b).abs() <= 1e-12 * b.abs().max(1.0),
            "{what}: {a} vs {b}"
        );
    }
}

#[test]
fn blocked_convolutions_have_the_same_bits_on_any_thread_count_and_the_loops_numbers() {
    for case in CASES {
        let one = layer(case, 1);
        for threads in [2, 3] {
            assert_eq!(layer(case, threads), one, "{case:?} on {threads} threads");
        }
        let (m, h, w, k, f, c, stride, pad) = case;
        let mut rng = NumpyRng::new(7);
        let a_prev = randn4(&mut rng, (m, h, w, k));
        let (wt, b) = (
            randn4(&mut rng, (f, f, k, c)),
            randn4(&mut rng, (1, 1, 1, c)),
        );
        let (z, cache) = conv_forward(
            a_prev.view(),
            wt.view(),
            b.view(),
            Hparameters { stride, pad },
        )
        .unwrap();
        let dz = randn4(&mut NumpyRng::new(8), z.dim());
        let (da_prev, dw, db) = conv_backward(dz.view(), &cache);
        for (ours, loops, what) in [
            (0, &z, "Z"),
            (1, &dw, "dW"),
            (2, &db, "db"),
            (3, &da_prev, "dA_prev"),
        ] {
            close(&one[ours], loops, &format!("{case:?} {what}"));
        }
    }
}

#[test]
fn threaded_pooling_has_the_same_bits_and_the_loops_numbers() {
    let a_prev = randn4(&mut NumpyRng::new(3), (33, 16, 14, 8));
    for (f, stride) in [(2, 2), (3, 1), (3, 2)] {
        for mode in [PoolMode::Max, PoolMode::Average] {
            let win = Window::new(f, stride, 0).unwrap();
            let (a, cache) = pool_forward(a_prev.view(), win, mode).unwrap();
            let da = randn4(&mut NumpyRng::new(4), a.dim());
            let da_prev = pool_backward(da.view(), &cache, mode);
            for threads in [1, 2, 3] {
                let mut pool = Pool::new(f, stride, mode).unwrap();
                pool.forward_on(a_prev.view(), Threads(threads)).unwrap();
                pool.backward_on(da.view(), Threads(threads));
                assert_eq!(pool.a, a, "{mode:?} {f}/{stride} on {threads}: A");
                close(
                    &pool.da_prev,
                    &da_prev,
                    &format!("{mode:?} {f}/{stride}: dA_prev"),
                );
                let mut single = Pool::new(f, stride, mode).unwrap();
                single.forward(a_prev.view()).unwrap();
                single.backward(da.view());
                assert_eq!(
                    pool.da_prev, single.da_prev,
                    "{mode:?} on {threads} threads"
                );
            }
        }
    }
}
