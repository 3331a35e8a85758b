//! model.json's picture layers checked before any weight is read or any
//! buffer sized: `picture` and `picture_layers` given together, every
//! number within [`LIMIT`] (so no shape arithmetic overflows), the picture
//! making `layer_sizes[0]` inputs in the order the preprocessing lays them
//! out, each window fitting, each activation a hidden one, and one picture's
//! volumes and the filters within the memory budget. Each error names the field.

use std::path::Path;

use super::check::damaged;
use super::picture::{front_shapes, FrontShapes};
use super::ModelInfo;
use crate::activation::Activation;
use crate::error::Error;
use crate::layers::spec::shapes;
use crate::layers::{Picture, PictureLayer};

/// The largest side, channel count, filter count, window, stride or padding
/// a model.json may give (2²⁴): far beyond any real picture layer, small
/// enough that n + 2·pad and f·f·n_C_prev·n_C never overflow.
pub(crate) const LIMIT: usize = 1 << 24;

/// The picture layers' shapes and their parameter count, or `None` for a
/// dense network; the error names the file (`path`, model.json) and the field.
pub(crate) fn check_front(
    path: &Path,
    info: &ModelInfo,
) -> Result<Option<(FrontShapes, u128)>, Error> {
    let bad = |m: String| damaged(path, m);
    let picture = match which_picture(info).map_err(bad)? {
        None => return Ok(None),
        Some(p) => p,
    };
    let layers = &info.picture_layers;
    check_numbers(picture, layers).map_err(bad)?;
    check_inputs(info, picture).map_err(bad)?;
    check_volumes(path, info, picture, layers)?;
    let front = front_shapes(picture, layers).map_err(|e| bad(format!("picture_layers: {e}")))?;
    let params = front
        .convs
        .iter()
        .map(|s| s.iter().map(|&d| d as u128).product::<u128>() + s[3] as u128)
        .sum();
    Ok(Some((front, params)))
}

/// The picture, when `picture` and `picture_layers` are given together.
fn which_picture(info: &ModelInfo) -> Result<Option<Picture>, String> {
    let layers = &info.picture_layers;
    match (info.picture, layers.is_empty()) {
        (None, true) => Ok(None),
        (None, false) => Err(format!(
            "picture_layers lists {} layer(s) but there is no picture (its n_H, n_W, n_C)",
            layers.len()
        )),
        (Some(p), true) => Err(format!(
            "picture is {p} but picture_layers is empty: a picture network has at least one layer"
        )),
        (Some(p), false) => Ok(Some(p)),
    }
}

/// Every number at least 1 where it must be, and at most [`LIMIT`]; each
/// activation a hidden one with a leaky slope in [0, 1).
fn check_numbers(picture: Picture, layers: &[PictureLayer]) -> Result<(), String> {
    let sides = [
        ("height", picture.height),
        ("width", picture.width),
        ("channels", picture.channels),
    ];
    for (name, v) in sides {
        if v == 0 || v > LIMIT {
            return Err(format!("picture.{name} is {v}; it must be 1 to {LIMIT}"));
        }
    }
    for (i, layer) in layers.iter().enumerate() {
        let numbers: &[(&str, usize)] = match *layer {
            PictureLayer::Conv {
                filters,
                f,
                stride,
                pad,
            } => &[
                ("filters", filters),
                ("f", f),
                ("stride", stride),
                ("pad", pad),
            ],
            PictureLayer::Pool { f, stride, .. } => &[("f", f), ("stride", stride)],
            PictureLayer::Activation {
                g: Activation::LeakyRelu { slope },
            } if !(0.0..1.0).contains(&slope) => {
                return Err(format!(
                    "picture_layers[{i}].g.slope is {slope}; a leaky ReLU's slope is in [0, 1)"
                ))
            }
            PictureLayer::Activation { .. } => &[],
        };
        if let Some((name, v)) = numbers.iter().find(|(_, v)| *v > LIMIT) {
            return Err(format!(
                "picture_layers[{i}].{name} is {v}; it must be at most {LIMIT}"
            ));
        }
    }
    Ok(())
}

/// The picture makes `layer_sizes[0]` inputs, and the preprocessing's
/// example shape (when it is a volume) is the picture's, so the inputs are
/// read in the h, w, c order the layers expect.
fn check_inputs(info: &ModelInfo, picture: Picture) -> Result<(), String> {
    let n_x = info.layer_sizes[0];
    let entries = [picture.height, picture.width, picture.channels]
        .iter()
        .try_fold(1usize, |p, &d| p.checked_mul(d));
    if entries != Some(n_x) {
        return Err(format!(
            "picture is {picture}, which does not make the layer_sizes[0] = {n_x} inputs"
        ));
    }
    let shape = &info.preprocessing.example_shape;
    let volume = [picture.height, picture.width, picture.channels];
    if shape.len() > 1 && shape[..] != volume {
        return Err(format!(
            "preprocessing.example_shape is {shape:?}, but picture is {picture}: the inputs \
             would be read in another order than the picture layers expect"
        ));
    }
    Ok(())
}

/// One picture's volumes through the layers (input included), within the
/// memory budget in the model's precision: predicting holds each of them.
fn check_volumes(
    path: &Path,
    info: &ModelInfo,
    picture: Picture,
    layers: &[PictureLayer],
) -> Result<(), Error> {
    let out = shapes(picture, layers).map_err(|e| damaged(path, format!("picture_layers: {e}")))?;
    let entries: u128 = std::iter::once(picture)
        .chain(out)
        .map(|p| p.height as u128 * p.width as u128 * p.channels as u128)
        .sum();
    let element = if info.precision == "f32" { 4 } else { 8 };
    let what = format!(
        "{}: one picture of {picture} through picture_layers",
        path.display()
    );
    crate::data::budget::check(&what, entries * element)
}
