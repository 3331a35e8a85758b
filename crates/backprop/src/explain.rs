//! The equations of a run, in the notes' notation, with the run's own shapes,
//! so a learner can hold every product against the notes.
//!
//! Everything printed comes from the run's [`ModelSpec`]: the output (one
//! sigmoid unit for two classes, a K-unit softmax for more) and its
//! cross-entropy, the L2 term, dropout, the mini-batch shapes, the optimiser's
//! update and the learning-rate schedule. A test checks each for the
//! configuration it belongs to.

use std::fmt::Write;

use crate::config::ModelSpec;
use crate::data::Preprocessing;
use crate::optim::{LrSchedule, OptimizerConfig};
use crate::output::Output;

/// The forward, cost, backward and update equations of training `spec` on
/// `m` examples of `n_x` features with `classes` classes.
///
/// ```
/// let spec = backprop::ModelSpec { hidden: vec![4], ..Default::default() };
/// let text = backprop::explain::equations(&spec, 2, 400, 2);
/// assert!(text.contains("A[2] = σ(Z[2]) → (1×400)"));
/// ```
pub fn equations(spec: &ModelSpec, n_x: usize, m: usize, classes: usize) -> String {
    write(Run::new(spec, n_x, m, classes))
}

/// [`equations`] of a multi-label run: `labels` independent yes/no labels
/// per example, one sigmoid unit each ([`Output::Sigmoids`]).
///
/// ```
/// let spec = backprop::ModelSpec { hidden: vec![4], ..Default::default() };
/// let text = backprop::explain::multilabel_equations(&spec, 2, 400, 5);
/// assert!(text.contains("A[2] = σ(Z[2]) element by element → (5×400)"));
/// ```
pub fn multilabel_equations(spec: &ModelSpec, n_x: usize, m: usize, labels: usize) -> String {
    let mut run = Run::new(spec, n_x, m, labels);
    run.k = labels;
    *run.sizes.last_mut().expect("n_x and the output") = labels;
    run.output = Output::Sigmoids;
    write(run)
}

fn write(run: Run<'_>) -> String {
    let mut s = String::new();
    run.summary(&mut s);
    run.forward(&mut s);
    run.cost(&mut s);
    run.backward(&mut s);
    run.update(&mut s);
    s
}

/// How the inputs A\[0\] are made of the data's features when they are
/// standardised (`None` when not): the training set's mean and std, and the
/// columns first read as sign(x)·ln(1 + |x|) for their skew.
pub fn inputs(pre: &Preprocessing) -> Option<String> {
    let st = pre.standardization.as_ref()?;
    let mut s = String::from(
        "Inputs: A[0] = (x − mean) / std, each feature standardised with the training set's mean and std",
    );
    if !st.signed_log.is_empty() {
        let names: Vec<String> = st.signed_log.iter().map(|&f| pre.column_name(f)).collect();
        let _ = write!(
            s,
            "; skewed in the training set, read first as x ↦ sign(x)·ln(1 + |x|): {}",
            names.join(", ")
        );
    }
    s.push('.');
    Some(s)
}

/// What the equations are written for: the layers, the examples and the
/// examples one update sees.
struct Run<'a> {
    spec: &'a ModelSpec,
    /// [n_x, n_1, …, n_L].
    sizes: Vec<usize>,
    /// L, the number of layers.
    big_l: usize,
    output: Output,
    /// Output units.
    k: usize,
    n_x: usize,
    m: usize,
    /// The examples one update sees: a mini-batch, or all of them.
    mb: usize,
    classes: usize,
    /// The hidden g's name.
    g: &'static str,
}

impl<'a> Run<'a> {
    fn new(spec: &'a ModelSpec, n_x: usize, m: usize, classes: usize) -> Self {
        let k = Output::units_for_classes(classes);
        let mut sizes = vec![n_x];
        sizes.extend(&spec.hidden);
        sizes.push(k);
        Run {
            spec,
            big_l: sizes.len() - 1,
            sizes,
            output: Output::for_units(k),
            k,
            n_x,
            m,
            mb: spec.gd.batch_size_for(m),
            classes,
            g: spec.activation.name(),
        }
    }

    /// Layer l's keep probability, for a hidden layer with dropout.
    fn keep(&self, l: usize) -> Option<f64> {
        let keep = &self.spec.gd.keep_prob;
        let p = match keep.len() {
            0 => return None,
            1 => keep[0],
            _ => keep.get(l - 1).copied().unwrap_or(1.0),
        };
        (l < self.big_l && p < 1.0).then_some(p)
    }

