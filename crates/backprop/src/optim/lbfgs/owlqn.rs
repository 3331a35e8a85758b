//! OWL-QN (Andrew & Gao, 2007): L-BFGS for F(x) = f(x) + Σ λᵢ·|xᵢ|, f smooth.
//!
//! - The pseudo-gradient ◇F is F's steepest-descent slope: ∂f/∂xᵢ ± λᵢ on
//!   the side xᵢ lies (or, at xᵢ = 0, the side F falls towards; 0 when
//!   neither does).
//! - The direction is −H·◇F from the pairs (s, y) of the smooth part's
//!   gradients, with every component that disagrees in sign with −◇F set to 0.
//! - The step is kept in the orthant of x (for xᵢ = 0, the sign of −◇Fᵢ):
//!   a component that would cross 0 stops at 0 — which is how weights reach
//!   exactly 0. It backtracks from 1 (1/‖d‖ at the first iteration), halving,
//!   until F(x₊) ≤ F(x) + 10⁻⁴·◇Fᵀ(x₊ − x).
//! - s = x₊ − x and y = ∇f(x₊) − ∇f(x) (kept when sᵀy > ε·yᵀy).
//!
//! The stops are L-BFGS's, the gradient's test on ◇F's largest component
//! ([`Lbfgs::iterate`] runs both, this file holding what differs).

use super::{dot, Lbfgs, Line, STEP_MAX};

/// The sufficient decrease of the backtracking search.
const DECREASE: f64 = 1e-4;

impl Lbfgs {
    /// Σ λᵢ·|xᵢ| at the iterate.
    pub(super) fn l1_term(&self) -> f64 {
        self.l1.iter().zip(&self.x).map(|(l, x)| l * x.abs()).sum()
    }

    /// ◇F at the iterate from the smooth gradient g.
    pub(super) fn pseudo_gradient(&mut self) {
        for (((pg, &g), &l), &x) in self.pg.iter_mut().zip(&self.g).zip(&self.l1).zip(&self.x) {
            *pg = if x > 0.0 {
                g + l
            } else if x < 0.0 {
                g - l
            } else if g + l < 0.0 {
                g + l
            } else if g - l > 0.0 {
                g - l
            } else {
                0.0
            };
        }
    }

    /// d = −H·◇F, zero where it disagrees in sign with −◇F.
    pub(super) fn orthant_direction(&mut self) {
        for (d, pg) in self.d.iter_mut().zip(&self.pg) {
            *d = -pg;
        }
        self.two_loop();
        for (d, pg) in self.d.iter_mut().zip(&self.pg) {
            if *d * pg >= 0.0 {
                *d = 0.0;
            }
        }
    }

    /// The backtracking search along d within x's orthant (its signs in z).
    pub(super) fn orthant_search(
        &mut self,
        eval: &mut dyn FnMut(&[f64], &mut [f64]) -> f64,
    ) -> Line {
        self.stp = if self.iter == 0 {
            (1.0 / dot(&self.d, &self.d).sqrt()).min(STEP_MAX)
        } else {
            1.0
        };
        self.x_old.copy_from_slice(&self.x);
        self.g_old.copy_from_slice(&self.g);
        self.f_old = self.f;
        let slope = dot(&self.pg, &self.d);
        if slope >= 0.0 || slope.is_nan() {
            return Line::Failed;
        }
        for ((z, &x), &pg) in self.z.iter_mut().zip(&self.x_old).zip(&self.pg) {
            let side = if x != 0.0 { x } else { -pg };
            *z = if side > 0.0 {
                1.0
            } else if side < 0.0 {
                -1.0
            } else {
                0.0
            };
        }
        for _ in 0..self.config.max_line_search {
            for (((x, &x0), &d), &side) in
                self.x.iter_mut().zip(&self.x_old).zip(&self.d).zip(&self.z)
            {
                let t = x0 + self.stp * d;
                *x = if t * side > 0.0 { t } else { 0.0 };
            }
            self.f = eval(&self.x, &mut self.g) + self.l1_term();
            self.evaluations += 1;
            if !self.f.is_finite() {
                return Line::NonFinite(self.f);
            }
            let moved: f64 = (self.pg.iter().zip(&self.x).zip(&self.x_old))
                .map(|((pg, x), x0)| pg * (x - x0))
                .sum();
            if self.f <= self.f_old + DECREASE * moved {
                return Line::Found;
            }
            self.stp *= 0.5;
        }
        self.f = self.f_old;
        Line::Failed
    }

