//! A network with picture layers in a model folder: model.json names the
//! picture and its layers, model.safetensors holds each convolution's W and
//! b in the course's shapes beside the dense tensors, and `load` rebuilds
//! the same network, whose predictions are the saved one's bit for bit (f32
//! and f64). A model.json whose picture fields disagree with the tensors or
//! cannot run is refused naming the file and the field, before any weight is
//! read or buffer sized. A checkpoint of a picture network restores only
//! onto the same picture layers (resume itself: `resume_paths.rs`).

mod common;

use std::path::{Path, PathBuf};

use backprop::engine::{checkpoint, Controls, Session, Start, TrainState, TrainingData};
use backprop::model_io::{self, INFO_FILE, WEIGHTS_FILE};
use backprop::optim::OptimizerConfig;
use backprop::{AnyNetwork, Float, GdConfig, Network, PictureLayer, Pooling};
use common::conv::{self, bits, pictures, preprocessing, PICTURE};
use serde_json::{json, Value};

fn temp_dir(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("backprop-convfiles-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The test network trained a few Adam steps, so that every b has moved from 0.
fn trained<T: Float>(outputs: usize) -> Network<T> {
    let (x, y) = pictures::<T>(24, outputs, 3);
    let config = GdConfig {
        learning_rate: 0.01,
        iterations: 5,
        optimizer: OptimizerConfig::Adam(Default::default()),
        ..GdConfig::default()
    };
    let data = TrainingData::new(x.view(), y.view());
    let mut s = Session::start(
        conv::net::<T>(&[3], outputs),
        data,
        config,
        Start::default(),
    )
    .unwrap();
    s.run(&mut Controls::default()).unwrap();
    s.finish().0
}

fn classes(outputs: usize) -> Vec<String> {
    (0..outputs.max(2)).map(|k| format!("c{k}")).collect()
}

fn round_trip<T: Float>(name: &str, outputs: usize, pick: fn(AnyNetwork) -> Option<Network<T>>) {
    let net = trained::<T>(outputs);
    let zero: Vec<usize> = (0..bits(&net).len())
        .filter(|&i| bits(&net)[i] == 0)
        .collect();
    assert!(
        zero.is_empty(),
        "{name}: trained, {zero:?} of {}",
        bits(&net).len()
    );
    let dir = temp_dir(name);
    model_io::save(&dir, &net, &classes(outputs), &preprocessing()).unwrap();
    let (info, back) = model_io::load(&dir).unwrap();
    assert_eq!(info.precision, T::NAME);
    let back = pick(back).expect("the saved precision");
    assert_eq!(bits(&back), bits(&net), "{name}: every parameter");
    let (front, saved) = (back.front().unwrap(), net.front().unwrap());
    assert_eq!(
        (front.picture(), front.spec()),
        (saved.picture(), saved.spec())
    );
    assert_eq!(back.sizes(), net.sizes());
    let (x, _) = pictures::<T>(40, outputs, 11);
    let p = |n: &Network<T>| n.predict_proba(x.view()).mapv(|v| v.as_f64().to_bits());
    assert_eq!(p(&back), p(&net), "{name}: predictions bit for bit");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_conv_net_saved_and_loaded_predicts_bit_for_bit_in_f32_and_f64() {
    round_trip::<f64>("f64", 1, |n| match n {
        AnyNetwork::F64(n) => Some(n),
        _ => None,
    });
    round_trip::<f32>("f32", 3, |n| match n {
        AnyNetwork::F32(n) => Some(n),
        _ => None,
    });
}

#[test]
fn model_json_names_the_picture_and_its_layers_and_the_filters_have_the_courses_shapes() {
    let net = trained::<f64>(1);
    let dir = temp_dir("layout");
    model_io::save(&dir, &net, &classes(1), &preprocessing()).unwrap();
    let info: Value = serde_json::from_slice(&std::fs::read(dir.join(INFO_FILE)).unwrap()).unwrap();
    assert_eq!(
        info["picture"],
        json!({"height": 5, "width": 5, "channels": 3})
    );
    assert_eq!(
        info["picture_layers"],
        json!([
            {"kind": "conv", "filters": 4, "f": 3, "stride": 1, "pad": 1},
            {"kind": "activation", "g": {"name": "leaky-relu", "slope": 0.05}},
            {"kind": "pool", "mode": "average", "f": 2, "stride": 1},
            {"kind": "conv", "filters": 2, "f": 2, "stride": 2, "pad": 0},
            {"kind": "pool", "mode": "max", "f": 2, "stride": 2}
        ])
    );
    assert_eq!(info["layer_sizes"], json!([75, 3, 1]));
    let bytes = std::fs::read(dir.join(WEIGHTS_FILE)).unwrap();
    let st = safetensors::SafeTensors::deserialize(&bytes).unwrap();
    let mut names = st.names();
    names.sort();
    assert_eq!(
        names,
        ["W1", "W2", "b1", "b2", "conv1.W", "conv1.b", "conv2.W", "conv2.b"]
    );
    let shape = |n: &str| st.tensor(n).unwrap().shape().to_vec();
    assert_eq!(shape("conv1.W"), [3, 3, 3, 4]);
    assert_eq!(shape("conv1.b"), [1, 1, 1, 4]);
    assert_eq!(shape("conv2.W"), [2, 2, 4, 2]);
    assert_eq!(shape("W1"), [3, 2], "W1 reads the flattened 1×1×2 volume");
    // Row-major, as numpy reads it: W[p, q, k, c] at ((p·f + q)·n_C_prev + k)·n_C + c.
    let w2 = &net.front().unwrap().convs().nth(1).unwrap().w;
    let data = st.tensor("conv2.W").unwrap().data().to_vec();
    let at = |i: usize| f64::from_le_bytes(data[8 * i..8 * i + 8].try_into().unwrap());
    for ((p, q, k, c), &w) in w2.indexed_iter() {
        assert_eq!(at(((p * 2 + q) * 4 + k) * 2 + c).to_bits(), w.to_bits());
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_dense_model_json_has_no_picture_fields() {
    let net = Network::<f64>::builder(&[4, 3, 1]).seed(1).build().unwrap();
    let dir = temp_dir("dense");
    let pre = backprop::data::Preprocessing {
        input: "array".into(),
        scale: 1.0,
        example_shape: vec![4],
        ..Default::default()
    };
    model_io::save(&dir, &net, &classes(1), &pre).unwrap();
    let info: Value = serde_json::from_slice(&std::fs::read(dir.join(INFO_FILE)).unwrap()).unwrap();
    assert!(info.get("picture").is_none() && info.get("picture_layers").is_none());
    assert!(
        model_io::load(&dir)
            .unwrap()
            .1
            .predict_proba(&ndarray::Array2::zeros((4, 1)))
            .len()
            == 1
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Loads the folder after `edit` changed its model.json: the error's text.
fn refused(dir: &Path, good: &Value, edit: &dyn Fn(&mut Value)) -> String {
    let mut info = good.clone();
    edit(&mut info);
    std::fs::write(dir.join(INFO_FILE), serde_json::to_vec(&info).unwrap()).unwrap();
    match model_io::load(dir) {
        Ok(_) => panic!("loaded: {info}"),
        Err(e) => e.to_string(),
    }
}

/// Edits of model.json (a JSON pointer, its new value) and what the refusal
/// says: `s` for model.safetensors, `j` for model.json, then the words.
const DAMAGE: &str = "\
/picture_layers/0/filters | 5 | s | conv1.W has shape [3, 3, 3, 4], model.json implies [3, 3, 3, 5]
/picture_layers/3/f | 1 | s | conv2.W has shape [2, 2, 4, 2], model.json implies [1, 1, 4, 2]
/picture_layers | [] | j | picture is 5×5×3 but picture_layers is empty
/picture | null | j | picture_layers lists 5 layer(s) but there is no picture
/picture/height | 1000000000000000 | j | picture.height is 1000000000000000; it must be 1 to
/picture/height | 6 | j | picture is 6×5×3, which does not make the layer_sizes[0] = 75 inputs
/picture/channels | 0 | j | picture.channels is 0
/picture_layers/1/g/slope | 5.0 | j | picture_layers[1].g.slope is 5
/picture_layers/2/f | 9 | j | picture layer 3 (over 5×5×4): a 9×9 window does not fit
/picture_layers/0/stride | 0 | j | a 3×3 window with stride 0 cannot slide
/picture_layers/0/filters | 0 | j | at least 1 filter
/picture_layers/0/pad | 1099511627776 | j | picture_layers[0].pad is 1099511627776; it must be at most
/picture_layers/0/pad | 16777216 | j | one picture of 5×5×3 through picture_layers would take
/picture_layers/0/kind | \"deconv\" | j | unknown variant `deconv`
/picture_layers/1/g | {\"name\": \"softmax\"} | j | softmax is an output
/preprocessing/example_shape | [3, 5, 5] | j | would be read in another order";

#[test]
fn picture_fields_that_disagree_or_cannot_run_are_refused_naming_the_file_and_field() {
    let dir = temp_dir("damaged");
    model_io::save(&dir, &trained::<f64>(1), &classes(1), &preprocessing()).unwrap();
    let good: Value = serde_json::from_slice(&std::fs::read(dir.join(INFO_FILE)).unwrap()).unwrap();
    for line in DAMAGE.lines() {
        let [at, value, file, needle] = line.splitn(4, " | ").collect::<Vec<_>>()[..] else {
            panic!("{line}");
        };
        let value: Value = serde_json::from_str(value).unwrap();
        let e = refused(&dir, &good, &|info| {
            *info.pointer_mut(at).unwrap() = value.clone()
        });
        let file = if file == "s" { WEIGHTS_FILE } else { INFO_FILE };
        assert!(e.contains(file) && e.contains(needle), "{line}: {e}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_checkpoint_restores_only_onto_the_same_picture_layers() {
    let dir = temp_dir("checkpoint");
    let config = GdConfig::default();
    let net = trained::<f64>(1);
    let state = TrainState::new(&config);
    let null = Value::Null;
    checkpoint::save(&dir, &null, &null, &net, &state).unwrap();
    let mut same = conv::net::<f64>(&[3], 1);
    checkpoint::restore(&dir, &config, &mut same).unwrap();
    assert_eq!(bits(&same), bits(&net));
    let mut other_layers = conv::layers();
    other_layers[4] = PictureLayer::pool(Pooling::Average, 2, 2);
    let other = Network::<f64>::builder(&[75, 3, 1])
        .picture(PICTURE, &other_layers)
        .build()
        .unwrap();
    let dense = Network::<f64>::builder(&[75, 3, 1]).build().unwrap();
    for (mut net, gives) in [
        (other, "the model gives pictures of 5×5×3"),
        (dense, "the model gives no picture layers"),
    ] {
        let e = checkpoint::restore(&dir, &config, &mut net)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains(checkpoint::FILE)
                && e.contains("has pictures of 5×5×3 through picture layers")
                && e.contains(gives),
            "{e}"
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
