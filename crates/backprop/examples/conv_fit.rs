//! A conv net trained by the library alone, the Rust side of the Python
//! package's agreement test (python/tests/test_conv_classifier.py): the
//! builder's picture layers over the pictures in X, Adam on shuffled
//! mini-batches through `engine::fit`, then P(class) of every picture.
//!
//! Run: `conv_fit X.f64 y.i64 H W C LAYERS SEED EPOCHS BATCH RATE L2 OUT.f64`
//! - X.f64: N × H·W·C little-endian f64, one picture per row in h, w, c order;
//! - y.i64: N class numbers 0 … K−1 (little-endian i64), K ≥ 2;
//! - LAYERS: a layer list as `backprop train --layers` takes it;
//! - OUT.f64: N × P little-endian f64, P(class 1) for two classes, else P(each class).

use backprop::engine::fit;
use backprop::optim::{AdamConfig, OptimizerConfig};
use backprop::{GdConfig, Init, LayerList, Network, Picture};
use ndarray::Array2;

fn numbers<const N: usize, T>(path: &str, read: fn([u8; N]) -> T) -> Vec<T> {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    bytes
        .chunks_exact(N)
        .map(|c| read(c.try_into().expect("N bytes")))
        .collect()
}

fn arg<T: std::str::FromStr>(args: &[String], i: usize, what: &str) -> T {
    args.get(i)
        .and_then(|a| a.parse().ok())
        .unwrap_or_else(|| panic!("argument {i}: {what}"))
}

fn main() -> Result<(), backprop::Error> {
    let args: Vec<String> = std::env::args().collect();
    let labels: Vec<usize> = numbers(&args[2], i64::from_le_bytes)
        .into_iter()
        .map(|c| c as usize)
        .collect();
    let picture = Picture {
        height: arg(&args, 3, "H"),
        width: arg(&args, 4, "W"),
        channels: arg(&args, 5, "C"),
    };
    let list: LayerList = args[6].parse()?;
    let m = labels.len();
    // The notes' X (n_x × m): the transpose of the N × n_x rows, as a view.
    let x = Array2::from_shape_vec((m, picture.len()), numbers(&args[1], f64::from_le_bytes))
        .expect("X holds N × H·W·C numbers")
        .reversed_axes();
    let k = labels.iter().max().map_or(2, |&c| c + 1).max(2);
    let outputs = if k == 2 { 1 } else { k };
    let y = Array2::from_shape_fn((outputs, m), |(r, j)| {
        f64::from(u8::from(if k == 2 {
            labels[j] == 1
        } else {
            labels[j] == r
        }))
    });
    let mut sizes = vec![picture.len()];
    sizes.extend(&list.hidden);
    sizes.push(outputs);
    let seed = arg(&args, 7, "SEED");
    let mut net = Network::<f64>::builder(&sizes)
        .picture(picture, &list.picture)
        .activation(list.activation.unwrap_or(backprop::Activation::Relu))
        .init(Init::Xavier)
        .seed(seed)
        .build()?;
    let config = GdConfig {
        learning_rate: arg(&args, 10, "RATE"),
        epochs: Some(arg(&args, 8, "EPOCHS")),
        batch_size: Some(arg(&args, 9, "BATCH")),
        optimizer: OptimizerConfig::Adam(AdamConfig::default()),
        l2: arg(&args, 11, "L2"),
        seed,
        ..GdConfig::default()
    };
    fit(&mut net, x.view(), y.view(), &config, &mut |_| {})?;
    let p = net.predict_proba(x.view()).reversed_axes();
    let bytes: Vec<u8> = p.iter().flat_map(|v| v.to_le_bytes()).collect();
    std::fs::write(&args[12], bytes).unwrap_or_else(|e| panic!("{}: {e}", args[12]));
    Ok(())
}
