"""Where the Python door's fit time goes, beside the library without Python.

usage: python bench/py_door.py [--bin target/release/examples/bench_workloads]
                               [--cat-dir ../shared/datasets/catvnoncat] [--reps 5] [--iters 25,250,1025]

Two workloads, one thread, runs alternated (door, CLI, door, …), medians:

  w3      the course's cat net 12288-20-7-5-1, full-batch gd, lr 0.0075, xavier
          from seed 1 (the same weights and updates in both doors; the final
          costs are printed to show it). For each iteration count: the Python
          fit (`MLPClassifier(solver="gd", init="xavier")`) as a whole and its
          `_core.fit` call, against `bench_workloads cat`'s `loop_seconds` (the
          loop only) and `fit_seconds` (set-up, loop and finish: on the Gram
          path forming XᵀX and P₀, and writing W[1] back).
  digits  the issue's 64-unit Adam net on 1 347 rows (digits, a stratified 75 %
          split, standardised; batches of 64, 100 epochs): backprop's fit, its
          `_core.fit` call, scikit-learn's fit (its BLAS held to one thread).
"""

import argparse
import json
import os
import subprocess
import sys
import time
import warnings

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def timed_core():
    """Wraps `_core.fit` so each call's seconds are kept (the door's Rust part)."""
    import backprop._estimators as est

    calls, inner = [], est._core.fit

    def fit(*a, **k):
        t0 = time.perf_counter()
        out = inner(*a, **k)
        calls.append(time.perf_counter() - t0)
        return out

    est._core.fit = fit
    return calls


def fit_seconds(clf, X, y, core):
    t0 = time.perf_counter()
    clf.fit(X, y)
    return time.perf_counter() - t0, core[-1]


def w3(a, core):
    import backprop
    from backprop import course

    train_x, train_y, *_ = course.load_cat(a.cat_dir)
    X = np.ascontiguousarray(np.asarray(train_x).T)
    y = np.asarray(train_y).ravel().astype(np.int64)
    rows = []
    for iters in a.iters:
        clf = backprop.MLPClassifier(hidden_layer_sizes=(20, 7, 5), activation="relu", solver="gd",
                                     init="xavier", alpha=0.0, batch_size=X.shape[0], learning_rate_init=0.0075,
                                     max_iter=iters, shuffle=False, tol=0.0, n_iter_no_change=np.inf,
                                     n_threads=1, random_state=1)
        cli = [a.bin, "cat", "--layers", "12288,20,7,5,1", "--init", "xavier", "--lr", "0.0075",
               "--iters", str(iters), "--threads", "1", "--cat-dir", a.cat_dir]
        door, inner, loop, whole = [], [], [], []
        for _ in range(a.reps):
            t, c = fit_seconds(clf, X, y, core)
            door.append(t)
            inner.append(c)
            out = json.loads(subprocess.run(cli, capture_output=True, text=True, check=True).stdout)
            loop.append(out["loop_seconds"])
            whole.append(out["fit_seconds"])
        rows.append(dict(workload="w3", iters=iters, py_fit=np.median(door), py_core=np.median(inner),
                         cli_loop=np.median(loop), cli_fit=np.median(whole),
                         py_cost=float(clf.loss_curve_[-1]), cli_cost=out["final_cost"]))
    return rows


def digits(a, core):
    import backprop
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split
    from sklearn.neural_network import MLPClassifier
    from sklearn.preprocessing import StandardScaler
    from threadpoolctl import threadpool_limits

    X, y = load_digits(return_X_y=True)
    X, _, y, _ = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)
    X = StandardScaler().fit_transform(X)
    kw = dict(hidden_layer_sizes=(64,), solver="adam", batch_size=64, max_iter=100, tol=0.0, random_state=0)
    ours = backprop.MLPClassifier(n_iter_no_change=np.inf, n_threads=1, **kw)
    theirs = MLPClassifier(n_iter_no_change=10**9, **kw)
    bp, inner, sk = [], [], []
    with threadpool_limits(1):
        for _ in range(a.reps):
            t, c = fit_seconds(ours, X, y, core)
            bp.append(t)
            inner.append(c)
            t0 = time.perf_counter()
            theirs.fit(X, y)
            sk.append(time.perf_counter() - t0)
    return [dict(workload="digits", rows=X.shape[0], bp_fit=np.median(bp), bp_core=np.median(inner),
                 sklearn_fit=np.median(sk), speedup=np.median(sk) / np.median(bp))]


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--bin", default=os.path.join(HERE, "..", "target", "release", "examples", "bench_workloads"))
    p.add_argument("--cat-dir", default=os.path.join(HERE, "..", "..", "shared", "datasets", "catvnoncat"))
    p.add_argument("--reps", type=int, default=5)
    p.add_argument("--iters", type=lambda s: [int(i) for i in s.split(",")], default=[25, 250, 1025])
    a = p.parse_args()
    # bench/sklearn.py would shadow scikit-learn itself.
    sys.path[:] = [d for d in sys.path if os.path.abspath(d or ".") != HERE]
    warnings.simplefilter("ignore")
    core = timed_core()
    for row in w3(a, core) + digits(a, core):
        print(json.dumps({k: round(float(v), 6) if isinstance(v, (float, np.floating)) else v
                          for k, v in row.items()}))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
