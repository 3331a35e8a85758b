//! Full-batch L-BFGS, as scikit-learn's `solver="lbfgs"` runs it through
//! scipy's L-BFGS-B with no bounds: the last `memory` pairs
//! (s = x₊ − x, y = g₊ − g) define the inverse-Hessian estimate H (the
//! two-loop recursion, H₀ = (sᵀy / yᵀy)·I of the newest pair; for no bounds
//! this is L-BFGS-B's compact form, the same direction), and a Moré–Thuente
//! line search ([`super::line_search`], ftol 10⁻³, gtol 0.9, xtol 0.1, at most
//! `max_line_search` evaluations, scipy's 20 by default) finds a step satisfying the strong Wolfe conditions, the
//! first iteration trying 1/‖g‖, every later one 1.
//!
//! L-BFGS-B's bookkeeping is kept: a pair whose curvature sᵀy is not
//! positive (≤ ε·|sᵀg|) is skipped; a failed line search restores the
//! iterate and restarts from −g with an empty memory, and ends the run when
//! the memory was already empty. The run stops (scikit-learn's meanings):
//! after `max_iter` iterations (the session's `iterations`); once more than
//! `max_fun` evaluations were made (checked between iterations); when the
//! gradient's largest component is ≤ `tol` (scipy's `gtol`, checked at the
//! start too); or when (f_k − f_{k+1}) / max(|f_k|, |f_{k+1}|, 1) ≤ `ftol`
//! (scipy's default 2.22·10⁻⁹).
//!
//! Every vector (x, g, the direction, the last iterate and its gradient, and
//! the 2·`memory` history vectors) is allocated once, when the run starts.
//!
//! With an L1 term Σ λᵢ·|xᵢ| ([`Lbfgs::set_l1`]) the run is OWL-QN
//! ([`owlqn`]): the same memory over the smooth part's gradients, steps kept
//! in one orthant, so that weights reach exactly 0.

mod owlqn;

use serde::{Deserialize, Serialize};

use super::line_search::{Search, Task};

/// L-BFGS's settings (scikit-learn's and scipy's defaults).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct LbfgsConfig {
    /// m, the (s, y) pairs kept (scipy's `maxcor`, default 10).
    pub memory: usize,
    /// Most objective evaluations (scikit-learn's `max_fun`, default 15000),
    /// checked between iterations as scipy does.
    pub max_fun: usize,
    /// Stop when every component of the gradient is at most this in size
    /// (scikit-learn's `tol`, default 1e-4).
    pub tol: f64,
    /// Whether the biases b are trained (scikit-learn's `fit_intercept`,
    /// default true); false holds them where they start, a zero gradient.
    #[serde(default = "fits", skip_serializing_if = "is_true")]
    pub fit_intercept: bool,
    /// Stop when the cost's relative decrease is at most this (scipy's
    /// `ftol`; default 2.22e-9 = 10⁷·ε, scikit-learn's MLP; its LogisticRegression
    /// gives 64·ε).
    #[serde(default = "default_ftol", skip_serializing_if = "is_default_ftol")]
    pub ftol: f64,
    /// Most evaluations of one line search (scipy's `maxls`; default
    /// 20, scikit-learn's LogisticRegression gives 50).
    #[serde(default = "default_maxls", skip_serializing_if = "is_default_maxls")]
    pub max_line_search: usize,
}

fn default_ftol() -> f64 {
    FTOL
}

fn is_default_ftol(f: &f64) -> bool {
    *f == FTOL
}

fn default_maxls() -> usize {
    MAX_LINE_SEARCH
}

fn is_default_maxls(n: &usize) -> bool {
    *n == MAX_LINE_SEARCH
}

fn fits() -> bool {
    true
}

fn is_true(b: &bool) -> bool {
    *b
}

impl Default for LbfgsConfig {
    fn default() -> Self {
        LbfgsConfig {
            memory: 10,
            max_fun: 15_000,
            tol: 1e-4,
            fit_intercept: true,
            ftol: FTOL,
            max_line_search: MAX_LINE_SEARCH,
        }
    }
}

/// scipy's default `ftol` (factr 10⁷ × machine ε).
pub const FTOL: f64 = 2.220446049250313e-09;
/// Most evaluations of one line search (scipy's `maxls`).
pub const MAX_LINE_SEARCH: usize = 20;
const LINE_TOLERANCES: [f64; 3] = [1e-3, 0.9, 0.1];
const STEP_MAX: f64 = 1e10;

