//! The plain layer-by-layer iteration of full-batch gradient descent, every
//! product direct: after the forward pass (the caller's, which takes the cost
//! between), backward, W −= α·dW and b −= α·db for each layer. It keeps no
//! state between iterations.

use ndarray::ArrayView2;

use crate::linalg::Float;
use crate::network::Network;

/// The rest of one iteration on (X, Y) at step size α, after `net.forward(x)`.
pub(crate) fn step<T: Float>(
    net: &mut Network<T>,
    x: ArrayView2<'_, T>,
    y: ArrayView2<'_, T>,
    learning_rate: T,
) {
    net.backward(x, y);
    net.descend(learning_rate);
}
