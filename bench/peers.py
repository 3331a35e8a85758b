"""backprop side by side with the libraries its users pick — numpy, PyTorch (CPU),
JAX, Keras 3 on TensorFlow-CPU, scikit-learn — on the same networks, initial
weights, batch order and number of updates, at 1 and 2 threads, final costs
compared; medians of alternating runs (docs/PERFORMANCE.md, "Beside the peers").

usage: peers.py --peer-python PY --bp-python PY --bin BENCH_WORKLOADS --reference DIR --cat-dir DIR
                [--reps 3] [--threads 1,2] [--only w6,w6adam,skadam64,skadam32,w3_64,w3_32]
                [--peers backprop,bp-cli,numpy,torch,torch-autograd,jax,jax-grad,tf,keras,sklearn]
                [--quick] [--json OUT]

Workloads (every peer from the same weights, batches in order, no shuffle, no L2):
  w6        784-256-128-1 relu/relu/sigmoid, 60 000 × 784 synthetic f32 (w6_scale.py's data
            and weights, seed 0), batch 256, SGD lr 0.01, 1 epoch
  w6adam    784-256-128-10 softmax on random labels 0–9, Adam (lr 1e-3, 0.9, 0.999, 1e-8), 1 epoch
  skadam64/32  scikit-learn's Adam workload: 20 000 × 50 (make_classification, seed 0),
            hidden 100 relu, batch 200, Adam lr 1e-3, Glorot-uniform weights (seed 0); per epoch
  w3_64/32  the course's cat net 12288-20-7-5-1, full batch (209), gd lr 0.0075, its
            weights (seed 1); per iteration
Peers: backprop = backprop.MLPClassifier.fit through Python; bp-cli = the bench_workloads
example (W6 and W3, the training loop only); numpy / torch / jax = hand-written steps (no
autograd; jax jitted, compile not timed); torch-autograd = nn + autograd + optim; jax-grad =
jax.grad of the cost; tf = a tf.function + GradientTape loop; keras = Keras 3 fit on TensorFlow; sklearn = MLPClassifier.fit.
Each (peer, thread count) runs in its own process: at 1 thread under `taskset -c 0`, with the
library's own thread setting and OMP/MKL/OPENBLAS/XLA/TF variables at 1 as well.
"""
import argparse
import json
import os
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import peers_fits  # noqa: E402
import peers_libs  # noqa: E402
import peers_loops  # noqa: E402
from peers_report import report  # noqa: E402

# bench/sklearn.py sits beside this file: keep the folder off the path from
# here on, so that `import sklearn` finds scikit-learn (the helpers are loaded).
sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != HERE]

WORKLOADS = ["w6", "w6adam", "skadam64", "skadam32", "w3_64", "w3_32"]
PEERS = ["backprop", "bp-cli", "numpy", "torch", "torch-autograd", "jax", "jax-grad", "tf", "keras", "sklearn"]
ADAM = dict(opt="adam", lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8)


def prepare(a):
    """Writes every workload's data and initial weights to .npz files (once)."""
    os.makedirs(a.data, exist_ok=True)
    sys.path.insert(0, a.reference)
    from w6_scale import make_data, init_params

    m = 6000 if a.quick else 60000
    path = os.path.join(a.data, f"w6_m{m}.npz")
    if not os.path.exists(path):
        X, Y = make_data(0, m)
        P = init_params(0)
        y10 = np.random.default_rng(7).integers(0, 10, size=m)
        W3 = (np.random.default_rng(1007).standard_normal((10, 128)) / np.sqrt(128)).astype(np.float32)
        np.savez(path, X=X, Y=Y, Y10=np.eye(10, dtype=np.float32)[y10].T.copy(),
                 W3_10=W3, b3_10=np.zeros((10, 1), np.float32),
                 **{f"{n}{l}": P[2 * (l - 1) + (n == "b")] for l in (1, 2, 3) for n in ("W", "b")})
    path = os.path.join(a.data, "skadam.npz")
    if not os.path.exists(path):
        from sklearn.datasets import make_classification

        X, y = make_classification(n_samples=20000, n_features=50, n_informative=30, random_state=0)
        rs, P = np.random.RandomState(0), {}
        for l, (fi, fo) in enumerate(((50, 100), (100, 1)), 1):
            bound = np.sqrt(6.0 / (fi + fo))
            P[f"W{l}"] = rs.uniform(-bound, bound, (fi, fo)).T.copy()
            P[f"b{l}"] = rs.uniform(-bound, bound, (fo, 1))
        np.savez(path, X=X.T.copy(), Y=y[None, :].astype(np.float64), **P)
    path = os.path.join(a.data, "w3.npz")
    if not os.path.exists(path):
        os.environ["CATVNONCAT_DIR"] = a.cat_dir
        from common import load_cat
        from dnn import initialize_parameters_deep

        X, Y, *_ = load_cat(np.float64)
        P = initialize_parameters_deep([12288, 20, 7, 5, 1], 1, np.float64)
        np.savez(path, X=X, Y=Y, **P)
    return m


