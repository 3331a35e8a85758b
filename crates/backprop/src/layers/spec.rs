//! What a network's picture layers are, before any weight exists: the input
//! picture (n_H × n_W × n_C, the course's channels-last order) and the list
//! of convolutions, activations and poolings in front of the dense layers.
//! The list ends in an implicit flatten: each example's volume read in
//! h, w, c order (row-major), as the course's `X.reshape(m, -1).T`.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::window::Window;
use crate::activation::Activation;
use crate::error::Error;

/// A picture's height, width and channels (n_H × n_W × n_C).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Picture {
    /// n_H, rows of pixels.
    pub height: usize,
    /// n_W, columns of pixels.
    pub width: usize,
    /// n_C, channels (3 for RGB).
    pub channels: usize,
}

impl Picture {
    /// n_H·n_W·n_C: one example's entries, the column length of X.
    pub fn len(&self) -> usize {
        self.height * self.width * self.channels
    }

    /// Whether it has no entries.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl fmt::Display for Picture {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}×{}×{}", self.height, self.width, self.channels)
    }
}

/// Max or average pooling (the layers' own pooling mode, in a serialisable form).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Pooling {
    /// The window's maximum.
    Max,
    /// The window's mean.
    Average,
}

/// One picture layer.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase", tag = "kind")]
pub enum PictureLayer {
    /// n_C filters of f × f, moved by `stride`, over the input padded with `pad` zeros.
    Conv {
        /// n_C, the number of filters.
        filters: usize,
        /// The filters' height and width.
        f: usize,
        /// How far the window moves.
        stride: usize,
        /// Zeros on each side.
        pad: usize,
    },
    /// A = g(Z) element by element.
    Activation {
        /// g.
        g: Activation,
    },
    /// Max or average over f × f windows moved by `stride`.
    Pool {
        /// Max or average.
        mode: Pooling,
        /// The window's height and width.
        f: usize,
        /// How far the window moves.
        stride: usize,
    },
}

impl PictureLayer {
    /// n_C filters of f × f moved by `stride` over the input padded with `pad` zeros.
    pub fn conv(filters: usize, f: usize, stride: usize, pad: usize) -> Self {
        PictureLayer::Conv {
            filters,
            f,
            stride,
            pad,
        }
    }

    /// A = g(Z).
    pub fn activation(g: Activation) -> Self {
        PictureLayer::Activation { g }
    }

    /// Max (or average) pooling over f × f windows moved by `stride`.
    pub fn pool(mode: Pooling, f: usize, stride: usize) -> Self {
        PictureLayer::Pool { mode, f, stride }
    }

    /// The output shape for an input of shape `input`, or why it cannot be computed.
    pub fn output(&self, input: Picture) -> Result<Picture, Error> {
        let (window, channels) = match *self {
            PictureLayer::Conv {
                filters,
                f,
                stride,
                pad,
            } => {
                if filters == 0 {
                    return Err(Error::Config(
                        "a convolution needs at least 1 filter, got 0".into(),
                    ));
                }
                (Window::new(f, stride, pad)?, filters)
            }
            PictureLayer::Activation { .. } => return Ok(input),
            PictureLayer::Pool { f, stride, .. } => (Window::new(f, stride, 0)?, input.channels),
        };
        let (height, width) = window.out_dims(input.height, input.width)?;
        Ok(Picture {
            height,
            width,
            channels,
        })
    }
}

/// The shape after each layer of `layers` over `input` (the last is what the
/// flatten hands the dense layers), refusing a list that cannot run: an empty
/// picture, a window that does not fit, an activation before any convolution.
pub fn shapes(input: Picture, layers: &[PictureLayer]) -> Result<Vec<Picture>, Error> {
    if input.is_empty() {
        return Err(Error::Config(format!(
            "a picture of {input} has no pixels: height, width and channels must each be at least 1"
        )));
    }
    let mut out = Vec::with_capacity(layers.len());
    let mut shape = input;
    for (i, layer) in layers.iter().enumerate() {
        if i == 0 && matches!(layer, PictureLayer::Activation { .. }) {
            return Err(Error::Config(
                "the picture layers start with an activation: put a convolution first".into(),
            ));
        }
        shape = layer
            .output(shape)
            .map_err(|e| Error::Config(format!("picture layer {} (over {shape}): {e}", i + 1)))?;
        out.push(shape);
    }
    Ok(out)
}
