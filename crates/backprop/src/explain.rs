//! The equations of a run, in the notes' notation, with the run's own shapes,
//! so a learner can hold every product against the notes.

use std::fmt::Write;

use crate::activation::Activation;

/// The forward, cost, backward and update equations for a network of layer
/// sizes `sizes` = [n_x, …, n_L] on `m` examples, hidden activation `g`; the output is
/// σ with binary cross-entropy for n_L = 1, softmax with categorical cross-entropy otherwise.
pub fn equations(sizes: &[usize], m: usize, g: Activation, learning_rate: f64) -> String {
    let big_l = sizes.len() - 1;
    let k = sizes[big_l];
    let name = |l: usize| {
        if l == big_l && k > 1 {
            "softmax".to_string()
        } else if l == big_l {
            "σ".to_string()
        } else {
            g.name().to_string()
        }
    };
    let mut s = String::new();
    let _ = writeln!(
        s,
        "Forward propagation (A[0] = X, {}×{m}; one example per column):",
        sizes[0]
    );
    for l in 1..=big_l {
        let (n, p) = (sizes[l], sizes[l - 1]);
        let _ = writeln!(
            s,
            "  Z[{l}] = W[{l}] ({n}×{p}) · A[{}] ({p}×{m}) + b[{l}] ({n}×1) → ({n}×{m})",
            l - 1
        );
        let _ = writeln!(s, "  A[{l}] = {}(Z[{l}]) → ({n}×{m})", name(l));
    }
    if k > 1 {
        let _ = writeln!(
            s,
            "Cost: J = −(1/m)·Σ Y ⊙ ln A[{big_l}], Y one-hot ({k}×{m}), m = {m} (computed stably from Z[{big_l}])"
        );
    } else {
        let _ = writeln!(
            s,
            "Cost: J = −(1/m)·Σ[Y·ln A[{big_l}] + (1−Y)·ln(1−A[{big_l}])], m = {m} (computed stably from Z[{big_l}])"
        );
    }
    let _ = writeln!(s, "Backward propagation:");
    let _ = writeln!(s, "  dZ[{big_l}] = A[{big_l}] − Y → ({k}×{m})");
    for l in (1..=big_l).rev() {
        let (n, p) = (sizes[l], sizes[l - 1]);
        let _ = writeln!(
            s,
            "  dW[{l}] = (1/m) dZ[{l}] ({n}×{m}) · A[{}]ᵀ ({m}×{p}) → ({n}×{p})",
            l - 1
        );
        let _ = writeln!(s, "  db[{l}] = (1/m) Σ_columns dZ[{l}] ({n}×{m}) → ({n}×1)");
        if l > 1 {
            let _ = writeln!(
                s,
                "  dZ[{}] = W[{l}]ᵀ ({p}×{n}) · dZ[{l}] ({n}×{m}) ⊙ {}′(Z[{}]) ({p}×{m}) → ({p}×{m})",
                l - 1,
                name(l - 1),
                l - 1
            );
        }
    }
    let _ = writeln!(
        s,
        "  (dA[0] = W[1]ᵀ·dZ[1] is not computed: X is not learned)"
    );
    let _ = writeln!(
        s,
        "Update (α = {learning_rate}): W[l] −= α·dW[l], b[l] −= α·db[l] for l = 1…{big_l}"
    );
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deep_cat_net_shows_the_issue_example() {
        let e = equations(&[12288, 20, 7, 5, 1], 209, Activation::Relu, 0.0075);
        assert!(e.contains("Z[1] = W[1] (20×12288) · A[0] (12288×209) + b[1] (20×1) → (20×209)"));
        assert!(e.contains("dW[1] = (1/m) dZ[1] (20×209) · A[0]ᵀ (209×12288) → (20×12288)"));
        assert!(e.contains("A[4] = σ(Z[4]) → (1×209)"));
        assert!(e.contains("dZ[3] = W[4]ᵀ (5×1) · dZ[4] (1×209) ⊙ relu′(Z[3]) (5×209) → (5×209)"));
    }

    #[test]
    fn a_softmax_output_shows_k_classes() {
        let e = equations(&[2, 16, 3], 240, Activation::Relu, 0.01);
        assert!(e.contains("A[2] = softmax(Z[2]) → (3×240)"), "{e}");
        assert!(e.contains("Y one-hot (3×240)"), "{e}");
        assert!(e.contains("dZ[2] = A[2] − Y → (3×240)"), "{e}");
    }
}
