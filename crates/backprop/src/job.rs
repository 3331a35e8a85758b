//! A training job from start to end: config → data → network → training →
//! metrics → run folder. The CLI's `train` and `demo` are thin layers over it.
//!
//! Everything that can fail on the user's input (paths, formats, sizes, an
//! existing output folder) is checked before training starts; the files are
//! written by the run folder module (`run_folder.rs`).

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use ndarray::Array2;

use crate::collective::Collective;
use crate::config::{ModelSpec, Precision, TrainConfig};
use crate::data::fingerprint::Fingerprint;
use crate::data::{self, Dataset};
use crate::engine::checkpoint::{self, CheckpointInfo};
use crate::engine::{Advanced, Controls, Path as Road, Session, Start, TrainState, TrainingData};
use crate::error::Error;
use crate::fsutil;
use crate::linalg::{Float, Threads};
use crate::metrics::accuracy;
use crate::network::{AnyNetwork, Network};
use crate::rng::NumpyRng;
use crate::run_folder::{self, CheckpointFolder};
use crate::setting::Setting;
use crate::train::Progress;

use crate::run_folder::Metrics;
pub use crate::run_folder::{OutFolder, Trained};

/// A job's data: training, test and validation sets.
pub struct JobData {
    /// The training set (without the validation examples).
    pub train: Dataset,
    /// The test set, if given.
    pub test: Option<Dataset>,
    /// The held-out validation set, with `--validation`.
    pub validation: Option<Dataset>,
    /// Each training example's weight (J = Σ wᵢ·lᵢ / Σ wᵢ), when the job
    /// weighs classes; `None` weighs every example alike.
    pub weights: Option<Vec<f64>>,
}

/// Loads and checks a job's data: the training set, a test set with the same
/// number of features, and the validation split. With `standardize`, all are
/// standardised with the (remaining) training set's statistics.
/// `progress` hears (done, total) while pictures are decoded.
pub(crate) fn load_data(
    config: &TrainConfig,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<JobData, Error> {
    let mut train = data::load_training(&config.train, &config.load, progress)?;
    let mut test = match &config.test {
        Some(path) => Some(data::load_like(
            path,
            &config.load,
            &train.preprocessing,
            &train.classes,
            None,
            progress,
        )?),
        None => None,
    };
    let mut validation = None;
    if let Some(fraction) = config.validation {
        let (t, v) = train.split_validation(fraction, config.model.gd.seed)?;
        train = t;
        validation = Some(v);
    }
    // Every value the network will see must fit its float type: 1e39 is ∞ in f32.
    let precision = config.model.precision.to_string();
    // (A standardised training set is within ±√m: only one kept as read can overflow.)
    let st = if config.standardize || config.load.standardizes(&train) {
        Some(train.standardize(config.load.log_above()?)?)
    } else {
        train.standardize_for(None, &precision, "", data::FIT_THE_TYPE)?;
        None
    };
    if let Some(d) = &mut test {
        d.standardize_for(st.as_ref(), &precision, "", data::FIT_THE_MODEL)?;
    }
    if let Some(d) = &mut validation {
        let part = " of the validation split";
        d.standardize_for(st.as_ref(), &precision, part, data::FIT_THE_TYPE)?;
    }
    let weights = match &config.class_weight {
        Some(w) => {
            let labels: Vec<usize> = train.y.iter().map(|&c| c as usize).collect();
            Some(w.example_weights(&labels, &train.classes)?)
        }
        None => None,
    };
    Ok(JobData {
        train,
        test,
        validation,
        weights,
    })
}

/// Where a `train` job reports as it goes (the library never prints), and how it is stopped.
pub struct Hooks<'a> {
    /// (done, total) while pictures are decoded, from any thread.
    pub load_progress: &'a (dyn Fn(usize, usize) + Sync),
    /// The training data, once loaded and checked, before training starts.
    pub loaded: &'a mut dyn FnMut(&Dataset, Option<&Dataset>),
    /// Every iteration.
    pub iteration: &'a mut dyn FnMut(Progress),
    /// When set (by a signal handler), training stops, writes a checkpoint and returns.
    pub stop: Option<&'a AtomicBool>,
    /// The ranks of data-parallel training; only rank 0 writes files.
    pub collective: Option<&'a dyn Collective>,
}

