//! The csv reader (`backprop::data::load` on a `.csv` file).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    backprop_fuzz::load(&backprop_fuzz::file("input.csv", data));
});
