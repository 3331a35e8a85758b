//! A run's data: one of the library's generators (or an uploaded CSV), the
//! noise, the train/test split, the two features the picture shows, and the
//! inputs the network sees: those features, or the library's crosses of
//! them (x1², x1·x2, sin x1, …), made once here for every set, so the
//! network, the downloads and the picture's grid all see the same columns.

use std::io::{Read, Write};
use std::path::Path;

use backprop::data::crosses::{self, Cross};
use backprop::data::{
    self, circle, gauss, planar, points, spiral, twin_spiral, xor, Dataset, LoadOptions,
};
use ndarray::{Array2, Axis};

use super::spec::{render, RunRequest};

/// The most examples an uploaded CSV may have.
pub const MAX_UPLOAD_EXAMPLES: usize = 20_000;
/// The most features an uploaded CSV may have.
pub const MAX_UPLOAD_FEATURES: usize = 256;

/// The training and test sets of a run, and the two features drawn.
pub struct RunData {
    /// The training set as the network sees it (its inputs).
    pub train: Dataset,
    pub test: Option<Dataset>,
    /// The inputs crossed from the data's two features (None: the data's own).
    pub inputs: Option<Vec<Cross>>,
    /// The data's features on the picture's x and y axes, and their names.
    pub shown: [usize; 2],
    pub axes: [String; 2],
    /// Each set's two features drawn (2 × m), as the data has them.
    pub points: (Array2<f64>, Option<Array2<f64>>),
    /// The picture's extent: [x_min, x_max, y_min, y_max] in those features.
    pub bounds: [f64; 4],
    /// Each of the data's features' mean over the training set (the value
    /// of the features not drawn).
    pub means: Vec<f64>,
}

impl RunData {
    /// Points of the data's features (n × m) as the network's inputs.
    pub fn as_inputs(&self, x: Array2<f64>) -> Array2<f64> {
        match &self.inputs {
            // Checked when the run's data was made: two features, known inputs.
            Some(inputs) => crosses::cross(x.view(), inputs).unwrap_or(x),
            None => x,
        }
    }
}

/// Makes the data set `r` asks for (`upload` is the uploaded set, when it names one).
pub fn make(r: &RunRequest, upload: Option<&Dataset>) -> Result<RunData, String> {
    let all = generate(r, upload)?;
    let shown = shown_features(r, all.features())?;
    let names = all.preprocessing.feature_names.clone().unwrap_or_default();
    let axes = shown.map(|f| names.get(f).cloned().unwrap_or(format!("x{}", f + 1)));
    let inputs = inputs(r)?;
    let (train, test) = split(r, all)?;
    let means: Vec<f64> = train
        .x
        .rows()
        .into_iter()
        .map(|row| row.sum() / row.len() as f64)
        .collect();
    let bounds = picture_bounds(&train, test.as_ref(), shown);
    let drawn = |d: &Dataset| d.x.select(Axis(0), &shown);
    let points = (drawn(&train), test.as_ref().map(drawn));
    let (train, test) = match &inputs {
        Some(inputs) => {
            let cross = |d: &Dataset| {
                crosses::crossed(d, inputs).map_err(|e| format!("inputs: {}", render(&e)))
            };
            (cross(&train)?, test.as_ref().map(cross).transpose()?)
        }
        None => (train, test),
    };
    Ok(RunData {
        train,
        test,
        inputs,
        shown,
        axes,
        points,
        bounds,
        means,
    })
}

/// The inputs `r` names, in the library's terms (None: the data's own features).
fn inputs(r: &RunRequest) -> Result<Option<Vec<Cross>>, String> {
    let Some(names) = &r.inputs else {
        return Ok(None);
    };
    let inputs = names.iter().map(|n| n.parse::<Cross>());
    let inputs = inputs.collect::<Result<Vec<_>, _>>();
    inputs.map(Some).map_err(|e| format!("inputs: {e}"))
}

/// All the examples: a generator's (with `noise`'s jitter where the
/// generator has its own fixed noise), or the uploaded set.
fn generate(r: &RunRequest, upload: Option<&Dataset>) -> Result<Dataset, String> {
    let seed = r.seed;
    let mut all = match r.dataset.as_str() {
        // The notes name the flower's classes red (0) and blue (1); the run
        // names them as its train.csv and test.csv write them, 0 and 1, so
        // the downloaded model scores the downloaded data (`backprop evaluate`).
        "flower" => Dataset {
            classes: vec!["0".into(), "1".into()],
            ..planar::flower()
        },
        "circle" => circle::circle(r.points, r.noise, seed),
        "xor" => xor::xor(r.points, r.noise, seed),
        "gauss" => gauss::gauss(r.points, r.classes, r.noise, seed),
        "spiral" => spiral::spiral(r.points / r.classes, r.classes, seed),
        "twin-spiral" => twin_spiral::twin_spiral(r.points, r.noise, seed),
        _ => upload.cloned().ok_or(
            "the upload id is unknown (uploads are kept for the server's life, the 8 newest)",
        )?,
    };
    if ["flower", "spiral"].contains(&r.dataset.as_str()) {
        points::jitter(&mut all, r.noise, seed.wrapping_add(1));
    }
    Ok(all)
}