/// Runs a whole `train` job and writes its run folder. Returns the trained
/// network and metrics; an interrupted run leaves a checkpoint and its
/// metrics so far in the run folder and returns [`Error::Interrupted`].
pub fn run_train(config: &TrainConfig, hooks: Hooks<'_>) -> Result<Trained, Error> {
    config.validate()?;
    let _lock = claim_run_folder(config, config.force, None, hooks.collective)?;
    let folder = CheckpointFolder::new(&config.out, false);
    let data = load_data(config, hooks.load_progress)?;
    (hooks.loaded)(&data.train, data.test.as_ref());
    let ctx = RunContext {
        job: Some(config),
        stop: hooks.stop,
        resume: None,
        collective: hooks.collective,
    };
    let mut data = data;
    let sets = Sets::Given(&mut data);
    let trained = train_in(sets, &config.model, ctx, Some(&folder), hooks.iteration)?;
    if hooks.collective.is_some_and(|c| c.rank() != 0) {
        return Ok(trained);
    }
    finish(config, &data, trained, folder.is_own())
}

/// Refuses a resumed job whose data path, recorded relative to the folder
/// the run was started in, is not found from here: the message says the
/// path came from the checkpoint `file`, not from this command.
fn recorded_paths_exist(config: &TrainConfig, file: &Path) -> Result<(), Error> {
    let recorded = [
        (Setting::Train, Some(&config.train)),
        (Setting::Test, config.test.as_ref()),
    ];
    for (setting, path) in recorded {
        let Some(path) = path.filter(|p| p.is_relative() && !p.exists()) else {
            continue;
        };
        let here = std::env::current_dir().map_or_else(|_| ".".into(), |d| d.display().to_string());
        return Err(Error::format(
            file,
            format!(
                "records {setting} {}, a path relative to the folder the run was started in, \
                 and it is not found from {here}; resume from that folder",
                path.display()
            ),
        ));
    }
    Ok(())
}

/// Continues the run in `dir` from its checkpoint: its own configuration and
/// data, `total` the new number of iterations (or epochs) if given, the
/// result written to `out` (default: `dir` itself; another folder that
/// exists is replaced only with `force`, as `train` does).
pub fn resume_train(
    dir: &Path,
    total: Option<usize>,
    out: Option<&Path>,
    force: bool,
    hooks: Hooks<'_>,
) -> Result<Trained, Error> {
    let info = checkpoint::read_info(dir)?;
    let file = dir.join(checkpoint::FILE);
    let mut config: TrainConfig = serde_json::from_value(info.config.clone()).map_err(|e| {
        Error::format(
            &file,
            format!("holds no training job this version reads ({e})"),
        )
    })?;
    if let Some(t) = total {
        match config.model.gd.epochs {
            Some(_) => config.model.gd.epochs = Some(t),
            None => config.model.gd.iterations = t,
        }
    }
    config.out = out.unwrap_or(dir).to_path_buf();
    config.force = true;
    config.validate()?;
    recorded_paths_exist(&config, &file)?;
    // Into its own folder it replaces itself; into another, that must be new
    // (or, with `force`, must not hold the checkpoint it continues from).
    let own_folder = out.is_none_or(|o| o == dir);
    let resumed_from = (!own_folder).then(|| file.clone());
    let _lock = claim_run_folder(&config, own_folder || force, resumed_from, hooks.collective)?;
    let folder = CheckpointFolder::new(&config.out, own_folder);
    let data = load_data(&config, hooks.load_progress)?;
    check_same_data(&info, &data.train, &file, hooks.stop)?;
    (hooks.loaded)(&data.train, data.test.as_ref());
    let ctx = RunContext {
        job: Some(&config),
        stop: hooks.stop,
        resume: Some(dir),
        collective: hooks.collective,
    };
    let mut data = data;
    let sets = Sets::Given(&mut data);
    let trained = train_in(sets, &config.model, ctx, Some(&folder), hooks.iteration)?;
    if hooks.collective.is_some_and(|c| c.rank() != 0) {
        return Ok(trained);
    }
    finish(&config, &data, trained, folder.is_own())
}

/// Refuses to resume on a training set that changed since the checkpoint
/// was written (its fingerprint, when the checkpoint records one).
fn check_same_data(
    info: &CheckpointInfo,
    train: &Dataset,
    file: &Path,
    stop: Option<&AtomicBool>,
) -> Result<(), Error> {
    let Ok(then) = serde_json::from_value::<Fingerprint>(info.data.clone()) else {
        return Ok(()); // written before fingerprints were recorded
    };
    match then.difference(&Fingerprint::of(train, stop)?) {
        None => Ok(()),
        Some(what) => Err(Error::format(
            file,
            format!(
                "was written on other training data than {} holds now ({what}); resume on the data it was trained on, or start a new run",
                train.source.display()
            ),
        )),
    }
}

