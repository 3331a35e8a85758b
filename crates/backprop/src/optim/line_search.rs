//! The Moré–Thuente line search (MINPACK-2's `dcsrch` and `dcstep`), as
//! L-BFGS-B calls it: a step `stp` along a descent direction satisfying the
//! strong Wolfe conditions
//!
//! f(stp) ≤ f(0) + ftol·stp·f′(0)  and  |f′(stp)| ≤ gtol·|f′(0)|,
//!
//! found by safeguarded cubic and quadratic interpolation inside an interval
//! that brackets such a step. The caller evaluates f and f′ at each `stp`
//! the search asks for ([`Task::Evaluate`]) until it answers
//! [`Task::Converged`] (or [`Task::Warning`]: rounding or the interval's
//! tolerance stopped it, `stp` the best step found).
//!
//! Reference: J. J. Moré and D. J. Thuente, "Line search algorithms with
//! guaranteed sufficient decrease", ACM TOMS 20 (1994); the constants are
//! MINPACK-2's and scipy's (`scipy/optimize/_dcsrch.py`).

/// What the search wants next.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Task {
    /// Evaluate f and f′ at the new `stp`, then call [`Search::next`].
    Evaluate,
    /// `stp` satisfies both conditions.
    Converged,
    /// No better step can be found (rounding, the interval's tolerance, a bound).
    Warning,
}

/// One line search in progress.
#[derive(Clone, Debug, Default)]
pub(crate) struct Search {
    gtol: f64,
    xtol: f64,
    stpmin: f64,
    stpmax: f64,
    brackt: bool,
    stage1: bool,
    finit: f64,
    ginit: f64,
    gtest: f64,
    width: f64,
    width1: f64,
    /// The best step so far, with f and f′ there.
    x: Point,
    /// The other end of the interval.
    y: Point,
    stmin: f64,
    stmax: f64,
}

/// A step with its function value and derivative.
#[derive(Clone, Copy, Debug, Default)]
struct Point {
    st: f64,
    f: f64,
    g: f64,
}

const XTRAPL: f64 = 1.1;
const XTRAPU: f64 = 4.0;

impl Search {
    /// Starts a search from f(0) = `f`, f′(0) = `g` < 0 with the first trial
    /// step `stp` in [stpmin, stpmax]; the first task is to evaluate at it.
    pub(crate) fn start(f: f64, g: f64, stp: f64, tolerances: [f64; 3], bounds: [f64; 2]) -> Self {
        let [ftol, gtol, xtol] = tolerances;
        let [stpmin, stpmax] = bounds;
        let at0 = Point { st: 0.0, f, g };
        Search {
            gtol,
            xtol,
            stpmin,
            stpmax,
            brackt: false,
            stage1: true,
            finit: f,
            ginit: g,
            gtest: ftol * g,
            width: stpmax - stpmin,
            width1: (stpmax - stpmin) / 0.5,
            x: at0,
            y: at0,
            stmin: 0.0,
            stmax: stp + XTRAPU * stp,
        }
    }

    /// Takes f = `f` and f′ = `g` at `stp` and answers: done, or the next `stp`.
    pub(crate) fn next(&mut self, stp: &mut f64, f: f64, g: f64) -> Task {
        let ftest = self.finit + *stp * self.gtest;
        if self.stage1 && f <= ftest && g >= 0.0 {
            self.stage1 = false;
        }
        if let Some(task) = self.finished(*stp, f, g, ftest) {
            return task;
        }
        let here = Point { st: *stp, f, g };
        if self.stage1 && f <= self.x.f && f > ftest {
            // The modified function ψ(stp) = f − ftol·stp·f′(0), while no
            // step with f′ ≥ 0 has been seen.
            let shift = |p: Point| Point {
                st: p.st,
                f: p.f - p.st * self.gtest,
                g: p.g - self.gtest,
            };
            let (mut x, mut y) = (shift(self.x), shift(self.y));
            *stp = step(
                &mut x,
                &mut y,
                shift(here),
                &mut self.brackt,
                [self.stmin, self.stmax],
            );
            let unshift = |p: Point| Point {
                st: p.st,
                f: p.f + p.st * self.gtest,
                g: p.g + self.gtest,
            };
            (self.x, self.y) = (unshift(x), unshift(y));
        } else {
            let bounds = [self.stmin, self.stmax];
            *stp = step(&mut self.x, &mut self.y, here, &mut self.brackt, bounds);
        }
        self.narrow(stp);
        Task::Evaluate
    }

