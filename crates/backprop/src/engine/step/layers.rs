//! The plain layer-by-layer iteration of full-batch gradient descent, every
//! product direct: forward, backward, W −= α·dW and b −= α·db for each layer.
//! It keeps no state between iterations.

use ndarray::ArrayView2;

use crate::linalg::Float;
use crate::network::Network;

/// One iteration on (X, Y) at step size α.
pub(crate) fn step<T: Float>(
    net: &mut Network<T>,
    x: ArrayView2<'_, T>,
    y: ArrayView2<'_, T>,
    learning_rate: T,
) {
    net.forward(x);
    net.backward(x, y);
    net.descend(learning_rate);
}
