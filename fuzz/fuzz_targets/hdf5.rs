//! The hdf5 reader (`backprop::data::load` on a `.h5` file).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    backprop_fuzz::load(&backprop_fuzz::file("input.h5", data));
});
