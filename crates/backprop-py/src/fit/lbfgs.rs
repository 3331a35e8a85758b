//! `solver="lbfgs"`: the library's L-BFGS run ([`Session`] on
//! [`backprop::optim::LbfgsConfig`]) advanced one iteration at a time, with
//! scikit-learn's meanings: `max_iter` iterations, `max_fun` cost
//! evaluations, `tol` on the gradient's largest component (scipy's `gtol`),
//! `n_iter_` the iterations run and `loss_` the cost at the final weights.
//! scikit-learn's between-epoch rules (`n_iter_no_change`, the schedules,
//! early stopping) do not apply, as in scikit-learn. A `warm_start` fit
//! starts a new run from the kept weights (scipy keeps no memory between
//! calls either).

use backprop::engine::{Advanced, Controls, Session, TrainingData};
use backprop::optim::LbfgsStop;
use backprop::{Error, Float, Network};

use super::{Carried, Outcome};
use crate::console::Console;
use crate::spec::Checked;

/// Trains `net` by L-BFGS as `spec` says; `carried` gives the seed and the
/// state Python keeps, which this run passes through unchanged.
pub(super) fn train<T: Float>(
    net: Network<T>,
    data: TrainingData<'_, T>,
    spec: &Checked,
    carried: Carried<T>,
) -> Result<Outcome<T>, Error> {
    let mut session = Session::new(net, data, spec.config(0, carried.seed))?;
    let mut console = Console::new(spec.rules.verbose, spec.rules.sklearn_words);
    let mut interrupted = false;
    loop {
        let advanced = session.advance(1, &mut Controls::default())?;
        if let Some(&(unit, cost)) = session.history().costs.last() {
            console.cost(unit, cost);
        }
        if advanced != Advanced::Paused {
            break;
        }
        if console.interrupted(false) {
            interrupted = true;
            break;
        }
    }
    let iterations = session.units_done();
    let (net, state) = session.finish();
    let h = state.history;
    let stop = match (interrupted, h.lbfgs_stop) {
        (true, _) => "interrupted",
        (false, None) => "max_iter",
        (false, Some(LbfgsStop::Gradient | LbfgsStop::Progress)) => "converged",
        (false, Some(LbfgsStop::MaxFun)) => "max_fun",
        (false, Some(LbfgsStop::LineSearch)) => "line_search",
    };
    Ok(Outcome {
        net,
        optimizer: state.optimizer,
        rate: carried.rate,
        stopper: carried.stopper,
        loss_curve: h.costs.iter().map(|c| c.1).collect(),
        validation_scores: Vec::new(),
        epochs: iterations,
        loss: h.final_cost,
        stop,
    })
}
