//! A model folder's description (model.json) checked whole before any weight
//! is read: layer sizes against the memory budget, activations (a leaky
//! slope in range), classes against the outputs, and the preprocessing
//! ([`super::check_pre`]). Each error names
//! model.json and what to fix; a damaged folder is refused, never half-used
//! (a `classes` list shorter than the outputs used to panic in `predict`).

use std::path::Path;

use super::{check_picture, check_pre, ModelInfo};
use crate::activation::Activation;
use crate::error::Error;

/// The error for a damaged model.json at `path`: what is wrong, and the fix.
pub(crate) fn damaged(path: &Path, what: String) -> Error {
    Error::format(
        path,
        format!("{what}; the model folder is damaged: train it again"),
    )
}

/// Checks `info` (read from `path`, its model.json) for consistency.
pub(crate) fn check_info(path: &Path, info: &ModelInfo) -> Result<(), Error> {
    let bad = |m: String| damaged(path, m);
    check_counts(&info.layer_sizes).map_err(bad)?;
    let front = check_picture::check_front(path, info)?;
    check_sizes(
        path,
        info,
        front.as_ref().map(|(f, params)| (f.flat, *params)),
    )?;
    check_hidden(info.hidden_activation).map_err(bad)?;
    check_output(info).map_err(bad)?;
    check_classes(&info.classes).map_err(bad)?;
    check_pictures(&info.preprocessing).map_err(bad)?;
    check_pre::check_preprocessing(&info.preprocessing, info.layer_sizes[0]).map_err(bad)?;
    Ok(())
}

/// The layer sizes: two or more, none 0.
fn check_counts(sizes: &[usize]) -> Result<(), String> {
    if sizes.len() < 2 {
        return Err(format!(
            "layer_sizes is {sizes:?}: a model needs at least the input and output sizes"
        ));
    }
    if let Some(l) = sizes.iter().position(|&n| n == 0) {
        return Err(format!("layer_sizes[{l}] is 0"));
    }
    Ok(())
}

/// The weights within the memory budget; with picture layers, `front` is
/// (n_flat, W1's inputs; the filters' parameter count).
fn check_sizes(path: &Path, info: &ModelInfo, front: Option<(usize, u128)>) -> Result<(), Error> {
    let sizes = &info.layer_sizes;
    let element = if info.precision == "f32" { 4 } else { 8 };
    let mut dims: Vec<(u64, u64)> = sizes
        .windows(2)
        .map(|w| (w[1] as u64, w[0] as u64 + 1))
        .collect();
    if let Some((flat, _)) = front {
        dims[0].1 = flat as u64 + 1;
    }
    let filters = front.map_or(0, |(_, params)| params);
    let params = dims.iter().try_fold(filters, |t, &(a, b)| {
        t.checked_add(u128::from(a) * u128::from(b))
    });
    let what = match front {
        None => format!("{}: layer_sizes {sizes:?}", path.display()),
        Some(_) => format!(
            "{}: layer_sizes {sizes:?} and picture_layers",
            path.display()
        ),
    };
    match params.and_then(|p| p.checked_mul(element)) {
        Some(bytes) => crate::data::budget::check(&what, bytes),
        None => crate::data::budget::check(&what, u128::MAX),
    }
}

/// The output against the last layer's units and the classes.
fn check_output(info: &ModelInfo) -> Result<(), String> {
    let outputs = *info.layer_sizes.last().expect("two sizes or more");
    let classes = info.classes.len();
    match info.output_activation.as_str() {
        "sigmoid" if outputs == 1 => {
            if classes != 2 {
                return Err(format!(
                    "a sigmoid output tells 2 classes apart, but classes lists {classes}"
                ));
            }
        }
        "sigmoid" => {
            return Err(format!(
                "a sigmoid output has 1 unit, but layer_sizes ends in {outputs}"
            ))
        }
        "softmax" if outputs >= 2 => {
            if classes != outputs {
                return Err(format!(
                    "the softmax output has {outputs} units, but classes lists {classes}"
                ));
            }
        }
        "softmax" => {
            return Err("a softmax output needs at least 2 units, but layer_sizes ends in 1".into())
        }
        "sigmoids" => {
            if classes != outputs {
                return Err(format!(
                    "the {outputs} sigmoid outputs are one per label, but classes lists {classes}"
                ));
            }
        }
        other => {
            return Err(format!(
                "output_activation '{other}' is not sigmoid, softmax or sigmoids"
            ))
        }
    }
    Ok(())
}

/// The class names: none empty, none twice.
fn check_classes(classes: &[String]) -> Result<(), String> {
    if let Some(i) = classes.iter().position(String::is_empty) {
        return Err(format!("classes[{i}] is an empty name"));
    }
    let mut names: Vec<&String> = classes.iter().collect();
    names.sort();
    if let Some(w) = names.windows(2).find(|w| w[0] == w[1]) {
        return Err(format!("classes lists '{}' twice", w[0]));
    }
    Ok(())
}

/// The scale, and a picture model's side and channels.
fn check_pictures(pre: &crate::data::Preprocessing) -> Result<(), String> {
    if !(pre.scale.is_finite() && pre.scale > 0.0) {
        return Err(format!(
            "preprocessing.scale is {}; it must be a positive number",
            pre.scale
        ));
    }
    if let Some(s) = pre.image_size {
        if s == 0 || s > 65_535 {
            return Err(format!("preprocessing.image_size is {s}"));
        }
    }
    if let Some(c) = pre.channels.filter(|c| *c != 1 && *c != 3) {
        return Err(format!(
            "preprocessing.channels is {c}; pictures have 1 (grey) or 3 (RGB)"
        ));
    }
    Ok(())
}

/// The hidden activation: a leaky ReLU's slope in [0, 1): a negative or
/// steeper slope is not a leaky ReLU, and one like 1e300 overflows every
/// prediction. (A softmax, an output, is refused as model.json is read.)
fn check_hidden(g: Activation) -> Result<(), String> {
    match g {
        Activation::LeakyRelu { slope } if !(0.0..1.0).contains(&slope) => Err(format!(
            "hidden_activation.slope is {slope}; a leaky ReLU's slope is in [0, 1)"
        )),
        _ => Ok(()),
    }
}

/// The fields model.json's parser would ignore and that say the file is not
/// what it claims: a `slope` on an activation other than leaky-relu.
pub(crate) fn check_raw(json: &serde_json::Value) -> Result<(), String> {
    let g = &json["hidden_activation"];
    let name = g["name"].as_str().unwrap_or("");
    match g.as_object() {
        Some(fields) if name != "leaky-relu" && fields.contains_key("slope") => Err(format!(
            "hidden_activation '{name}' has a slope; only leaky-relu has one"
        )),
        _ => Ok(()),
    }
}

/// Refuses NaN or ±∞ in the tensor `name` of `shape` (values row-major),
/// naming the first position.
pub(crate) fn check_finite(
    name: &str,
    shape: &[usize],
    values: &[f64],
    bad: &dyn Fn(String) -> Error,
) -> Result<(), Error> {
    let Some(i) = values.iter().position(|v| !v.is_finite()) else {
        return Ok(());
    };
    let mut rest = i;
    let mut index: Vec<String> = shape
        .iter()
        .rev()
        .map(|&d| {
            let at = rest % d.max(1);
            rest /= d.max(1);
            at.to_string()
        })
        .collect();
    index.reverse();
    Err(bad(format!(
        "{name}[{}] is {}",
        index.join(", "),
        values[i]
    )))
}
