//! What a run records beside its training cost: the test and validation
//! scores at recorded units, and early stopping's books (the best validation
//! cost, the weights that gave it, the evaluations since).

use ndarray::ArrayView2;

use crate::linalg::Float;
use crate::metrics::accuracy;
use crate::network::Network;
use crate::sparse::SparseColumns;
use crate::train::{GdConfig, History};

use super::state::TrainState;
use super::step::Strategy;

/// The sets scored at recorded units: a test set (X, Y), a validation set
/// (X, Y, labels 1 × m).
#[derive(Clone, Copy, Default)]
pub(crate) struct Scored<'s, T: Float> {
    pub test: Option<(ArrayView2<'s, T>, ArrayView2<'s, T>)>,
    pub validation: Option<(ArrayView2<'s, T>, ArrayView2<'s, T>, ArrayView2<'s, T>)>,
    /// The validation X when it is sparse (the validation X above is then 0 × m_val).
    pub sparse_validation: Option<&'s SparseColumns<T>>,
}

/// Reserves the records' room up front, so recording allocates nothing: up
/// to 65 536 records; beyond, the history grows as recorded, so a huge count
/// never reserves gigabytes before the first iteration. `scored`: whether
/// there are (a test set, a validation set).
pub(crate) fn reserve_records(history: &mut History, scored: (bool, bool), records: usize) {
    let (test, validation) = scored;
    let records = records.min(1 << 16);
    history.costs.reserve(records);
    if test {
        history.test_costs.reserve(records);
    }
    if validation {
        history.validation_costs.reserve(records);
        history.validation_accuracies.reserve(records);
    }
}

/// Records the test and validation scores of unit `i` at the current weights,
/// and keeps early stopping's books.
pub(crate) fn evaluate<T: Float>(
    net: &mut Network<T>,
    strategy: &Strategy<T>,
    x: ArrayView2<'_, T>,
    state: &mut TrainState<T>,
    sets: Scored<'_, T>,
    i: usize,
    config: &GdConfig,
) {
    if sets.test.is_none() && sets.validation.is_none() {
        return;
    }
    strategy.sync(net, x); // the scores need W[1] itself
    let h = &mut state.history;
    if let Some((tx, ty)) = sets.test {
        h.test_costs.push((i, net.cost_on(tx, ty)));
    }
    if let Some((vx, vy, labels)) = sets.validation {
        let (vc, predicted) = match sets.sparse_validation {
            Some(sx) => (net.sparse_cost(sx, vy), net.sparse_predict(sx)),
            None => (net.cost_on(vx, vy), net.predict(vx)),
        };
        h.validation_costs.push((i, vc));
        h.validation_accuracies
            .push((i, accuracy(predicted.view(), labels)));
        if let Some(patience) = config.early_stopping {
            keep_books(net, state, vc, i, patience);
        }
    }
}

/// Early stopping: keeps the weights of the best validation cost, and stops
/// the run after `patience` evaluations without a better one.
fn keep_books<T: Float>(
    net: &Network<T>,
    state: &mut TrainState<T>,
    cost: f64,
    i: usize,
    patience: usize,
) {
    if state.best.as_ref().is_none_or(|(best, _)| cost < *best) {
        let params = net
            .layers()
            .iter()
            .map(|l| (l.w.clone(), l.b.clone()))
            .collect();
        state.best = Some((cost, params));
        state.history.best_at = Some(i);
        state.since_best = 0;
    } else {
        state.since_best += 1;
        if state.since_best >= patience {
            state.stopped_early = true;
        }
    }
}
