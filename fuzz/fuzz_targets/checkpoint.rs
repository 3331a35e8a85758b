//! The checkpoint reader, as `--resume` uses it: the description
//! (`engine::checkpoint::read_info`), then, for layer sizes within the
//! budget, the tensors restored onto a network of those sizes.
#![no_main]

use backprop::engine::checkpoint;
use backprop::{Activation, GdConfig, Init, Network, NumpyRng, TrainConfig};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    backprop_fuzz::file(checkpoint::FILE, data);
    let dir = backprop_fuzz::scratch();
    let Ok(info) = checkpoint::read_info(&dir) else {
        return;
    };
    let gd = serde_json::from_value::<TrainConfig>(info.config.clone())
        .map(|c| c.model.gd)
        .unwrap_or_else(|_| GdConfig::default());
    if backprop::data::budget::check_network(&info.layer_sizes, 1, 8).is_err() {
        return;
    }
    let rng = &mut NumpyRng::new(1);
    if let Ok(mut net) = Network::<f64>::new(&info.layer_sizes, Activation::Relu, Init::Small, rng)
    {
        let _ = checkpoint::restore(&dir, &gd, &mut net);
    }
});
