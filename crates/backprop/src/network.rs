//! The network: any layer list [n_x, n_1, …, n_L]. One output unit is a
//! sigmoid with binary cross-entropy (labels 0/1, Y is 1 × m); K ≥ 2 output
//! units are a softmax with categorical cross-entropy (Y one-hot, K × m).
//! Either way dZ\[L\] = A\[L\] − Y.
//!
//! Logistic regression is the network with no hidden layer ([n_x, 1]); the
//! notes' shallow net has one ([n_x, n_h, 1]); the deep application has more.
//! Indexing: `layers[0]` is the notes' layer 1 (W\[1\], b\[1\]); A\[0\] is X.

use ndarray::{Array2, ArrayView2, Zip};

use crate::activation::Activation;
use crate::config::Precision;
use crate::error::Error;
use crate::init::Init;
use crate::layer::{Dense, LayerKind};
use crate::layers::ConvStack;
use crate::linalg::{Float, Threads};
use crate::optim::Optimizer;
use crate::output::{output_dz, softmax_columns, Output};
use crate::rng::{Gaussian, NumpyRng};

/// The most examples a prediction sends through the network at once
/// ([`Network::output_logits`]).
pub const PREDICT_CHUNK: usize = 16_384;

/// The most examples a prediction sends through picture layers at once (their
/// patch matrices take n_H·n_W·f²·n_C_prev values an example).
const PICTURE_CHUNK: usize = 256;

/// A feed-forward network: hidden layers with one activation, a sigmoid or softmax output.
#[derive(Clone, Debug)]
pub struct Network<T: Float> {
    layers: Vec<Dense<T>>,
    hidden: Activation,
    threads: Threads,
    /// Picture layers before the dense layer 1 (convolutions, pooling), if any.
    front: Option<Box<ConvStack<T>>>,
}

impl<T: Float> Network<T> {
    /// Initialises a network for `sizes` = [n_x, n_1, …, n_L] (n_L = 1), drawing
    /// W\[1\], W\[2\], … in that order from `rng`; biases start at 0.
    pub fn new(
        sizes: &[usize],
        hidden: Activation,
        init: Init,
        rng: &mut dyn Gaussian,
    ) -> Result<Self, Error> {
        validate_sizes(sizes)?;
        let params = sizes
            .windows(2)
            .map(|p| {
                let w = init.weights(p[1], p[0], rng).mapv(T::cast);
                (w, Array2::zeros((p[1], 1)))
            })
            .collect();
        Self::from_parameters(params, hidden)
    }

    /// A network with the given (W\[l\], b\[l\]) pairs, layer 1 first.
    pub fn from_parameters(
        params: Vec<(Array2<T>, Array2<T>)>,
        hidden: Activation,
    ) -> Result<Self, Error> {
        let mut sizes = Vec::with_capacity(params.len() + 1);
        for (l, (w, b)) in params.iter().enumerate() {
            if l == 0 {
                sizes.push(w.ncols());
            } else if w.ncols() != sizes[l] {
                return Err(Error::Config(format!(
                    "W[{}] has {} columns but layer {} has {} units",
                    l + 1,
                    w.ncols(),
                    l,
                    sizes[l]
                )));
            }
            if b.dim() != (w.nrows(), 1) {
                return Err(Error::Config(format!(
                    "b[{}] is {}×{}, expected {}×1",
                    l + 1,
                    b.nrows(),
                    b.ncols(),
                    w.nrows()
                )));
            }
            sizes.push(w.nrows());
        }
        validate_sizes(&sizes)?;
        let last = params.len() - 1;
        let layers = params
            .into_iter()
            .enumerate()
            .map(|(l, (w, b))| {
                let kind = if l == last {
                    LayerKind::Output(Output::for_units(w.nrows()))
                } else {
                    LayerKind::Hidden(hidden)
                };
                Dense::new(w, b, kind)
            })
            .collect();
        Ok(Network {
            layers,
            hidden,
            threads: Threads::default(),
            front: None,
        })
    }

    /// Lets the matrix products use `threads` threads (results are reproducible per thread count).
    pub fn set_threads(&mut self, threads: Threads) {
        self.threads = threads;
    }