    /// Keeps (s, y) = (x₊ − x, ∇f(x₊) − ∇f(x)) unless its curvature is not positive.
    pub(super) fn remember_owlqn(&mut self) {
        for ((d, x), x0) in self.d.iter_mut().zip(&self.x).zip(&self.x_old) {
            *d = x - x0;
        }
        for (r, g) in self.g_old.iter_mut().zip(&self.g) {
            *r = g - *r;
        }
        let (sy, yy) = (dot(&self.d, &self.g_old), dot(&self.g_old, &self.g_old));
        if sy > f64::EPSILON * yy {
            self.keep_pair(sy, yy);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Iterated, LbfgsConfig};
    use super::*;

    /// The lasso-like F(x) = ½‖A·x − b‖² + λ‖x‖₁ over a 3-vector.
    fn quadratic(x: &[f64], g: &mut [f64]) -> f64 {
        let a = [[2.0, 0.5, 0.0], [0.5, 1.0, 0.2], [0.0, 0.2, 3.0]];
        let b = [1.0, -0.2, 0.05];
        let mut f = 0.0;
        g.iter_mut().for_each(|g| *g = 0.0);
        for (row, bi) in a.iter().zip(b) {
            let r: f64 = row.iter().zip(x).map(|(a, x)| a * x).sum::<f64>() - bi;
            f += 0.5 * r * r;
            for (g, a) in g.iter_mut().zip(row) {
                *g += r * a;
            }
        }
        f
    }

    fn solve(l1: f64) -> Lbfgs {
        let config = LbfgsConfig {
            tol: 1e-10,
            ..LbfgsConfig::default()
        };
        let mut run = Lbfgs::new(config, vec![0.3, 0.3, 0.3]);
        run.set_l1(vec![l1; 3]);
        for _ in 0..200 {
            match run.iterate(&mut quadratic) {
                Iterated::Moved { stop: None, .. } => {}
                Iterated::Moved { stop: Some(_), .. } | Iterated::Ended(_) => break,
                Iterated::NonFinite(f) => panic!("{f}"),
            }
        }
        run
    }

    /// At the answer every coordinate satisfies the L1 optimality conditions
    /// (to the accuracy of scipy's ftol stop): ∂f/∂xᵢ = −λ·sign(xᵢ) where
    /// xᵢ ≠ 0, |∂f/∂xᵢ| ≤ λ where xᵢ = 0 — and the zeros are exact.
    #[test]
    fn the_answer_meets_the_l1_optimality_conditions_with_exact_zeros() {
        let lambda = 0.3;
        let run = solve(lambda);
        let mut g = vec![0.0; 3];
        quadratic(&run.x, &mut g);
        let zeros = run.x.iter().filter(|x| **x == 0.0).count();
        assert!(zeros >= 1, "{:?}", run.x);
        for (x, g) in run.x.iter().zip(&g) {
            if *x == 0.0 {
                assert!(g.abs() <= lambda + 1e-9, "{x} {g}");
            } else {
                assert!((g + lambda * x.signum()).abs() < 1e-4, "{x} {g}");
            }
        }
        let cost = quadratic(&run.x, &mut g) + lambda * run.x.iter().map(|x| x.abs()).sum::<f64>();
        assert!((run.f - cost).abs() < 1e-12);
    }

    /// A strength past every gradient at 0 leaves every coordinate at exactly 0.
    #[test]
    fn a_large_strength_gives_all_zeros() {
        let run = solve(10.0);
        assert_eq!(run.x, vec![0.0; 3]);
    }

    /// λ = 0 everywhere is plain L-BFGS (no OWL-QN state).
    #[test]
    fn no_strength_is_plain_lbfgs() {
        let mut run = Lbfgs::new(LbfgsConfig::default(), vec![1.0]);
        run.set_l1(vec![0.0]);
        assert!(run.l1.is_empty() && run.pg.is_empty());
    }
}