def workload(name, data, m, quick):
    """The workload's arrays and settings as the loops take them."""
    if name.startswith("w6"):
        z = np.load(os.path.join(data, f"w6_m{m}.npz"))
        P = [z["W1"], z["b1"], z["W2"], z["b2"]]
        if name == "w6":
            return dict(X=z["X"], Y=z["Y"], P=P + [z["W3"], z["b3"]], softmax=False, batch=256, units=1,
                        opt="sgd", lr=0.01, unit="epoch")
        return dict(X=z["X"], Y=z["Y10"], P=P + [z["W3_10"], z["b3_10"]], softmax=True, batch=256, units=1,
                    unit="epoch", **ADAM)
    dt = np.float32 if name.endswith("32") else np.float64
    z = np.load(os.path.join(data, "skadam.npz" if name.startswith("skadam") else "w3.npz"))
    L = 2 if name.startswith("skadam") else 4
    P = [z[f"{n}{l}"].astype(dt) for l in range(1, L + 1) for n in ("W", "b")]
    X, Y = z["X"].astype(dt), z["Y"].astype(dt)
    if name.startswith("skadam"):
        return dict(X=X, Y=Y, P=P, softmax=False, batch=200, units=3 if quick else 10, unit="epoch", **ADAM)
    return dict(X=X, Y=Y, P=P, softmax=False, batch=X.shape[1], units=25 if quick else 250, opt="sgd",
                lr=0.0075, unit="iteration")


def run_one(peer, w, threads, a):
    """(seconds, final params or None, cost of the last forward pass or None)."""
    if peer in ("numpy", "torch"):
        return peers_loops.run_eager(peer, w, threads)
    if peer in ("jax", "jax-grad"):
        return peers_loops.run_jax(w, threads, use_grad=peer == "jax-grad")
    if peer == "torch-autograd":
        return peers_fits.run_torch_autograd(w, threads)
    if peer == "keras":
        return peers_fits.run_keras(w, threads)
    if peer == "tf":
        return peers_fits.run_tf_loop(w, threads)
    return peers_fits.run_mlp(w, threads, peer)


def bp_cli(name, w, threads, a, m):
    """The bench_workloads example: W6 (SGD) and W3 only."""
    base = [a.bin, "--threads", str(threads)]
    if name == "w6":
        args = ["w6", "--data", os.path.join(a.data, f"w6_m{m}.npz")]
    elif name.startswith("w3"):
        args = ["cat", "--layers", "12288,20,7,5,1", "--init", "xavier", "--lr", "0.0075", "--iters",
                str(w["units"]), "--precision", "f64" if name.endswith("64") else "f32", "--cat-dir", a.cat_dir]
    else:
        return None
    p = subprocess.run([base[0]] + args + base[1:], capture_output=True, text=True, check=True)
    r = json.loads(p.stdout.strip().splitlines()[-1])
    return r["loop_seconds"], None, r["final_cost"]


def worker(a):
    """One peer at one thread count: every workload once, one JSON line each."""
    if a.worker.startswith("jax"):
        import jax
        jax.config.update("jax_enable_x64", True)
    m = 6000 if a.quick else 60000
    lib, threads = peers_libs.describe(a.worker), int(a.threads)
    for name in a.only.split(","):
        w = workload(name, a.data, m, a.quick)
        try:
            if a.worker == "bp-cli":
                out = bp_cli(name, w, threads, a, m)
                if out is None:
                    continue
            else:
                out = run_one(a.worker, w, threads, a)
        except Exception as e:  # a peer that cannot run one workload: say so, go on
            print(json.dumps({"workload": name, "peer": a.worker, "threads": threads, "error": repr(e)[:300]}),
                  flush=True)
            continue
        secs, P, last = out
        final_cost = peers_fits.final_cost
        print(json.dumps({"workload": name, "peer": a.worker, "threads": threads, "seconds": secs,
                          "units": w["units"], "unit": w["unit"],
                          "cost": last if name.startswith("w3") or P is None else final_cost(P, w["X"], w["Y"]),
                          "lib": lib}), flush=True)


