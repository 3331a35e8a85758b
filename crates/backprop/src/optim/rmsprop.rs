//! RMSprop (the course's form): s = β₂·s + (1 − β₂)·dθ²; θ −= α·dθ / (√s + ε).

use ndarray::{Array2, Zip};
use serde::{Deserialize, Serialize};

use crate::linalg::Float;

/// RMSprop's settings.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct RmsPropConfig {
    /// β₂, the decay of the squared-gradient average (default 0.999).
    pub beta2: f64,
    /// ε, added to √s so the step stays finite (default 1e-8).
    pub epsilon: f64,
}

impl Default for RmsPropConfig {
    fn default() -> Self {
        RmsPropConfig {
            beta2: 0.999,
            epsilon: 1e-8,
        }
    }
}

impl RmsPropConfig {
    /// One update of `param` given its gradient and its squared-gradient average `s`.
    pub fn update<T: Float>(
        &self,
        param: &mut Array2<T>,
        grad: &Array2<T>,
        s: &mut Array2<T>,
        lr: T,
    ) {
        let (b2, eps) = (T::cast(self.beta2), T::cast(self.epsilon));
        Zip::from(param).and(grad).and(s).for_each(|p, &g, s| {
            *s = b2 * *s + (T::one() - b2) * g * g;
            *p -= lr * g / (s.sqrt() + eps);
        });
    }
}