    /// Puts the picture layers `front` before the dense layer 1, whose inputs
    /// must be the front's outputs.
    pub fn with_front(mut self, front: ConvStack<T>) -> Result<Self, Error> {
        if front.outputs() != self.layers[0].inputs() {
            return Err(Error::Config(format!(
                "the picture layers hand {} values to the dense layer 1, which reads {}",
                front.outputs(),
                self.layers[0].inputs()
            )));
        }
        self.front = Some(Box::new(front));
        Ok(self)
    }

    /// The picture layers before the dense layers, if any.
    pub fn front(&self) -> Option<&ConvStack<T>> {
        self.front.as_deref()
    }

    /// The picture layers, mutable (gradient checking perturbs their parameters).
    pub fn front_mut(&mut self) -> Option<&mut ConvStack<T>> {
        self.front.as_deref_mut()
    }

    /// [n_x, n_1, …, n_L] (n_x: a picture's n_H·n_W·n_C where the network has picture layers).
    pub fn sizes(&self) -> Vec<usize> {
        let n_x = self.front().map_or(self.layers[0].inputs(), |f| f.inputs());
        std::iter::once(n_x)
            .chain(self.layers.iter().map(|l| l.units()))
            .collect()
    }

    /// The activation of the hidden layers.
    pub fn hidden_activation(&self) -> Activation {
        self.hidden
    }

    /// The layers, layer 1 first.
    pub fn layers(&self) -> &[Dense<T>] {
        &self.layers
    }

    /// The layers, mutable (gradient checking perturbs their parameters).
    pub fn layers_mut(&mut self) -> &mut [Dense<T>] {
        &mut self.layers
    }

    /// The thread setting of the matrix products.
    pub fn threads(&self) -> Threads {
        self.threads
    }

    /// Forward pass over X (n_x × m), filling every layer's Z and A.
    pub fn forward(&mut self, x: ArrayView2<'_, T>) {
        match self.front.as_deref_mut() {
            Some(front) => {
                front.forward(x, self.threads);
                self.layers[0].forward(front.output(), self.threads);
            }
            None => self.layers[0].forward(x, self.threads),
        }
        self.forward_above_first();
    }

    /// The forward pass of layers 2 … L, from A\[1\], and the output's softmax.
    pub(crate) fn forward_above_first(&mut self) {
        let threads = self.threads;
        for l in 1..self.layers.len() {
            let (below, from_l) = self.layers.split_at_mut(l);
            from_l[0].forward(below[l - 1].a.view(), threads);
        }
        if self.output() == Output::Softmax {
            let out = self.layers.last_mut().expect("at least one layer");
            softmax_columns(out.z.view(), out.a.view_mut());
        }
    }

    /// The output layer: one sigmoid unit (two classes), a softmax over K ≥ 2
    /// units, or K independent sigmoids (multi-label, [`Network::set_output`]).
    pub fn output(&self) -> Output {
        let last = self.layers.last().expect("at least one layer");
        match last.kind {
            LayerKind::Output(output) => output,
            LayerKind::Hidden(_) => Output::for_units(last.units()),
        }
    }

    /// Makes the output `output`: [`Output::Sigmoids`] (K independent
    /// sigmoids, multi-label) on any unit count; a sigmoid needs one unit, a
    /// softmax two or more (what the unit count gives by default).
    pub fn set_output(&mut self, output: Output) -> Result<(), Error> {
        let last = self.layers.last_mut().expect("at least one layer");
        let units = last.units();
        if output != Output::Sigmoids && Output::for_units(units) != output {
            let needs = if output == Output::Sigmoid {
                "1"
            } else {
                "2 or more"
            };
            return Err(Error::Config(format!(
                "a {} output needs {needs} output units, and the sizes end in {units}",
                output.name()
            )));
        }
        last.kind = LayerKind::Output(output);
        Ok(())
    }

    /// J of the last forward pass against Y (1 × m labels, or K × m one-hot), from the logits.
    pub fn cost(&self, y: ArrayView2<'_, T>) -> f64 {
        let out = self.layers.last().expect("at least one layer");
        self.output().cost(out.z.view(), y)
    }

