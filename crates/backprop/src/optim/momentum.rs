//! Gradient descent with momentum (the course's form):
//! v = β·v + (1 − β)·dθ; θ −= α·v.

use ndarray::{Array2, Zip};
use serde::{Deserialize, Serialize};

use crate::linalg::Float;

/// Momentum's settings.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct MomentumConfig {
    /// β, the decay of the average (default 0.9).
    pub beta: f64,
}

impl Default for MomentumConfig {
    fn default() -> Self {
        MomentumConfig { beta: 0.9 }
    }
}

impl MomentumConfig {
    /// One update of `param` given its gradient and its velocity `v`.
    pub fn update<T: Float>(
        &self,
        param: &mut Array2<T>,
        grad: &Array2<T>,
        v: &mut Array2<T>,
        lr: T,
    ) {
        let beta = T::cast(self.beta);
        let one_minus = T::one() - beta;
        Zip::from(param).and(grad).and(v).for_each(|p, &g, v| {
            *v = beta * *v + one_minus * g;
            *p -= lr * *v;
        });
    }
}
