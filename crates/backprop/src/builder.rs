//! Making a network without hand-written weight loops: [`Network::builder`]
//! (layer sizes, hidden activation, output, initialisation, seed, threads)
//! and [`Network::parameters`], every W\[l\] and b\[l\] with its name.
//!
//! ```
//! use backprop::{Activation, Init, Network};
//!
//! let net = Network::<f64>::builder(&[2, 4, 1])
//!     .activation(Activation::Tanh)
//!     .init(Init::Small)
//!     .seed(2)
//!     .build()?;
//! let names: Vec<String> = net.parameters().map(|p| p.name).collect();
//! assert_eq!(names, ["W1", "b1", "W2", "b2"]);
//! # Ok::<(), backprop::Error>(())
//! ```

use std::marker::PhantomData;

use ndarray::Array2;

use crate::activation::Activation;
use crate::config::{ModelSpec, DEFAULT_SEED};
use crate::error::Error;
use crate::init::Init;
use crate::layers::{BatchNormConfig, ConvStack, Picture, PictureLayer};
use crate::linalg::{Float, Threads};
use crate::network::Network;
use crate::output::Output;
use crate::rng::NumpyRng;

/// One parameter tensor of a network, named as the notes and the model files name it.
#[derive(Debug)]
pub struct Parameter<'a, T: Float> {
    /// "W1", "b1", "W2", … (layer 1 first): `id.name()`.
    pub name: String,
    /// The layer, counted from 1 as in the notes.
    pub layer: usize,
    /// Which tensor it is: its name and its optimiser slot.
    pub id: ParameterId,
    /// W\[l\] (n\[l\] × n\[l-1\]) or b\[l\] (n\[l\] × 1).
    pub value: &'a Array2<T>,
}

/// Which parameter tensor of a network: W\[l\] or b\[l\], the layer counted
/// from 1. The one source of the tensors' names (model.safetensors,
/// checkpoints, the ONNX graph, gradient checks) and of the optimiser's slots.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ParameterId {
    /// W\[l\].
    W(usize),
    /// b\[l\].
    B(usize),
}

impl ParameterId {
    /// W\[l\] and b\[l\], in that order.
    pub fn of_layer(l: usize) -> [ParameterId; 2] {
        [ParameterId::W(l), ParameterId::B(l)]
    }

    /// The layer, counted from 1.
    pub fn layer(self) -> usize {
        match self {
            ParameterId::W(l) | ParameterId::B(l) => l,
        }
    }

    /// "W1", "b1", …
    pub fn name(self) -> String {
        match self {
            ParameterId::W(l) => format!("W{l}"),
            ParameterId::B(l) => format!("b{l}"),
        }
    }

    /// Its position in [`Network::parameters`]' order (W1 0, b1 1, W2 2, …):
    /// the optimiser's slot for it.
    pub fn slot(self) -> usize {
        match self {
            ParameterId::W(l) => 2 * (l - 1),
            ParameterId::B(l) => 2 * (l - 1) + 1,
        }
    }
}

impl<T: Float> Network<T> {
    /// A builder for a network of layer sizes \[n_x, n_1, …, n_L\]: n_L = 1 is
    /// a sigmoid output (two classes), n_L = K ≥ 2 a softmax over K classes.
    /// The other settings start at [`ModelSpec::default`]'s.
    pub fn builder(sizes: &[usize]) -> NetworkBuilder<T> {
        let spec = ModelSpec::default();
        NetworkBuilder {
            sizes: sizes.to_vec(),
            activation: spec.activation,
            output: None,
            init: spec.init,
            seed: DEFAULT_SEED,
            threads: None,
            picture: None,
            batch_norm: None,
            _t: PhantomData,
        }
    }

    /// Every W\[l\] and b\[l\] in order (W1, b1, W2, b2, …), named.
    pub fn parameters(&self) -> impl Iterator<Item = Parameter<'_, T>> {
        self.layers().iter().enumerate().flat_map(|(l, layer)| {
            let [w, b] = ParameterId::of_layer(l + 1);
            [(w, &layer.w), (b, &layer.b)].map(|(id, value)| Parameter {
                name: id.name(),
                layer: id.layer(),
                id,
                value,
            })
        })
    }
}

/// Settings of a network to be built; see [`Network::builder`].
#[derive(Clone, Debug)]
pub struct NetworkBuilder<T: Float> {
    sizes: Vec<usize>,
    activation: Activation,
    output: Option<Output>,
    init: Init,
    seed: u32,
    threads: Option<usize>,
    picture: Option<(Picture, Vec<PictureLayer>)>,
    batch_norm: Option<BatchNormConfig>,
    _t: PhantomData<T>,
}

impl<T: Float> NetworkBuilder<T> {
    /// The hidden layers' g (default ReLU).
    pub fn activation(mut self, g: Activation) -> Self {
        self.activation = g;
        self
    }