/// Why an L-BFGS run ended before its iterations.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LbfgsStop {
    /// The gradient's largest component fell to `tol` or below.
    Gradient,
    /// The relative decrease of the cost fell to scipy's `ftol`.
    Progress,
    /// More than `max_fun` evaluations were made.
    MaxFun,
    /// The line search found no acceptable step from steepest descent.
    LineSearch,
}

impl LbfgsStop {
    /// One line saying why, in scipy's words.
    pub fn describe(self) -> &'static str {
        match self {
            LbfgsStop::Gradient => "converged: every gradient component is within the tolerance",
            LbfgsStop::Progress => "converged: the cost's relative reduction fell to scipy's ftol",
            LbfgsStop::MaxFun => "stopped: the cost evaluations exceeded their limit",
            LbfgsStop::LineSearch => "stopped: the line search found no step from steepest descent",
        }
    }
}

/// What one call of [`Lbfgs::iterate`] did.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Iterated {
    /// One iteration: x moved, its cost now `cost`; `stop` when the run ends here.
    Moved { cost: f64, stop: Option<LbfgsStop> },
    /// The run ends without moving (the start's gradient is small enough,
    /// or the line search failed from steepest descent).
    Ended(LbfgsStop),
    /// The objective was not finite at a point tried.
    NonFinite(f64),
}

/// An L-BFGS run over n parameters.
pub(crate) struct Lbfgs {
    config: LbfgsConfig,
    /// The iterate, its cost and gradient.
    pub(crate) x: Vec<f64>,
    pub(crate) f: f64,
    /// The cost where the last iteration started.
    pub(crate) f_before: f64,
    g: Vec<f64>,
    /// The search direction, the full step's point, the last iterate and gradient.
    d: Vec<f64>,
    z: Vec<f64>,
    x_old: Vec<f64>,
    g_old: Vec<f64>,
    /// The pairs, oldest at `head`; `sy[k]` = s_kᵀy_k; `alpha` the two-loop's scratch.
    s: Vec<Vec<f64>>,
    y: Vec<Vec<f64>>,
    sy: Vec<f64>,
    alpha: Vec<f64>,
    col: usize,
    head: usize,
    updates: usize,
    tail: usize,
    /// yᵀy / sᵀy of the newest pair (B₀ = θ·I).
    theta: f64,
    /// Iterations of this run (scipy's `iter`: the first step is 1/‖d‖).
    iter: usize,
    /// The line search's start: f, gᵀd; its end: gᵀd and the step.
    f_old: f64,
    gd_old: f64,
    gd: f64,
    stp: f64,
    /// Objective evaluations so far, the first included.
    pub(crate) evaluations: usize,
    started: bool,
    /// λᵢ of the L1 term Σ λᵢ·|xᵢ| (empty: none) and its pseudo-gradient.
    l1: Vec<f64>,
    pg: Vec<f64>,
}

impl Lbfgs {
    /// A run from `x0` (nothing evaluated yet).
    pub(crate) fn new(config: LbfgsConfig, x0: Vec<f64>) -> Self {
        let n = x0.len();
        let m = config.memory.max(1);
        Lbfgs {
            config,
            x: x0,
            f: f64::NAN,
            f_before: f64::NAN,
            g: vec![0.0; n],
            d: vec![0.0; n],
            z: vec![0.0; n],
            x_old: vec![0.0; n],
            g_old: vec![0.0; n],
            s: vec![vec![0.0; n]; m],
            y: vec![vec![0.0; n]; m],
            sy: vec![0.0; m],
            alpha: vec![0.0; m],
            col: 0,
            head: 0,
            updates: 0,
            tail: 0,
            theta: 1.0,
            iter: 0,
            f_old: f64::NAN,
            gd_old: 0.0,
            gd: 0.0,
            stp: 0.0,
            evaluations: 0,
            started: false,
            l1: Vec::new(),
            pg: Vec::new(),
        }
    }

    /// Makes the run minimise f(x) + Σ λᵢ·|xᵢ| (OWL-QN), `l1` holding one
    /// λᵢ ≥ 0 per parameter; `eval` still gives the smooth f and its
    /// gradient. Before the first iteration; all λᵢ = 0 leaves plain L-BFGS.
    pub(crate) fn set_l1(&mut self, l1: Vec<f64>) {
        if l1.iter().any(|&l| l != 0.0) {
            self.pg = vec![0.0; l1.len()];
            self.l1 = l1;
        }
    }

