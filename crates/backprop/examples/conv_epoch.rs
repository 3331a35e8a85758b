//! One epoch of a small conv net, for `bench/conv.py` (which trains the same
//! net in PyTorch): conv 8×3×3 pad 1 → relu → max pool 2 → conv 16×3×3 pad 1
//! → relu → max pool 2 → dense 64 relu → softmax, plain gradient descent,
//! mini-batches taken in order (no shuffle).
//!
//! `conv_epoch DIR f32|f64 THREADS LEARNING_RATE BATCH` reads DIR's files
//! (written by `bench/conv.py`, raw little-endian f64): `shape.txt` (m, n_H,
//! n_W, n_C, classes), `x.bin` (m × n_H × n_W × n_C), `labels.bin`, and the
//! initial parameters `w1.bin b1.bin w2.bin b2.bin w3.bin b3.bin w4.bin
//! b4.bin` (filters f × f × n_C_prev × n_C, dense W as n_l × n_{l-1}). Prints
//! one line of JSON: the epoch's seconds (the training loop alone), its mean
//! mini-batch cost and the cost on all m pictures after it.

use std::path::Path;
use std::time::Instant;

use backprop::engine::{Controls, Session, Start, TrainingData};
use backprop::{Activation, ConvStack, Float, GdConfig, LayerList, Network, Picture, Threads};
use ndarray::{Array2, Array4};

fn read(dir: &Path, name: &str) -> Vec<f64> {
    let bytes = std::fs::read(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    bytes
        .chunks_exact(8)
        .map(|b| f64::from_le_bytes(b.try_into().unwrap()))
        .collect()
}

fn filters<T: Float>(dir: &Path, name: &str, shape: (usize, usize, usize, usize)) -> Array4<T> {
    Array4::from_shape_vec(shape, read(dir, name))
        .expect("filter shape")
        .mapv(T::cast)
}

fn matrix<T: Float>(dir: &Path, name: &str, shape: (usize, usize)) -> Array2<T> {
    Array2::from_shape_vec(shape, read(dir, name))
        .expect("matrix shape")
        .mapv(T::cast)
}

/// The net, as the CLI's `--layers` spells it.
const LAYERS: &str = "conv8x3x3s1p1,relu,maxpool2,conv16x3x3s1p1,relu,maxpool2,dense64,relu";

/// The net with the files' parameters.
fn network<T: Float>(dir: &Path, p: Picture, classes: usize) -> Network<T> {
    let c = p.channels;
    let convs = vec![
        (
            filters(dir, "w1.bin", (3, 3, c, 8)),
            filters(dir, "b1.bin", (1, 1, 1, 8)),
        ),
        (
            filters(dir, "w2.bin", (3, 3, 8, 16)),
            filters(dir, "b2.bin", (1, 1, 1, 16)),
        ),
    ];
    let list: LayerList = LAYERS.parse().expect("the layer list");
    let front = ConvStack::from_parameters(p, &list.picture, convs).expect("the stack");
    let flat = front.outputs();
    let dense = vec![
        (
            matrix(dir, "w3.bin", (64, flat)),
            matrix(dir, "b3.bin", (64, 1)),
        ),
        (
            matrix(dir, "w4.bin", (classes, 64)),
            matrix(dir, "b4.bin", (classes, 1)),
        ),
    ];
    Network::from_parameters(dense, Activation::Relu)
        .and_then(|n| n.with_front(front))
        .expect("the network")
}

fn run<T: Float>(dir: &Path, threads: usize, lr: f64, batch: usize) {
    let shape: Vec<usize> = std::fs::read_to_string(dir.join("shape.txt"))
        .expect("shape.txt")
        .split_whitespace()
        .map(|s| s.parse().expect("a number"))
        .collect();
    let [m, h, w, c, classes] = shape[..] else {
        panic!("shape.txt: m n_H n_W n_C classes")
    };
    let picture = Picture {
        height: h,
        width: w,
        channels: c,
    };
    // X is n_x × m with each picture a contiguous column (h, w, c order).
    let x: Array2<T> = matrix::<T>(dir, "x.bin", (m, h * w * c)).reversed_axes();
    let mut y = Array2::<T>::zeros((classes, m));
    for (j, &l) in read(dir, "labels.bin").iter().enumerate() {
        y[[l as usize, j]] = T::one();
    }
    let mut net = network::<T>(dir, picture, classes);
    net.set_threads(Threads(threads));
    let config = GdConfig {
        learning_rate: lr,
        batch_size: Some(batch),
        epochs: Some(1),
        shuffle: false,
        record_every: Some(1),
        ..GdConfig::default()
    };
    let data = TrainingData::new(x.view(), y.view());
    let mut s = Session::start(net, data, config, Start::default()).expect("a session");
    let t = Instant::now();
    s.run(&mut Controls::default()).expect("the epoch");
    let seconds = t.elapsed().as_secs_f64();
    let epoch_cost = s.history().costs.last().map_or(f64::NAN, |c| c.1);
    let net = s.finish().0;
    let cost = net.cost_on(x.view(), y.view());
    println!(
        "{{\"seconds\": {seconds}, \"epoch_cost\": {epoch_cost}, \"cost\": {cost}, \"precision\": \"{}\", \"threads\": {threads}}}",
        T::NAME
    );
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [dir, precision, threads, lr, batch] = &args[..] else {
        eprintln!("usage: conv_epoch DIR f32|f64 THREADS LEARNING_RATE BATCH");
        std::process::exit(2);
    };
    let dir = Path::new(dir);
    let threads = threads.parse().expect("THREADS");
    let lr = lr.parse().expect("LEARNING_RATE");
    let batch = batch.parse().expect("BATCH");
    match precision.as_str() {
        "f32" => run::<f32>(dir, threads, lr, batch),
        _ => run::<f64>(dir, threads, lr, batch),
    }
}
