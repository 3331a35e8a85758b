//! Gradient checking of mixed networks through the engine's own forward and
//! backward passes: conv → relu → max pool → conv → average pool → flatten →
//! dense → sigmoid or softmax, every parameter (the filters included) against
//! central differences, relative difference < 1e-7 in f64.

use backprop::gradcheck::{check, check_with_l2, random_targets, EPSILON, THRESHOLD};
use backprop::{Activation, Gaussian, Init, LayerList, Network, NumpyRng, Picture};
use ndarray::Array2;

const PICTURE: Picture = Picture {
    height: 7,
    width: 7,
    channels: 2,
};

fn mixed(hidden: &[usize], out: usize, seed: u32) -> Network<f64> {
    let layers = "conv3x3x3p1,relu,maxpool2,conv4x2x2p1,tanh,avgpool2"
        .parse::<LayerList>()
        .unwrap()
        .picture;
    let mut sizes = vec![PICTURE.len()];
    sizes.extend(hidden);
    sizes.push(out);
    let mut net = Network::<f64>::builder(&sizes)
        .picture(PICTURE, &layers)
        .activation(Activation::Relu)
        .init(Init::Xavier)
        .seed(seed)
        .build()
        .unwrap();
    // Biases away from 0, so no ReLU sits on its kink.
    let mut rng = NumpyRng::new(seed + 100);
    for layer in net.layers_mut() {
        layer.b.mapv_inplace(|_| 0.5 * rng.randn());
    }
    for c in net.front_mut().unwrap().convs_mut() {
        c.b.mapv_inplace(|_| 0.5 * rng.randn());
    }
    net
}

fn inputs(m: usize, seed: u32) -> Array2<f64> {
    let mut rng = NumpyRng::new(seed);
    Array2::from_shape_fn((PICTURE.len(), m), |_| rng.randn())
}

#[test]
fn a_mixed_net_with_a_sigmoid_output_passes_the_check() {
    let mut net = mixed(&[5], 1, 1);
    let (x, y) = (inputs(6, 2), random_targets(2, 6, 3));
    let report = check(&mut net, x.view(), y.view(), EPSILON).unwrap();
    let names: Vec<&str> = report.tensors.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(
        names,
        ["W1", "b1", "W2", "b2", "conv1.W", "conv1.b", "conv2.W", "conv2.b"]
    );
    assert_eq!(report.tensors[4].count, 3 * 3 * 2 * 3);
    assert!(report.passed(), "overall {:e}", report.overall);
}

#[test]
fn a_mixed_net_with_a_softmax_output_and_l2_passes_the_check() {
    let mut net = mixed(&[], 4, 4);
    let (x, y) = (inputs(5, 5), random_targets(4, 5, 6));
    let report = check_with_l2(&mut net, x.view(), y.view(), EPSILON, 0.3).unwrap();
    assert!(report.overall < THRESHOLD, "overall {:e}", report.overall);
}

#[test]
fn each_filter_tensor_passes_on_its_own() {
    // The verdict is the overall number; each convolution's W and b are also
    // checked alone here, so a wrong filter gradient cannot hide among the dense ones.
    let mut net = mixed(&[4, 3], 1, 7);
    let (x, y) = (inputs(6, 8), random_targets(2, 6, 9));
    let report = check(&mut net, x.view(), y.view(), EPSILON).unwrap();
    let convs: Vec<_> = report
        .tensors
        .iter()
        .filter(|t| t.name.starts_with("conv"))
        .collect();
    assert_eq!(convs.len(), 4);
    for t in convs {
        assert!(
            t.relative_difference < THRESHOLD,
            "{}: {:e}",
            t.name,
            t.relative_difference
        );
    }
}
