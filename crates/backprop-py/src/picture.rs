//! Picture layers at the Python door (`backprop.ConvClassifier`): the layer
//! list (`layers="conv8x3x3,relu,maxpool2,dense32,relu"`, the library's
//! [`LayerList`]) and the picture (`picture_shape`, n_H × n_W × n_C, read from
//! X) as one more part of the settings `_core.check` reads, and the weights
//! of such a network across the boundary.
//!
//! Weights cross as one list: the convolutions' (W, b) first, in the course's
//! shapes (W f × f × n_C_prev × n_C, b 1 × 1 × 1 × n_C), then the dense
//! layers' (W, b) in the notes' shapes; a 4-d W marks a convolution.

use backprop::data::budget;
use backprop::{
    ConvStack, Error, Float, Init, LayerList, Network, NumpyRng, Picture, PictureLayer, Pooling,
};
use ndarray::Array4;
use numpy::{Element, IntoPyArray, PyArray4, PyReadonlyArray4};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyTuple};

use crate::arrays::{activation, pair, params_from_py, value_error};

/// The picture layers of a fit: the pictures' shape and the layers over them.
#[derive(Clone, Debug)]
pub struct Front {
    /// n_H × n_W × n_C of each example.
    pub picture: Picture,
    /// The convolutions, activations and poolings, first first.
    pub layers: Vec<PictureLayer>,
}

/// The settings' `layers` and `picture_shape`, when given: the front, and the
/// dense hidden sizes and g the list names (ReLU where it names none).
pub fn read(
    d: &Bound<'_, PyDict>,
    n_features: usize,
) -> PyResult<Option<(Front, Vec<usize>, backprop::Activation)>> {
    let Some(text) = d.get_item("layers")?.filter(|v| !v.is_none()) else {
        return Ok(None);
    };
    let text: String = text.extract().map_err(|_| {
        PyValueError::new_err(
            "layers must be a string such as 'conv8x3x3,relu,maxpool2,dense32,relu'",
        )
    })?;
    let list: LayerList = text.parse().map_err(|e: backprop::Error| {
        PyValueError::new_err(format!(
            "layers='{text}' cannot be read: {e}; write it as e.g. 'conv8x3x3,relu,maxpool2,dense32,relu'"
        ))
    })?;
    let (height, width, channels): (usize, usize, usize) = match d.get_item("picture_shape")? {
        Some(v) if !v.is_none() => v.extract()?,
        _ => (1, n_features, 1),
    };
    let picture = Picture {
        height,
        width,
        channels,
    };
    if picture.len() != n_features {
        return Err(PyValueError::new_err(format!(
            "picture_shape {picture} holds {} values, but X has {n_features} features; \
             give picture_shape=(H, W, C) with H·W·C = {n_features}, or X as N × H × W × C",
            picture.len()
        )));
    }
    fits(picture, &list.picture, &text)?;
    let g = list.activation.unwrap_or(activation("relu")?);
    let front = Front {
        picture,
        layers: list.picture,
    };
    Ok(Some((front, list.hidden, g)))
}

/// Refuses a layer list whose windows do not fit the pictures, in words that
/// name both parameters.
fn fits(picture: Picture, layers: &[PictureLayer], text: &str) -> PyResult<()> {
    shapes(picture, layers).map(|_| ()).map_err(|e| {
        PyValueError::new_err(format!(
            "layers='{text}' does not fit pictures of {picture} (X's H × W × C): {e}; \
             use smaller filters or poolings, padding (conv8x3x3p1), or larger pictures"
        ))
    })
}

/// The shape after each picture layer, as the library checks them (its
/// stack of these layers, with no filters drawn).
fn shapes(picture: Picture, layers: &[PictureLayer]) -> Result<Vec<Picture>, Error> {
    ConvStack::<f32>::new(picture, layers, Init::Zeros, &mut NumpyRng::new(0))?;
    let mut below = picture;
    let mut out = Vec::with_capacity(layers.len());
    for layer in layers {
        below = layer.output(below)?;
        out.push(below);
    }
    Ok(out)
}

impl Front {
    /// n_flat: the values the last picture layer hands the dense layer 1.
    pub fn outputs(&self) -> usize {
        shapes(self.picture, &self.layers)
            .ok()
            .and_then(|s| s.last().map(|p| p.len()))
            .unwrap_or(self.picture.len())
    }

    /// Checks the memory of training on `m` pictures with `bytes`-byte
    /// numbers: each picture layer's output and gradient (a convolution's
    /// patches too), then the dense layers over n_flat (`sizes` with n_x).
    pub fn check_budget(&self, sizes: &[usize], m: usize, bytes: usize) -> PyResult<()> {
        let out = shapes(self.picture, &self.layers).map_err(value_error)?;
        let mut below = self.picture;
        let mut per_picture: u128 = 0;
        for (layer, shape) in self.layers.iter().zip(&out) {
            let patches = match *layer {
                PictureLayer::Conv { f, .. } => shape.height * shape.width * f * f * below.channels,
                _ => 0,
            };
            per_picture += (2 * shape.len() + patches) as u128;
            below = *shape;
        }
        let what = format!(
            "the picture layers (layers) over {m} pictures of {}",
            self.picture
        );
        budget::check(&what, per_picture * m as u128 * bytes as u128).map_err(value_error)?;
        let mut dense = sizes.to_vec();
        dense[0] = self.outputs();
        budget::check_network(&dense, m, bytes).map_err(value_error)
    }

