"""Sparse X beside its densified form: backprop.MLPClassifier on a sparse
table (make_classification's informative features scattered among n_x
columns at 0.1 % density: the shape of a bag-of-words table), each fit in
its own process so that its peak RSS is its own.

Reports, per form: the fit's wall time (``fit`` alone), its process peak RSS,
and the train accuracy. The densified run uses ``X.toarray()`` made inside
its process (its peak includes that matrix: what a user who densifies pays).
Runs alternate sparse/dense --repeats times; medians are printed.

Usage: python bench/sparse.py [--rows 100000] [--features 10000] [--density 0.001]
       [--dense-rows 20000] [--epochs 3] [--repeats 2]
The densified side runs at --dense-rows (a 10⁵ × 10⁴ float64 X is 8 GB); the
sparse side runs at both sizes.
"""

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time

_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != _HERE]

import numpy as np  # noqa: E402
import scipy.sparse as sp  # noqa: E402


def table(rows, features, density, seed=0):
    """A CSR table: each row's stored features drawn at random, 20 of them
    informative (their sum's sign is the label)."""
    rng = np.random.RandomState(seed)
    nnz = int(rows * features * density)
    r = rng.randint(0, rows, nnz)
    c = rng.randint(0, features, nnz)
    v = rng.rand(nnz) * 2.0
    X = sp.csr_matrix((v, (r, c)), shape=(rows, features))
    X.sum_duplicates()
    w = np.zeros(features)
    w[rng.choice(features, 2000, replace=False)] = rng.randn(2000)
    y = (X @ w > 0).astype(int)
    return X, y


def one(args):
    X, y = table(args.rows, args.features, args.density)
    if args.form == "dense":
        X = X.toarray()
    import backprop

    clf = backprop.MLPClassifier(hidden_layer_sizes=(32,), solver="adam", max_iter=args.epochs,
                                 batch_size=200, random_state=0, n_iter_no_change=10**6, n_threads=1)
    t = time.perf_counter()
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clf.fit(X, y)
    fit_s = time.perf_counter() - t
    acc = float((clf.predict(X) == y).mean())
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(dict(form=args.form, rows=args.rows, fit_s=fit_s, peak_mb=peak_mb, acc=acc)))


def run(form, rows, a):
    cmd = [sys.executable, __file__, "--one", form, "--rows", str(rows), "--features", str(a.features),
           "--density", str(a.density), "--epochs", str(a.epochs)]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--rows", type=int, default=100_000)
    p.add_argument("--dense-rows", type=int, default=20_000)
    p.add_argument("--features", type=int, default=10_000)
    p.add_argument("--density", type=float, default=0.001)
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--repeats", type=int, default=2)
    p.add_argument("--one", choices=["sparse", "dense"])
    a = p.parse_args()
    if a.one:
        a.form = a.one
        return one(a)
    plan = [("sparse", a.dense_rows), ("dense", a.dense_rows), ("sparse", a.rows)]
    results = {k: [] for k in plan}
    for _ in range(a.repeats):
        for form, rows in plan:
            results[(form, rows)].append(run(form, rows, a))
    for (form, rows), rs in results.items():
        print(f"{form:6s} {rows:>7d} × {a.features} at {a.density:.2%}: fit {statistics.median(r['fit_s'] for r in rs):7.2f} s, "
              f"peak {statistics.median(r['peak_mb'] for r in rs):7.0f} MB, train accuracy {rs[-1]['acc']:.3f}")


if __name__ == "__main__":
    main()