    /// One iteration, `eval(x, g)` returning f(x) and writing ∇f(x) into g.
    /// The first call evaluates the start and may end the run there.
    pub(crate) fn iterate(&mut self, eval: &mut dyn FnMut(&[f64], &mut [f64]) -> f64) -> Iterated {
        if !self.started {
            if let Some(end) = self.first_evaluation(eval) {
                return end;
            }
        }
        self.f_before = self.f;
        loop {
            let line = if self.l1.is_empty() {
                self.direction();
                self.line_search(eval)
            } else {
                self.orthant_direction();
                self.orthant_search(eval)
            };
            match line {
                Line::Found => break,
                Line::NonFinite(f) => return Iterated::NonFinite(f),
                Line::Failed if self.restart() => {}
                Line::Failed => return Iterated::Ended(LbfgsStop::LineSearch),
            }
        }
        self.iter += 1;
        let g_max = self.gradient_max();
        let stop = self.stop_after_step(g_max);
        match (stop, self.l1.is_empty()) {
            (Some(_), _) => {}
            (None, true) => self.remember(),
            (None, false) => self.remember_owlqn(),
        }
        Iterated::Moved { cost: self.f, stop }
    }

    /// Evaluates the start; the run ends there when the cost is not finite
    /// or the gradient is already small enough.
    fn first_evaluation(
        &mut self,
        eval: &mut dyn FnMut(&[f64], &mut [f64]) -> f64,
    ) -> Option<Iterated> {
        self.started = true;
        self.f = eval(&self.x, &mut self.g) + self.l1_term();
        self.evaluations = 1;
        self.f_before = self.f;
        if !self.f.is_finite() {
            return Some(Iterated::NonFinite(self.f));
        }
        let small = self.gradient_max() <= self.config.tol;
        small.then_some(Iterated::Ended(LbfgsStop::Gradient))
    }

    /// The largest component of the gradient (with an L1 term, of the
    /// pseudo-gradient, computed here).
    fn gradient_max(&mut self) -> f64 {
        if self.l1.is_empty() {
            return max_abs(&self.g);
        }
        self.pseudo_gradient();
        max_abs(&self.pg)
    }

    /// Why the run ends after the step just taken, if it does (scipy's order:
    /// the evaluations, the gradient's largest component `g_max`, the progress).
    fn stop_after_step(&self, g_max: f64) -> Option<LbfgsStop> {
        let f_old = self.f_old;
        let scale = f_old.abs().max(self.f.abs()).max(1.0);
        if self.evaluations > self.config.max_fun {
            Some(LbfgsStop::MaxFun)
        } else if g_max <= self.config.tol {
            Some(LbfgsStop::Gradient)
        } else if f_old - self.f <= self.config.ftol * scale {
            Some(LbfgsStop::Progress)
        } else {
            None
        }
    }
}

/// How a line search ended.
enum Line {
    /// x, f, g are the accepted step's.
    Found,
    /// No acceptable step (x, g are trial values: restore them).
    Failed,
    /// The objective was not finite at a trial step.
    NonFinite(f64),
}

impl Lbfgs {
    /// d = −H·g by the two-loop recursion over the pairs (−g/θ with none),
    /// and z = x + d, the full step's point.
    fn direction(&mut self) {
        for (d, g) in self.d.iter_mut().zip(&self.g) {
            *d = -g;
        }
        self.two_loop();
        // As L-BFGS-B: the step's point z first, the direction d = z − x.
        for ((z, d), x) in self.z.iter_mut().zip(&mut self.d).zip(&self.x) {
            *z = x + *d;
            *d = *z - x;
        }
    }

    /// d ← H·d, H the pairs' inverse-Hessian estimate (the two-loop recursion).
    fn two_loop(&mut self) {
        let m = self.s.len();
        for i in (0..self.col).rev() {
            let k = (self.head + i) % m;
            self.alpha[i] = dot(&self.s[k], &self.d) / self.sy[k];
            axpy(-self.alpha[i], &self.y[k], &mut self.d);
        }
        let scale = 1.0 / self.theta;
        self.d.iter_mut().for_each(|d| *d *= scale);
        for i in 0..self.col {
            let k = (self.head + i) % m;
            let beta = dot(&self.y[k], &self.d) / self.sy[k];
            axpy(self.alpha[i] - beta, &self.s[k], &mut self.d);
        }
    }