    /// The network, the data, the batches and the length of the run.
    fn summary(&self, w: &mut String) {
        let Run {
            k, m, mb, n_x, g, ..
        } = *self;
        let gd = &self.spec.gd;
        let _ = writeln!(
            w,
            "Network [{}]: {} hidden layer(s) with {g}, output {}; {m} training examples of {n_x} features, {} classes.",
            self.sizes.iter().map(usize::to_string).collect::<Vec<_>>().join(", "),
            self.big_l - 1,
            match self.output {
                Output::Sigmoid => "one sigmoid unit (P(y = 1 | x))".to_string(),
                Output::Softmax => format!("a softmax over {k} units (P(class | x), one-hot Y)"),
                Output::Sigmoids => format!("{k} independent sigmoid units (P(label k | x), Y of 0/1 per label)"),
            },
            self.classes
        );
        if mb < m {
            let batches = m.div_ceil(mb);
            let last = m - (batches - 1) * mb;
            let _ = writeln!(
                w,
                "Mini-batches: {batches} per epoch of m = {mb} examples{} ({}); each update sees X{{t}} ({n_x}×{mb}), Y{{t}} ({k}×{mb}).",
                if last != mb {
                    format!(" (the last one {last})")
                } else {
                    String::new()
                },
                if gd.shuffle {
                    "reshuffled every epoch"
                } else {
                    "in the data's order"
                }
            );
        } else {
            let _ = writeln!(w, "Full batch: every update sees all m = {m} examples.");
        }
        match gd.epochs {
            Some(e) => {
                let _ = writeln!(w, "Training: {e} epochs = {} updates.", e * m.div_ceil(mb));
            }
            None => {
                let _ = writeln!(w, "Training: {} updates (iterations).", gd.iterations);
            }
        }
    }

    /// Z[l], A[l] (and dropout's D[l]) for l = 1 … L.
    fn forward(&self, w: &mut String) {
        let Run {
            big_l,
            k,
            mb,
            n_x,
            g,
            ..
        } = *self;
        let _ = writeln!(
            w,
            "Forward propagation (A[0] = X, {n_x}×{mb}; one example per column):"
        );
        for l in 1..=big_l {
            let (n, p) = (self.sizes[l], self.sizes[l - 1]);
            let _ = writeln!(
                w,
                "  Z[{l}] = W[{l}] ({n}×{p}) · A[{}] ({p}×{mb}) + b[{l}] ({n}×1) → ({n}×{mb})",
                l - 1
            );
            if l < big_l {
                let _ = writeln!(w, "  A[{l}] = {g}(Z[{l}]) → ({n}×{mb})");
                if let Some(p) = self.keep(l) {
                    let _ = writeln!(
                        w,
                        "  A[{l}] = A[{l}] ⊙ D[{l}] / {p}, D[{l}] ~ Bernoulli({p}) ({n}×{mb}) (inverted dropout, training only)"
                    );
                }
                continue;
            }
            let _ = match self.output {
                Output::Sigmoid => writeln!(w, "  A[{l}] = σ(Z[{l}]) → (1×{mb})"),
                Output::Sigmoids => writeln!(w, "  A[{l}] = σ(Z[{l}]) element by element → ({k}×{mb})"),
                Output::Softmax => writeln!(
                    w,
                    "  A[{l}] = softmax(Z[{l}]) column by column: e^(z_k − max z) / Σ_j e^(z_j − max z) → ({k}×{mb})"
                ),
            };
        }
    }

    /// J, its cross-entropy and the L2 term.
    fn cost(&self, w: &mut String) {
        let Run { big_l, mb, .. } = *self;
        let l2 = if self.spec.gd.l2 > 0.0 {
            format!(" + (λ/(2m))·Σ_l ‖W[l]‖², λ = {}", self.spec.gd.l2)
        } else {
            String::new()
        };
        let _ = match self.output {
            Output::Sigmoid => writeln!(
                w,
                "Cost (binary cross-entropy): J = −(1/m)·Σ[Y·ln A[{big_l}] + (1−Y)·ln(1−A[{big_l}])]{l2}, m = {mb} (computed stably from Z[{big_l}])"
            ),
            Output::Softmax => writeln!(
                w,
                "Cost (categorical cross-entropy): J = −(1/m)·Σ_columns Σ_k Y_k·ln A[{big_l}]_k{l2}, m = {mb} (log-sum-exp of Z[{big_l}])"
            ),
            Output::Sigmoids => writeln!(
                w,
                "Cost (binary cross-entropy of each label, summed): J = −(1/m)·Σ_columns Σ_k [Y_k·ln A[{big_l}]_k + (1−Y_k)·ln(1−A[{big_l}]_k)]{l2}, m = {mb} (computed stably from Z[{big_l}])"
            ),
        };
    }

