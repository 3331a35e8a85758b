//! The address space a thread that runs matrix products takes. faer's x86
//! kernels reserve twice the CPU's reported L3 cache per thread as packing
//! space; a VM reporting a 480 MiB L3 made that 960 MiB a training thread,
//! and the fourth live playground run aborted the server under `ulimit -v 4G`.
//! The vendored kernels (vendor/private-gemm-x86/README.backprop.md) cap the
//! figure at 32 MiB, so a thread costs at most 2 × 32 MiB of packing space,
//! glibc's 64 MiB arena, its stack and its arrays. One test in its own binary:
//! `VmSize` is the whole process's.

use backprop::{Activation, Init, Network, NumpyRng, Threads};
use ndarray::Array2;
use std::sync::mpsc;

/// The process's address space in KiB (Linux's /proc/self/status).
fn vm_size_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmSize:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Packing space (2 × the 32 MiB cap) + glibc's per-thread arena (64 MiB) +
/// stack and arrays (a few MiB) + slack.
const LIMIT_MIB: u64 = 2 * 32 + 64 + 32;

#[test]
fn a_thread_that_runs_products_reserves_a_bounded_address_space() {
    let Some(before) = vm_size_kib() else {
        eprintln!("skipped: no /proc/self/status (not Linux)");
        return;
    };
    let (report, reported) = mpsc::channel();
    let (release, released) = mpsc::channel::<()>();
    let worker = std::thread::spawn(move || {
        // 512 × 512 by 512 × 512: far past the small-product loops, so faer's
        // kernels run (on this thread: one thread).
        let mut net: Network<f64> = Network::new(
            &[512, 512, 1],
            Activation::Relu,
            Init::Xavier,
            &mut NumpyRng::new(1),
        )
        .unwrap();
        net.set_threads(Threads(1));
        let x = Array2::from_elem((512, 512), 0.5);
        let p = net.predict_proba(x.view());
        report.send((vm_size_kib(), p.sum())).unwrap();
        released.recv().ok();
    });
    let (during, sum) = reported.recv().unwrap();
    release.send(()).unwrap();
    worker.join().unwrap();
    assert!(sum.is_finite());
    let grown_mib = during.unwrap().saturating_sub(before) / 1024;
    eprintln!("a product thread grew VmSize by {grown_mib} MiB (limit {LIMIT_MIB} MiB)");
    assert!(
        grown_mib <= LIMIT_MIB,
        "a thread running products took {grown_mib} MiB of address space (limit {LIMIT_MIB})"
    );
}
