//! The picture layers in front of a network's dense layers: X (n_x × m, each
//! column a picture in h, w, c order) read as the m × n_H × n_W × n_C volume
//! of the course, through convolutions, activations and poolings, flattened
//! into the dense layer 1's input (n_flat × m, a view with no copy).
//!
//! ```text
//! forward:   A⁽⁰⁾ = X seen as m × n_H × n_W × n_C;  A⁽ⁱ⁾ = layer i(A⁽ⁱ⁻¹⁾)
//!            A_flat = A⁽ᴺ⁾ seen as (n_flat × m)
//! backward:  dA_flat = W[1]ᵀ·dZ[1] (the notes' per-example dA), then each
//!            layer's backward from the top; a convolution's dW, db take
//!            α = 1/m, as the dense layers' dW = (1/m)·dZ·Aᵀ.
//! ```
//! Every buffer is sized on the first pass and reused while m stays the same.

use ndarray::{Array2, Array4, ArrayView2, ArrayView4};

use super::parallel;
use super::spec::{shapes, Picture, PictureLayer, Pooling};
use super::{Conv, Pool, PoolMode};
use crate::activation::Activation;
use crate::error::Error;
use crate::init::Init;
use crate::linalg::{gemm, Float, Threads};
use crate::rng::Gaussian;

/// One picture layer with its parameters and buffers.
#[derive(Clone, Debug)]
pub enum Stage<T: Float> {
    /// A convolution.
    Conv(Box<Conv<T>>),
    /// A = g(Z) of the layer below's output Z, and dZ.
    Activation {
        /// g.
        g: Activation,
        /// A of the last forward pass.
        a: Array4<T>,
        /// dZ of the last backward pass.
        dz: Array4<T>,
    },
    /// A max or average pooling.
    Pool(Pool<T>),
}

impl<T: Float> Stage<T> {
    /// The output of the last forward pass.
    fn output(&self) -> ArrayView4<'_, T> {
        match self {
            Stage::Conv(c) => c.z.view(),
            Stage::Activation { a, .. } => a.view(),
            Stage::Pool(p) => p.a.view(),
        }
    }

    /// The gradient of the cost with respect to this layer's input (last backward pass).
    fn input_gradient(&self) -> ArrayView4<'_, T> {
        match self {
            Stage::Conv(c) => c.da_prev.view(),
            Stage::Activation { dz, .. } => dz.view(),
            Stage::Pool(p) => p.da_prev.view(),
        }
    }
}

/// The picture layers of a network, their parameters and buffers.
#[derive(Clone, Debug)]
pub struct ConvStack<T: Float> {
    picture: Picture,
    spec: Vec<PictureLayer>,
    stages: Vec<Stage<T>>,
    /// X copied as m × n_x when it is not column-major (else unused).
    x: Array2<T>,
    /// dA_flat as m × n_flat (the dense layer 1's dA, transposed).
    dflat: Array2<T>,
    out: Picture,
}

impl<T: Float> ConvStack<T> {
    /// The layers `spec` over pictures of `picture`, each convolution's W drawn
    /// by `init` from `rng` (numpy's `randn(f, f, n_C_prev, n_C)`, layer by
    /// layer; fan-in f·f·n_C_prev), b at 0.
    pub fn new(
        picture: Picture,
        spec: &[PictureLayer],
        init: Init,
        rng: &mut dyn Gaussian,
    ) -> Result<Self, Error> {
        let out = shapes(picture, spec)?;
        let mut params = Vec::new();
        let mut channels = picture.channels;
        for (layer, shape) in spec.iter().zip(&out) {
            if let PictureLayer::Conv { filters, f, .. } = *layer {
                let w = draw_filters(init, (f, f, channels, filters), rng);
                params.push((w.mapv(T::cast), Array4::zeros((1, 1, 1, filters))));
            }
            channels = shape.channels;
        }
        Self::from_parameters(picture, spec, params)
    }

