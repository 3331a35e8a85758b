//! Activation functions g(z), each beside its derivative g′(z).
//!
//! The derivatives take both z and a = g(z), so each uses whichever is cheaper
//! (tanh′ = 1 − a², σ′ = a(1 − a)), as the notes write them.
//!
//! At z = 0, ReLU's derivative is taken as 0 and leaky ReLU's as its slope (the
//! left-hand derivative, as the course's `relu_backward` does with `Z <= 0`).

use serde::{Deserialize, Serialize};

use crate::linalg::Float;

/// The default slope of leaky ReLU for z < 0.
pub const LEAKY_RELU_SLOPE: f64 = 0.01;

/// A hidden-layer (or output) activation.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "name")]
pub enum Activation {
    /// σ(z) = 1 / (1 + e^(−z)); σ′ = σ(1 − σ).
    Sigmoid,
    /// tanh(z); tanh′ = 1 − tanh².
    Tanh,
    /// max(0, z); derivative 1 for z > 0, else 0.
    Relu,
    /// z for z > 0, slope·z otherwise; derivative 1 for z > 0, else slope.
    LeakyRelu {
        /// Slope for z ≤ 0 (default [`LEAKY_RELU_SLOPE`]).
        slope: f64,
    },
    /// The output layer of more than two classes: softmax over each column,
    /// which the network applies to the whole column; element by element it
    /// passes z through. Never a hidden activation (dZ[L] = A[L] − Y is used
    /// instead of its derivative).
    Softmax,
}

impl Activation {
    /// Leaky ReLU with the default slope 0.01.
    pub fn leaky_relu() -> Self {
        Activation::LeakyRelu {
            slope: LEAKY_RELU_SLOPE,
        }
    }

    /// The name as the CLI and model files spell it.
    pub fn name(&self) -> &'static str {
        match self {
            Activation::Sigmoid => "sigmoid",
            Activation::Tanh => "tanh",
            Activation::Relu => "relu",
            Activation::LeakyRelu { .. } => "leaky-relu",
            Activation::Softmax => "softmax",
        }
    }

    /// g(z).
    #[inline(always)]
    pub fn forward<T: Float>(self, z: T) -> T {
        match self {
            Activation::Sigmoid => sigmoid(z),
            Activation::Tanh => z.tanh(),
            Activation::Relu => {
                if z > T::zero() {
                    z
                } else {
                    T::zero()
                }
            }
            Activation::LeakyRelu { slope } => {
                if z > T::zero() {
                    z
                } else {
                    T::cast(slope) * z
                }
            }
            Activation::Softmax => z,
        }
    }

    /// g′(z), given z and a = g(z).
    #[inline(always)]
    pub fn derivative<T: Float>(self, z: T, a: T) -> T {
        match self {
            Activation::Sigmoid => a * (T::one() - a),
            Activation::Tanh => T::one() - a * a,
            Activation::Relu => {
                if z > T::zero() {
                    T::one()
                } else {
                    T::zero()
                }
            }
            Activation::LeakyRelu { slope } => {
                if z > T::zero() {
                    T::one()
                } else {
                    T::cast(slope)
                }
            }
            Activation::Softmax => T::one(),
        }
    }
}

impl std::fmt::Display for Activation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Activation {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "sigmoid" => Ok(Activation::Sigmoid),
            "tanh" => Ok(Activation::Tanh),
            "relu" => Ok(Activation::Relu),
            "leaky-relu" | "leaky_relu" => Ok(Activation::leaky_relu()),
            other => Err(format!(
                "unknown activation '{other}' (expected relu, tanh, sigmoid or leaky-relu)"
            )),
        }
    }
}

/// σ(z) = 1 / (1 + e^(−z)), as the course writes it. For z ≪ 0, e^(−z)
/// overflows to +∞ and σ is exactly 0: never NaN.
#[inline(always)]
pub fn sigmoid<T: Float>(z: T) -> T {
    T::one() / (T::one() + (-z).exp())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn numeric_derivative(g: Activation, z: f64) -> f64 {
        let h = 1e-6;
        (g.forward(z + h) - g.forward(z - h)) / (2.0 * h)
    }

    #[test]
    fn derivatives_match_central_differences_away_from_kinks() {
        let all = [
            Activation::Sigmoid,
            Activation::Tanh,
            Activation::Relu,
            Activation::leaky_relu(),
            Activation::LeakyRelu { slope: 0.2 },
        ];
        for g in all {
            for z in [-3.0, -0.7, -0.01, 0.02, 0.5, 2.5] {
                let a = g.forward(z);
                let d = g.derivative(z, a);
                assert!(
                    (d - numeric_derivative(g, z)).abs() < 1e-8,
                    "{g:?} at {z}: {d} vs {}",
                    numeric_derivative(g, z)
                );
            }
        }
    }

    #[test]
    fn derivative_at_zero_is_documented_value() {
        assert_eq!(Activation::Relu.derivative(0.0, 0.0), 0.0);
        assert_eq!(Activation::leaky_relu().derivative(0.0, 0.0), 0.01);
    }

    #[test]
    fn sigmoid_saturates_without_nan() {
        assert_eq!(sigmoid(-800.0f64), 0.0);
        assert_eq!(sigmoid(800.0f64), 1.0);
        assert_eq!(sigmoid(-800.0f32), 0.0);
    }
}
