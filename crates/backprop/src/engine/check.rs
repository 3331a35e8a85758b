//! What a session refuses before any work: settings out of range (the
//! settings type's own checks, [`GdConfig::validate_for`]), early stopping
//! without a validation set, data whose shapes do not fit the network,
//! sample weights that cannot be used, a saved position the data cannot have.

use crate::collective::Collective;
use crate::error::Error;
use crate::linalg::Float;
use crate::network::Network;
use crate::optim::OptimizerConfig;
use crate::setting::{Problem, Setting};
use crate::train::GdConfig;

use super::state::TrainState;
use super::training_data::TrainingData;

/// Checks a run of `config` training `net` on `data` from `state`.
pub(crate) fn check_run<T: Float>(
    config: &GdConfig,
    net: &Network<T>,
    data: &TrainingData<'_, T>,
    state: &TrainState<T>,
    collective: &dyn Collective,
) -> Result<(), Error> {
    let m = data.x.ncols();
    config.validate_for(net.sizes().len().saturating_sub(2))?;
    config.validate_for_examples(m)?;
    if net.batch_norm().is_some() {
        check_norm_run(config, collective, data.sparse.is_some())?;
    }
    if config.early_stopping.is_some() && data.validation.is_none() {
        return Err(Problem::other(
            Setting::EarlyStopping,
            format!(
                "{} needs a validation set to watch (see {})",
                Setting::EarlyStopping,
                Setting::Validation
            ),
        )
        .into());
    }
    check_shapes(net, data)?;
    check_penalty_scale(config, net.sizes()[0])?;
    if net.front().is_some() {
        check_picture_run(config, collective, data.sparse.is_some())?;
    }
    if let Some(w) = data.weights {
        check_weights(w, m, collective)?;
    }
    check_position(config, state, m)
}

/// The penalties' per-feature factors ([`GdConfig::penalty_scale`]): none,
/// or one finite positive number per input feature, with L-BFGS.
fn check_penalty_scale(config: &GdConfig, n_x: usize) -> Result<(), Error> {
    let scale = &config.penalty_scale;
    if scale.is_empty() {
        return Ok(());
    }
    let l2 = Setting::L2;
    let problem = if !matches!(config.optimizer, crate::optim::OptimizerConfig::Lbfgs(_)) {
        format!(
            "{l2}'s per-feature factors apply to {} lbfgs only",
            Setting::Optimizer
        )
    } else if scale.len() != n_x {
        format!(
            "{l2}'s per-feature factors are {} for {n_x} input features: give one each",
            scale.len()
        )
    } else if let Some(s) = scale.iter().find(|s| !(s.is_finite() && **s > 0.0)) {
        format!("{l2}'s per-feature factors must be finite and > 0, got {s}")
    } else {
        return Ok(());
    };
    Err(Problem::other(l2, problem).into())
}

/// What a network with picture layers does not train with (yet): L-BFGS,
/// an L1 term, early stopping (its best weights hold dense layers only),
/// several data-parallel ranks, a sparse X.
fn check_picture_run(
    config: &GdConfig,
    collective: &dyn Collective,
    sparse: bool,
) -> Result<(), Error> {
    let why = |setting: Setting, what: &str| {
        Err(Problem::other(
            setting,
            format!("{what} does not train picture layers (convolutions); leave {setting} out"),
        )
        .into())
    };
    if matches!(config.optimizer, OptimizerConfig::Lbfgs(_)) {
        return why(Setting::Optimizer, "L-BFGS");
    }
    if config.l1 != 0.0 {
        return why(Setting::L1, "an L1 term");
    }
    if config.early_stopping.is_some() {
        return why(
            Setting::EarlyStopping,
            "early stopping (its kept best weights)",
        );
    }
    if sparse {
        return Err(Error::Config(
            "picture layers (convolutions) take a dense X of pictures, not a sparse matrix".into(),
        ));
    }
    if collective.size() > 1 {
        return Err(Error::Config(
            "picture layers (convolutions) train on one process only, not across data-parallel ranks"
                .into(),
        ));
    }
    Ok(())
}

/// What batch normalisation does not train with: L-BFGS (its line search
/// would move the running statistics at every cost it evaluates), early
/// stopping (its kept best weights hold W and b only), a sparse X, several
/// data-parallel ranks (each would normalise with its own share's statistics).
fn check_norm_run(
    config: &GdConfig,
    collective: &dyn Collective,
    sparse: bool,
) -> Result<(), Error> {
    let bn = Setting::BatchNorm;
    let refuse = |what: String| {
        Err(Problem::other(
            bn,
            format!("{bn} does not train {what}; leave one of them out"),
        )
        .into())
    };
    if matches!(config.optimizer, OptimizerConfig::Lbfgs(_)) {
        return refuse(format!("with {} lbfgs", Setting::Optimizer));
    }
    if config.early_stopping.is_some() {
        return refuse(format!("with {}", Setting::EarlyStopping));
    }
    if sparse {
        return refuse("on a sparse X".into());
    }
    if collective.size() > 1 {
        return refuse("across data-parallel ranks".into());
    }
    Ok(())
}

fn check_shapes<T: Float>(net: &Network<T>, data: &TrainingData<'_, T>) -> Result<(), Error> {
    let sizes = net.sizes();
    let (x, y) = (&data.x, &data.y);
    let (n_x, m) = (data.sparse.map_or(x.nrows(), |sx| sx.nrows()), x.ncols());
    if n_x != sizes[0] || y.ncols() != m || y.nrows() != *sizes.last().unwrap_or(&0) {
        return Err(Error::Config(format!(
            "X is {}×{} and Y {}×{}, but the network's layers are {sizes:?}",
            n_x,
            m,
            y.nrows(),
            y.ncols()
        )));
    }
    Ok(())
}

fn check_weights(w: &[f64], m: usize, collective: &dyn Collective) -> Result<(), Error> {
    let weights = Setting::SampleWeight;
    if w.len() != m {
        return Err(Problem::other(
            weights,
            format!("{weights}: {} weights for {m} examples", w.len()),
        )
        .into());
    }
    if w.iter().any(|v| !(v.is_finite() && *v >= 0.0)) || w.iter().all(|v| *v == 0.0) {
        return Err(Problem::other(
            weights,
            format!("{weights} must be finite, ≥ 0 and not all 0"),
        )
        .into());
    }
    if collective.size() > 1 {
        return Err(Problem::other(
            weights,
            format!("{weights} is not supported across data-parallel ranks"),
        )
        .into());
    }
    Ok(())
}

/// A saved state's position must be one this data has, and not past the run's total.
fn check_position<T: Float>(
    config: &GdConfig,
    state: &TrainState<T>,
    m: usize,
) -> Result<(), Error> {
    let batches = m.div_ceil(config.batch_size_for(m));
    if state.batch > batches || state.step != state.epoch * batches + state.batch {
        return Err(Error::Config(format!(
            "the checkpoint's position (update {}, epoch {}, batch {}) is impossible with {batches} batches an epoch",
            state.step, state.epoch, state.batch
        )));
    }
    let done = state.units_done(config);
    if done > config.total_units() {
        let unit = if config.epochs.is_some() {
            Setting::Epochs
        } else {
            Setting::Iterations
        };
        return Err(Problem::other(
            unit,
            format!("the run has already done {done}; {unit} must be at least that"),
        )
        .into());
    }
    Ok(())
}