    /// The layers `spec` with the given convolutions' (W, b), first first.
    pub fn from_parameters(
        picture: Picture,
        spec: &[PictureLayer],
        params: Vec<(Array4<T>, Array4<T>)>,
    ) -> Result<Self, Error> {
        let out = shapes(picture, spec)?;
        let mut params = params.into_iter();
        let mut stages = Vec::with_capacity(spec.len());
        let mut below = picture;
        for (i, layer) in spec.iter().enumerate() {
            stages.push(match *layer {
                PictureLayer::Conv {
                    filters,
                    f,
                    stride,
                    pad,
                } => {
                    let (w, b) = params.next().ok_or_else(|| {
                        Error::Config(format!("no weights for convolution {}", i + 1))
                    })?;
                    if w.dim() != (f, f, below.channels, filters) {
                        return Err(Error::Config(format!(
                            "picture layer {}'s W is {:?}, expected {:?}",
                            i + 1,
                            w.dim(),
                            (f, f, below.channels, filters)
                        )));
                    }
                    Stage::Conv(Box::new(Conv::new(w, b, stride, pad)?))
                }
                PictureLayer::Activation { g } => Stage::Activation {
                    g,
                    a: Array4::zeros((0, 0, 0, 0)),
                    dz: Array4::zeros((0, 0, 0, 0)),
                },
                PictureLayer::Pool { mode, f, stride } => {
                    Stage::Pool(Pool::new(f, stride, mode.into())?)
                }
            });
            below = out[i];
        }
        if params.next().is_some() {
            return Err(Error::Config(
                "more convolution weights than convolutions".into(),
            ));
        }
        Ok(ConvStack {
            picture,
            spec: spec.to_vec(),
            stages,
            x: Array2::zeros((0, 0)),
            dflat: Array2::zeros((0, 0)),
            out: out.last().copied().unwrap_or(picture),
        })
    }

    /// The same layers and parameters with empty buffers (for predictions).
    pub fn parameters_only(&self) -> Self {
        let params = self.convs().map(|c| (c.w.clone(), c.b.clone())).collect();
        Self::from_parameters(self.picture, &self.spec, params)
            .expect("the stack's own layers and parameters")
    }

    /// The input picture's shape.
    pub fn picture(&self) -> Picture {
        self.picture
    }

    /// The layer list.
    pub fn spec(&self) -> &[PictureLayer] {
        &self.spec
    }

    /// n_x = n_H·n_W·n_C of the input.
    pub fn inputs(&self) -> usize {
        self.picture.len()
    }

    /// n_flat, the entries of the last volume: the dense layer 1's inputs.
    pub fn outputs(&self) -> usize {
        self.out.len()
    }

    /// The convolutions, first first.
    pub fn convs(&self) -> impl Iterator<Item = &Conv<T>> {
        self.stages.iter().filter_map(|s| match s {
            Stage::Conv(c) => Some(&**c),
            _ => None,
        })
    }

    /// The convolutions, mutable.
    pub fn convs_mut(&mut self) -> impl Iterator<Item = &mut Conv<T>> {
        self.stages.iter_mut().filter_map(|s| match s {
            Stage::Conv(c) => Some(&mut **c),
            _ => None,
        })
    }

    /// The forward pass over X (n_x × m); its result is [`ConvStack::output`].
    pub fn forward(&mut self, x: ArrayView2<'_, T>, threads: Threads) {
        let m = x.ncols();
        let p = self.picture;
        let xt = x.reversed_axes();
        let volume = if xt.is_standard_layout() {
            xt
        } else {
            if self.x.dim() != (m, p.len()) {
                self.x = Array2::zeros((m, p.len()));
            }
            self.x.assign(&xt);
            self.x.view()
        };
        let volume = volume
            .into_shape_with_order((m, p.height, p.width, p.channels))
            .expect("X has n_H·n_W·n_C rows (checked with the data)");
        for i in 0..self.stages.len() {
            let (below, from_i) = self.stages.split_at_mut(i);
            let input = below.last().map_or(volume.view(), |s| s.output());
            stage_forward(&mut from_i[0], input, threads);
        }
    }