    /// λ/(2m)·Σ_l ‖W\[l\]‖², the L2 term of the cost for a batch of m examples.
    pub fn l2_penalty(&self, lambda: f64, m: usize) -> f64 {
        if lambda == 0.0 {
            return 0.0; // no pass over the weights for every mini-batch
        }
        let sum: f64 = self
            .layers
            .iter()
            .map(|l| l.w.iter().map(|w| w.as_f64() * w.as_f64()).sum::<f64>())
            .sum::<f64>()
            + self.front().map_or(0.0, |f| f.weight_sums().0);
        lambda / (2.0 * m as f64) * sum
    }

    /// λ/m·Σ_l Σ|W\[l\]|, the L1 term of the cost for a batch of m examples
    /// (its gradient: `engine/step/l1.rs`).
    pub fn l1_penalty(&self, lambda: f64, m: usize) -> f64 {
        if lambda == 0.0 {
            return 0.0;
        }
        let sum: f64 = self
            .layers
            .iter()
            .map(|l| l.w.iter().map(|w| w.as_f64().abs()).sum::<f64>())
            .sum();
        lambda / m as f64 * sum
    }

    /// dW\[l\] += (λ/m)·W\[l\] for every layer: the L2 term's gradient.
    pub fn add_l2_gradient(&mut self, lambda: f64, m: usize) {
        let k = T::cast(lambda / m as f64);
        for layer in &mut self.layers {
            Zip::from(&mut layer.dw)
                .and(&layer.w)
                .for_each(|dw, &w| *dw += k * w);
        }
        if let Some(front) = self.front_mut() {
            front.add_l2_gradient(k);
        }
    }

    /// Draws inverted-dropout masks for the hidden layers, for a batch of m
    /// examples: each unit kept with probability `keep[l]` (one value for all
    /// hidden layers, or one per hidden layer) and scaled by 1/keep. The masks
    /// stay until redrawn or cleared, so a gradient check can hold them fixed.
    pub fn draw_dropout(&mut self, keep: &[f64], m: usize, rng: &mut NumpyRng) {
        let hidden = self.layers.len() - 1;
        for (l, layer) in self.layers[..hidden].iter_mut().enumerate() {
            let p = if keep.len() == 1 {
                keep[0]
            } else {
                keep.get(l).copied().unwrap_or(1.0)
            };
            if p >= 1.0 {
                layer.mask = None;
                continue;
            }
            let scale = T::cast(1.0 / p);
            let n = layer.units();
            let mask = layer.mask.get_or_insert_with(|| Array2::zeros((n, m)));
            if mask.dim() != (n, m) {
                *mask = Array2::zeros((n, m));
            }
            mask.mapv_inplace(|_| if rng.uniform() < p { scale } else { T::zero() });
        }
    }

    /// Removes every dropout mask (as after training).
    pub fn clear_dropout(&mut self) {
        for layer in &mut self.layers {
            layer.mask = None;
        }
    }

    /// Backward pass after [`forward`](Self::forward): every layer's dZ, dW, db.
    /// dA\[0\] (the gradient with respect to X) is never computed.
    pub fn backward(&mut self, x: ArrayView2<'_, T>, y: ArrayView2<'_, T>) {
        self.backward_above_first(y);
        self.first_layer_gradients(x);
    }

    /// Given dZ\[1\]: dW\[1\], db\[1\] and, with picture layers, their backward pass.
    pub(crate) fn first_layer_gradients(&mut self, x: ArrayView2<'_, T>) {
        match self.front.as_deref_mut() {
            Some(front) => {
                self.layers[0].parameter_gradients(front.output(), self.threads);
                front.backward(&self.layers[0].w, &self.layers[0].dz, self.threads);
            }
            None => self.layers[0].parameter_gradients(x, self.threads),
        }
    }

    /// dZ\[L\] = A\[L\] − Y, then dW, db of layers L … 2 and dZ of layers L−1 … 1.
    pub(crate) fn backward_above_first(&mut self, y: ArrayView2<'_, T>) {
        self.output_gradient(y);
        self.backward_from_output();
    }

