//! `--layers`: a conv net's layer list as one flag, parsed by the library
//! ([`LayerList`]): picture layers, then the dense hidden layers that
//! `--hidden` would list.
//!
//! ```text
//! --layers conv8x3x3,relu,maxpool2,conv16x3x3p1,relu,maxpool2,dense64,relu
//! ```

use backprop::{Activation, LayerList};

/// The grammar, for `--help` and the messages.
pub const GRAMMAR: &str = "conv{filters}x{f}x{f}[s{stride}][p{pad}] (stride 1, pad 0), \
    maxpool{f}[s{stride}] / avgpool{f}[s{stride}] (stride f), an activation (relu, tanh, sigmoid, \
    leaky-relu, identity), flatten (optional), then dense{units} and their one activation";

/// The training defaults of a conv net (`ModelSpec::picture_default`), for `--help`.
pub static DEFAULTS: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    let gd = backprop::ModelSpec::picture_default().gd;
    format!(
        "--optimizer adam, --learning-rate {}, --batch-size {}, --epochs {}",
        gd.learning_rate,
        gd.batch_size.unwrap_or(0),
        gd.epochs.unwrap_or(0)
    )
});

/// A parsed `--layers` list, with the text it was written as.
#[derive(Clone, Debug)]
pub struct Layers {
    /// The list.
    pub list: LayerList,
    /// As the user wrote it.
    pub text: String,
}

impl Layers {
    /// The dense layers' g: the list's, or `--activation`'s, refusing both
    /// when they differ and `--activation` where the list has no dense
    /// layer for it to apply to.
    pub fn activation(&self, flag: Option<Activation>) -> Result<Option<Activation>, String> {
        let list = self.list.activation;
        match (flag, list) {
            (Some(g), _) if self.list.hidden.is_empty() => Err(format!(
                "--activation {g} applies to the dense layers; --layers {} has none \
                 (remove --activation, or add dense layers: ...,dense64,{g})",
                self.text
            )),
            (Some(g), Some(l)) if g != l => Err(format!(
                "--activation {g} and --layers {} (dense layers with {l}) name two activations; \
                 give it once",
                self.text
            )),
            (g, l) => Ok(g.or(l)),
        }
    }
}

/// Parses `--layers` (clap prints the flag and value before the message).
pub fn parse_layers(s: &str) -> Result<Layers, String> {
    let list = s
        .parse::<LayerList>()
        .map_err(|e| format!("{e} (a layer list is {GRAMMAR})"))?;
    Ok(Layers {
        list,
        text: s.trim().to_string(),
    })
}

/// Parses `--picture HxWxC` (gradcheck's random pictures).
pub fn parse_picture(s: &str) -> Result<backprop::Picture, String> {
    let sides: Vec<usize> = s
        .split('x')
        .map(|v| v.trim().parse::<usize>().ok().filter(|&n| n > 0))
        .collect::<Option<_>>()
        .ok_or_else(|| {
            format!("'{s}' is not a picture shape; write HxWxC, e.g. 8x8x2 (each at least 1)")
        })?;
    let [height, width, channels] = sides[..] else {
        return Err(format!(
            "'{s}' is not a picture shape; write HxWxC, e.g. 8x8x2"
        ));
    };
    Ok(backprop::Picture {
        height,
        width,
        channels,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_dense_activation_is_named_once() {
        let with_dense = parse_layers("conv4x3x3,relu,maxpool2,dense8,tanh").unwrap();
        assert_eq!(with_dense.activation(None), Ok(Some(Activation::Tanh)));
        assert_eq!(
            with_dense.activation(Some(Activation::Tanh)),
            Ok(Some(Activation::Tanh))
        );
        let two = with_dense.activation(Some(Activation::Relu)).unwrap_err();
        assert!(two.contains("name two activations"), "{two}");
        let bare = parse_layers("conv4x3x3,relu,maxpool2").unwrap();
        let none = bare.activation(Some(Activation::Relu)).unwrap_err();
        assert!(none.contains("has none"), "{none}");
        assert_eq!(bare.activation(None), Ok(None));
        let bad = parse_layers("conv4x3x3,pool2").unwrap_err();
        assert!(
            bad.contains("unknown layer") && bad.contains("maxpool{f}"),
            "{bad}"
        );
    }
}