    /// The tests that end the search at `stp`, where f(stp) = `f`, f′ = `g`.
    fn finished(&self, stp: f64, f: f64, g: f64, ftest: f64) -> Option<Task> {
        let mut task = None;
        if self.brackt && (stp <= self.stmin || stp >= self.stmax) {
            task = Some(Task::Warning);
        }
        if self.brackt && self.stmax - self.stmin <= self.xtol * self.stmax {
            task = Some(Task::Warning);
        }
        if stp == self.stpmax && f <= ftest && g <= self.gtest {
            task = Some(Task::Warning);
        }
        if stp == self.stpmin && (f > ftest || g >= self.gtest) {
            task = Some(Task::Warning);
        }
        if f <= ftest && g.abs() <= self.gtol * -self.ginit {
            task = Some(Task::Converged);
        }
        task
    }

    /// Bisects when the interval shrinks too slowly, and sets the bounds of the next step.
    fn narrow(&mut self, stp: &mut f64) {
        let (stx, sty) = (self.x.st, self.y.st);
        if self.brackt {
            if (sty - stx).abs() >= 0.66 * self.width1 {
                *stp = stx + 0.5 * (sty - stx);
            }
            self.width1 = self.width;
            self.width = (sty - stx).abs();
            self.stmin = stx.min(sty);
            self.stmax = stx.max(sty);
        } else {
            self.stmin = *stp + XTRAPL * (*stp - stx);
            self.stmax = *stp + XTRAPU * (*stp - stx);
        }
        *stp = stp.clamp(self.stpmin, self.stpmax);
        if self.brackt
            && (*stp <= self.stmin
                || *stp >= self.stmax
                || self.stmax - self.stmin <= self.xtol * self.stmax)
        {
            *stp = stx;
        }
    }
}

/// `dcstep`: a safeguarded trial step from the best point `x`, the interval's
/// other end `y` and the new point `p`; updates the interval and says whether
/// a minimiser is now bracketed. Returns the next trial step.
fn step(x: &mut Point, y: &mut Point, p: Point, brackt: &mut bool, bounds: [f64; 2]) -> f64 {
    let [stpmin, stpmax] = bounds;
    let sgnd = p.g.signum() * x.g.signum() * f64::from(u8::from(p.g != 0.0 && x.g != 0.0));
    let stpf = if p.f > x.f {
        *brackt = true;
        higher_value(x, p)
    } else if sgnd < 0.0 {
        *brackt = true;
        opposite_slopes(x, p)
    } else if p.g.abs() < x.g.abs() {
        smaller_slope(x, y, p, *brackt, bounds)
    } else if *brackt {
        let (theta, gamma) = cubic_terms(y, &p, p.st > y.st);
        let r = ((gamma - p.g) + theta) / (((gamma - p.g) + gamma) + y.g);
        p.st + r * (y.st - p.st)
    } else if p.st > x.st {
        stpmax
    } else {
        stpmin
    };
    if p.f > x.f {
        *y = p;
    } else {
        if sgnd < 0.0 {
            *y = *x;
        }
        *x = p;
    }
    stpf
}

/// θ and γ of the cubic through `a` and `p` (γ negated when `flip`).
fn cubic_terms(a: &Point, p: &Point, flip: bool) -> (f64, f64) {
    let theta = 3.0 * (a.f - p.f) / (p.st - a.st) + a.g + p.g;
    let s = theta.abs().max(a.g.abs()).max(p.g.abs());
    let gamma = s
        * ((theta / s).powi(2) - (a.g / s) * (p.g / s))
            .max(0.0)
            .sqrt();
    (theta, if flip { -gamma } else { gamma })
}

