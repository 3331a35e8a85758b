//! One timed run of a benchmark workload, printed as one JSON line; `bench/run.sh`
//! runs these beside the numpy reference scripts and prints the table.
//!
//! ```text
//! bench_workloads cat --layers 12288,20,7,5,1 --init xavier --lr 0.0075 --iters 2500 \
//!                     [--precision f64] [--threads N] [--path auto|layers|gram] [--cat-dir DIR]
//! bench_workloads flower [--iters 10000] [--precision f64] [--threads N] [--path …]
//! bench_workloads scalar-toy [--reps 7]                 # W5: the notes' loop vs the network, 5 points
//! bench_workloads scalar-large [--m 100000] [--n 100] [--iters 100] [--threads N]
//! bench_workloads scaling --m 20900 [--iters 5] [--precision f64] [--threads N] [--path layers]
//! bench_workloads peak [--n 2048] [--precision f64] [--threads N]   # square matmul GFLOP/s
//! bench_workloads products --net 784,256,128,1 --m 256 [--precision f32] [--threads N]
//!                                   # each product of one iteration, in the network's layouts, GFLOP/s
//! bench_workloads w6 [--data w6.npz | --m 60000] [--batch 256] [--threads N]  # 784-256-128-1, f32, 1 epoch of SGD
//! bench_workloads planner [--reps 3] [--threads N]   # each configuration on every road that computes its numbers
//! ```
//! Times are the training loop only (`History::train_seconds`), as the numpy
//! scripts time theirs: the run's set-up (the plan; on the Gram path forming
//! XᵀX and P₀) and its finish (W\[1\] written back) are outside it. `cat` and
//! `flower` also give `fit_seconds`, the whole fit with those, as a caller of
//! the library (the Python door's `fit`) pays it.

use std::path::PathBuf;
use std::time::Instant;

use backprop::data::{self, planar, LoadOptions};
use backprop::engine::{fit_with, Extras, Path, Plan, TrainState, Trainer};
use backprop::internals::gemm;
use backprop::metrics::accuracy;
use backprop::train::History;
use backprop::{
    scalar, Activation, Float, Gaussian, GdConfig, Init, Network, NumpyRng, ParameterId, Threads,
};
use ndarray::{Array2, ArrayView2, ShapeBuilder};
use serde_json::{json, Value};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(cmd) = args.first() else {
        eprintln!(
            "usage: bench_workloads cat|flower|scalar-toy|scalar-large|scaling|w6|peak [options]"
        );
        std::process::exit(2);
    };
    let opts = Opts(args[1..].to_vec());
    let f64_wanted = opts.get("--precision").unwrap_or("f64") == "f64";
    let out = match (cmd.as_str(), f64_wanted) {
        ("cat", true) => cat::<f64>(&opts),
        ("cat", false) => cat::<f32>(&opts),
        ("flower", true) => flower::<f64>(&opts),
        ("flower", false) => flower::<f32>(&opts),
        ("scalar-toy", _) => scalar_toy(&opts),
        ("scalar-large", _) => scalar_large(&opts),
        ("scaling", true) => scaling::<f64>(&opts),
        ("scaling", false) => scaling::<f32>(&opts),
        ("w6", _) => w6(&opts),
        ("planner", _) => planner(&opts),
        ("products", true) => products::<f64>(&opts),
        ("products", false) => products::<f32>(&opts),
        ("peak", true) => peak::<f64>(&opts),
        ("peak", false) => peak::<f32>(&opts),
        (other, _) => {
            eprintln!("unknown workload '{other}'");
            std::process::exit(2);
        }
    };
    println!("{out}");
}

/// `--name value` pairs.
struct Opts(Vec<String>);

impl Opts {
    fn get(&self, name: &str) -> Option<&str> {
        let i = self.0.iter().position(|a| a == name)?;
        self.0.get(i + 1).map(String::as_str)
    }

    fn num<N: std::str::FromStr>(&self, name: &str, default: N) -> N {
        match self.get(name) {
            Some(v) => v.parse().unwrap_or_else(|_| {
                eprintln!("{name}: '{v}' is not a number");
                std::process::exit(2)
            }),
            None => default,
        }
    }