/// Writes the run folder of a finished (or interrupted) run: in place when
/// it is this run's own (`in_place`: made or replaced by its checkpoints, or
/// resumed in place), else through a new folder swapped in whole. The write
/// runs to its end whatever stop is asked for meanwhile
/// ([`crate::stop::finishing`]): it takes seconds at most, and stopping it
/// would lose the trained run (a stop before it ends training with a checkpoint).
fn finish(
    config: &TrainConfig,
    data: &JobData,
    mut trained: Trained,
    in_place: bool,
) -> Result<Trained, Error> {
    trained.skipped = data.train.skipped.clone();
    if trained.metrics.interrupted {
        // The checkpoint is written; add the metrics so far beside it.
        crate::stop::finishing(|| run_folder::write_interrupted(&config.out, &trained))?;
        return Err(Error::Interrupted {
            out: config.out.clone(),
            at: trained.metrics.iterations,
            epochs: config.model.gd.epochs.is_some(),
        });
    }
    crate::stop::finishing(|| {
        run_folder::write(
            &config.out,
            &trained,
            &data.train,
            data.test.as_ref(),
            in_place,
            config.force,
        )
    })?;
    Ok(trained)
}

/// Claims the job's run folder before any work is done, for the whole run
/// (see [`fsutil::claim_out`]): refused if it exists (unless `force`), if
/// `force` would delete an input (any file the data loaders read, or the
/// checkpoint `resumed_from`), or while another run writes it or a folder
/// around it. Ranks other than 0 of a data-parallel run write nothing and
/// only check it exists.
fn claim_run_folder(
    config: &TrainConfig,
    force: bool,
    resumed_from: Option<PathBuf>,
    collective: Option<&dyn Collective>,
) -> Result<Option<fsutil::RunLock>, Error> {
    if collective.is_some_and(|c| c.rank() != 0) {
        return check_out(&config.out, force).map(|()| None);
    }
    // The inputs matter only to a folder `--force` would replace: listing a
    // picture folder's files for a new --out would be work for nothing.
    let mut inputs = Vec::new();
    if config.out.exists() {
        inputs.extend(data::files_read(&config.train));
        if let Some(test) = &config.test {
            inputs.extend(data::files_read(test));
        }
        inputs.extend(resumed_from);
    }
    fsutil::claim_out(&config.out, force, &inputs).map(Some)
}

/// Refuses an output folder that exists (unless forced), before any work is done.
pub(crate) fn check_out(out: &Path, force: bool) -> Result<(), Error> {
    if out.exists() && !force {
        return Err(Error::format(
            out,
            format!(
                "already exists; choose another {} or pass {} to replace it",
                crate::Setting::Out,
                crate::Setting::Force
            ),
        ));
    }
    Ok(())
}

/// What a training run may do besides training: checkpoint into the job's
/// run folder, stop on a flag, continue from a checkpoint.
#[derive(Default)]
pub struct RunContext<'a> {
    /// The job (its run folder receives checkpoints; its config is saved in them).
    pub job: Option<&'a TrainConfig>,
    /// The stop flag.
    pub stop: Option<&'a AtomicBool>,
    /// Continue from the checkpoint in this folder.
    pub resume: Option<&'a Path>,
    /// The ranks of data-parallel training (only rank 0 writes checkpoints).
    pub collective: Option<&'a dyn Collective>,
}

/// Trains `spec` on an in-memory training set and scores it on both sets.
/// `config` is recorded in the metrics as given.
pub fn train_on(
    train: &Dataset,
    test: Option<&Dataset>,
    spec: &ModelSpec,
    config: serde_json::Value,
    observe: &mut dyn FnMut(Progress),
) -> Result<Trained, Error> {
    let data = JobData {
        train: train.clone(),
        test: test.cloned(),
        validation: None,
        weights: None,
    };
    let mut trained = train_on_with(&data, spec, RunContext::default(), observe)?;
    trained.metrics.config = config;
    Ok(trained)
}

