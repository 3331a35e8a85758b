//! Gradient descent with momentum (the course's form):
//! v = β·v + (1 − β)·dθ; θ −= α·v. With `nesterov`, Nesterov's accelerated
//! form (scikit-learn's `nesterovs_momentum`): the same v, then
//! θ −= α·(β·v + (1 − β)·dθ), a step from the looked-ahead velocity.

use ndarray::{Array2, Zip};
use serde::{Deserialize, Serialize};

use crate::linalg::Float;

/// Momentum's settings.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct MomentumConfig {
    /// β, the decay of the average (default 0.9).
    pub beta: f64,
    /// Nesterov's step (default false: the course's classical one).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub nesterov: bool,
}

impl Default for MomentumConfig {
    fn default() -> Self {
        MomentumConfig {
            beta: 0.9,
            nesterov: false,
        }
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
        if self.nesterov {
            Zip::from(param).and(grad).and(v).for_each(|p, &g, v| {
                *v = beta * *v + one_minus * g;
                *p -= lr * (beta * *v + one_minus * g);
            });
        } else {
            Zip::from(param).and(grad).and(v).for_each(|p, &g, v| {
                *v = beta * *v + one_minus * g;
                *p -= lr * *v;
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    /// scikit-learn's Nesterov step (η = α·(1 − β), μ = β), by hand:
    /// u = μ·u − η·g; θ += μ·u − η·g.
    #[test]
    fn nesterov_is_scikit_learns_step() {
        let (alpha, beta) = (0.5, 0.9);
        let eta = alpha * (1.0 - beta);
        let config = MomentumConfig {
            beta,
            nesterov: true,
        };
        let (mut p, mut v) = (array![[1.0_f64, -2.0]], array![[0.0_f64, 0.0]]);
        let (mut theirs, mut u) = (p.clone(), v.clone());
        for g in [
            array![[0.3, -0.1]],
            array![[-0.2, 0.4]],
            array![[0.05, 0.05]],
        ] {
            config.update(&mut p, &g, &mut v, alpha);
            u = &u * beta - &g * eta;
            theirs = &theirs + &(&u * beta - &g * eta);
        }
        for (a, b) in p.iter().zip(theirs.iter()) {
            assert!((a - b).abs() < 1e-15, "{p} vs {theirs}");
        }
        let classical = MomentumConfig::default();
        let (mut q, mut w) = (array![[1.0_f64, -2.0]], array![[0.0_f64, 0.0]]);
        classical.update(&mut q, &array![[0.3, -0.1]], &mut w, alpha);
        assert!((q[[0, 0]] - (1.0 - alpha * 0.1 * 0.3)).abs() < 1e-15);
    }
}
