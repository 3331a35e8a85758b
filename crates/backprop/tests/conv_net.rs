//! A network with picture layers (convolution → relu → pooling → … → flatten
//! → dense) trains through the one engine: the same session, plans and
//! optimisers as a dense network, its shapes refused in words when they cannot run.

use backprop::engine::{Controls, Path, Plan, Session, Start, TrainingData};
use backprop::optim::{LbfgsConfig, OptimizerConfig};
use backprop::train::History;
use backprop::{
    Activation, Error, Float, Gaussian, GdConfig, Init, Network, NumpyRng, Picture, PictureLayer,
    Pooling,
};
use ndarray::Array2;

const PICTURE: Picture = Picture {
    height: 6,
    width: 6,
    channels: 2,
};

/// conv 3×3 (4 filters, pad 1) → relu → max pool 2 → conv 2×2 (3 filters) → average pool 2.
fn layers() -> Vec<PictureLayer> {
    vec![
        PictureLayer::conv(4, 3, 1, 1),
        PictureLayer::activation(Activation::Relu),
        PictureLayer::pool(Pooling::Max, 2, 2),
        PictureLayer::conv(3, 2, 1, 0),
        PictureLayer::pool(Pooling::Average, 2, 1),
    ]
}

/// Pictures (n_x × m, column-major as loaded) labelled 1 where the top-left
/// quarter of channel 0 is brighter than the picture's mean.
fn pictures(m: usize, seed: u32) -> (Array2<f64>, Array2<f64>) {
    let mut rng = NumpyRng::new(seed);
    let n = PICTURE.len();
    let x = Array2::from_shape_fn((m, n), |_| rng.uniform()).reversed_axes();
    let y = Array2::from_shape_fn((1, m), |(_, j)| {
        let col = x.column(j);
        let mean = col.sum() / n as f64;
        let quarter: f64 = (0..3)
            .flat_map(|h| (0..3).map(move |w| (h * 6 + w) * 2))
            .map(|i| col[i])
            .sum::<f64>()
            / 9.0;
        f64::from(u8::from(quarter > mean))
    });
    (x, y)
}

fn conv_net<T: Float>(hidden: &[usize], out: usize) -> Network<T> {
    let mut sizes = vec![PICTURE.len()];
    sizes.extend(hidden);
    sizes.push(out);
    Network::<T>::builder(&sizes)
        .picture(PICTURE, &layers())
        .init(Init::He)
        .seed(3)
        .build()
        .unwrap()
}

fn bits(net: &Network<f64>) -> Vec<u64> {
    let mut v: Vec<u64> = net
        .layers()
        .iter()
        .flat_map(|l| l.w.iter().chain(l.b.iter()))
        .map(|w| w.to_bits())
        .collect();
    for c in net.front().unwrap().convs() {
        v.extend(c.w.iter().chain(c.b.iter()).map(|w| w.to_bits()));
    }
    v
}

/// Trains `net` through the one session to the end: the network, its history, the plan.
fn session<T: Float>(
    net: Network<T>,
    (x, y): (&Array2<T>, &Array2<T>),
    config: GdConfig,
    path: Path,
) -> Result<(Network<T>, History, Plan), Error> {
    let start = Start {
        path,
        ..Start::default()
    };
    let mut s = Session::start(net, TrainingData::new(x.view(), y.view()), config, start)?;
    s.run(&mut Controls::default())?;
    let (plan, history) = (s.plan(), s.history().clone());
    Ok((s.finish().0, history, plan))
}

fn train(net: Network<f64>, config: GdConfig, path: Path) -> (Network<f64>, History, Plan) {
    let (x, y) = pictures(40, 5);
    session(net, (&x, &y), config, path).unwrap()
}

#[test]
fn the_builder_draws_filters_first_and_sizes_the_dense_layers() {
    let net = conv_net::<f64>(&[5], 1);
    assert_eq!(net.sizes(), [72, 5, 1]);
    // 6×6 → conv pad 1 → 6×6×4 → pool → 3×3×4 → conv 2×2 → 2×2×3 → pool 2 stride 1 → 1×1×3.
    assert_eq!(net.layers()[0].w.dim(), (5, 3));
    let front = net.front().unwrap();
    let shapes: Vec<_> = front.convs().map(|c| c.w.dim()).collect();
    assert_eq!(shapes, [(3, 3, 2, 4), (2, 2, 4, 3)]);
    // He for the filters: numpy's randn(3, 3, 2, 4)·√(2/(3·3·2)), the first draws of seed 3.
    let mut rng = NumpyRng::new(3);
    let first = rng.randn_vec(72);
    let w1 = &front.convs().next().unwrap().w;
    for (w, g) in w1.iter().zip(&first) {
        assert_eq!(*w, g * (2.0_f64 / 18.0).sqrt());
    }
}