/// Case 1 (a higher function value): the cubic step if it is nearer, else
/// between it and the quadratic one.
fn higher_value(x: &Point, p: Point) -> f64 {
    let (theta, gamma) = cubic_terms(x, &p, p.st < x.st);
    let r = ((gamma - x.g) + theta) / (((gamma - x.g) + gamma) + p.g);
    let stpc = x.st + r * (p.st - x.st);
    let stpq = x.st + ((x.g / ((x.f - p.f) / (p.st - x.st) + x.g)) / 2.0) * (p.st - x.st);
    if (stpc - x.st).abs() <= (stpq - x.st).abs() {
        stpc
    } else {
        stpc + (stpq - stpc) / 2.0
    }
}

/// Case 2 (derivatives of opposite sign): the farther of the cubic and secant steps.
fn opposite_slopes(x: &Point, p: Point) -> f64 {
    let (theta, gamma) = cubic_terms(x, &p, p.st > x.st);
    let r = ((gamma - p.g) + theta) / (((gamma - p.g) + gamma) + x.g);
    let stpc = p.st + r * (x.st - p.st);
    let stpq = p.st + (p.g / (p.g - x.g)) * (x.st - p.st);
    if (stpc - p.st).abs() > (stpq - p.st).abs() {
        stpc
    } else {
        stpq
    }
}

/// Case 3 (same sign, the derivative decreasing in size).
fn smaller_slope(x: &Point, y: &Point, p: Point, brackt: bool, bounds: [f64; 2]) -> f64 {
    let [stpmin, stpmax] = bounds;
    let (theta, gamma) = cubic_terms(x, &p, p.st > x.st);
    let r = ((gamma - p.g) + theta) / ((gamma + (x.g - p.g)) + gamma);
    let stpc = if r < 0.0 && gamma != 0.0 {
        p.st + r * (x.st - p.st)
    } else if p.st > x.st {
        stpmax
    } else {
        stpmin
    };
    let stpq = p.st + (p.g / (p.g - x.g)) * (x.st - p.st);
    if brackt {
        let stpf = if (stpc - p.st).abs() < (stpq - p.st).abs() {
            stpc
        } else {
            stpq
        };
        let limit = p.st + 0.66 * (y.st - p.st);
        if p.st > x.st {
            limit.min(stpf)
        } else {
            limit.max(stpf)
        }
    } else {
        let stpf = if (stpc - p.st).abs() > (stpq - p.st).abs() {
            stpc
        } else {
            stpq
        };
        stpf.clamp(stpmin, stpmax)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs a search on φ(α) = f(x + α·d) given as (φ, φ′).
    fn search(phi: impl Fn(f64) -> (f64, f64), stp0: f64) -> (f64, Task, usize) {
        let (f0, g0) = phi(0.0);
        let mut s = Search::start(f0, g0, stp0, [1e-3, 0.9, 0.1], [0.0, 1e10]);
        let mut stp = stp0;
        for evals in 1..=20 {
            let (f, g) = phi(stp);
            let task = s.next(&mut stp, f, g);
            if task != Task::Evaluate {
                return (stp, task, evals);
            }
        }
        panic!("no step in 20 evaluations");
    }

    #[test]
    fn a_quadratic_accepts_its_minimiser_at_once() {
        let (stp, task, evals) = search(|a| ((a - 1.0).powi(2), 2.0 * (a - 1.0)), 1.0);
        assert_eq!((stp, task, evals), (1.0, Task::Converged, 1));
    }

    #[test]
    fn the_step_found_satisfies_the_strong_wolfe_conditions() {
        // Moré–Thuente's first test function, φ(α) = −α/(α² + β), β = 2,
        // from steps far too short and far too long.
        let phi = |a: f64| (-a / (a * a + 2.0), (a * a - 2.0) / (a * a + 2.0).powi(2));
        for stp0 in [1e-3, 1e-1, 10.0, 1e3] {
            let (stp, task, _) = search(phi, stp0);
            let ((f0, g0), (f, g)) = (phi(0.0), phi(stp));
            assert_eq!(task, Task::Converged, "from {stp0}");
            assert!(f <= f0 + 1e-3 * stp * g0, "sufficient decrease from {stp0}");
            assert!(g.abs() <= 0.9 * g0.abs(), "curvature from {stp0}: φ′ = {g}");
        }
    }
}