    /// A_flat of the last forward pass, n_flat × m (a view of the last volume).
    pub fn output(&self) -> ArrayView2<'_, T> {
        let last = self
            .stages
            .last()
            .expect("at least one picture layer")
            .output();
        let m = last.dim().0;
        last.into_shape_with_order((m, self.out.len()))
            .expect("the volume is owned, standard layout")
            .reversed_axes()
    }

    /// The backward pass from the dense layer 1 (its W\[1\] and this pass's
    /// dZ\[1\]): every convolution's dW, db.
    pub fn backward(&mut self, w1: &Array2<T>, dz1: &Array2<T>, threads: Threads) {
        let m = dz1.ncols();
        if self.dflat.dim() != (m, self.out.len()) {
            self.dflat = Array2::zeros((m, self.out.len()));
        }
        gemm(
            T::one(),
            w1.t(),
            dz1.view(),
            false,
            self.dflat.view_mut().reversed_axes(),
            threads,
        );
        let o = self.out;
        let dflat = self
            .dflat
            .view()
            .into_shape_with_order((m, o.height, o.width, o.channels))
            .expect("dA_flat is owned, standard layout");
        let alpha = T::one() / T::cast(m as f64);
        for i in (0..self.stages.len()).rev() {
            let (below, from_i) = self.stages.split_at_mut(i);
            let (stage, above) = from_i.split_first_mut().expect("stage i");
            let da = above.first().map_or(dflat.view(), |s| s.input_gradient());
            stage_backward(stage, below.last(), da, alpha, threads);
        }
    }
}

/// One layer's forward pass over `input`.
fn stage_forward<T: Float>(stage: &mut Stage<T>, input: ArrayView4<'_, T>, threads: Threads) {
    match stage {
        Stage::Conv(c) => c
            .forward(input, threads)
            .expect("shapes checked when the stack was built"),
        Stage::Activation { g, a, .. } => {
            if a.dim() != input.dim() {
                *a = Array4::zeros(input.dim());
            }
            let z = input.as_standard_layout();
            let z = z.as_slice().expect("standard layout");
            let a = a.as_slice_mut().expect("owned, standard layout");
            parallel::activate(*g, z, a, threads);
        }
        Stage::Pool(p) => p
            .forward_on(input, threads)
            .expect("shapes checked when the stack was built"),
    }
}

/// One layer's backward pass given dA of its output; `below` is the layer
/// under it (none for the first, whose input is X: no dA_prev is computed).
fn stage_backward<T: Float>(
    stage: &mut Stage<T>,
    below: Option<&Stage<T>>,
    da: ArrayView4<'_, T>,
    alpha: T,
    threads: Threads,
) {
    match stage {
        Stage::Conv(c) => c.backward(da, alpha, below.is_some(), threads),
        Stage::Activation { g, a, dz } => {
            let z = below.expect("an activation is never first").output();
            if dz.dim() != da.dim() {
                *dz = Array4::zeros(da.dim());
            }
            let (da, z) = (da.as_standard_layout(), z.as_standard_layout());
            let slices = (
                da.as_slice().expect("standard layout"),
                z.as_slice().expect("standard layout"),
                a.as_slice().expect("owned, standard layout"),
            );
            let dz = dz.as_slice_mut().expect("owned, standard layout");
            parallel::activation_gradient(*g, dz, slices, threads);
        }
        Stage::Pool(p) => {
            if below.is_some() {
                p.backward_on(da, threads);
            }
        }
    }
}

/// W of shape f × f × n_C_prev × n_C drawn as numpy's `randn(f, f, n_C_prev, n_C)`
/// and scaled for the fan-in f·f·n_C_prev as [`Init`] scales a dense W for n\[l-1\].
fn draw_filters(
    init: Init,
    shape: (usize, usize, usize, usize),
    rng: &mut dyn Gaussian,
) -> Array4<f64> {
    let fan_in = (shape.0 * shape.1 * shape.2) as f64;
    // The same arithmetic as `Init::weights` (a division for Xavier, as the course's `/ np.sqrt(n_prev)`).
    let (s, he) = (fan_in.sqrt(), (2.0 / fan_in).sqrt());
    match init {
        Init::Zeros => Array4::zeros(shape),
        Init::Small => Array4::from_shape_simple_fn(shape, || rng.randn() * 0.01),
        Init::Xavier => Array4::from_shape_simple_fn(shape, || rng.randn() / s),
        Init::He => Array4::from_shape_simple_fn(shape, || rng.randn() * he),
    }
}

impl From<Pooling> for PoolMode {
    fn from(p: Pooling) -> Self {
        match p {
            Pooling::Max => PoolMode::Max,
            Pooling::Average => PoolMode::Average,
        }
    }
}