def peer_env(peer, threads):
    env = dict(os.environ, KERAS_BACKEND="tensorflow", TF_CPP_MIN_LOG_LEVEL="2", JAX_PLATFORMS="cpu")
    env.pop("OPENBLAS_CORETYPE", None)
    env.pop("OPENBLAS_L2_SIZE", None)
    for k in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "TF_NUM_INTRAOP_THREADS"):
        env[k] = str(threads)
    env["TF_NUM_INTEROP_THREADS"] = str(threads)
    if threads == 1:
        env["XLA_FLAGS"] = "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"
    return env


def drive(a):
    m = prepare(a)
    peers = [p for p in a.peers.split(",") if p]
    threads = [int(t) for t in a.threads.split(",")]
    results, started = [], time.time()
    load0 = open("/proc/loadavg").read().split()[:3]
    for rep in range(a.reps):
        order = peers if rep % 2 == 0 else peers[::-1]
        for th in threads:
            for peer in order:
                py = a.bp_python if peer in ("backprop", "bp-cli") else a.peer_python
                cmd = (["taskset", "-c", "0"] if th == 1 else []) + [
                    py, os.path.abspath(__file__), "--worker", peer, "--threads", str(th), "--only", a.only,
                    "--data", a.data] + (["--quick"] if a.quick else []) + ["--bin", a.bin]
                p = subprocess.run(cmd, capture_output=True, text=True, env=peer_env(peer, th))
                lines = [json.loads(x) for x in p.stdout.splitlines() if x.startswith("{")]
                if p.returncode != 0:
                    lines.append({"peer": peer, "threads": th, "error": p.stderr.strip()[-300:]})
                for r in lines:
                    r["rep"] = rep
                results += lines
                print(f"rep {rep + 1}/{a.reps} {peer} {th} thread(s): "
                      f"{', '.join(r.get('workload', '?') + (' ERROR' if 'error' in r else '') for r in lines)}",
                      file=sys.stderr, flush=True)
    load1 = open("/proc/loadavg").read().split()[:3]
    meta = dict(m=m, reps=a.reps, load=[load0, load1], seconds=time.time() - started, quick=a.quick)
    if a.json:
        os.makedirs(os.path.dirname(os.path.abspath(a.json)), exist_ok=True)
        with open(a.json, "w") as f:
            json.dump({"meta": meta, "results": results}, f, indent=1)
    report(results, meta, a.tolerance)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--peer-python", default=sys.executable)
    p.add_argument("--bp-python", default=sys.executable)
    p.add_argument("--bin", default="target/release/examples/bench_workloads")
    p.add_argument("--reference", default=os.path.join(HERE, "..", "..", "shared", "reference"))
    p.add_argument("--cat-dir", default=os.path.join(HERE, "..", "..", "shared", "datasets", "catvnoncat"))
    p.add_argument("--data", default=os.path.abspath(os.path.join("target", "peers")))
    p.add_argument("--reps", type=int, default=3)
    p.add_argument("--threads", default="1,2")
    p.add_argument("--only", default=",".join(WORKLOADS))
    p.add_argument("--peers", default=",".join(PEERS))
    p.add_argument("--tolerance", type=float, default=2e-3, help="relative final-cost difference to flag")
    p.add_argument("--quick", action="store_true", help="a tenth of W6, 3 epochs, 25 iterations (a smoke run)")
    p.add_argument("--json", default="")
    p.add_argument("--from-json", default="", help="print the table of an earlier run's JSON")
    p.add_argument("--worker", default="")
    a = p.parse_args()
    a.bin = os.path.abspath(a.bin)
    if a.from_json:
        saved = json.load(open(a.from_json))
        return report(saved["results"], saved["meta"], a.tolerance)
    return worker(a) if a.worker else drive(a)


if __name__ == "__main__":
    main()