    /// dZ[L], then dW[l], db[l] and dZ[l-1] for l = L … 1.
    fn backward(&self, w: &mut String) {
        let Run {
            big_l, k, mb, g, ..
        } = *self;
        let _ = writeln!(w, "Backward propagation:");
        let _ = writeln!(
            w,
            "  dZ[{big_l}] = A[{big_l}] − Y → ({k}×{mb})   ({} and its cross-entropy together)",
            match self.output {
                Output::Sigmoid | Output::Sigmoids => "σ",
                Output::Softmax => "softmax",
            }
        );
        for l in (1..=big_l).rev() {
            let (n, p) = (self.sizes[l], self.sizes[l - 1]);
            let l2 = if self.spec.gd.l2 > 0.0 {
                format!(" + (λ/m)·W[{l}]")
            } else {
                String::new()
            };
            let _ = writeln!(
                w,
                "  dW[{l}] = (1/m) dZ[{l}] ({n}×{mb}) · A[{}]ᵀ ({mb}×{p}){l2} → ({n}×{p})",
                l - 1
            );
            let _ = writeln!(
                w,
                "  db[{l}] = (1/m) Σ_columns dZ[{l}] ({n}×{mb}) → ({n}×1)"
            );
            if l > 1 {
                let q = l - 1;
                let mask = self
                    .keep(q)
                    .map(|p| format!(" ⊙ D[{q}] / {p}"))
                    .unwrap_or_default();
                let _ = writeln!(
                    w,
                    "  dZ[{q}] = W[{l}]ᵀ ({p}×{n}) · dZ[{l}] ({n}×{mb}){mask} ⊙ {g}′(Z[{q}]) ({p}×{mb}) → ({p}×{mb})"
                );
            }
        }
        let _ = writeln!(
            w,
            "  (dA[0] = W[1]ᵀ·dZ[1] is not computed: X is not learned)"
        );
    }