/// [`train_on`] with a validation set, checkpoints (into the job's run
/// folder, in place), a stop flag or a resume.
pub fn train_on_with(
    data: &JobData,
    spec: &ModelSpec,
    ctx: RunContext<'_>,
    observe: &mut dyn FnMut(Progress),
) -> Result<Trained, Error> {
    spec.validate()?;
    let folder = ctx.job.map(|j| CheckpointFolder::new(&j.out, true));
    train_in(Sets::Lent(data), spec, ctx, folder.as_ref(), observe)
}

/// A job's sets as training gets them: lent (their X copied into the
/// network's type) or given (their X moved out into it, so that only one X
/// is alive; a 2-feature set gets its X back in f64 for the decision
/// boundary once trained).
enum Sets<'a> {
    Lent(&'a JobData),
    Given(&'a mut JobData),
}

impl Sets<'_> {
    fn get(&self) -> &JobData {
        match self {
            Sets::Lent(d) => d,
            Sets::Given(d) => d,
        }
    }

    /// The sets in the network's type `T`.
    fn typed<T: Float>(&mut self) -> Typed<T> {
        match self {
            Sets::Lent(d) => Typed::of(d),
            Sets::Given(d) => Typed::take(d),
        }
    }

    /// Puts a given 2-feature set's X back (in f64) for the plots.
    fn give_back<T: Float>(&mut self, typed: Typed<T>) {
        let Sets::Given(d) = self else { return };
        if d.train.features() == 2 {
            d.train.x = data::narrow::widen(typed.x);
            if let (Some(t), Some((x, _))) = (&mut d.test, typed.test) {
                t.x = data::narrow::widen(x);
            }
        }
    }
}

/// [`train_on_with`], the job's checkpoints written into `folder`.
fn train_in(
    mut data: Sets<'_>,
    spec: &ModelSpec,
    ctx: RunContext<'_>,
    folder: Option<&CheckpointFolder>,
    observe: &mut dyn FnMut(Progress),
) -> Result<Trained, Error> {
    // Only rank 0 of a data-parallel run writes checkpoints.
    let writer = ctx.collective.is_none_or(|c| c.rank() == 0);
    // The fingerprint reads the f64 X, before it is handed over.
    let checkpoints = match (ctx.job.filter(|_| writer), folder) {
        (Some(job), Some(folder)) => {
            Some(Checkpoints::new(job, &data.get().train, folder, ctx.stop)?)
        }
        _ => None,
    };
    let checkpoints = checkpoints.as_ref();
    let (network, metrics, checkpoint) = match spec.precision {
        Precision::F32 => {
            let (n, m, c) = train_typed::<f32>(&mut data, spec, ctx, checkpoints, observe)?;
            (AnyNetwork::F32(n), m, c)
        }
        Precision::F64 => {
            let (n, m, c) = train_typed::<f64>(&mut data, spec, ctx, checkpoints, observe)?;
            (AnyNetwork::F64(n), m, c)
        }
    };
    Ok(Trained {
        network,
        metrics,
        skipped: Vec::new(),
        checkpoint,
    })
}

/// A job's checkpoints: what each records besides the weights (the job's
/// configuration, its training set's fingerprint) and the folder they go to.
struct Checkpoints<'a> {
    config: serde_json::Value,
    data: serde_json::Value,
    folder: &'a CheckpointFolder,
}

impl<'a> Checkpoints<'a> {
    fn new(
        job: &TrainConfig,
        train: &Dataset,
        folder: &'a CheckpointFolder,
        stop: Option<&AtomicBool>,
    ) -> Result<Self, Error> {
        let fingerprint = Fingerprint::of(train, stop)?;
        Ok(Checkpoints {
            config: serde_json::to_value(job).expect("config serialises"),
            data: serde_json::to_value(fingerprint).expect("fingerprint serialises"),
            folder,
        })
    }

    /// The checkpoint file's bytes for `net` and `state`.
    fn bytes<T: Float>(&self, net: &Network<T>, state: &TrainState<T>) -> Result<Vec<u8>, Error> {
        checkpoint::to_bytes(&self.config, &self.data, net, state)
    }

    /// Writes the checkpoint of `net` and `state` into the run folder.
    fn save<T: Float>(&self, net: &Network<T>, state: &TrainState<T>) -> Result<(), Error> {
        self.folder.save(&self.bytes(net, state)?)
    }
}

/// What [`train_typed`] returns: the network, its metrics, the final checkpoint's bytes.
type TypedRun<T> = (Network<T>, Metrics, Option<Vec<u8>>);