    /// dZ\[L\] = A\[L\] − Y, into the output layer's dZ.
    pub(crate) fn output_gradient(&mut self, y: ArrayView2<'_, T>) {
        let out = self.layers.last_mut().expect("at least one layer");
        match (out.dz.as_slice_mut(), out.a.as_slice(), y.as_slice()) {
            (Some(dz), Some(a), Some(y)) if dz.len() == y.len() => output_dz(dz, a, y),
            _ => Zip::from(&mut out.dz)
                .and(&out.a)
                .and(y)
                .for_each(|dz, &a, &y| *dz = a - y),
        }
    }

    /// Given dZ[L]: dW, db of layers L … 2 and dZ of layers L−1 … 1.
    pub(crate) fn backward_from_output(&mut self) {
        let threads = self.threads;
        let last = self.layers.len() - 1;
        for l in (1..=last).rev() {
            let (below, from_l) = self.layers.split_at_mut(l);
            let (layer, prev) = (&mut from_l[0], &mut below[l - 1]);
            layer.parameter_gradients(prev.a.view(), threads);
            layer.propagate_back(prev, threads);
        }
    }

    /// The optimiser's step of the picture layers' W and b (its slots after
    /// the dense layers': 2L, 2L + 1, … in order).
    pub(crate) fn update_front(&mut self, optimizer: &mut Optimizer<T>, learning_rate: T) {
        let first = 2 * self.layers.len();
        if let Some(front) = self.front_mut() {
            front.update(optimizer, first, learning_rate);
        }
    }

    /// One gradient-descent update of every layer with the gradients of the last backward pass.
    pub fn descend(&mut self, learning_rate: T) {
        for layer in &mut self.layers {
            layer.descend(learning_rate);
        }
        if let Some(front) = self.front_mut() {
            front.descend(learning_rate);
        }
    }

    /// One full-batch iteration: forward, cost, backward, update. Returns the
    /// cost of this iteration's forward pass (before its update).
    pub fn train_step(&mut self, x: ArrayView2<'_, T>, y: ArrayView2<'_, T>, lr: T) -> f64 {
        self.forward(x);
        let cost = self.cost(y);
        self.backward(x, y);
        self.descend(lr);
        cost
    }

    /// Z\[L\] for each column of X (the output logits), 1 × m (or K × m).
    /// Leaves the training caches alone (it works on copies of the layers).
    /// A large X goes through in chunks of at most [`PREDICT_CHUNK`] columns
    /// (and at least half that: a batch that large takes the same product
    /// kernels, which give each column the same bits in any such batch), so
    /// the activations never take more than a chunk's worth of memory.
    pub fn output_logits(&self, x: ArrayView2<'_, T>) -> Array2<T> {
        let m = x.ncols();
        let chunk = self.predict_chunk();
        if m <= chunk {
            return self.chunk_logits(x);
        }
        let k = self.layers.last().map_or(0, |l| l.w.nrows());
        let mut out = Array2::zeros((k, m));
        let size = m.div_ceil(m.div_ceil(chunk));
        for start in (0..m).step_by(size) {
            let end = (start + size).min(m);
            let logits = self.chunk_logits(x.slice(ndarray::s![.., start..end]));
            out.slice_mut(ndarray::s![.., start..end]).assign(&logits);
        }
        out
    }

    /// The most columns [`Network::output_logits`] takes in one pass.
    pub(crate) fn predict_chunk(&self) -> usize {
        if self.front.is_some() {
            PICTURE_CHUNK
        } else {
            PREDICT_CHUNK
        }
    }

    /// [`Network::output_logits`] of X in one pass.
    fn chunk_logits(&self, x: ArrayView2<'_, T>) -> Array2<T> {
        let mut scratch: Vec<Dense<T>> = self.layers.iter().map(Dense::parameters_only).collect();
        let mut a_prev = match &self.front {
            Some(front) => {
                let mut front = front.parameters_only();
                front.forward(x, self.threads);
                front.output().to_owned()
            }
            None => x.to_owned(),
        };
        let last = scratch.len() - 1;
        for (l, layer) in scratch.iter_mut().enumerate() {
            layer.forward(a_prev.view(), self.threads);
            a_prev = if l == last {
                std::mem::take(&mut layer.z)
            } else {
                std::mem::take(&mut layer.a)
            };
        }
        a_prev
    }