#[test]
fn a_conv_net_learns_on_the_plain_layer_path() {
    let config = GdConfig {
        learning_rate: 0.5,
        iterations: 300,
        record_every: Some(50),
        ..GdConfig::default()
    };
    let (_, h, plan) = train(conv_net(&[6], 1), config, Path::Auto);
    assert_eq!(plan, Plan::Layers);
    assert!(
        h.final_cost < 0.8 * h.costs[0].1,
        "the cost fell from {} to {}",
        h.costs[0].1,
        h.final_cost
    );
}

#[test]
fn the_general_update_and_the_layer_path_agree_bit_for_bit() {
    let config = GdConfig {
        learning_rate: 0.3,
        iterations: 20,
        ..GdConfig::default()
    };
    let (a, _, plan_a) = train(conv_net(&[6], 1), config.clone(), Path::Layers);
    let (b, _, plan_b) = train(conv_net(&[6], 1), config, Path::General);
    assert_eq!((plan_a, plan_b), (Plan::Layers, Plan::General));
    assert_eq!(bits(&a), bits(&b));
    assert_ne!(bits(&a), bits(&conv_net::<f64>(&[6], 1)), "it trained");
}

#[test]
fn mini_batch_adam_with_l2_and_a_softmax_trains_a_conv_net_in_f32() {
    let (x, y) = pictures(60, 9);
    let y3 = Array2::from_shape_fn((3, 60), |(k, j)| {
        let class = if y[(0, j)] > 0.5 { 1 } else { 2 * (j % 2) };
        f32::from(u8::from(k == class))
    });
    let config = GdConfig {
        learning_rate: 0.01,
        epochs: Some(30),
        batch_size: Some(16),
        optimizer: OptimizerConfig::Adam(Default::default()),
        l2: 0.01,
        record_every: Some(1),
        ..GdConfig::default()
    };
    let x = x.mapv(|v| v as f32);
    let (net, h, _) = session(conv_net::<f32>(&[], 3), (&x, &y3), config, Path::Auto).unwrap();
    assert!(h.final_cost.is_finite() && h.final_cost < h.costs[0].1);
    let p = net.predict_proba(x.view());
    assert_eq!(p.dim(), (3, 60));
}

#[test]
fn predictions_do_not_depend_on_xs_layout_or_chunking() {
    let net = conv_net::<f64>(&[4], 1);
    let (x, _) = pictures(600, 2); // more than one prediction chunk
    let standard = x.as_standard_layout().into_owned();
    let p = net.predict_proba(x.view());
    assert_eq!(p, net.predict_proba(standard.view()));
    let one = net.predict_proba(x.slice(ndarray::s![.., 300..301]));
    assert_eq!(one[(0, 0)], p[(0, 300)]);
}

#[test]
fn picture_layers_that_cannot_run_are_refused_in_words() {
    let err = |sizes: &[usize], layers: &[PictureLayer]| {
        Network::<f64>::builder(sizes)
            .picture(PICTURE, layers)
            .build()
            .unwrap_err()
            .to_string()
    };
    assert!(err(&[70, 1], &layers()).contains("reads 70 inputs, but a picture of 6×6×2 has 72"));
    let big = PictureLayer::pool(Pooling::Max, 7, 1);
    assert!(
        err(&[72, 1], &[big]).contains("does not fit"),
        "{}",
        err(&[72, 1], &[big])
    );
    let relu = PictureLayer::activation(Activation::Relu);
    assert!(err(&[72, 1], &[relu]).contains("put a convolution first"));
    let none = PictureLayer::conv(0, 3, 1, 0);
    assert!(err(&[72, 1], &[none]).contains("at least 1 filter"));
    // L-BFGS does not step picture layers: refused before any work.
    let config = GdConfig {
        optimizer: OptimizerConfig::Lbfgs(LbfgsConfig::default()),
        ..GdConfig::default()
    };
    let (x, y) = pictures(10, 1);
    let e = session(conv_net(&[], 1), (&x, &y), config, Path::Auto).unwrap_err();
    assert!(
        e.to_string()
            .contains("L-BFGS does not train picture layers"),
        "{e}"
    );
}
