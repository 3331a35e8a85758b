//! MNIST's IDX reader: the input is the images file, the separator, the labels file.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let (images, labels) = backprop_fuzz::split2(data);
    backprop_fuzz::file("t-labels-idx1-ubyte", labels);
    backprop_fuzz::load(&backprop_fuzz::file("t-images-idx3-ubyte", images));
});