    fn threads(&self) -> usize {
        self.num("--threads", Threads::all().0)
    }

    fn path(&self) -> Path {
        match self.get("--path").unwrap_or("auto") {
            "auto" => Path::Auto,
            "layers" => Path::Layers,
            "gram" => Path::Gram,
            other => {
                eprintln!("--path: unknown '{other}' (auto, layers, gram)");
                std::process::exit(2)
            }
        }
    }
}

/// 2·m·n·k of each product of one iteration, as `dnn.py`'s
/// `matmul_flops_per_iter(…, include_dA0=False)`: forward, dW, and dA of every layer but the first.
fn direct_flops(sizes: &[usize], m: usize) -> f64 {
    let per = |l: usize| 2.0 * (sizes[l] * sizes[l - 1] * m) as f64;
    let fwd: f64 = (1..sizes.len()).map(per).sum();
    let da: f64 = (2..sizes.len()).map(per).sum();
    2.0 * fwd + da
}

/// The flops the Gram path performs: once 2·m²·n_x (XᵀX) + 2·n₁·n_x·m (W₀·X) +
/// 4·n₁·n_x·m (W\[1\] and dW\[1\] at the end); each iteration 2·n₁·m² and the
/// products of layers 2…L.
fn gram_flops(sizes: &[usize], m: usize, iters: usize) -> f64 {
    let (n_x, n1, m_f) = (sizes[0] as f64, sizes[1] as f64, m as f64);
    let once = 2.0 * m_f * m_f * n_x + 6.0 * n1 * n_x * m_f;
    let first = 2.0 * n1 * n_x * m_f;
    let above = direct_flops(sizes, m) - 2.0 * first;
    once + iters as f64 * (2.0 * n1 * m_f * m_f + above)
}

/// `fit_with` without a test set, stop flag or observer; a diverging run ends the bench.
fn run_fit<T: Float>(
    net: &mut Network<T>,
    x: &Array2<T>,
    y: &Array2<T>,
    config: &GdConfig,
    path: Path,
) -> History {
    fit_with(
        net,
        x.view(),
        y.view(),
        None,
        config,
        path,
        None,
        &mut |_| {},
    )
    .expect("training diverged")
}

struct Trained<T: Float> {
    net: Network<T>,
    seconds: f64,
    /// The whole fit: set-up, loop and finish.
    fit_seconds: f64,
    costs: Vec<(usize, f64)>,
    final_cost: f64,
}

#[allow(clippy::too_many_arguments)]
fn train<T: Float>(
    x: &Array2<T>,
    y: &Array2<T>,
    sizes: &[usize],
    g: Activation,
    init: Init,
    seed: u32,
    lr: f64,
    iters: usize,
    opts: &Opts,
) -> Trained<T> {
    let mut net = Network::<T>::new(sizes, g, init, &mut NumpyRng::new(seed)).expect("valid sizes");
    net.set_threads(Threads(opts.threads().max(1)));
    let config = GdConfig {
        learning_rate: lr,
        iterations: iters,
        record_every: Some(100),
        ..GdConfig::default()
    };
    let started = Instant::now();
    let h = run_fit(&mut net, x, y, &config, opts.path());
    Trained {
        net,
        fit_seconds: started.elapsed().as_secs_f64(),
        seconds: h.train_seconds,
        costs: h.costs,
        final_cost: h.final_cost,
    }
}

