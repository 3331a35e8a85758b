//! A prediction over many examples goes through the network in chunks of
//! `PREDICT_CHUNK / 2` to `PREDICT_CHUNK` columns (so a 10⁶-row table's
//! activations never take gigabytes): each example's logits are the bits it
//! gets in any batch that large, so the chunked answer is the one-pass
//! answer. (A batch of a few columns takes the small-product loops, whose
//! sums differ in the last bits: no chunk is that small.)

use backprop::{Activation, Float, Init, Network, NumpyRng, Threads, PREDICT_CHUNK};
use ndarray::{s, Array2, ShapeBuilder};

fn same_bits_in_any_batch<T: Float>(threads: usize) {
    let mut rng = NumpyRng::new(3);
    let mut net: Network<T> =
        Network::new(&[20, 64, 7, 3], Activation::Relu, Init::He, &mut rng).unwrap();
    net.set_threads(Threads(threads));
    let m = 3 * PREDICT_CHUNK + 7;
    // X as the data readers give it: n_x × m, each example contiguous.
    let values: Vec<T> = rng.randn_vec(20 * m).into_iter().map(T::cast).collect();
    let x = Array2::from_shape_vec((20, m).f(), values).unwrap();
    let whole = net.output_logits(x.view());
    assert_eq!(whole.dim(), (3, m));
    // Batches that straddle the chunks' borders, each from half a chunk to one.
    let mut start = 0;
    for width in [
        PREDICT_CHUNK / 2,
        PREDICT_CHUNK - 1,
        PREDICT_CHUNK / 2 + 999,
        PREDICT_CHUNK,
    ]
    .into_iter()
    .cycle()
    {
        if start >= m {
            break;
        }
        let end = (start + width).min(m);
        let part = net.output_logits(x.slice(s![.., start..end]));
        let bits = |a: &[T]| a.iter().map(|v| v.as_f64().to_bits()).collect::<Vec<_>>();
        let want: Vec<T> = whole.slice(s![.., start..end]).iter().copied().collect();
        let got: Vec<T> = part.iter().copied().collect();
        assert_eq!(
            bits(&got),
            bits(&want),
            "columns {start}..{end}, {threads} thread(s)"
        );
        start = end;
    }
}

#[test]
fn chunked_logits_are_the_one_pass_logits_f32() {
    same_bits_in_any_batch::<f32>(1);
    same_bits_in_any_batch::<f32>(2);
}

#[test]
fn chunked_logits_are_the_one_pass_logits_f64() {
    same_bits_in_any_batch::<f64>(1);
    same_bits_in_any_batch::<f64>(2);
}