    /// Asks for this output; [`NetworkBuilder::build`] refuses sizes that
    /// do not give it (a sigmoid needs one output unit, a softmax two or more;
    /// [`Output::Sigmoids`], multi-label, takes any).
    pub fn output(mut self, output: Output) -> Self {
        self.output = Some(output);
        self
    }

    /// How the weights start (default [`Init::Xavier`]).
    pub fn init(mut self, init: Init) -> Self {
        self.init = init;
        self
    }

    /// `np.random.seed` before the weights are drawn (default 1, the course's).
    pub fn seed(mut self, seed: u32) -> Self {
        self.seed = seed;
        self
    }

    /// Threads for the matrix products (default 1).
    pub fn threads(mut self, threads: usize) -> Self {
        self.threads = Some(threads);
        self
    }

    /// Picture layers (convolutions, activations, pooling) before the dense
    /// layers, over inputs that are pictures of `picture` (each column of X a
    /// picture in h, w, c order, n_x = n_H·n_W·n_C); their output is flattened
    /// into the dense layer 1. The sizes' n_x must be the picture's n_H·n_W·n_C.
    pub fn picture(mut self, picture: Picture, layers: &[PictureLayer]) -> Self {
        self.picture = Some((picture, layers.to_vec()));
        self
    }

    /// Batch normalisation of every hidden layer (course 2, week 3): Z̃ =
    /// γ ⊙ Z_norm + β before g, β in b's place ([`Network::set_batch_norm`]).
    pub fn batch_norm(mut self, config: BatchNormConfig) -> Self {
        self.batch_norm = Some(config);
        self
    }

    /// Draws the weights (W\[1\] first, numpy's order) and builds the network.
    /// With picture layers, their filters are drawn first, then the dense W\[l\].
    pub fn build(self) -> Result<Network<T>, Error> {
        let spec = ModelSpec {
            hidden: self
                .sizes
                .get(1..self.sizes.len().saturating_sub(1))
                .unwrap_or(&[])
                .to_vec(),
            activation: self.activation,
            threads: self.threads.unwrap_or(1),
            ..ModelSpec::default()
        };
        spec.validate()?;
        let mut rng = NumpyRng::new(self.seed);
        let mut net = match &self.picture {
            None => Network::new(&self.sizes, self.activation, self.init, &mut rng)?,
            Some((picture, layers)) => self.build_with_picture(*picture, layers, &mut rng)?,
        };
        if let Some(want) = self.output {
            net.set_output(want)?;
        }
        if let Some(config) = self.batch_norm {
            net.set_batch_norm(config)?;
        }
        net.set_threads(Threads(spec.threads));
        Ok(net)
    }
}

impl<T: Float> NetworkBuilder<T> {
    /// The picture layers' filters drawn first, then the dense layers over their output.
    fn build_with_picture(
        &self,
        picture: Picture,
        layers: &[PictureLayer],
        rng: &mut NumpyRng,
    ) -> Result<Network<T>, Error> {
        let n_x = self.sizes.first().copied().unwrap_or(0);
        if n_x != picture.len() {
            return Err(Error::Config(format!(
                "the network reads {n_x} inputs, but a picture of {picture} has {}",
                picture.len()
            )));
        }
        let front = ConvStack::new(picture, layers, self.init, rng)?;
        let mut sizes = self.sizes.clone();
        sizes[0] = front.outputs();
        Network::new(&sizes, self.activation, self.init, rng)?.with_front(front)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builder_draws_the_same_weights_as_new() {
        let built = Network::<f64>::builder(&[3, 5, 1])
            .activation(Activation::Tanh)
            .init(Init::Small)
            .seed(2)
            .build()
            .unwrap();
        let new = Network::<f64>::new(
            &[3, 5, 1],
            Activation::Tanh,
            Init::Small,
            &mut NumpyRng::new(2),
        )
        .unwrap();
        for (a, b) in built.parameters().zip(new.parameters()) {
            assert_eq!(a.name, b.name);
            assert_eq!(a.value, b.value);
        }
        assert_eq!(built.output(), Output::Sigmoid);
    }

    #[test]
    fn builder_refuses_what_cannot_work() {
        let err = |r: Result<Network<f32>, Error>| r.unwrap_err().to_string();
        assert_eq!(
            err(Network::builder(&[3, 0, 1]).build()),
            "hidden: every layer's size must be at least 1, got 0"
        );
        assert!(
            err(Network::builder(&[3, 4, 1]).output(Output::Softmax).build())
                .contains("softmax output needs 2 or more")
        );
        let softmax = Network::<f32>::builder(&[3, 4, 10]).build().unwrap();
        assert_eq!(softmax.output(), Output::Softmax);
        let shapes: Vec<_> = softmax.parameters().map(|p| p.value.dim()).collect();
        assert_eq!(shapes, [(4, 3), (4, 1), (10, 4), (10, 1)]);
    }
}
