//! The notebook's printed outputs for pool_forward, create_mask_from_window,
//! distribute_value and pool_backward, by the course's loops and by [`Pool`].

use ndarray::{array, s, Array4};

use super::{assert_prints, numpy_mean_all, randn4};
use crate::layers::course::{
    create_mask_from_window, distribute_value, pool_backward, pool_forward,
};
use crate::layers::window::Window;
use crate::layers::{Pool, PoolMode};
use crate::rng::NumpyRng;

/// A by the loops and by the layer, which must agree exactly.
fn both(a_prev: &Array4<f64>, f: usize, stride: usize, mode: PoolMode) -> Array4<f64> {
    let (a, _) = pool_forward(a_prev.view(), Window::new(f, stride, 0).unwrap(), mode).unwrap();
    let mut pool = Pool::new(f, stride, mode).unwrap();
    pool.forward(a_prev.view()).unwrap();
    assert_eq!(pool.a, a, "{mode:?}: the layer and the loops");
    a
}

#[test]
fn pool_forward_2017_edition_f3_stride_2() {
    // np.random.seed(1); A_prev = np.random.randn(2, 4, 4, 3); {"stride": 2, "f": 3}
    let a_prev = randn4(&mut NumpyRng::new(1), (2, 4, 4, 3));
    let a = both(&a_prev, 3, 2, PoolMode::Max);
    assert_eq!(a.dim(), (2, 1, 1, 3));
    assert_prints(
        a.slice(s![0, 0, 0, ..]),
        &[1.74481176, 0.86540763, 1.13376944],
        "max A[0]",
    );
    assert_prints(
        a.slice(s![1, 0, 0, ..]),
        &[1.13162939, 1.51981682, 2.18557541],
        "max A[1]",
    );
    let a = both(&a_prev, 3, 2, PoolMode::Average);
    assert_prints(
        a.slice(s![0, 0, 0, ..]),
        &[0.02105773, -0.20328806, -0.40389855],
        "average A[0]",
    );
    assert_prints(
        a.slice(s![1, 0, 0, ..]),
        &[-0.22154621, 0.51716526, 0.48155844],
        "average A[1]",
    );
}

#[test]
fn pool_forward_later_edition_stride_1() {
    // np.random.seed(1); A_prev = np.random.randn(2, 5, 5, 3); f 3, stride 1 (then 2, below)
    let a_prev = randn4(&mut NumpyRng::new(1), (2, 5, 5, 3));
    let a = both(&a_prev, 3, 1, PoolMode::Max);
    assert_eq!(a.dim(), (2, 3, 3, 3));
    let max_11 = [
        1.96710175, 0.84616065, 1.27375593, 1.96710175, 0.84616065, 1.23616403, 1.62765075,
        1.12141771, 1.2245077,
    ];
    assert_prints(
        a.slice(s![1, 1, .., ..]).flatten().view(),
        &max_11,
        "max A[1, 1]",
    );
    let a = both(&a_prev, 3, 1, PoolMode::Average);
    let average_11 = [
        0.44497696,
        -0.00261695,
        -0.31040307,
        0.50811474,
        -0.23493734,
        -0.23961183,
        0.11872677,
        0.17255229,
        -0.22112197,
    ];
    assert_prints(
        a.slice(s![1, 1, .., ..]).flatten().view(),
        &average_11,
        "average A[1, 1]",
    );
}

#[test]
fn pool_forward_later_edition_stride_2() {
    let a_prev = randn4(&mut NumpyRng::new(1), (2, 5, 5, 3));
    let a = both(&a_prev, 3, 2, PoolMode::Max);
    assert_eq!(a.dim(), (2, 2, 2, 3));
    let max_0 = [
        1.74481176, 0.90159072, 1.65980218, 1.74481176, 1.6924546, 1.65980218, 1.13162939,
        1.51981682, 2.18557541, 1.13162939, 1.6924546, 2.18557541,
    ];
    assert_prints(
        a.slice(s![0, .., .., ..]).flatten().view(),
        &max_0,
        "max A[0]",
    );
    let a = both(&a_prev, 3, 2, PoolMode::Average);
    let average_1 = [
        -0.17313416,
        0.32377198,
        -0.34317572,
        0.02030094,
        0.14141479,
        -0.01231585,
        0.42944926,
        0.08446996,
        -0.27290905,
        0.15077452,
        0.28911175,
        0.00123239,
    ];
    assert_prints(
        a.slice(s![1, .., .., ..]).flatten().view(),
        &average_1,
        "average A[1]",
    );
}

#[test]
fn mask_and_distributed_value_as_printed() {
    // np.random.seed(1); x = np.random.randn(2, 3)
    let x = randn4(&mut NumpyRng::new(1), (1, 1, 2, 3));
    let x = x.slice(s![0, 0, .., ..]);
    assert_prints(
        x.flatten().view(),
        &[
            1.62434536,
            -0.61175641,
            -0.52817175,
            -1.07296862,
            0.86540763,
            -2.3015387,
        ],
        "x",
    );
    assert_eq!(
        create_mask_from_window(x),
        array![[true, false, false], [false, false, false]]
    );
    assert_eq!(
        distribute_value(2.0, (2, 2)),
        array![[0.5, 0.5], [0.5, 0.5]]
    );
}

#[test]
fn pool_backward_gives_the_printed_gradients() {
    // np.random.seed(1); A_prev = randn(5, 5, 3, 2); {"stride": 1, "f": 2}; dA = randn(5, 4, 2, 2)
    let mut rng = NumpyRng::new(1);
    let a_prev = randn4(&mut rng, (5, 5, 3, 2));
    let da = randn4(&mut rng, (5, 4, 2, 2));
    assert_eq!(numpy_mean_all(&da), 0.14571390272918056, "mean of dA");
    let cases = [
        (PoolMode::Max, [0.0, 0.0, 5.05844394, -1.68282702, 0.0, 0.0]),
        (
            PoolMode::Average,
            [
                0.08485462,
                0.2787552,
                1.26461098,
                -0.25749373,
                1.17975636,
                -0.53624893,
            ],
        ),
    ];
    for (mode, printed) in cases {
        let hparameters = Window::new(2, 1, 0).unwrap();
        let (_, cache) = pool_forward(a_prev.view(), hparameters, mode).unwrap();
        let da_prev = pool_backward(da.view(), &cache, mode);
        assert_prints(
            da_prev.slice(s![1, 1, .., ..]).flatten().view(),
            &printed,
            "dA_prev[1,1]",
        );
        let mut pool = Pool::new(2, 1, mode).unwrap();
        pool.forward(a_prev.view()).unwrap();
        pool.backward(da.view());
        assert_eq!(pool.da_prev, da_prev, "{mode:?}: the layer and the loops");
    }
}