    /// P(y = 1 | x) for each column of X as a 1 × m row; with a softmax
    /// output, P(class k | x) as a K × m matrix. Leaves the training caches alone.
    pub fn predict_proba(&self, x: ArrayView2<'_, T>) -> Array2<T> {
        self.output().probabilities(self.output_logits(x).view())
    }

    /// J on another data set (a test set) at the current parameters, from the logits.
    pub fn cost_on(&self, x: ArrayView2<'_, T>, y: ArrayView2<'_, T>) -> f64 {
        self.output().cost(self.output_logits(x).view(), y)
    }

    /// The predicted class of each column of X, as a 1 × m row: 1 where
    /// P(y = 1 | x) > 0.5, else 0; with a softmax output, the most probable class.
    pub fn predict(&self, x: ArrayView2<'_, T>) -> Array2<T> {
        self.classes_from_probabilities(self.predict_proba(x))
    }

    /// The prediction [`Network::predict`] makes from the output layer's
    /// probabilities P (n_L × m): the most probable class of each column for
    /// a softmax output, else P > 0.5 entry by entry.
    pub(crate) fn classes_from_probabilities(&self, p: Array2<T>) -> Array2<T> {
        if self.output() == Output::Softmax {
            let best = p.columns().into_iter().map(|c| {
                let k = c
                    .iter()
                    .enumerate()
                    .fold(0, |b, (k, v)| if *v > c[b] { k } else { b });
                T::cast(k as f64)
            });
            Array2::from_shape_vec((1, p.ncols()), best.collect()).expect("one class a column")
        } else {
            p.mapv(|p| {
                if p > T::cast(0.5) {
                    T::one()
                } else {
                    T::zero()
                }
            })
        }
    }
}

/// A network in the precision it was trained or saved in: what a run trains,
/// what a model folder loads, what a [`crate::Classifier`] holds.
#[derive(Clone, Debug)]
pub enum AnyNetwork {
    /// Computed in f32.
    F32(Network<f32>),
    /// Computed in f64.
    F64(Network<f64>),
}

/// `$body` with `$n` bound to the [`AnyNetwork`]'s network, whatever its precision.
macro_rules! with_any {
    ($net:expr, $n:ident => $body:expr) => {
        match $net {
            $crate::network::AnyNetwork::F32($n) => $body,
            $crate::network::AnyNetwork::F64($n) => $body,
        }
    };
}
pub(crate) use with_any;

impl AnyNetwork {
    /// P(positive class) for each column of X as a 1 × m row, or P(class k)
    /// as K × m for a softmax model (X in f64, computed in the model's precision).
    pub fn predict_proba(&self, x: &Array2<f64>) -> Array2<f64> {
        with_any!(self, n => n.predict_proba(x.mapv(Float::cast).view()).mapv(|p| p.as_f64()))
    }

    /// The predicted class of each column of X (f64 in, computed in the network's precision).
    pub fn predict_classes(&self, x: &Array2<f64>) -> Vec<usize> {
        with_any!(self, n => n
            .predict(x.mapv(Float::cast).view())
            .iter()
            .map(|c| c.as_f64() as usize)
            .collect())
    }

    /// The most columns a prediction takes in one pass.
    pub(crate) fn predict_chunk(&self) -> usize {
        with_any!(self, n => n.predict_chunk())
    }

    /// [n_x, n_1, …, n_L].
    pub fn sizes(&self) -> Vec<usize> {
        with_any!(self, n => n.sizes())
    }

    /// The precision it computes in.
    pub fn precision(&self) -> Precision {
        match self {
            AnyNetwork::F32(_) => Precision::F32,
            AnyNetwork::F64(_) => Precision::F64,
        }
    }
}

fn validate_sizes(sizes: &[usize]) -> Result<(), Error> {
    if sizes.len() < 2 {
        return Err(Error::Config(
            "a network needs at least an input size and an output size".into(),
        ));
    }
    if let Some(pos) = sizes.iter().position(|&n| n == 0) {
        return Err(Error::Config(format!(
            "layer {pos} has 0 units; every layer needs at least one"
        )));
    }
    Ok(())
}
