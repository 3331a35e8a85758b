//! The equations of a conv net's picture layers (course 4, week 1), with the
//! run's shapes: each volume m × n_H × n_W × n_C, each filter bank
//! f × f × n_C_prev × n_C, the flatten into the dense layer 1, and the
//! backward pass from dA\[0\] down to the first convolution's dW, db.

use std::fmt::Write;

use crate::config::ModelSpec;
use crate::data::Preprocessing;
use crate::layers::spec::shapes;
use crate::layers::{Picture, PictureLayer, Pooling};

/// A run's picture layers: the input picture, the layers and their outputs.
pub(super) struct PictureRun {
    picture: Picture,
    layers: Vec<PictureLayer>,
    shapes: Vec<Picture>,
}

/// `A⁽ⁱ⁾`: the volume after picture layer i (A⁽⁰⁾ the input pictures).
fn vol(i: usize) -> String {
    const DIGITS: [char; 10] = ['⁰', '¹', '²', '³', '⁴', '⁵', '⁶', '⁷', '⁸', '⁹'];
    let sup: String = i
        .to_string()
        .chars()
        .map(|d| DIGITS[d.to_digit(10).unwrap_or(0) as usize])
        .collect();
    format!("A⁽{sup}⁾")
}

/// "conv1", "conv1 and conv2", "conv1…conv3": the `n` convolutions.
pub(super) fn conv_names(n: usize) -> String {
    match n {
        1 => "conv1".to_string(),
        2 => "conv1 and conv2".to_string(),
        n => format!("conv1…conv{n}"),
    }
}

/// m × n_H × n_W × n_C.
fn dims(mb: usize, p: Picture) -> String {
    format!("{mb}×{}×{}×{}", p.height, p.width, p.channels)
}

impl PictureRun {
    /// The picture layers of `spec` over data made as `pre` says; `None`
    /// for a dense network, or where the list does not fit the data's
    /// pictures (the run refuses it when the network is made).
    pub(super) fn new(spec: &ModelSpec, pre: &Preprocessing) -> Option<Self> {
        if spec.layers.is_empty() {
            return None;
        }
        let picture = crate::config::picture_for(pre, &spec.layers).ok()?;
        Some(PictureRun {
            picture,
            shapes: shapes(picture, &spec.layers).ok()?,
            layers: spec.layers.clone(),
        })
    }

    /// n_flat: the values the flatten hands the dense layer 1.
    pub(super) fn flat(&self) -> usize {
        self.shapes.last().map_or(self.picture.len(), |s| s.len())
    }

    /// n_x: a picture's n_H·n_W·n_C values.
    pub(super) fn inputs(&self) -> usize {
        self.picture.len()
    }

    /// The number of convolutions.
    pub(super) fn convs(&self) -> usize {
        (self.layers.iter())
            .filter(|l| matches!(l, PictureLayer::Conv { .. }))
            .count()
    }

    /// The picture layers' summary line.
    pub(super) fn summary(&self, w: &mut String) {
        let shapes: Vec<String> = std::iter::once(self.picture)
            .chain(self.shapes.iter().copied())
            .map(|p| p.to_string())
            .collect();
        let _ = writeln!(
            w,
            "Picture layers: pictures of {} (n_H × n_W × n_C, read from the data), volumes {}, flattened into {} values.",
            self.picture,
            shapes.join(" → "),
            self.flat()
        );
    }

