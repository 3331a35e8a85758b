//! One picture decoded and resized as a picture folder's files are
//! (`backprop::data::images::decode_rgb`, the format guessed from the bytes).
//!
//! Pictures whose header declares more than [`MAX_PIXELS`] are skipped: a few
//! hundred bytes can declare a 16 384-pixel side, which decodes and resizes
//! legitimately (within the reader's limits) for up to a second, and such
//! inputs held the target to ~450 runs/s. The limits on large pictures are
//! the bad-input corpus's cases.
#![no_main]

use std::io::Cursor;

/// 1024 × 1024: ample for every decoder's code paths.
const MAX_PIXELS: u64 = 1 << 20;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let declared = image::ImageReader::new(Cursor::new(data))
        .with_guessed_format()
        .ok()
        .and_then(|r| r.into_dimensions().ok());
    if declared.is_some_and(|(w, h)| u64::from(w) * u64::from(h) > MAX_PIXELS) {
        return;
    }
    let path = backprop_fuzz::file("picture.png", data);
    let _ = backprop::data::images::decode_rgb(&path, 8);
});
