//! A layer list written as one line, the way a user types it:
//!
//! ```text
//! conv8x3x3,relu,maxpool2,conv16x3x3p1,relu,avgpool2s1,dense64,relu
//! ```
//! - `conv{n_C}x{f}x{f}` with optional `s{stride}` (default 1) and `p{pad}` (default 0);
//! - `maxpool{f}` / `avgpool{f}` with optional `s{stride}` (default f);
//! - an activation (`relu`, `tanh`, `sigmoid`, `leaky-relu`, `identity`);
//! - `flatten` (optional: the picture layers end in one anyway);
//! - `dense{n}` followed by its activation: the hidden dense layers, as the
//!   hidden sizes list them; every dense layer has the network's one hidden g.
//!
//! The output layer is not written: the data's classes choose it.

use std::str::FromStr;

use super::spec::{PictureLayer, Pooling};
use crate::activation::Activation;
use crate::error::Error;

/// A parsed layer list: picture layers, then hidden dense sizes and their g.
#[derive(Clone, Debug, PartialEq)]
pub struct LayerList {
    /// The picture layers (convolutions, activations, poolings), first first.
    pub picture: Vec<PictureLayer>,
    /// n_1, n_2, … of the dense hidden layers after the flatten.
    pub hidden: Vec<usize>,
    /// The dense hidden layers' g, when the list names one.
    pub activation: Option<Activation>,
}

impl FromStr for LayerList {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        let mut list = LayerList {
            picture: Vec::new(),
            hidden: Vec::new(),
            activation: None,
        };
        let tokens: Vec<&str> = s.split(',').map(str::trim).collect();
        for (i, token) in tokens.iter().enumerate() {
            let bad = |why: String| Error::Config(format!("layer {} ('{token}'): {why}", i + 1));
            list.push(token, tokens.get(i.wrapping_sub(1)).copied())
                .map_err(bad)?;
        }
        if list.picture.is_empty() {
            return Err(Error::Config(format!(
                "'{s}' has no convolution or pooling: a layer list starts with one (e.g. conv8x3x3,relu,maxpool2)"
            )));
        }
        Ok(list)
    }
}

impl LayerList {
    /// Adds one token, `before` being the one before it.
    fn push(&mut self, token: &str, before: Option<&str>) -> Result<(), String> {
        let after_dense = before.is_some_and(|b| b.starts_with("dense"));
        if let Ok(g) = token.parse::<Activation>() {
            if !self.hidden.is_empty() {
                if !after_dense {
                    return Err("an activation after the dense layers follows a dense layer".into());
                }
                if self.activation.is_some_and(|a| a != g) {
                    return Err(format!(
                        "the dense layers share one activation; this one is {}, an earlier one {}",
                        g.name(),
                        self.activation.map_or("", |a| a.name())
                    ));
                }
                self.activation = Some(g);
            } else {
                self.picture.push(PictureLayer::activation(g));
            }
            return Ok(());
        }
        if token == "flatten" {
            return Ok(());
        }
        if let Some(n) = token.strip_prefix("dense") {
            self.hidden.push(count(n, "units")?);
            return Ok(());
        }
        if !self.hidden.is_empty() {
            return Err("picture layers come before the dense layers".into());
        }
        self.picture.push(picture_layer(token)?);
        Ok(())
    }
}

/// One convolution or pooling token.
fn picture_layer(token: &str) -> Result<PictureLayer, String> {
    if let Some(rest) = token.strip_prefix("conv") {
        let (shape, stride, pad) = suffixes(rest)?;
        let dims: Vec<&str> = shape.split('x').collect();
        let [n, f, f2] = dims[..] else {
            return Err("write a convolution as conv{filters}x{f}x{f}, e.g. conv8x3x3".into());
        };
        let (n, f, f2) = (count(n, "filters")?, count(f, "size")?, count(f2, "size")?);
        if f != f2 {
            return Err(format!("filters are square: {f}x{f2} has two sizes"));
        }
        return Ok(PictureLayer::conv(
            n,
            f,
            stride.unwrap_or(1),
            pad.unwrap_or(0),
        ));
    }
    for (prefix, mode) in [("maxpool", Pooling::Max), ("avgpool", Pooling::Average)] {
        if let Some(rest) = token.strip_prefix(prefix) {
            let (f, stride, pad) = suffixes(rest)?;
            if pad.is_some() {
                return Err("pooling has no padding".into());
            }
            let f = count(f, "size")?;
            return Ok(PictureLayer::pool(mode, f, stride.unwrap_or(f)));
        }
    }
    Err("unknown layer: expected conv{n}x{f}x{f}, maxpool{f}, avgpool{f}, an activation, flatten or dense{n}".into())
}

/// Splits "8x3x3s2p1" into ("8x3x3", Some(2), Some(1)).
fn suffixes(s: &str) -> Result<(&str, Option<usize>, Option<usize>), String> {
    let (s, pad) = match s.split_once('p') {
        Some((a, p)) => (a, Some(number(p, "padding")?)),
        None => (s, None),
    };
    let (s, stride) = match s.split_once('s') {
        Some((a, st)) => (a, Some(count(st, "stride")?)),
        None => (s, None),
    };
    Ok((s, stride, pad))
}

/// A whole number ≥ 1.
fn count(s: &str, what: &str) -> Result<usize, String> {
    match number(s, what)? {
        0 => Err(format!("the {what} must be at least 1, got 0")),
        n => Ok(n),
    }
}

/// A whole number ≥ 0.
fn number(s: &str, what: &str) -> Result<usize, String> {
    s.parse()
        .map_err(|_| format!("the {what} must be a whole number, got '{s}'"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_list_parses() {
        let list: LayerList = "conv8x3x3,relu,maxpool2,conv16x3x3s1p1,relu,avgpool2s1,dense64,relu"
            .parse()
            .unwrap();
        assert_eq!(
            list.picture,
            [
                PictureLayer::conv(8, 3, 1, 0),
                PictureLayer::activation(Activation::Relu),
                PictureLayer::pool(Pooling::Max, 2, 2),
                PictureLayer::conv(16, 3, 1, 1),
                PictureLayer::activation(Activation::Relu),
                PictureLayer::pool(Pooling::Average, 2, 1),
            ]
        );
        assert_eq!(list.hidden, [64]);
        assert_eq!(list.activation, Some(Activation::Relu));
        let bare: LayerList = "conv4x5x5s2,tanh,flatten".parse().unwrap();
        assert_eq!(bare.picture[0], PictureLayer::conv(4, 5, 2, 0));
        assert!(bare.hidden.is_empty() && bare.activation.is_none());
    }

    #[test]
    fn a_list_that_cannot_be_a_network_is_refused_in_words() {
        let err = |s: &str| s.parse::<LayerList>().unwrap_err().to_string();
        assert!(err("conv8x3x2").contains("square"));
        assert!(err("conv8x3").contains("conv{filters}x{f}x{f}"));
        assert!(err("conv0x3x3").contains("filters must be at least 1"));
        assert!(err("conv8x3x3,maxpool2p1").contains("no padding"));
        assert!(err("conv8x3x3,dense8,maxpool2").contains("before the dense layers"));
        assert!(err("conv8x3x3,dense8,relu,dense4,tanh").contains("share one activation"));
        assert!(err("dense8,relu").contains("no convolution or pooling"));
        assert!(err("conv8x3x3,pool2").starts_with("layer 2 ('pool2'): unknown layer"));
        assert!(err("conv8x3x3,maxpoolx").contains("whole number"));
    }
}
