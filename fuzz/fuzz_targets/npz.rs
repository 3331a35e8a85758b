//! The npz reader (`backprop::data::load` on a `.npz` file).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    backprop_fuzz::load(&backprop_fuzz::file("input.npz", data));
});
