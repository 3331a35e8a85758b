//! Weight initialisations, seeded and drawn in the course's order.
//!
//! Each W[l] is drawn as numpy's `randn(n[l], n[l-1])` (row-major), W1 first,
//! then scaled; biases start at 0. The draws are made in f64 and rounded to
//! the network's type, as the course's `.astype(float32)` would.

use ndarray::Array2;
use serde::{Deserialize, Serialize};

use crate::rng::Gaussian;

/// How the weights start.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Init {
    /// All zeros (the course's logistic regression). Draws nothing.
    Zeros,
    /// N(0,1)·0.01 (the course's shallow networks).
    Small,
    /// N(0,1)/√n[l-1] (the course's deep application, `np.random.randn(..) / np.sqrt(n_prev)`).
    Xavier,
    /// N(0,1)·√(2/n[l-1]) (He et al., for ReLU).
    He,
}

impl Init {
    /// The name as the CLI spells it.
    pub fn name(&self) -> &'static str {
        match self {
            Init::Zeros => "zeros",
            Init::Small => "small",
            Init::Xavier => "xavier",
            Init::He => "he",
        }
    }

    /// Draws one weight matrix of shape `n_out × n_in`.
    pub fn weights(self, n_out: usize, n_in: usize, rng: &mut dyn Gaussian) -> Array2<f64> {
        let draw = |rng: &mut dyn Gaussian, scale: &dyn Fn(f64) -> f64| {
            Array2::from_shape_fn((n_out, n_in), |_| scale(rng.randn()))
        };
        let n = n_in as f64;
        match self {
            Init::Zeros => Array2::zeros((n_out, n_in)),
            Init::Small => draw(rng, &|g| g * 0.01),
            Init::Xavier => {
                let s = n.sqrt();
                draw(rng, &|g| g / s)
            }
            Init::He => {
                let s = (2.0 / n).sqrt();
                draw(rng, &|g| g * s)
            }
        }
    }
}

impl std::fmt::Display for Init {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Init {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "zeros" => Ok(Init::Zeros),
            "small" => Ok(Init::Small),
            "xavier" => Ok(Init::Xavier),
            "he" => Ok(Init::He),
            other => Err(format!(
                "unknown init '{other}' (expected zeros, small, xavier or he)"
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::NumpyRng;

    #[test]
    fn small_init_is_numpy_randn_times_001_row_major() {
        let w = Init::Small.weights(1, 3, &mut NumpyRng::new(1));
        let expected = [1.6243453636632417, -0.6117564136500754, -0.5281717522634557];
        for (got, want) in w.iter().zip(expected) {
            assert_eq!(*got, want * 0.01);
        }
    }
}