fn cat<T: Float>(opts: &Opts) -> Value {
    let dir = opts
        .get("--cat-dir")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("../shared/datasets/catvnoncat"));
    let load = |name: &str| {
        data::load(&dir.join(name), &LoadOptions::default()).unwrap_or_else(|e| {
            eprintln!("{e}");
            std::process::exit(2)
        })
    };
    let (train_set, test_set) = (load("train_catvnoncat.h5"), load("test_catvnoncat.h5"));
    let sizes: Vec<usize> = opts
        .get("--layers")
        .unwrap_or("12288,20,7,5,1")
        .split(',')
        .map(|s| s.parse().expect("--layers: numbers"))
        .collect();
    let init: Init = opts
        .get("--init")
        .unwrap_or("xavier")
        .parse()
        .expect("--init");
    let (lr, iters) = (opts.num("--lr", 0.0075), opts.num("--iters", 2500));
    let (x, y) = (train_set.x_as::<T>(), train_set.y_as::<T>());
    let t = train(
        &x,
        &y,
        &sizes,
        Activation::Relu,
        init,
        opts.num("--seed", 1),
        lr,
        iters,
        opts,
    );
    let acc = |d: &data::Dataset| {
        let x = d.x_as::<T>();
        accuracy(t.net.predict(x.view()).view(), d.y_as::<T>().view())
    };
    let m = x.ncols();
    json!({
        "workload": "cat", "precision": T::NAME, "layers": sizes, "iters": iters,
        "threads": opts.threads(), "path": format!("{:?}", opts.path()),
        "loop_seconds": t.seconds, "fit_seconds": t.fit_seconds, "final_cost": t.final_cost,
        "costs_every_100": t.costs.iter().map(|c| c.1).collect::<Vec<_>>(),
        "train_acc": acc(&train_set), "test_acc": acc(&test_set),
        "direct_flops_per_iter": direct_flops(&sizes, m),
        "gram_flops_total": gram_flops(&sizes, m, iters),
    })
}

fn flower<T: Float>(opts: &Opts) -> Value {
    let d = planar::flower();
    let iters = opts.num("--iters", 10_000);
    let (x, y) = (d.x.mapv(T::cast), d.y.mapv(T::cast));
    let t = train(
        &x,
        &y,
        &[2, 4, 1],
        Activation::Tanh,
        Init::Small,
        2,
        1.2,
        iters,
        opts,
    );
    let acc = accuracy(t.net.predict(x.view()).view(), y.view());
    json!({
        "workload": "flower", "precision": T::NAME, "iters": iters, "threads": opts.threads(),
        "path": format!("{:?}", opts.path()), "loop_seconds": t.seconds, "fit_seconds": t.fit_seconds,
        "final_cost": t.final_cost, "train_acc": acc,
    })
}

/// Median of `reps` timings of `f`, and its last result.
fn timed<R>(reps: usize, mut f: impl FnMut() -> R) -> (f64, Vec<f64>, R) {
    let mut times = Vec::new();
    let mut last = None;
    for _ in 0..reps.max(1) {
        let t = Instant::now();
        last = Some(f());
        times.push(t.elapsed().as_secs_f64());
    }
    let mut sorted = times.clone();
    sorted.sort_by(f64::total_cmp);
    (sorted[sorted.len() / 2], times, last.expect("one run"))
}

/// Logistic regression by the notes' loop and by the network, from w = 0 (or w0), b = b0.
fn loop_and_network(
    rows: &[Vec<f64>],
    x: &Array2<f64>,
    y: &Array2<f64>,
    (w0, b0, lr, iters): (f64, f64, f64, usize),
    reps: usize,
    threads: usize,
) -> Value {
    let n = x.nrows();
    let yv: Vec<f64> = y.iter().copied().collect();
    let (loop_s, loop_all, s) = timed(reps, || {
        scalar::train(rows, &yv, vec![w0; n], b0, lr, iters)
    });
    let config = GdConfig {
        learning_rate: lr,
        iterations: iters,
        record_every: Some(iters),
        ..GdConfig::default()
    };
    let (net_s, net_all, (w, b, cost)) = timed(reps, || {
        let params = vec![(Array2::from_elem((1, n), w0), Array2::from_elem((1, 1), b0))];
        let mut net = Network::from_parameters(params, Activation::Relu).expect("valid");
        net.set_threads(Threads(threads));
        let h = run_fit(&mut net, x, y, &config, Path::Auto);
        let l = &net.layers()[0];
        (l.w[(0, 0)], l.b[(0, 0)], h.final_cost)
    });
    json!({
        "loop_seconds": loop_s, "loop_seconds_all": loop_all,
        "network_seconds": net_s, "network_seconds_all": net_all,
        "loop_w0": s.w[0], "loop_b": s.b, "loop_cost": s.cost,
        "network_w0": w, "network_b": b, "network_cost": cost,
        "speedup": loop_s / net_s,
    })
}

