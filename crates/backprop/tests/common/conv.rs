//! A small picture network for the model-file and resume tests: 5×5×3
//! pictures through conv 3×3 (4 filters, pad 1) → leaky ReLU → average pool
//! 2 (stride 1) → conv 2×2 stride 2 (2 filters) → max pool 2, flattened into
//! the dense layers; and pictures to train and predict it on.

use backprop::data::Preprocessing;
use backprop::{
    Activation, Float, Gaussian, Init, Network, NumpyRng, Picture, PictureLayer, Pooling,
};
use ndarray::{Array2, ShapeBuilder};

/// The input picture.
pub const PICTURE: Picture = Picture {
    height: 5,
    width: 5,
    channels: 3,
};

/// The picture layers: 5×5×3 → 5×5×4 → 4×4×4 → 2×2×2 → 1×1×2.
pub fn layers() -> Vec<PictureLayer> {
    vec![
        PictureLayer::conv(4, 3, 1, 1),
        PictureLayer::activation(Activation::LeakyRelu { slope: 0.05 }),
        PictureLayer::pool(Pooling::Average, 2, 1),
        PictureLayer::conv(2, 2, 2, 0),
        PictureLayer::pool(Pooling::Max, 2, 2),
    ]
}

/// The network: the picture layers, then dense tanh layers of `hidden`
/// units and `outputs` outputs, He-initialised from seed 7.
pub fn net<T: Float>(hidden: &[usize], outputs: usize) -> Network<T> {
    let sizes: Vec<usize> = std::iter::once(PICTURE.len())
        .chain(hidden.iter().copied())
        .chain([outputs])
        .collect();
    Network::<T>::builder(&sizes)
        .picture(PICTURE, &layers())
        .activation(Activation::Tanh)
        .init(Init::He)
        .seed(7)
        .build()
        .expect("the test network builds")
}

/// `m` pictures (n_x × m, one example per column, example-contiguous as the
/// loaders lay X out) with `k` one-hot classes (or 0/1 labels for `k` = 1):
/// the class is the channel, out of the first `max(k, 2)`, brightest at the centre.
pub fn pictures<T: Float>(m: usize, k: usize, seed: u32) -> (Array2<T>, Array2<T>) {
    let mut rng = NumpyRng::new(seed);
    let n = PICTURE.len();
    let mut x = Array2::<T>::zeros((n, m).f());
    x.mapv_inplace(|_| T::cast(rng.uniform()));
    let centre = (2 * PICTURE.width + 2) * PICTURE.channels;
    let brightest = |j: usize| {
        (0..k.max(2))
            .max_by(|&a, &b| x[(centre + a, j)].partial_cmp(&x[(centre + b, j)]).unwrap())
            .unwrap()
    };
    let y = match k {
        1 => Array2::from_shape_fn((1, m), |(_, j)| T::cast(brightest(j) as f64)),
        _ => Array2::from_shape_fn((k, m), |(c, j)| {
            T::cast(f64::from(u8::from(brightest(j) == c)))
        }),
    };
    (x, y)
}

/// What the course's HDF5 reader records for pictures of [`PICTURE`].
pub fn preprocessing() -> Preprocessing {
    Preprocessing {
        input: "hdf5".into(),
        scale: 1.0 / 255.0,
        example_shape: vec![PICTURE.height, PICTURE.width, PICTURE.channels],
        ..Preprocessing::default()
    }
}

/// Every parameter of `net` as bits: the dense W, b, then each convolution's W, b.
pub fn bits<T: Float>(net: &Network<T>) -> Vec<u64> {
    let dense = net
        .layers()
        .iter()
        .flat_map(|l| l.w.iter().chain(l.b.iter()));
    let convs = net.front().into_iter().flat_map(|f| f.convs());
    dense
        .chain(convs.flat_map(|c| c.w.iter().chain(c.b.iter())))
        .map(|v| v.as_f64().to_bits())
        .collect()
}
