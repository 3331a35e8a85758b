//! The model folder reader (`backprop::model_io::load`): the input is
//! model.json, the separator, model.safetensors. A model that loads is also
//! asked for predictions, as `predict` would.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let (json, weights) = backprop_fuzz::split2(data);
    backprop_fuzz::file("model.json", json);
    backprop_fuzz::file("model.safetensors", weights);
    if let Ok((_, net)) = backprop::model_io::load(&backprop_fuzz::scratch()) {
        let n_x = net.sizes()[0];
        let x = ndarray::Array2::<f64>::zeros((n_x, 2));
        let _ = net.predict_proba(&x);
    }
});