/// A job's sets as the network takes them: X, Y (and labels) in its float type.
struct Typed<T: Float> {
    x: Array2<T>,
    y: Array2<T>,
    test: Option<(Array2<T>, Array2<T>)>,
    validation: Option<(Array2<T>, Array2<T>, Array2<T>)>,
}

impl<T: Float> Typed<T> {
    /// The sets' X copied.
    fn of(data: &JobData) -> Self {
        let test = data.test.as_ref().map(Dataset::x_as);
        let validation = data.validation.as_ref().map(Dataset::x_as);
        Self::with(data, data.train.x_as(), test, validation)
    }

    /// The sets' X moved out of them (see [`Dataset::take_x_as`]).
    fn take(data: &mut JobData) -> Self {
        let x = data.train.take_x_as();
        let test = data.test.as_mut().map(Dataset::take_x_as);
        let validation = data.validation.as_mut().map(Dataset::take_x_as);
        Self::with(data, x, test, validation)
    }

    /// The sets with these X (train, test, validation), Y from the sets.
    fn with(
        data: &JobData,
        x: Array2<T>,
        test: Option<Array2<T>>,
        validation: Option<Array2<T>>,
    ) -> Self {
        let k = data.train.classes.len();
        Typed {
            x,
            y: data.train.targets_as::<T>(k),
            test: (data.test.as_ref().zip(test)).map(|(t, x)| (x, t.targets_as::<T>(k))),
            validation: (data.validation.as_ref().zip(validation))
                .map(|(v, x)| (x, v.targets_as::<T>(k), v.y_as::<T>())),
        }
    }

    /// The session's view of the sets, each training example weighed by `weights`.
    fn training_data<'b>(&'b self, weights: Option<&'b [f64]>) -> TrainingData<'b, T> {
        TrainingData {
            x: self.x.view().into(),
            y: self.y.view().into(),
            test: self
                .test
                .as_ref()
                .map(|(x, y)| (x.view().into(), y.view().into())),
            validation: self
                .validation
                .as_ref()
                .map(|(x, y, l)| (x.view().into(), y.view().into(), l.view().into())),
            weights,
            sparse: None,
            sparse_validation: None,
        }
    }
}

/// The network `spec` describes for `train`: its sizes checked against the
/// memory budget, its weights drawn from the seed.
fn new_network<T: Float>(train: &Dataset, spec: &ModelSpec) -> Result<Network<T>, Error> {
    let k = train.classes.len();
    let mut sizes = vec![train.features()];
    sizes.extend(&spec.hidden);
    sizes.push(if k > 2 { k } else { 1 });
    if !spec.layers.is_empty() {
        return picture_network(train, spec, sizes);
    }
    crate::data::budget::check_network(&sizes, train.examples(), std::mem::size_of::<T>())?;
    let mut net = Network::<T>::new(
        &sizes,
        spec.activation,
        spec.init,
        &mut NumpyRng::new(spec.gd.seed),
    )?;
    net.set_threads(Threads(spec.threads.max(1)));
    if let Some(config) = spec.batch_norm {
        net.set_batch_norm(config)?;
    }
    Ok(net)
}

/// [`new_network`] with picture layers in front: the picture n_H × n_W × n_C
/// read from the data, the dense layers and every picture layer's volumes
/// checked against the memory budget, the filters drawn first.
fn picture_network<T: Float>(
    train: &Dataset,
    spec: &ModelSpec,
    sizes: Vec<usize>,
) -> Result<Network<T>, Error> {
    let picture = crate::config::picture_for(&train.preprocessing, &spec.layers)?;
    let shapes = crate::layers::spec::shapes(picture, &spec.layers)?;
    let (m, e) = (train.examples(), std::mem::size_of::<T>());
    let mut dense = sizes.clone();
    dense[0] = shapes.last().map_or(picture.len(), |s| s.len());
    crate::data::budget::check_network(&dense, m, e)?;
    // Each layer's output and its gradient, a convolution's patches too.
    let mut per_example: u128 = 0;
    let mut below = picture;
    for (layer, shape) in spec.layers.iter().zip(&shapes) {
        per_example += 2 * shape.len() as u128;
        if let crate::layers::PictureLayer::Conv { f, .. } = *layer {
            per_example += (shape.height * shape.width * f * f * below.channels) as u128;
        }
        below = *shape;
    }
    let what = format!(
        "the picture layers of {} over {m} pictures of {picture}",
        Setting::Layers
    );
    crate::data::budget::check(&what, per_example * m as u128 * e as u128)?;
    Network::<T>::builder(&sizes)
        .picture(picture, &spec.layers)
        .activation(spec.activation)
        .init(spec.init)
        .seed(spec.gd.seed)
        .threads(spec.threads.max(1))
        .build()
}

