//! Activation functions g(z), each beside its derivative g′(z) and the row
//! kernels that apply them to a whole layer: one definition each.
//!
//! The derivatives take both z and a = g(z), so each uses whichever is cheaper
//! (tanh′ = 1 − a², σ′ = a(1 − a)), as the notes write them. σ and tanh are
//! the fast kernels of `fastmath.rs` (within a few ulp of libm), the same
//! in the scalar [`Activation::forward`] and in the row kernels
//! [`activate_row`] and [`times_derivative_row`], which are these scalar
//! definitions applied along a row (one match per row, so each loop vectorises).
//!
//! At z = 0, ReLU's derivative is taken as 0 and leaky ReLU's as its slope (the
//! left-hand derivative, as the course's `relu_backward` does with `Z <= 0`).

use serde::{Deserialize, Serialize};

use crate::fastmath::{sigmoid_t, tanh_t};
use crate::linalg::{dispatch, Float};

/// The default slope of leaky ReLU for z < 0.
pub const LEAKY_RELU_SLOPE: f64 = 0.01;

/// A hidden layer's activation (the output layer's σ or softmax is an [`crate::Output`]).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "name", try_from = "Named")]
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
    /// z itself (scikit-learn's "identity": a linear layer); derivative 1.
    Identity,
}

/// What model.json and a checkpoint's settings may name: the activations, and
/// "softmax", refused by name (an output, which files written before the
/// output had its own type could hold in a damaged model.json).
#[derive(Deserialize)]
#[serde(rename_all = "kebab-case", tag = "name")]
enum Named {
    Sigmoid,
    Tanh,
    Relu,
    LeakyRelu { slope: f64 },
    Identity,
    Softmax,
}

impl TryFrom<Named> for Activation {
    type Error = &'static str;

    fn try_from(g: Named) -> Result<Self, Self::Error> {
        Ok(match g {
            Named::Sigmoid => Activation::Sigmoid,
            Named::Tanh => Activation::Tanh,
            Named::Relu => Activation::Relu,
            Named::LeakyRelu { slope } => Activation::LeakyRelu { slope },
            Named::Identity => Activation::Identity,
            Named::Softmax => return Err("softmax is an output, not a hidden activation"),
        })
    }
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
            Activation::Identity => "identity",
        }
    }

    /// g(z).
    #[inline(always)]
    pub fn forward<T: Float>(self, z: T) -> T {
        match self {
            Activation::Sigmoid => sigmoid_t(z),
            Activation::Tanh => tanh_t(z),
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
            Activation::Identity => z,
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
            Activation::Identity => T::one(),
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
            "identity" => Ok(Activation::Identity),
            other => Err(format!(
                "unknown activation '{other}' (expected relu, tanh, sigmoid, leaky-relu or identity)"
            )),
        }
    }
}

/// σ(z) = 1 / (1 + e^(−z)), as the course writes it (the fast kernel). For
/// z ≪ 0, e^(−z) overflows to +∞ and σ is exactly 0: never NaN.
#[inline(always)]
pub fn sigmoid<T: Float>(z: T) -> T {
    sigmoid_t(z)
}

/// `$each!(g)` in one match arm per activation, with g a constant in each arm,
/// so that `forward` / `derivative` fold to that g's arithmetic and each row
/// loop is a select or polynomial the compiler vectorises.
macro_rules! per_variant {
    ($g:expr, $each:ident) => {
        match $g {
            Activation::Sigmoid => $each!(Activation::Sigmoid),
            Activation::Tanh => $each!(Activation::Tanh),
            Activation::Relu => $each!(Activation::Relu),
            Activation::LeakyRelu { slope } => $each!(Activation::LeakyRelu { slope }),
            Activation::Identity => $each!(Activation::Identity),
        }
    };
}

/// Z += b, A = g(Z), over one row (one unit, all examples).
pub fn activate_row<T: Float>(g: Activation, b: T, z: &mut [T], a: &mut [T]) {
    assert_eq!(z.len(), a.len());
    dispatch!(avx2, activate_row_body, (g: Activation, b: T, z: &mut [T], a: &mut [T]))
}

#[inline(always)]
fn activate_row_body<T: Float>(g: Activation, b: T, z: &mut [T], a: &mut [T]) {
    let pairs = z.iter_mut().zip(a.iter_mut());
    macro_rules! each {
        ($g:expr) => {
            pairs.for_each(|(z, a)| {
                *z += b;
                *a = $g.forward(*z);
            })
        };
    }
    per_variant!(g, each);
}

/// Z += b, A = Z, over one row: the softmax output's pass before its softmax over each column.
pub fn add_bias_row<T: Float>(b: T, z: &mut [T], a: &mut [T]) {
    assert_eq!(z.len(), a.len());
    dispatch!(avx2, add_bias_row_body, (b: T, z: &mut [T], a: &mut [T]))
}

#[inline(always)]
fn add_bias_row_body<T: Float>(b: T, z: &mut [T], a: &mut [T]) {
    for (z, a) in z.iter_mut().zip(a.iter_mut()) {
        *z += b;
        *a = *z;
    }
}

/// dZ ⊙= g′(Z) over one row, g′ taken from Z and A = g(Z) ([`Activation::derivative`]).
pub fn times_derivative_row<T: Float>(g: Activation, dz: &mut [T], z: &[T], a: &[T]) {
    assert!(dz.len() == z.len() && z.len() == a.len());
    dispatch!(avx2, times_derivative_body, (g: Activation, dz: &mut [T], z: &[T], a: &[T]))
}

