//! The npy reader (`backprop::data::load` on `x.npy`, with `y.npy` beside it):
//! the input is x.npy, the separator, y.npy.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let (x, y) = backprop_fuzz::split2(data);
    backprop_fuzz::file("y.npy", y);
    backprop_fuzz::load(&backprop_fuzz::file("x.npy", x));
});
