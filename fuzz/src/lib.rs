//! What the fuzz targets share: the readers take paths, so each input is
//! written to a file in a per-process scratch folder, under a small memory
//! budget (a header claiming gigabytes is refused, not allocated).

use std::path::{Path, PathBuf};
use std::sync::Once;

/// The budget every target runs under: 16 MB, far inside libFuzzer's
/// default 2 GB RSS limit, so an over-allocation shows as a crash. Small,
/// because an input may legitimately fill its whole budget: under 256 MB an
/// HDF5 file of a few KB declaring a chunked dataset of 16 M unwritten values
/// took 18 s to read, and such inputs held the `hdf5` target to ~500 runs/s.
pub const BUDGET: u64 = 16 << 20;

/// Separates the files of a target that reads two (IDX images + labels,
/// model.json + model.safetensors).
pub const SEPARATOR: &[u8] = b"\n--next-file--\n";

/// The scratch folder of this process (created, budget set, on first use).
pub fn scratch() -> PathBuf {
    static INIT: Once = Once::new();
    // In memory where there is /dev/shm: a file is written per execution.
    let shm = Path::new("/dev/shm");
    let base = if shm.is_dir() {
        shm.to_path_buf()
    } else {
        std::env::temp_dir()
    };
    let dir = base.join(format!("backprop-fuzz-{}", std::process::id()));
    INIT.call_once(|| {
        backprop::data::budget::set_max_memory(Some(BUDGET));
        std::fs::create_dir_all(&dir).expect("scratch folder");
    });
    dir
}

/// Writes `bytes` to `name` in the scratch folder and returns its path.
pub fn file(name: &str, bytes: &[u8]) -> PathBuf {
    let path = scratch().join(name);
    std::fs::write(&path, bytes).expect("scratch file");
    path
}

/// Splits an input at the first [`SEPARATOR`] (all of it is the first file if none).
pub fn split2(data: &[u8]) -> (&[u8], &[u8]) {
    match data.windows(SEPARATOR.len()).position(|w| w == SEPARATOR) {
        Some(i) => (&data[..i], &data[i + SEPARATOR.len()..]),
        None => (data, &[]),
    }
}

/// Loads `path` as a data set with the default options; errors are the
/// expected outcome of most inputs, only a panic or abort is a finding.
pub fn load(path: &Path) {
    let _ = backprop::data::load(path, &backprop::data::LoadOptions::default());
}
