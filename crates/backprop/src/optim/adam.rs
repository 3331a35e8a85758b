//! Adam with bias correction (the course's form), at update t = 1, 2, …:
//! v = β₁·v + (1 − β₁)·dθ; s = β₂·s + (1 − β₂)·dθ²;
//! v̂ = v / (1 − β₁ᵗ); ŝ = s / (1 − β₂ᵗ); θ −= α·v̂ / (√ŝ + ε).

use ndarray::{Array2, Zip};
use serde::{Deserialize, Serialize};

use super::Slot;
use crate::linalg::Float;

/// Adam's settings.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct AdamConfig {
    /// β₁, the decay of the gradient average (default 0.9).
    pub beta1: f64,
    /// β₂, the decay of the squared-gradient average (default 0.999).
    pub beta2: f64,
    /// ε (default 1e-8).
    pub epsilon: f64,
}

impl Default for AdamConfig {
    fn default() -> Self {
        AdamConfig {
            beta1: 0.9,
            beta2: 0.999,
            epsilon: 1e-8,
        }
    }
}

impl AdamConfig {
    /// One update of `param` at step `t` (from 1) given its gradient and its moments.
    pub fn update<T: Float>(
        &self,
        param: &mut Array2<T>,
        grad: &Array2<T>,
        slot: &mut Slot<T>,
        lr: T,
        t: u64,
    ) {
        let (b1, b2, eps) = (
            T::cast(self.beta1),
            T::cast(self.beta2),
            T::cast(self.epsilon),
        );
        let t = t.min(i32::MAX as u64) as i32;
        let c1 = T::one() - T::cast(self.beta1.powi(t));
        let c2 = T::one() - T::cast(self.beta2.powi(t));
        Zip::from(param)
            .and(grad)
            .and(&mut slot.v)
            .and(&mut slot.s)
            .for_each(|p, &g, v, s| {
                *v = b1 * *v + (T::one() - b1) * g;
                *s = b2 * *s + (T::one() - b2) * g * g;
                let v_hat = *v / c1;
                let s_hat = *s / c2;
                *p -= lr * v_hat / (s_hat.sqrt() + eps);
            });
    }
}
