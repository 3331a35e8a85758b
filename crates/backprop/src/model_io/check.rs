//! A model folder's description (model.json) checked whole before any weight
//! is read: layer sizes against the memory budget, activations, classes
//! against the outputs, preprocessing lengths and positivity. Each error names
//! model.json and what to fix; a damaged folder is refused, never half-used
//! (a `classes` list shorter than the outputs used to panic in `predict`).

use std::path::Path;

use super::ModelInfo;
use crate::activation::Activation;
use crate::error::Error;

/// Checks `info` (read from `path`, its model.json) for consistency.
pub(crate) fn check_info(path: &Path, info: &ModelInfo) -> Result<(), Error> {
    let bad = |m: String| {
        Error::format(
            path,
            format!("{m}; the model folder is damaged: train it again"),
        )
    };
    let sizes = &info.layer_sizes;
    if sizes.len() < 2 {
        return Err(bad(format!(
            "layer_sizes is {sizes:?}: a model needs at least the input and output sizes"
        )));
    }
    if let Some(l) = sizes.iter().position(|&n| n == 0) {
        return Err(bad(format!("layer_sizes[{l}] is 0")));
    }
    let element = if info.precision == "f32" { 4 } else { 8 };
    let dims: Vec<(u64, u64)> = sizes
        .windows(2)
        .map(|w| (w[1] as u64, w[0] as u64 + 1))
        .collect();
    let params = dims.iter().try_fold(0u128, |t, &(a, b)| {
        t.checked_add(u128::from(a) * u128::from(b))
    });
    let what = format!("{}: layer_sizes {sizes:?}", path.display());
    match params.and_then(|p| p.checked_mul(element)) {
        Some(bytes) => crate::data::budget::check(&what, bytes)?,
        None => crate::data::budget::check(&what, u128::MAX)?,
    }
    if info.hidden_activation == Activation::Softmax {
        return Err(bad(
            "hidden_activation is softmax, which is an output, not a hidden activation".into(),
        ));
    }
    let outputs = *sizes.last().expect("two sizes or more");
    let classes = info.classes.len();
    match info.output_activation.as_str() {
        "sigmoid" if outputs == 1 => {
            if classes != 2 {
                return Err(bad(format!(
                    "a sigmoid output tells 2 classes apart, but classes lists {classes}"
                )));
            }
        }
        "sigmoid" => {
            return Err(bad(format!(
                "a sigmoid output has 1 unit, but layer_sizes ends in {outputs}"
            )))
        }
        "softmax" if outputs >= 2 => {
            if classes != outputs {
                return Err(bad(format!(
                    "the softmax output has {outputs} units, but classes lists {classes}"
                )));
            }
        }
        "softmax" => {
            return Err(bad(
                "a softmax output needs at least 2 units, but layer_sizes ends in 1".into(),
            ))
        }
        other => {
            return Err(bad(format!(
                "output_activation '{other}' is not sigmoid or softmax"
            )))
        }
    }
    let mut names: Vec<&String> = info.classes.iter().collect();
    names.sort();
    if let Some(w) = names.windows(2).find(|w| w[0] == w[1]) {
        return Err(bad(format!("classes lists '{}' twice", w[0])));
    }
    let pre = &info.preprocessing;
    if !(pre.scale.is_finite() && pre.scale > 0.0) {
        return Err(bad(format!(
            "preprocessing.scale is {}; it must be a positive number",
            pre.scale
        )));
    }
    if let Some(s) = pre.image_size {
        if s == 0 || s > 65_535 {
            return Err(bad(format!("preprocessing.image_size is {s}")));
        }
    }
    if let Some(c) = pre.channels.filter(|c| *c != 1 && *c != 3) {
        return Err(bad(format!(
            "preprocessing.channels is {c}; pictures have 1 (grey) or 3 (RGB)"
        )));
    }
    if let Some(st) = &pre.standardization {
        let n_x = sizes[0];
        if st.mean.len() != n_x || st.std.len() != n_x {
            return Err(bad(format!(
                "preprocessing.standardization has {} means and {} standard deviations for {n_x} inputs",
                st.mean.len(),
                st.std.len()
            )));
        }
        if let Some((i, m)) = st.mean.iter().enumerate().find(|(_, m)| !m.is_finite()) {
            return Err(bad(format!(
                "preprocessing.standardization.mean[{i}] is {m}"
            )));
        }
        if let Some((i, s)) = st
            .std
            .iter()
            .enumerate()
            .find(|(_, s)| !(s.is_finite() && **s > 0.0))
        {
            return Err(bad(format!(
                "preprocessing.standardization.std[{i}] is {s}; it must be > 0"
            )));
        }
    }
    Ok(())
}

/// Refuses NaN or ±∞ in the tensor `name`, naming the first position.
pub(crate) fn check_finite(
    name: &str,
    shape: [usize; 2],
    values: &[f64],
    bad: &dyn Fn(String) -> Error,
) -> Result<(), Error> {
    match values.iter().position(|v| !v.is_finite()) {
        None => Ok(()),
        Some(i) => Err(bad(format!(
            "{name}[{}, {}] is {}",
            i / shape[1].max(1),
            i % shape[1].max(1),
            values[i]
        ))),
    }
}
