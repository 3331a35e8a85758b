//! This core's float64 matmul ceiling on one thread: its fused multiply-add
//! peak, and the library's own product (`internals::gemm`, faer underneath) on
//! a large square product and on the two products of one mini-batch of `bench/sklearn.py`'s Adam epoch (50 inputs,
//! 100 hidden units, 200 examples a batch), in the layouts the network hands
//! them over and in the others, to see what a better layout could gain.
//!
//! `cargo run --release -p backprop --features internals --example matmul_ceiling [-- RUNS]`
//! prints, for each product, the median over RUNS runs (default 7) of each
//! run's best-of-repeats GFLOP/s, with the load average before and after.

use std::time::Instant;

use backprop::internals::gemm;
use backprop::Threads;
use ndarray::{Array2, ShapeBuilder};

fn load() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "?".into())
}

fn filled(rows: usize, cols: usize, column_major: bool, seed: u64) -> Array2<f64> {
    let mut s = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut next = move || {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        (s >> 11) as f64 / (1u64 << 53) as f64 - 0.5
    };
    let mut a = if column_major {
        Array2::zeros((rows, cols).f())
    } else {
        Array2::zeros((rows, cols))
    };
    a.iter_mut().for_each(|v| *v = next());
    a
}

/// Best-of-`reps` GFLOP/s of C ← A·B (A m×k, B k×n) in the given layouts.
fn rate(m: usize, k: usize, n: usize, layouts: (bool, bool, bool), reps: usize) -> f64 {
    let a = filled(m, k, layouts.0, 1);
    let b = filled(k, n, layouts.1, 2);
    let mut c = filled(m, n, layouts.2, 3);
    let flops = 2.0 * (m * k * n) as f64;
    // Enough calls a repeat to last ≈ 2 ms.
    let calls = ((2e-3 * 30e9 / flops) as usize).max(1);
    let mut best = f64::INFINITY;
    for _ in 0..reps {
        let t = Instant::now();
        for _ in 0..calls {
            gemm(1.0, a.view(), b.view(), false, c.view_mut(), Threads(1));
        }
        best = best.min(t.elapsed().as_secs_f64() / calls as f64);
    }
    std::hint::black_box(&c);
    flops / best / 1e9
}

/// The core's float64 arithmetic peak: GFLOP/s of independent 256-bit fused
/// multiply-adds (12 chains, no memory traffic), best of `reps`; 0 without AVX2+FMA.
fn fma_peak(reps: usize) -> f64 {
    #[cfg(target_arch = "x86_64")]
    {
        if is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma") {
            let mut best = f64::INFINITY;
            let iters = 2_000_000usize;
            for _ in 0..reps {
                let t = Instant::now();
                // SAFETY: the CPU has AVX2 and FMA (checked above).
                std::hint::black_box(unsafe { fma_chains(iters) });
                best = best.min(t.elapsed().as_secs_f64());
            }
            // 12 chains × 4 lanes × 2 flops an iteration.
            return (iters * 12 * 4 * 2) as f64 / best / 1e9;
        }
    }
    0.0
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn fma_chains(iters: usize) -> f64 {
    use std::arch::x86_64::*;
    let x = _mm256_set1_pd(0.999_999_9);
    let y = _mm256_set1_pd(1e-9);
    let mut acc = [_mm256_set1_pd(1.0); 12];
    for _ in 0..iters {
        for a in acc.iter_mut() {
            *a = _mm256_fmadd_pd(*a, x, y);
        }
    }
    let mut out = [0.0f64; 4];
    let mut s = acc[0];
    for a in &acc[1..] {
        s = _mm256_add_pd(s, *a);
    }
    _mm256_storeu_pd(out.as_mut_ptr(), s);
    out.iter().sum()
}

/// (label, m, k, n, whether A, B and C are column-major).
type Case = (String, usize, usize, usize, (bool, bool, bool));

/// One product, m×k · k×n, in each of `layouts`: (what the layout is, whether
/// A, B and C are column-major).
fn in_layouts(
    product: &str,
    (m, k, n): (usize, usize, usize),
    layouts: &[(&str, (bool, bool, bool))],
) -> Vec<Case> {
    layouts
        .iter()
        .map(|&(how, layout)| (format!("{product} ({how})"), m, k, n, layout))
        .collect()
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let runs: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(7);
    let (r, c) = (false, true); // row-major, column-major
    let cases = [
        in_layouts(
            "square 1024",
            (1024, 1024, 1024),
            &[
                ("all row-major", (r, r, r)),
                ("all column-major", (c, c, c)),
            ],
        ),
        in_layouts(
            "forward Z = W·X: 100×50 · 50×200",
            (100, 50, 200),
            &[
                ("W rows, X columns, Z rows: as trained", (r, c, r)),
                ("Z columns", (r, c, c)),
                ("all column-major", (c, c, c)),
            ],
        ),
        in_layouts(
            "dW = dZ·Xᵀ: 100×200 · 200×50",
            (100, 200, 50),
            &[
                ("dZ rows, Xᵀ rows, dW rows: as trained", (r, r, r)),
                ("dZ columns, Xᵀ rows, dW rows", (c, r, r)),
                ("all column-major", (c, c, c)),
            ],
        ),
    ]
    .concat();
    println!("load before: {}", load());
    let mut all = vec![Vec::new(); cases.len()];
    let mut peaks = Vec::new();
    for _ in 0..runs {
        peaks.push(fma_peak(5));
        for (i, &(_, m, k, n, lay)) in cases.iter().enumerate() {
            all[i].push(rate(m, k, n, lay, 9));
        }
    }
    println!("load after: {}", load());
    println!("float64, 1 thread, GFLOP/s: median over {runs} runs of each run's best of 9");
    println!(
        "{:6.1}  the core's FMA peak (12 independent 256-bit FMA chains, no memory)",
        median(peaks)
    );
    for ((label, ..), v) in cases.iter().zip(all) {
        let (lo, hi) = (
            v.iter().copied().fold(f64::INFINITY, f64::min),
            v.iter().copied().fold(0.0, f64::max),
        );
        println!("{:6.1}  ({lo:.1}–{hi:.1})  {label}", median(v));
    }
}