    /// The optimiser's update at the schedule's α.
    fn update(&self, w: &mut String) {
        let (gd, big_l) = (&self.spec.gd, self.big_l);
        let alpha = match gd.schedule {
            LrSchedule::None => format!("α = {}", gd.learning_rate),
            LrSchedule::InverseTime { rate } => {
                format!("α = α₀ / (1 + {rate}·epoch), α₀ = {}", gd.learning_rate)
            }
            LrSchedule::Exponential { rate } => {
                format!("α = α₀ · {rate}^epoch, α₀ = {}", gd.learning_rate)
            }
            LrSchedule::Step { rate, interval } => format!(
                "α = α₀ / (1 + {rate}·⌊epoch / {interval}⌋), α₀ = {}",
                gd.learning_rate
            ),
        };
        let each = format!("for l = 1…{big_l}, θ each of W[l], b[l]");
        let _ = match gd.optimizer {
            OptimizerConfig::Gd => writeln!(
                w,
                "Update (gradient descent, {alpha}): W[l] −= α·dW[l], b[l] −= α·db[l] for l = 1…{big_l}"
            ),
            OptimizerConfig::Momentum(c) => writeln!(
                w,
                "Update (momentum{}, {alpha}, β = {}): v = β·v + (1 − β)·dθ; θ −= α·{}   ({each}; v starts at 0)",
                if c.nesterov { ", Nesterov's" } else { "" },
                c.beta,
                if c.nesterov { "(β·v + (1 − β)·dθ)" } else { "v" }
            ),
            OptimizerConfig::RmsProp(c) => writeln!(
                w,
                "Update (RMSprop, {alpha}, β₂ = {}, ε = {:e}): s = β₂·s + (1 − β₂)·dθ²; θ −= α·dθ / (√s + ε)   ({each}; s starts at 0)",
                c.beta2, c.epsilon
            ),
            OptimizerConfig::Adam(c) => writeln!(
                w,
                "Update (Adam, {alpha}, β₁ = {}, β₂ = {}, ε = {:e}), at update t = 1, 2, …: v = β₁·v + (1 − β₁)·dθ; s = β₂·s + (1 − β₂)·dθ²; θ −= α·(v / (1 − β₁ᵗ)) / (√(s / (1 − β₂ᵗ)) + ε)   ({each}; v, s start at 0)",
                c.beta1, c.beta2, c.epsilon
            ),
            OptimizerConfig::Lbfgs(c) => writeln!(
                w,
                "Update (L-BFGS, m = {}, tol = {:e}, max_fun = {}): θ = all W[l], b[l] flattened; d = −H·∇J by the two-loop recursion over the last m pairs (s = Δθ, y = Δ∇J); θ += stp·d, stp by a line search satisfying the strong Wolfe conditions (no learning rate)",
                c.memory, c.tol, c.max_fun
            ),
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::activation::Activation;
    use crate::config::GdConfig;
    use crate::optim::AdamConfig;

    #[test]
    fn the_inputs_line_names_the_log_transformed_columns() {
        use crate::data::Standardization;
        let mut pre = Preprocessing {
            feature_names: Some(vec!["count".into(), "age".into()]),
            ..Default::default()
        };
        assert_eq!(inputs(&pre), None, "not standardised");
        let mut st = Standardization {
            mean: vec![0.0; 2],
            std: vec![1.0; 2],
            signed_log: Vec::new(),
            log_above: None,
        };
        pre.standardization = Some(st.clone());
        assert!(!inputs(&pre).unwrap().contains("ln"));
        st.signed_log = vec![0];
        pre.standardization = Some(st);
        let line = inputs(&pre).unwrap();
        assert!(
            line.ends_with("x ↦ sign(x)·ln(1 + |x|): column 'count'."),
            "{line}"
        );
    }

    #[test]
    fn deep_cat_net_shows_the_issue_example() {
        let spec = ModelSpec {
            hidden: vec![20, 7, 5],
            activation: Activation::Relu,
            ..Default::default()
        };
        let e = equations(&spec, 12288, 209, 2);
        assert!(e.contains("Z[1] = W[1] (20×12288) · A[0] (12288×209) + b[1] (20×1) → (20×209)"));
        assert!(e.contains("dW[1] = (1/m) dZ[1] (20×209) · A[0]ᵀ (209×12288) → (20×12288)"));
        assert!(e.contains("A[4] = σ(Z[4]) → (1×209)"));
        assert!(e.contains("dZ[3] = W[4]ᵀ (5×1) · dZ[4] (1×209) ⊙ relu′(Z[3]) (5×209) → (5×209)"));
        assert!(e.contains("binary cross-entropy"));
        assert!(e.contains("W[l] −= α·dW[l]"));
        assert!(e.contains("Full batch"));
        assert!(!e.contains("softmax") && !e.contains("λ") && !e.contains("D["));
    }

    #[test]
    fn softmax_adam_minibatch_l2_dropout_is_told_as_it_trains() {
        let spec = ModelSpec {
            hidden: vec![32, 16],
            activation: Activation::Tanh,
            gd: GdConfig {
                batch_size: Some(64),
                epochs: Some(3),
                optimizer: OptimizerConfig::Adam(AdamConfig::default()),
                l2: 0.5,
                keep_prob: vec![0.8, 0.9],
                ..Default::default()
            },
            ..Default::default()
        };
        let e = equations(&spec, 64, 1000, 10);
        assert!(e.contains("a softmax over 10 units"));
        assert!(e.contains("A[3] = softmax(Z[3])") && e.contains("→ (10×64)"));
        assert!(e.contains("categorical cross-entropy"));
        assert!(e.contains("λ = 0.5") && e.contains("+ (λ/m)·W[2]"));
        assert!(e.contains("16 per epoch of m = 64 examples (the last one 40)"));
        assert!(e.contains("3 epochs = 48 updates"));
        assert!(e.contains("A[1] = A[1] ⊙ D[1] / 0.8"));
        assert!(e.contains("A[2] = A[2] ⊙ D[2] / 0.9"));
        assert!(e.contains("dZ[1] = W[2]ᵀ (32×16) · dZ[2] (16×64) ⊙ D[1] / 0.8 ⊙ tanh′"));
        assert!(e.contains("Update (Adam") && e.contains("1 − β₁ᵗ"));
        assert!(e.contains("dZ[3] = A[3] − Y → (10×64)"));
    }

    #[test]
    fn momentum_rmsprop_and_schedules_show_their_updates() {
        let with = |optimizer, schedule| {
            let spec = ModelSpec {
                gd: GdConfig {
                    optimizer,
                    schedule,
                    ..Default::default()
                },
                ..Default::default()
            };
            equations(&spec, 2, 100, 2)
        };
        let e = with(
            OptimizerConfig::Momentum(Default::default()),
            LrSchedule::Step {
                rate: 1.0,
                interval: 10,
            },
        );
        assert!(e.contains("v = β·v + (1 − β)·dθ; θ −= α·v"));
        assert!(e.contains("⌊epoch / 10⌋"));
        let e = with(
            OptimizerConfig::RmsProp(Default::default()),
            LrSchedule::None,
        );
        assert!(e.contains("θ −= α·dθ / (√s + ε)"));
    }
}
