//! One picture decoded and resized as a picture folder's files are
//! (`backprop::data::images::decode_rgb`, the format guessed from the bytes).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let path = backprop_fuzz::file("picture.png", data);
    let _ = backprop::data::images::decode_rgb(&path, 8);
});