fn train_typed<T: Float>(
    sets: &mut Sets<'_>,
    spec: &ModelSpec,
    ctx: RunContext<'_>,
    checkpoints: Option<&Checkpoints<'_>>,
    observe: &mut dyn FnMut(Progress),
) -> Result<TypedRun<T>, Error> {
    let mut net = new_network::<T>(&sets.get().train, spec)?;
    let state = match ctx.resume {
        Some(dir) => checkpoint::restore(dir, &spec.gd, &mut net)?.1,
        None => TrainState::new(&spec.gd),
    };
    let typed = sets.typed::<T>();
    let data = sets.get();
    let start = Start {
        state: Some(state),
        path: Road::Auto,
        collective: ctx.collective,
    };
    let sets_data = typed.training_data(data.weights.as_deref());
    let mut session = Session::start(net, sets_data, spec.gd.clone(), start)?;
    let mut save = |n: &Network<T>, s: &TrainState<T>| match checkpoints {
        Some(c) => c.save(n, s),
        None => Ok(()),
    };
    let mut controls = Controls {
        stop: ctx.stop,
        checkpoint_every: checkpoints.and_then(|_| ctx.job?.checkpoint_every),
        checkpoint: Some(&mut save),
        observe: Some(observe),
    };
    let interrupted = session.run(&mut controls)? == Advanced::Interrupted;
    let (net, state) = session.finish();
    let mut final_checkpoint = None;
    if let Some(c) = checkpoints {
        if interrupted {
            c.save(&net, &state)?;
        } else {
            final_checkpoint = Some(c.bytes(&net, &state)?);
        }
    }
    let metrics = metrics_of(&net, data, &typed, state, interrupted, spec, ctx.job);
    sets.give_back(typed);
    Ok((net, metrics, final_checkpoint))
}

/// The run's metrics: its history, and the trained network's scores on its sets.
fn metrics_of<T: Float>(
    net: &Network<T>,
    data: &JobData,
    typed: &Typed<T>,
    state: TrainState<T>,
    interrupted: bool,
    spec: &ModelSpec,
    job: Option<&TrainConfig>,
) -> Metrics {
    let train = &data.train;
    let k = train.classes.len();
    let train_predicted = net.predict(typed.x.view());
    let test_predicted = typed.test.as_ref().map(|(tx, _)| net.predict(tx.view()));
    let test_accuracy = (data.test.as_ref())
        .zip(test_predicted.as_ref())
        .map(|(t, p)| accuracy(p.view(), t.y_as::<T>().view()));
    let history = state.history;
    Metrics {
        costs: history.costs,
        test_costs: history.test_costs,
        validation_costs: history.validation_costs,
        validation_accuracies: history.validation_accuracies,
        per_epoch: history.per_epoch,
        final_cost: history.final_cost,
        train_accuracy: accuracy(train_predicted.view(), train.y_as::<T>().view()),
        test_accuracy,
        // (A job's sets have handed their X over: count the typed ones.)
        train_examples: typed.x.ncols(),
        test_examples: typed.test.as_ref().map(|t| t.0.ncols()),
        validation_examples: typed.validation.as_ref().map(|v| v.0.ncols()),
        iterations: history.iterations,
        train_seconds: history.train_seconds,
        learning_rate: spec.gd.learning_rate,
        layer_sizes: net.sizes(),
        best_at: history.best_at,
        stopped_early: history.stopped_early,
        lbfgs_stop: history.lbfgs_stop,
        lbfgs_evaluations: history.lbfgs_evaluations,
        interrupted,
        predicted_counts: crate::metrics::class_counts(train_predicted.view(), k.max(2)),
        test_predicted_counts: (test_predicted.as_ref())
            .map(|p| crate::metrics::class_counts(p.view(), k.max(2))),
        updates: state.step,
        allreduce_seconds: history.allreduce_seconds,
        config: job
            .map(|j| serde_json::to_value(j).expect("config serialises"))
            .unwrap_or_default(),
    }
}
