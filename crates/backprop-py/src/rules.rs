//! scikit-learn's rules between epochs, which the library has no setting
//! for: the stopping rule (`tol`, `n_iter_no_change`, on the training loss
//! or the validation accuracy) and the `invscaling` and `adaptive` learning
//! rates. Plain logic: `fit` applies its decisions to the session.

/// The learning rate's course over epochs, as scikit-learn's `learning_rate`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Schedule {
    Constant,
    /// η = η₀ / (t + 1)^power_t after each epoch, t the examples seen.
    InvScaling(f64),
    /// η ÷ 5 when the stopping rule fires, until η ≤ 1e-6.
    Adaptive,
}

/// The rules' settings.
#[derive(Clone, Debug)]
pub struct Rules {
    pub schedule: Schedule,
    /// An epoch is not better unless it improves by more than this.
    pub tol: f64,
    /// Stop after more than this many epochs that are not better.
    pub patience: usize,
    /// Print every this many epochs' cost (0: never).
    pub verbose: usize,
    /// Print scikit-learn's "Iteration i, loss = …" every epoch (its solvers'
    /// `verbose`) rather than the course's line every `verbose`-th.
    pub sklearn_words: bool,
    /// `partial_fit`: one epoch.
    pub incremental: bool,
    /// Whether `adaptive` divides the rate (every solver but Adam) rather than ending the fit.
    pub adapts: bool,
}

/// The smallest rate `adaptive` divides (scikit-learn's).
const SMALLEST_ADAPTIVE_RATE: f64 = 1e-6;

/// scikit-learn's count of epochs that are not better
/// (`_update_no_improvement_count`), kept across `warm_start` and `partial_fit` fits.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Stopper {
    pub count: usize,
    pub best_loss: f64,
    pub best_score: f64,
}

impl Default for Stopper {
    fn default() -> Self {
        Stopper {
            count: 0,
            best_loss: f64::INFINITY,
            best_score: f64::NEG_INFINITY,
        }
    }
}

/// What the rules make of an epoch.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Decision {
    /// The validation score is the best so far: keep these weights.
    pub improved: bool,
    /// The rate changed (to [`Course::rate`]).
    pub new_rate: bool,
    /// The fit ends: "converged", or "lr" when an adaptive rate fell to 1e-6.
    pub stop: Option<&'static str>,
}

/// A fit's course: its rate and its stopping rule, epoch by epoch.
pub struct Course<'r> {
    rules: &'r Rules,
    pub stopper: Stopper,
    /// scikit-learn's step size η now.
    pub rate: f64,
    eta0: f64,
    /// Examples an epoch.
    m: usize,
    /// Examples seen so far (scikit-learn's `t_`), across fits.
    seen: usize,
}

impl<'r> Course<'r> {
    /// A course at step size `rate` (from η₀ = `eta0`), with the stopping
    /// rule's count and the examples seen so far, over epochs of `m` examples.
    pub fn new(
        rules: &'r Rules,
        (eta0, rate): (f64, f64),
        stopper: Stopper,
        seen: usize,
        m: usize,
    ) -> Self {
        Course {
            rules,
            stopper,
            rate,
            eta0,
            m,
            seen,
        }
    }

    /// The rules after an epoch with training `loss` and, with a validation
    /// set, its accuracy `score`.
    pub fn after_epoch(&mut self, loss: f64, score: Option<f64>) -> Decision {
        self.seen = self.seen.saturating_add(self.m);
        let mut d = Decision::default();
        let fired = match score {
            Some(score) => {
                let (fired, improved) = self.on_score(score);
                d.improved = improved;
                fired
            }
            None => self.on_loss(loss),
        };
        if let Schedule::InvScaling(power) = self.rules.schedule {
            self.rate = self.eta0 / (self.seen as f64 + 1.0).powf(power);
            d.new_rate = true;
        }
        if !fired {
            return d;
        }
        if !self.rules.adapts {
            d.stop = Some("converged");
        } else if self.rate <= SMALLEST_ADAPTIVE_RATE {
            d.stop = Some("lr");
        } else {
            self.rate /= 5.0;
            self.stopper.count = 0;
            d.new_rate = true;
        }
        d
    }

    fn on_loss(&mut self, loss: f64) -> bool {
        let s = &mut self.stopper;
        if loss > s.best_loss - self.rules.tol {
            s.count += 1;
        } else {
            s.count = 0;
        }
        s.best_loss = s.best_loss.min(loss);
        s.count > self.rules.patience
    }

    /// (whether the rule fires, whether the score is the best so far).
    fn on_score(&mut self, score: f64) -> (bool, bool) {
        let s = &mut self.stopper;
        if score < s.best_score + self.rules.tol {
            s.count += 1;
        } else {
            s.count = 0;
        }
        let improved = score > s.best_score;
        if improved {
            s.best_score = score;
        }
        (s.count > self.rules.patience, improved)
    }
}