    /// The Moré–Thuente search along d from x (L-BFGS-B's `lnsrlb`).
    fn line_search(&mut self, eval: &mut dyn FnMut(&[f64], &mut [f64]) -> f64) -> Line {
        let dnorm = dot(&self.d, &self.d).sqrt();
        self.stp = if self.iter == 0 {
            (1.0 / dnorm).min(STEP_MAX)
        } else {
            1.0
        };
        self.x_old.copy_from_slice(&self.x);
        self.g_old.copy_from_slice(&self.g);
        self.f_old = self.f;
        self.gd_old = dot(&self.g, &self.d);
        if self.gd_old >= 0.0 || self.gd_old.is_nan() {
            return Line::Failed;
        }
        let mut search = Search::start(
            self.f,
            self.gd_old,
            self.stp,
            LINE_TOLERANCES,
            [0.0, STEP_MAX],
        );
        for _ in 0..self.config.max_line_search {
            if self.stp == 1.0 {
                self.x.copy_from_slice(&self.z);
            } else {
                for ((x, d), t) in self.x.iter_mut().zip(&self.d).zip(&self.x_old) {
                    *x = self.stp * d + t;
                }
            }
            self.f = eval(&self.x, &mut self.g);
            self.evaluations += 1;
            if !self.f.is_finite() {
                return Line::NonFinite(self.f);
            }
            self.gd = dot(&self.g, &self.d);
            if search.next(&mut self.stp, self.f, self.gd) != Task::Evaluate {
                return Line::Found;
            }
        }
        self.f = self.f_old;
        Line::Failed
    }

    /// Keeps the pair of the step just taken unless its curvature is not
    /// positive (L-BFGS-B's `matupd`, θ = yᵀy / sᵀy).
    fn remember(&mut self) {
        for (r, g) in self.g_old.iter_mut().zip(&self.g) {
            *r = g - *r;
        }
        let rr = dot(&self.g_old, &self.g_old);
        let (dr, ddum) = if self.stp == 1.0 {
            (self.gd - self.gd_old, -self.gd_old)
        } else {
            let stp = self.stp;
            self.d.iter_mut().for_each(|d| *d *= stp);
            ((self.gd - self.gd_old) * stp, -self.gd_old * stp)
        };
        if dr <= f64::EPSILON * ddum {
            return;
        }
        self.keep_pair(dr, rr);
    }

    /// Keeps d as the newest s and `g_old` as its y (sᵀy = `sy`, yᵀy = `yy`),
    /// dropping the oldest pair when the memory is full.
    fn keep_pair(&mut self, sy: f64, yy: f64) {
        let m = self.s.len();
        self.updates += 1;
        if self.updates <= m {
            self.col = self.updates;
            self.tail = (self.head + self.updates - 1) % m;
        } else {
            self.tail = (self.tail + 1) % m;
            self.head = (self.head + 1) % m;
        }
        self.s[self.tail].copy_from_slice(&self.d);
        self.y[self.tail].copy_from_slice(&self.g_old);
        self.sy[self.tail] = sy;
        self.theta = yy / sy;
    }

    /// After a failed line search: restores the iterate and its gradient and
    /// empties the memory, true when there was one (the next try is from −g);
    /// false when the search already started from −g (the run ends).
    fn restart(&mut self) -> bool {
        self.x.copy_from_slice(&self.x_old);
        self.g.copy_from_slice(&self.g_old);
        let had_memory = self.col > 0;
        self.forget();
        had_memory
    }

    /// Empties the memory (after a failed line search): the next direction is −g.
    fn forget(&mut self) {
        self.col = 0;
        self.head = 0;
        self.updates = 0;
        self.theta = 1.0;
    }
}

/// y += a·x.
fn axpy(a: f64, x: &[f64], y: &mut [f64]) {
    for (y, x) in y.iter_mut().zip(x) {
        *y += a * x;
    }
}