fn scalar_toy(opts: &Opts) -> Value {
    // ../shared/reference/w5_scalar.py: x = [-2..2], y = σ(x), α = 0.01, w = b = 1, 1000 it.
    let xs = [-2.0, -1.0, 0.0, 1.0, 2.0];
    let rows: Vec<Vec<f64>> = xs.iter().map(|&v| vec![v]).collect();
    let x = Array2::from_shape_vec((1, 5), xs.to_vec()).expect("5 values");
    let y = x.mapv(|v| 1.0 / (1.0 + (-v).exp()));
    let iters = opts.num("--iters", 1000);
    let mut out = loop_and_network(
        &rows,
        &x,
        &y,
        (1.0, 1.0, 0.01, iters),
        opts.num("--reps", 7),
        1,
    );
    out["workload"] = json!("scalar-toy");
    out["iters"] = json!(iters);
    out
}

/// X = `np.random.seed(0); np.random.randn(n, m)`, y = 1 where the first 10 features sum above 0
/// (`bench/w5_large.py` makes the same numbers).
fn synthetic_logistic(n: usize, m: usize) -> (Array2<f64>, Array2<f64>) {
    let mut rng = NumpyRng::new(0);
    let rows = Array2::from_shape_fn((n, m), |_| rng.randn());
    let y = Array2::from_shape_fn((1, m), |(_, j)| {
        let s: f64 = (0..n.min(10)).map(|i| rows[(i, j)]).sum();
        if s > 0.0 {
            1.0
        } else {
            0.0
        }
    });
    // The library's layout: each example contiguous.
    let x = rows.t().as_standard_layout().reversed_axes().to_owned();
    (x, y)
}

fn scalar_large(opts: &Opts) -> Value {
    let (n, m) = (opts.num("--n", 100), opts.num("--m", 100_000));
    let iters = opts.num("--iters", 100);
    let (x, y) = synthetic_logistic(n, m);
    let rows: Vec<Vec<f64>> = (0..m).map(|j| x.column(j).to_vec()).collect();
    let mut out = loop_and_network(
        &rows,
        &x,
        &y,
        (0.0, 0.0, 0.1, iters),
        opts.num("--reps", 1),
        opts.threads(),
    );
    out["workload"] = json!("scalar-large");
    out["iters"] = json!(iters);
    out["n"] = json!(n);
    out["m"] = json!(m);
    out["threads"] = json!(opts.threads());
    out
}