#[inline(always)]
fn times_derivative_body<T: Float>(g: Activation, dz: &mut [T], z: &[T], a: &[T]) {
    let triples = dz.iter_mut().zip(z).zip(a);
    macro_rules! each {
        ($g:expr) => {
            triples.for_each(|((dz, &z), &a)| *dz *= $g.derivative(z, a))
        };
    }
    per_variant!(g, each);
}

/// A = g(Z) over one row, Z left as it is (the picture layers' activation).
pub fn apply_row<T: Float>(g: Activation, z: &[T], a: &mut [T]) {
    assert_eq!(z.len(), a.len());
    dispatch!(avx2, apply_row_body, (g: Activation, z: &[T], a: &mut [T]))
}

#[inline(always)]
fn apply_row_body<T: Float>(g: Activation, z: &[T], a: &mut [T]) {
    let pairs = a.iter_mut().zip(z);
    macro_rules! each {
        ($g:expr) => {
            pairs.for_each(|(a, &z)| *a = $g.forward(z))
        };
    }
    per_variant!(g, each);
}

/// dZ = dA ⊙ g′(Z) over one row, g′ taken from Z and A = g(Z).
pub fn derivative_row<T: Float>(g: Activation, dz: &mut [T], da: &[T], z: &[T], a: &[T]) {
    assert!(dz.len() == da.len() && da.len() == z.len() && z.len() == a.len());
    dispatch!(avx2, derivative_row_body, (g: Activation, dz: &mut [T], da: &[T], z: &[T], a: &[T]))
}

#[inline(always)]
fn derivative_row_body<T: Float>(g: Activation, dz: &mut [T], da: &[T], z: &[T], a: &[T]) {
    let quads = dz.iter_mut().zip(da).zip(z).zip(a);
    macro_rules! each {
        ($g:expr) => {
            quads.for_each(|(((dz, &da), &z), &a)| *dz = da * $g.derivative(z, a))
        };
    }
    per_variant!(g, each);
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
            Activation::Identity,
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
    fn files_name_the_activations_and_refuse_softmax_by_name() {
        let read = |json: &str| serde_json::from_str::<Activation>(json);
        assert_eq!(read(r#"{"name":"tanh"}"#).unwrap(), Activation::Tanh);
        let leaky = read(r#"{"name":"leaky-relu","slope":0.2}"#).unwrap();
        assert_eq!(leaky, Activation::LeakyRelu { slope: 0.2 });
        let json = serde_json::to_string(&leaky).unwrap();
        assert_eq!(json, r#"{"name":"leaky-relu","slope":0.2}"#);
        let e = read(r#"{"name":"softmax"}"#).unwrap_err().to_string();
        assert!(
            e.contains("softmax is an output, not a hidden activation"),
            "{e}"
        );
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

    /// The dispatched row kernels (AVX-512, AVX2 or baseline, whichever this
    /// CPU runs) give the bits of their bodies compiled for the baseline.
    fn dispatched_rows_match_baseline<T: Float>() {
        let z0: Vec<T> = (0..203)
            .map(|i| T::cast((i as f64 - 101.0) * 0.173))
            .collect();
        for g in [
            Activation::Sigmoid,
            Activation::Tanh,
            Activation::Relu,
            Activation::leaky_relu(),
            Activation::Identity,
        ] {
            let b = T::cast(0.3);
            let (mut z, mut a) = (z0.clone(), vec![T::zero(); z0.len()]);
            let (mut z_ref, mut a_ref) = (z0.clone(), vec![T::zero(); z0.len()]);
            activate_row(g, b, &mut z, &mut a);
            activate_row_body(g, b, &mut z_ref, &mut a_ref);
            assert_eq!(a, a_ref, "{g:?} forward");
            let (mut dz, mut dz_ref) = (z0.clone(), z0.clone());
            times_derivative_row(g, &mut dz, &z, &a);
            times_derivative_body(g, &mut dz_ref, &z, &a);
            assert_eq!(dz, dz_ref, "{g:?} derivative");
        }
    }

    #[test]
    fn dispatched_row_kernels_give_the_baseline_bits() {
        dispatched_rows_match_baseline::<f64>();
        dispatched_rows_match_baseline::<f32>();
    }

    #[test]
    fn row_passes_match_the_scalar_definitions() {
        let z0: Vec<f64> = (0..37).map(|i| (i as f64 - 18.0) * 0.37).collect();
        for g in [
            Activation::Sigmoid,
            Activation::Tanh,
            Activation::Relu,
            Activation::leaky_relu(),
        ] {
            let (mut z, mut a) = (z0.clone(), vec![0.0; z0.len()]);
            activate_row(g, 0.5, &mut z, &mut a);
            let mut dz = vec![1.5; z0.len()];
            times_derivative_row(g, &mut dz, &z, &a);
            for i in 0..z0.len() {
                assert_eq!(z[i], z0[i] + 0.5);
                assert_eq!(
                    a[i].to_bits(),
                    g.forward(z[i]).to_bits(),
                    "{g:?} at {}",
                    z[i]
                );
                assert_eq!(dz[i], 1.5 * g.derivative(z[i], a[i]));
            }
        }
    }
}