    /// Each layer's forward equation, then the flatten into A\[0\].
    pub(super) fn forward(&self, w: &mut String, mb: usize) {
        let n_x = self.picture.len();
        let _ = writeln!(
            w,
            "Picture layers, forward ({} = X ({n_x}×{mb}) read as m × n_H × n_W × n_C = ({}), each column a picture in h, w, c order):",
            vol(0),
            dims(mb, self.picture)
        );
        let mut below = self.picture;
        let mut conv = 0;
        for (i, (layer, &out)) in self.layers.iter().zip(&self.shapes).enumerate() {
            let (a, a_prev, shape) = (vol(i + 1), vol(i), dims(mb, out));
            let _ = match *layer {
                PictureLayer::Conv {
                    f, stride: s, pad, ..
                } => {
                    conv += 1;
                    let c = below.channels;
                    let n = out.channels;
                    writeln!(
                        w,
                        "  conv{conv}: {a}[i,h,w,c] = Σ_{{p,q,k}} {a_prev}_pad[i, h·{s}+p, w·{s}+q, k]·W (conv{conv}.W, {f}×{f}×{c}×{n})[p,q,k,c] + b (conv{conv}.b, 1×1×1×{n})[c], \
                         {a_prev}_pad = {a_prev} with {pad} zeros on each side, stride {s} → ({shape})"
                    )
                }
                PictureLayer::Activation { g } => {
                    writeln!(
                        w,
                        "  {a} = {}({a_prev}) element by element → ({shape})",
                        g.name()
                    )
                }
                PictureLayer::Pool { mode, f, stride: s } => {
                    let how = match mode {
                        Pooling::Max => "max",
                        Pooling::Average => "mean",
                    };
                    writeln!(
                        w,
                        "  {}pool: {a}[i,h,w,c] = {how} over p, q < {f} of {a_prev}[i, h·{s}+p, w·{s}+q, c] ({f}×{f} windows, stride {s}) → ({shape})",
                        if mode == Pooling::Max { "max" } else { "avg" }
                    )
                }
            };
            below = out;
        }
        let last = self.layers.len();
        let _ = writeln!(
            w,
            "  flatten: A[0] = {} with each example's volume read in h, w, c order as one column → ({}×{mb})",
            vol(last),
            self.flat()
        );
    }

    /// dA\[0\] into the last volume, then each layer's backward from the top.
    pub(super) fn backward(&self, w: &mut String, mb: usize, n1: usize) {
        let (flat, last) = (self.flat(), self.layers.len());
        let _ = writeln!(
            w,
            "  dA[0] = W[1]ᵀ ({flat}×{n1}) · dZ[1] ({n1}×{mb}) → ({flat}×{mb}), read back as d{} ({})",
            vol(last),
            dims(mb, self.shapes[last - 1])
        );
        let mut conv = self.convs();
        for i in (0..last).rev() {
            let below = if i == 0 {
                self.picture
            } else {
                self.shapes[i - 1]
            };
            let (a, a_prev, shape) = (vol(i + 1), vol(i), dims(mb, below));
            let _ = match self.layers[i] {
                PictureLayer::Conv { f, stride: s, .. } => {
                    let n = self.shapes[i].channels;
                    let c = below.channels;
                    let _ = writeln!(
                        w,
                        "  conv{conv}: dW (conv{conv}.W)[p,q,k,c] = (1/m) Σ_{{i,h,w}} {a_prev}_pad[i, h·{s}+p, w·{s}+q, k]·d{a}[i,h,w,c] → ({f}×{f}×{c}×{n}); \
                         db (conv{conv}.b)[c] = (1/m) Σ_{{i,h,w}} d{a}[i,h,w,c] → (1×1×1×{n})"
                    );
                    conv -= 1;
                    if i == 0 {
                        writeln!(w, "  (d{a_prev} is not computed: X is not learned)")
                    } else {
                        writeln!(
                            w,
                            "  conv{}: d{a_prev}_pad[i, h·{s}+p, w·{s}+q, k] += W[p,q,k,c]·d{a}[i,h,w,c], d{a_prev} its unpadded part → ({shape})",
                            conv + 1
                        )
                    }
                }
                PictureLayer::Activation { g } => writeln!(
                    w,
                    "  d{a_prev} = d{a} ⊙ {}′({a_prev}) → ({shape})",
                    g.name()
                ),
                PictureLayer::Pool { mode, f, .. } if i > 0 => match mode {
                    Pooling::Max => writeln!(
                        w,
                        "  maxpool: d{a_prev}[each window's first maximum] += d{a}[i,h,w,c], 0 elsewhere → ({shape})"
                    ),
                    Pooling::Average => writeln!(
                        w,
                        "  avgpool: d{a_prev}[i, window entries, c] += d{a}[i,h,w,c] / {} → ({shape})",
                        f * f
                    ),
                },
                PictureLayer::Pool { .. } => {
                    writeln!(w, "  (d{a_prev} is not computed: X is not learned)")
                }
            };
        }
    }
}
