//! The notes' logistic regression as a scalar loop (section 1.3 (1)).
//!
//! For each iteration, loop over the examples and, inside, over the weights,
//! accumulating J, dw and db one number at a time; then divide by m and step.
//! It is the slow, obviously-correct form: the oracle for the vectorized
//! network and the baseline of the speed-up the notes demonstrate.

/// The result of [`train`]: the parameters after the last update, and the cost
/// computed by the last iteration (at the parameters before its update).
#[derive(Clone, Debug, PartialEq)]
pub struct ScalarResult {
    /// Weights w_1 … w_n.
    pub w: Vec<f64>,
    /// Bias b.
    pub b: f64,
    /// J of the last iteration.
    pub cost: f64,
}

/// Trains logistic regression on `x` (m examples, each a slice of n features)
/// and labels `y` (m values in [0, 1]) by the notes' loops.
pub fn train(
    x: &[Vec<f64>],
    y: &[f64],
    mut w: Vec<f64>,
    mut b: f64,
    alpha: f64,
    iterations: usize,
) -> ScalarResult {
    let m = x.len();
    let n = w.len();
    let mut cost = f64::NAN;
    for _ in 0..iterations {
        let mut j = 0.0;
        let mut dw = vec![0.0; n];
        let mut db = 0.0;
        for i in 0..m {
            let mut z = b;
            for k in 0..n {
                z += w[k] * x[i][k];
            }
            let a = 1.0 / (1.0 + (-z).exp());
            j += -(y[i] * a.ln() + (1.0 - y[i]) * (1.0 - a).ln());
            let dz = a - y[i];
            for k in 0..n {
                dw[k] += x[i][k] * dz;
            }
            db += dz;
        }
        j /= m as f64;
        for dwk in &mut dw {
            *dwk /= m as f64;
        }
        db /= m as f64;
        for k in 0..n {
            w[k] -= alpha * dw[k];
        }
        b -= alpha * db;
        cost = j;
    }
    ScalarResult { w, b, cost }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notes_toy_example_matches_the_reference_loop() {
        // ../shared/reference/w5_scalar.py: x = [-2..2], y = σ(x), α = 0.01, w = b = 1, 1000 it.
        let xs = [-2.0, -1.0, 0.0, 1.0, 2.0];
        let x: Vec<Vec<f64>> = xs.iter().map(|&v| vec![v]).collect();
        let y: Vec<f64> = xs.iter().map(|&v: &f64| 1.0 / (1.0 + (-v).exp())).collect();
        let r = train(&x, &y, vec![1.0], 1.0, 0.01, 1000);
        assert!((r.w[0] - 1.028923454759702).abs() < 1e-12);
        assert!((r.b - 0.1917517486107395).abs() < 1e-12);
        assert!((r.cost - 0.5208398018603683).abs() < 1e-12);
    }
}