/// The largest component's size (NaN if any component is NaN).
fn max_abs(v: &[f64]) -> f64 {
    v.iter()
        .try_fold(0.0f64, |m, &x| {
            if x.is_nan() {
                Err(x)
            } else {
                Ok(m.max(x.abs()))
            }
        })
        .unwrap_or(f64::NAN)
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rosenbrock's function in n dimensions and its gradient (scipy's `rosen`, `rosen_der`).
    fn rosen(x: &[f64], g: &mut [f64]) -> f64 {
        let n = x.len();
        g.iter_mut().for_each(|g| *g = 0.0);
        let mut f = 0.0;
        for i in 0..n - 1 {
            let (a, b) = (x[i + 1] - x[i] * x[i], 1.0 - x[i]);
            f += 100.0 * a * a + b * b;
            g[i] += -400.0 * x[i] * a - 2.0 * b;
            g[i + 1] += 200.0 * a;
        }
        f
    }

    /// Runs up to `max_iter` iterations: (iterations, evaluations, f, stop).
    fn run(x0: &[f64], max_iter: usize) -> (usize, usize, f64, Option<LbfgsStop>) {
        let config = LbfgsConfig {
            tol: 1e-4,
            ..LbfgsConfig::default()
        };
        let mut lbfgs = Lbfgs::new(config, x0.to_vec());
        for it in 1..=max_iter {
            match lbfgs.iterate(&mut rosen) {
                Iterated::Moved { stop: None, .. } => {}
                Iterated::Moved { stop, .. } => return (it, lbfgs.evaluations, lbfgs.f, stop),
                other => panic!("{other:?} at iteration {it}"),
            }
        }
        (max_iter, lbfgs.evaluations, lbfgs.f, None)
    }

    /// scipy 1.17.1: `minimize(rosen, x0, jac=rosen_der, method="L-BFGS-B",
    /// options=dict(gtol=1e-4[, maxiter=7]))` gives nit, nfev, fun and the message quoted.
    #[test]
    fn rosenbrock_takes_scipys_iterations_evaluations_and_stop() {
        let x2 = [-1.2, 1.0];
        let (it, nfev, f, stop) = run(&x2, 15_000);
        assert_eq!((it, nfev, stop), (36, 44, Some(LbfgsStop::Gradient)));
        assert!((f - 2.8076498487712216e-12).abs() < 1e-13, "{f}");
        let (it, nfev, f, stop) = run(&x2, 7);
        assert_eq!((it, nfev, stop), (7, 9, None));
        assert!((f - 3.9178414682987954).abs() < 1e-12, "{f}");
        let x5 = [-1.2, 1.0, -1.2, 1.0, 0.5];
        let (it, nfev, f, stop) = run(&x5, 15_000);
        assert_eq!((it, nfev, stop), (46, 53, Some(LbfgsStop::Progress)));
        assert!(f < 1e-10, "{f}");
        let (it, nfev, f, _) = run(&x5, 7);
        assert_eq!((it, nfev), (7, 10));
        assert!((f - 4.196822420962952).abs() < 1e-12, "{f}");
    }

    #[test]
    fn a_start_at_the_minimum_ends_before_any_iteration() {
        let mut lbfgs = Lbfgs::new(LbfgsConfig::default(), vec![1.0, 1.0]);
        assert_eq!(
            lbfgs.iterate(&mut rosen),
            Iterated::Ended(LbfgsStop::Gradient)
        );
        assert_eq!(lbfgs.evaluations, 1);
    }

    #[test]
    fn max_fun_stops_between_iterations_once_exceeded() {
        let config = LbfgsConfig {
            max_fun: 5,
            ..LbfgsConfig::default()
        };
        let mut lbfgs = Lbfgs::new(config, vec![-1.2, 1.0]);
        let mut iterations = 0;
        loop {
            iterations += 1;
            if let Iterated::Moved {
                stop: Some(stop), ..
            } = lbfgs.iterate(&mut rosen)
            {
                assert_eq!(stop, LbfgsStop::MaxFun);
                break;
            }
        }
        assert!(
            lbfgs.evaluations > 5 && iterations < 10,
            "{iterations} {}",
            lbfgs.evaluations
        );
    }

    #[test]
    fn a_non_finite_cost_is_reported() {
        let mut lbfgs = Lbfgs::new(LbfgsConfig::default(), vec![0.0]);
        let mut nan = |_: &[f64], g: &mut [f64]| {
            g[0] = 1.0;
            f64::NAN
        };
        assert!(matches!(lbfgs.iterate(&mut nan), Iterated::NonFinite(f) if f.is_nan()));
    }
}