/// A W3-shaped run (12288-20-7-5-1, relu, xavier) on m synthetic pixel-like examples.
fn scaling<T: Float>(opts: &Opts) -> Value {
    let (n_x, m) = (opts.num("--nx", 12288), opts.num("--m", 20900));
    let iters = opts.num("--iters", 5);
    // Pixel-like values k/255 from a hash of the position (fast for 2·10⁸
    // values); examples contiguous, as the data loaders lay them out.
    let hash = |i: usize| (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 56;
    let x = Array2::from_shape_fn((m, n_x), |(j, f)| T::cast(hash(j * n_x + f) as f64 / 255.0))
        .reversed_axes();
    let y = Array2::from_shape_fn((1, m), |(_, j)| T::cast((hash(j + 7) < 90) as u8 as f64));
    let sizes = [n_x, 20, 7, 5, 1];
    let t = train(
        &x,
        &y,
        &sizes,
        Activation::Relu,
        Init::Xavier,
        1,
        0.0075,
        iters,
        opts,
    );
    json!({
        "workload": "scaling", "precision": T::NAME, "m": m, "n_x": n_x, "iters": iters,
        "threads": opts.threads(), "path": format!("{:?}", opts.path()),
        "loop_seconds": t.seconds, "seconds_per_iter": t.seconds / iters as f64,
        "final_cost": t.final_cost,
        "direct_flops_per_iter": direct_flops(&sizes, m),
    })
}

/// W6 (`w6_scale.py`): 784-256-128-1 ReLU/sigmoid on m synthetic f32 examples
/// (standard normal X, random 0/1 labels, example-contiguous), W = randn/√n_prev,
/// plain SGD α = 0.01 over mini-batches of 256 taken in order, one epoch.
fn w6(opts: &Opts) -> Value {
    let (m, batch) = (opts.num("--m", 60_000), opts.num("--batch", 256));
    let sizes = [784, 256, 128, 1];
    let (x, y, mut net) = match opts.get("--data") {
        Some(path) => w6_from_npz(path),
        None => {
            let mut rng = NumpyRng::new(opts.num("--seed", 0));
            let x = Array2::from_shape_fn((m, sizes[0]), |_| rng.randn() as f32).reversed_axes();
            let y = Array2::from_shape_fn((1, m), |_| (rng.uniform() < 0.5) as u8 as f32);
            let net = Network::<f32>::new(&sizes, Activation::Relu, Init::Xavier, &mut rng)
                .expect("valid sizes");
            (x, y, net)
        }
    };
    let m = x.ncols();
    net.set_threads(Threads(opts.threads().max(1)));
    let cost_before = net.cost_on(x.view(), y.view());
    let config = GdConfig {
        learning_rate: 0.01,
        batch_size: Some(batch),
        epochs: Some(1),
        shuffle: false,
        record_every: Some(1),
        ..GdConfig::default()
    };
    let h = run_fit(&mut net, &x, &y, &config, Path::Auto);
    // w6_scale.py's flops_per_epoch: forward and dW of every layer, dA of layers 2 and 3.
    let fwd: usize = (1..4).map(|l| 2 * m * sizes[l] * sizes[l - 1]).sum();
    let flops = (2 * fwd + 2 * m * (sizes[2] * sizes[1] + sizes[3] * sizes[2])) as f64;
    json!({
        "workload": "W6", "precision": "f32", "m": m, "batch": batch, "threads": opts.threads(),
        "loop_seconds": h.train_seconds, "cost_before": cost_before,
        "final_cost": net.cost_on(x.view(), y.view()),
        "matmul_flops_per_epoch": flops, "gflops_achieved": flops / h.train_seconds / 1e9,
    })
}

/// W6's X, Y and initial W\[l\], b\[l\] as `w6_scale.py` makes them (written by
/// `bench/compare.py` to an .npz), X made example-contiguous as the loaders do.
fn w6_from_npz(path: &str) -> (Array2<f32>, Array2<f32>, Network<f32>) {
    let file = std::fs::File::open(path).unwrap_or_else(|e| {
        eprintln!("{path}: {e}");
        std::process::exit(2)
    });
    let mut npz = ndarray_npy::NpzReader::new(file).expect("an .npz file");
    let mut read = |name: &str| -> Array2<f32> { npz.by_name(name).expect("an f32 matrix") };
    let x_rows = read("X");
    let mut x = Array2::<f32>::zeros(x_rows.raw_dim().f());
    x.assign(&x_rows);
    let y = read("Y");
    let params = (1..=3)
        .map(|l| ParameterId::of_layer(l).map(|id| read(&id.name())).into())
        .collect();
    let net = Network::from_parameters(params, Activation::Relu).expect("784-256-128-1");
    (x, y, net)
}

/// GFLOP/s of each product of one training iteration of the net `--net` on a
/// batch of `--m` examples, with the operands laid out as the network has them
/// (X example-contiguous and, for layers under 64 units, Z\[1\] landing
/// column-major, as `Dense::forward` does; W, Z, A, dZ row-major): best of 7
/// after a warm-up. (Putting a thin Z\[1\] in place afterwards is not timed.)
fn products<T: Float>(opts: &Opts) -> Value {
    let sizes: Vec<usize> = opts
        .get("--net")
        .unwrap_or("784,256,128,1")
        .split(',')
        .map(|v| v.parse().expect("--net: sizes"))
        .collect();
    let m = opts.num("--m", 256);
    let threads = Threads(opts.threads().max(1));
    let mut rng = NumpyRng::new(0);
    let mut fill = |r: usize, c: usize| Array2::from_shape_fn((r, c), |_| T::cast(rng.randn()));
    let x = fill(m, sizes[0]).reversed_axes();
    let mut rows = Vec::new();
    let (mut flops_all, mut seconds_all) = (0.0, 0.0);
    let mut time = |name: String, a: ArrayView2<T>, b: ArrayView2<T>, c_column_major: bool| {
        let (r, cols) = (a.nrows(), b.ncols());
        let mut store = Array2::<T>::zeros(if c_column_major { (cols, r) } else { (r, cols) });
        let mut c = if c_column_major {
            store.view_mut().reversed_axes()
        } else {
            store.view_mut()
        };
        gemm(T::one(), a, b, false, c.view_mut(), threads);
        let (_, all, ()) = timed(7, || gemm(T::one(), a, b, false, c.view_mut(), threads));
        let best = all.iter().copied().fold(f64::INFINITY, f64::min);
        let flops = 2.0 * (a.nrows() * a.ncols() * b.ncols()) as f64;
        flops_all += flops;
        seconds_all += best;
        rows.push(json!({"product": name, "seconds": best, "gflops": flops / best / 1e9}));
    };
    for l in 1..sizes.len() {
        let (n, k) = (sizes[l], sizes[l - 1]);
        let w = fill(n, k);
        let a_prev = if l == 1 { x.clone() } else { fill(k, m) };
        let dz = fill(n, m);
        time(
            format!("Z[{l}] = W·A ({n}×{k}·{k}×{m})"),
            w.view(),
            a_prev.view(),
            l == 1 && n < 64, // Dense::forward: column-major first below 64 units
        );
        time(
            format!("dW[{l}] = dZ·Aᵀ ({n}×{m}·{m}×{k})"),
            dz.view(),
            a_prev.t(),
            false,
        );
        if l > 1 {
            time(
                format!("dA[{}] = Wᵀ·dZ ({k}×{n}·{n}×{m})", l - 1),
                w.t(),
                dz.view(),
                false,
            );
        }
    }
    json!({
        "workload": "products", "precision": T::NAME, "sizes": sizes, "m": m,
        "threads": threads.0, "products": rows, "gflops_all": flops_all / seconds_all / 1e9,
    })
}

/// GFLOP/s of an n×n·n×n product through the product kernel (`internals::gemm`, faer): best and median of 5.
fn peak<T: Float>(opts: &Opts) -> Value {
    let n = opts.num("--n", 2048);
    let threads = Threads(opts.threads().max(1));
    let mut rng = NumpyRng::new(0);
    let a = Array2::from_shape_fn((n, n), |_| T::cast(rng.randn()));
    let b = Array2::from_shape_fn((n, n), |_| T::cast(rng.randn()));
    let mut c = Array2::<T>::zeros((n, n));
    gemm(T::one(), a.view(), b.view(), false, c.view_mut(), threads);
    let (median, all, ()) = timed(5, || {
        gemm(T::one(), a.view(), b.view(), false, c.view_mut(), threads)
    });
    let best = all.iter().copied().fold(f64::INFINITY, f64::min);
    let flops = 2.0 * (n as f64).powi(3);
    json!({
        "workload": "peak", "precision": T::NAME, "n": n, "threads": threads.0,
        "gflops_best": flops / best / 1e9, "gflops_median": flops / median / 1e9,
    })
}

/// The planner's choice against the other roads to the same numbers: for each
/// configuration, the median training seconds on the road the planner picks
/// (`auto`) and when forced onto the general loop (`general`: the same update
/// written as one mini-batch per epoch) or plain layers (`layers`), with the
/// largest relative difference of the final costs. One JSON line each.
fn planner(opts: &Opts) -> Value {
    let reps: usize = opts.num("--reps", 3);
    let threads = opts.threads().max(1);
    let mut rows = Vec::new();
    // Digits-like: 1797 examples × 64 features, 10 classes (sklearn's digits' shape).
    let (x, y) = clusters(64, 1797, 10, 5);
    rows.push(planner_case(
        "10-class full batch, 64-64-10, 1797 examples",
        &x,
        &y,
        &[64, 64, 10],
        0.1,
        300,
        reps,
        threads,
    ));
    let (x, y) = clusters(2, 400, 2, 6);
    rows.push(planner_case(
        "flower-sized, 2-4-1, 400 examples",
        &x,
        &y,
        &[2, 4, 1],
        1.2,
        2000,
        reps,
        threads,
    ));
    let (x, y) = clusters(3000, 100, 2, 7);
    rows.push(planner_case(
        "wide, 3000-10-1, 100 examples (Gram)",
        &x,
        &y,
        &[3000, 10, 1],
        0.05,
        200,
        reps,
        threads,
    ));
    let (x, y) = clusters(6000, 300, 2, 8);
    rows.push(planner_case(
        "large X, 6000-10-4-1, 300 examples (fused)",
        &x,
        &y,
        &[6000, 10, 4, 1],
        0.05,
        20,
        reps,
        threads,
    ));
    for r in &rows {
        println!("{r}");
    }
    json!({"workload": "planner", "threads": threads, "cases": rows})
}

/// n features × m examples around k Gaussian centres (example-contiguous, as
/// the loaders lay X out), Y one-hot (k > 2) or 0/1.
fn clusters(n: usize, m: usize, k: usize, seed: u32) -> (Array2<f64>, Array2<f64>) {
    let mut rng = NumpyRng::new(seed);
    let centres = Array2::from_shape_fn((n, k), |_| rng.randn());
    let labels: Vec<usize> = (0..m).map(|j| j % k).collect();
    let mut x = Array2::<f64>::zeros((n, m).f());
    for j in 0..m {
        for i in 0..n {
            x[(i, j)] = centres[(i, labels[j])] + 1.5 * rng.randn();
        }
    }
    let rows = if k > 2 { k } else { 1 };
    let y = Array2::from_shape_fn((rows, m), |(r, j)| {
        f64::from(if k > 2 {
            labels[j] == r
        } else {
            labels[j] == 1
        })
    });
    (x, y)
}

#[allow(clippy::too_many_arguments)]
fn planner_case(
    name: &str,
    x: &Array2<f64>,
    y: &Array2<f64>,
    sizes: &[usize],
    lr: f64,
    iters: usize,
    reps: usize,
    threads: usize,
) -> Value {
    let config = GdConfig {
        learning_rate: lr,
        iterations: iters,
        record_every: Some(100),
        ..GdConfig::default()
    };
    let mut chosen = None;
    let mut roads = serde_json::Map::new();
    let mut costs = Vec::new();
    let mut times: Vec<(&str, f64)> = Vec::new();
    for (road, path) in [
        ("auto", Path::Auto),
        ("layers", Path::Layers),
        ("general", Path::General),
    ] {
        let mut secs = Vec::new();
        for _ in 0..reps {
            let mut net =
                Network::<f64>::new(sizes, Activation::Relu, Init::Xavier, &mut NumpyRng::new(1))
                    .expect("valid sizes");
            net.set_threads(Threads(threads));
            let out = Trainer::new(config.clone())
                .with_path(path)
                .run(
                    &mut net,
                    x.view(),
                    y.view(),
                    TrainState::new(&config),
                    Extras::default(),
                    &mut |_| {},
                )
                .expect("training diverged");
            if road == "auto" {
                chosen = out.state.plan;
            }
            secs.push(out.state.history.train_seconds);
            costs.push(out.state.history.final_cost);
        }
        secs.sort_by(f64::total_cmp);
        let median = secs[secs.len() / 2];
        times.push((road, median));
        roads.insert(road.into(), json!(median));
    }
    let auto = times[0].1;
    let fastest = times.iter().map(|t| t.1).fold(f64::INFINITY, f64::min);
    let spread = costs
        .iter()
        .map(|c| ((c - costs[0]) / costs[0]).abs())
        .fold(0.0, f64::max);
    json!({
        "case": name,
        "chosen": format!("{:?}", chosen.unwrap_or(Plan::General)),
        "seconds": roads,
        "chosen_over_fastest": auto / fastest,
        "final_cost_spread": spread,
    })
}