    /// The network of these picture layers and the given weights (the
    /// convolutions' first, then the dense layers'), hidden g `hidden`.
    pub fn network<T: Float + Element>(
        &self,
        params: &Bound<'_, PyAny>,
        hidden: backprop::Activation,
    ) -> PyResult<Network<T>> {
        let (filters, dense) = split::<T>(params)?;
        let front =
            ConvStack::from_parameters(self.picture, &self.layers, filters).map_err(value_error)?;
        let dense = params_from_py::<T>(PyList::new(params.py(), dense)?.as_any())?;
        Network::from_parameters(dense, hidden)
            .and_then(|n| n.with_front(front))
            .map_err(value_error)
    }
}

type Filters<T> = Vec<(Array4<T>, Array4<T>)>;

/// The convolutions' (W, b) (4-d W) and the dense layers' pairs, as given.
fn split<'py, T: Float + Element>(
    params: &Bound<'py, PyAny>,
) -> PyResult<(Filters<T>, Vec<Bound<'py, PyAny>>)> {
    let (mut filters, mut dense) = (Vec::new(), Vec::new());
    for item in params.try_iter()? {
        let item = item?;
        let w = item.get_item(0)?;
        if w.getattr("ndim")?.extract::<usize>()? != 4 {
            dense.push(item);
            continue;
        }
        if !dense.is_empty() {
            return Err(PyValueError::new_err(
                "the convolutions' weights come before the dense layers'",
            ));
        }
        let w: PyReadonlyArray4<'_, T> = w.extract()?;
        let b: PyReadonlyArray4<'_, T> = item.get_item(1)?.extract()?;
        let (w, b) = (w.as_array().to_owned(), b.as_array().to_owned());
        if let Some(v) = w.iter().chain(b.iter()).find(|v| !v.as_f64().is_finite()) {
            return Err(PyValueError::new_err(format!(
                "convolution {}'s weights hold {}: the weights must be finite; fit again",
                filters.len() + 1,
                v.as_f64()
            )));
        }
        filters.push((w, b));
    }
    Ok((filters, dense))
}

/// Every weight of `net`: the convolutions' (W, b) in the course's shapes,
/// then the dense layers' (W, b).
pub fn params_to_py<'py, T: Float + Element>(
    py: Python<'py>,
    net: &Network<T>,
) -> PyResult<Bound<'py, PyList>> {
    let mut out: Vec<Bound<'py, PyTuple>> = Vec::new();
    for c in net.front().into_iter().flat_map(|f| f.convs()) {
        let w: Bound<'py, PyArray4<T>> = c.w.clone().into_pyarray(py);
        let b: Bound<'py, PyArray4<T>> = c.b.clone().into_pyarray(py);
        out.push(PyTuple::new(py, [w.into_any(), b.into_any()])?);
    }
    for l in net.layers() {
        out.push(pair(py, l.w.clone(), l.b.clone())?);
    }
    PyList::new(py, out)
}

/// A picture network's front from what `predict_proba` and `save` are
/// given: the layer list and the pictures' shape (None without them).
pub fn front_of(
    layers: Option<&str>,
    picture: Option<(usize, usize, usize)>,
) -> PyResult<Option<Front>> {
    let (Some(layers), Some((height, width, channels))) = (layers, picture) else {
        return Ok(None);
    };
    let list: LayerList = layers.parse().map_err(value_error)?;
    let picture = Picture {
        height,
        width,
        channels,
    };
    fits(picture, &list.picture, layers)?;
    Ok(Some(Front {
        picture,
        layers: list.picture,
    }))
}

/// The layer list `layers` that parses back into these picture layers, the
/// dense hidden sizes and their g (a model folder's, for `backprop.load`).
pub fn layer_list_text(
    front: &[PictureLayer],
    hidden: &[usize],
    g: backprop::Activation,
) -> String {
    let mut tokens: Vec<String> = front
        .iter()
        .map(|layer| match *layer {
            PictureLayer::Conv {
                filters,
                f,
                stride,
                pad,
            } => format!("conv{filters}x{f}x{f}s{stride}p{pad}"),
            PictureLayer::Activation { g } => g.name().to_string(),
            PictureLayer::Pool { mode, f, stride } => {
                let kind = if mode == Pooling::Max { "max" } else { "avg" };
                format!("{kind}pool{f}s{stride}")
            }
        })
        .collect();
    for n in hidden {
        tokens.push(format!("dense{n}"));
        tokens.push(g.name().to_string());
    }
    tokens.join(",")
}