/// The features on the picture's axes: `features`, or the first two.
fn shown_features(r: &RunRequest, n_x: usize) -> Result<[usize; 2], String> {
    let shown = r.features.unwrap_or([0, 1.min(n_x - 1)]);
    if shown.iter().any(|&f| f >= n_x) {
        return Err(format!(
            "features {shown:?}: the data has {n_x} features (0..{})",
            n_x - 1
        ));
    }
    Ok(shown)
}

/// The training and test sets: `train_fraction` of the examples to train on
/// (stratified, seeded), the rest to test on (none when it is 1).
fn split(r: &RunRequest, all: Dataset) -> Result<(Dataset, Option<Dataset>), String> {
    if r.train_fraction >= 1.0 {
        return Ok((all, None));
    }
    let (train, test) = all
        .split_validation(1.0 - r.train_fraction, r.seed)
        .map_err(|e| format!("train_fraction: {}", render(&e)))?;
    if train.examples() == 0 {
        return Err("train_fraction leaves no training example".into());
    }
    Ok((train, Some(test)))
}

/// The picture's extent in the `shown` features: both sets' range, padded by a tenth.
fn picture_bounds(train: &Dataset, test: Option<&Dataset>, shown: [usize; 2]) -> [f64; 4] {
    let extent = |f: usize| {
        let sets = std::iter::once(train).chain(test);
        let (lo, hi) = sets
            .flat_map(|d| d.x.row(f).to_vec())
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
                (lo.min(v), hi.max(v))
            });
        let pad = ((hi - lo) * 0.1).max(1e-3);
        (lo - pad, hi + pad)
    };
    let (x0, x1) = extent(shown[0]);
    let (y0, y1) = extent(shown[1]);
    [x0, x1, y0, y1]
}

/// Copies an uploaded CSV from `body` to `out` as it arrives, refusing it
/// at the first byte past the playground's bounds: a header of more columns
/// than [`MAX_UPLOAD_FEATURES`] features, a label and an index, or more rows
/// than [`MAX_UPLOAD_EXAMPLES`] (lines with something on them).
pub fn copy_upload(body: &mut impl Read, out: &mut impl Write) -> Result<(), String> {
    let mut buf = vec![0u8; 64 << 10];
    let (mut commas, mut lines, mut blank, mut header) = (0usize, 0usize, true, true);
    loop {
        let n = body
            .read(&mut buf)
            .map_err(|e| format!("the body could not be read: {e}"))?;
        if n == 0 {
            return Ok(());
        }
        for &b in &buf[..n] {
            match b {
                b',' if header => commas += 1,
                b'\n' => {
                    lines += usize::from(!blank);
                    (header, blank) = (header && blank, true);
                }
                b' ' | b'\t' | b'\r' => {}
                _ => blank = false,
            }
        }
        if commas > MAX_UPLOAD_FEATURES + 1 {
            return Err(format!(
                "the header has more than {} columns; the playground takes at most \
                 {MAX_UPLOAD_FEATURES} features, a label and an index",
                MAX_UPLOAD_FEATURES + 2
            ));
        }
        if lines > MAX_UPLOAD_EXAMPLES + 1 {
            return Err(format!(
                "the CSV has more than {MAX_UPLOAD_EXAMPLES} examples; the playground takes 4..{MAX_UPLOAD_EXAMPLES}"
            ));
        }
        out.write_all(&buf[..n])
            .map_err(|e| format!("the upload could not be kept: {e}"))?;
    }
}

/// Refuses a feature whose values span more than a float holds (from
/// −1e308 to 1e308): the picture's extent and every distance in it overflow.
fn check_spans(d: &Dataset) -> Result<(), String> {
    for (f, row) in d.x.rows().into_iter().enumerate() {
        let (lo, hi) = row.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
            (lo.min(v), hi.max(v))
        });
        if !(hi - lo).is_finite() {
            let names = d.preprocessing.feature_names.as_deref().unwrap_or_default();
            let name = names
                .get(f)
                .map_or(format!("feature {f}"), |n| format!("column '{n}'"));
            return Err(format!(
                "{name} spans {lo:e} to {hi:e}, more than a float holds; scale it"
            ));
        }
    }
    Ok(())
}

/// Reads an uploaded CSV through the library's reader (header row, numeric
/// features, a `label` column of 0…K−1), bounded in examples and features.
pub fn read_upload(path: &Path) -> Result<Dataset, String> {
    let d = data::load(path, &LoadOptions::default()).map_err(|e| {
        // The temporary file's name means nothing to the user: keep only the message.
        match e {
            backprop::Error::Format { message, .. } => message,
            other => render(&other),
        }
    })?;
    if d.examples() < 4 || d.examples() > MAX_UPLOAD_EXAMPLES {
        return Err(format!(
            "the CSV has {} examples; the playground takes 4..{MAX_UPLOAD_EXAMPLES}",
            d.examples()
        ));
    }
    if d.features() > MAX_UPLOAD_FEATURES {
        return Err(format!(
            "the CSV has {} features; the playground takes at most {MAX_UPLOAD_FEATURES}",
            d.features()
        ));
    }
    if !(2..=5).contains(&d.classes.len()) {
        return Err(format!(
            "the CSV has {} classes; the playground takes 2..5",
            d.classes.len()
        ));
    }
    check_spans(&d)?;
    Ok(d)
}
