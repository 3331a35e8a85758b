//! The session's L-BFGS iteration: the run's objective handed to
//! `LbfgsRun::iterate`, then the engine's bookkeeping (recording, the
//! observer, checkpoints, divergence) as for any update. One unit is one
//! L-BFGS iteration, however many cost evaluations its line search made;
//! the cost booked for unit k is the cost at the weights before it, and
//! the run's `final_cost` the cost at the final weights (scikit-learn's `loss_`).

use crate::engine::step::general;
use crate::engine::step::lbfgs::Objective;
use crate::error::Error;
use crate::linalg::Float;
use crate::optim::lbfgs::Iterated;
use crate::optim::LbfgsStop;

use super::{Controls, Session};

impl<T: Float> Session<'_, T> {
    /// One L-BFGS iteration with its recording; true when it ends the run.
    pub(super) fn lbfgs_iteration(
        &mut self,
        controls: &mut Controls<'_, T>,
    ) -> Result<bool, Error> {
        let unit = self.state.step;
        let recorded = unit % self.every == 0;
        if recorded {
            // Before the iteration: the weights this unit's cost is of.
            self.evaluate(unit);
        }
        let Some(mut run) = self.lbfgs.take() else {
            return Ok(true);
        };
        let m = self.x.ncols();
        let weighted = self.weights.is_some();
        let l2 = general::l2_strength(&self.config, weighted, self.total_weight, m);
        let l1 = crate::engine::step::l1::strength(&self.config, weighted, self.total_weight, m);
        let outcome = run.iterate(&mut Objective {
            net: &mut self.net,
            x: self.x.view(),
            y: self.y.view(),
            weights: self.weights.as_ref().map(|w| w.view()),
            sparse: self.sparse.map(|sx| sx.view()),
            l2,
            l1,
            config: &self.config,
            collective: self.collective,
            reduce_buf: &mut self.reduce_buf,
            allreduce_seconds: &mut self.state.history.allreduce_seconds,
        });
        let (before, after) = (run.cost_before(), run.cost());
        self.state.history.lbfgs_evaluations = Some(run.evaluations());
        self.lbfgs = Some(run);
        let stop = match outcome {
            Iterated::NonFinite(cost) => return Err(self.diverged(unit, cost)),
            Iterated::Ended(stop) => {
                if recorded {
                    self.state.history.costs.push((unit, after));
                }
                self.end_lbfgs(stop, after);
                return Ok(true);
            }
            Iterated::Moved { stop, .. } => stop,
        };
        let last = self.record_update(unit, recorded, before, self.total_weight, controls)?;
        // scipy tests max_iter first: a run that reached it ran to its end.
        if last {
            self.state.history.final_cost = after;
        } else if let Some(stop) = stop {
            self.end_lbfgs(stop, after);
        }
        Ok(last || stop.is_some())
    }

    /// Ends the run where L-BFGS stopped, the cost at its final weights kept.
    fn end_lbfgs(&mut self, stop: LbfgsStop, cost: f64) {
        self.converged = true;
        let h = &mut self.state.history;
        h.lbfgs_stop = Some(stop);
        h.final_cost = cost;
        h.iterations = self.state.step;
    }
}
