//! The picture layers of a network in a model folder (and a checkpoint).
//!
//! model.json holds `picture` (n_H × n_W × n_C of the input) and
//! `picture_layers` (the list [`crate::PictureLayer`] serialises: `conv`
//! with `filters`, `f`, `stride`, `pad`; `activation` with `g`; `pool` with
//! `mode`, `f`, `stride`). model.safetensors holds, beside W1, b1, …, each
//! convolution's
//!
//! ```text
//! conv{j}.W   f × f × n_C_prev × n_C     j = 1, 2, … in the list's order
//! conv{j}.b   1 × 1 × 1 × n_C
//! ```
//!
//! row-major: the course's shapes, and byte for byte the library's own
//! order (W's values are the (f·f·n_C_prev) × n_C matrix the convolution
//! multiplies its patches by). numpy reads them as
//! `safetensors.numpy.load_file(...)["conv1.W"]`, shaped as the course's W.
//! W1 reads the flattened last volume (n_flat inputs, in h, w, c order), not
//! the n_x = n_H·n_W·n_C pixels.

use ndarray::{Array4, ArrayD};
use safetensors::SafeTensors;

use super::{unpack_any, ModelInfo, NamedTensor};
use crate::error::Error;
use crate::layers::spec::shapes;
use crate::layers::{ConvStack, Picture, PictureLayer};
use crate::linalg::Float;

/// The tensor names of convolution `j` (counted from 1): `conv{j}.W`, `conv{j}.b`.
pub(crate) fn names(j: usize) -> [String; 2] {
    [format!("conv{j}.W"), format!("conv{j}.b")]
}

/// Each convolution's W and b of `front`, named, first first.
pub(crate) fn tensors<T: Float>(front: &ConvStack<T>) -> Vec<NamedTensor<'_, T>> {
    front
        .convs()
        .enumerate()
        .flat_map(|(j, c)| {
            let [w, b] = names(j + 1);
            [(w, c.w.view().into_dyn()), (b, c.b.view().into_dyn())]
        })
        .collect()
}

/// What the picture layers imply for the tensors: n_flat (W1's inputs) and
/// each convolution's W shape, f × f × n_C_prev × n_C.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct FrontShapes {
    /// The entries of the last volume, W1's inputs.
    pub flat: usize,
    /// Each convolution's W shape, first first.
    pub convs: Vec<[usize; 4]>,
}

/// The shapes of the layers `layers` over `picture` (the caller has bounded
/// every number, so no product overflows), or why they cannot run.
pub(crate) fn front_shapes(
    picture: Picture,
    layers: &[PictureLayer],
) -> Result<FrontShapes, Error> {
    let out = shapes(picture, layers)?;
    let mut below = picture;
    let mut convs = Vec::new();
    for (layer, shape) in layers.iter().zip(&out) {
        if let PictureLayer::Conv { filters, f, .. } = *layer {
            convs.push([f, f, below.channels, filters]);
        }
        below = *shape;
    }
    Ok(FrontShapes {
        flat: below.len(),
        convs,
    })
}

/// The shapes of a checked model.json's picture layers; `None` for a dense network.
pub(crate) fn shapes_of(info: &ModelInfo) -> Option<FrontShapes> {
    let picture = info.picture?;
    front_shapes(picture, &info.picture_layers).ok()
}

/// Reads every convolution's W and b (`shapes`, from model.json) and builds
/// the picture layers; `bad` makes the error.
pub(crate) fn read_front<T: Float>(
    tensors: &SafeTensors<'_>,
    info: &ModelInfo,
    shapes: &FrontShapes,
    bad: &dyn Fn(String) -> Error,
) -> Result<ConvStack<T>, Error> {
    let picture = info
        .picture
        .ok_or_else(|| bad("model.json has picture_layers but no picture".into()))?;
    let mut params = Vec::with_capacity(shapes.convs.len());
    for (j, &w_shape) in shapes.convs.iter().enumerate() {
        let [w, b] = names(j + 1);
        let w = unpack_any(tensors, &w, &w_shape, bad)?;
        let b = unpack_any(tensors, &b, &[1, 1, 1, w_shape[3]], bad)?;
        params.push((four(w), four(b)));
    }
    ConvStack::from_parameters(picture, &info.picture_layers, params)
        .map_err(|e| bad(e.to_string()))
}

/// Reads every convolution's W and b onto `front`, whose own shapes they
/// must have (a checkpoint's, for a network built from the same layer list).
pub(crate) fn read_into<T: Float>(
    tensors: &SafeTensors<'_>,
    prefix: &str,
    front: &mut ConvStack<T>,
    bad: &dyn Fn(String) -> Error,
) -> Result<(), Error> {
    for (j, c) in front.convs_mut().enumerate() {
        let [w, b] = names(j + 1);
        let shape = c.w.shape().to_vec();
        c.w = four(unpack_any(tensors, &format!("{prefix}{w}"), &shape, bad)?);
        let shape = c.b.shape().to_vec();
        c.b = four(unpack_any(tensors, &format!("{prefix}{b}"), &shape, bad)?);
    }
    Ok(())
}

/// A tensor read with a four-entry shape, as the 4-D array it is.
pub(crate) fn four<T: Float>(a: ArrayD<T>) -> Array4<T> {
    a.into_dimensionality().expect("read with four dimensions")
}
