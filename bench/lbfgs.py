"""L-BFGS beside scikit-learn's lbfgs on one table, the same number of iterations.

digits (1797 × 64, 10 classes, standardised), hidden (64,), relu, alpha 1e-4,
float64, one thread each (backprop --threads 1; scikit-learn's BLAS limited by
threadpoolctl), max_iter 200 with tol 0 (so neither stops on the gradient).
scikit-learn: `MLPClassifier(solver="lbfgs").fit` wall time; backprop:
`backprop train --optimizer lbfgs` — the training loop's seconds from
metrics.json (`train_seconds`) and the whole command's wall time. Medians of
--repeats runs taken alternately; both may stop before max_iter on scipy's
ftol rule, so the time per iteration is printed too. Each side's iterations, evaluations and final
loss are printed beside its time (the two start from different random weights).

Usage: python bench/lbfgs.py [--repeats 3] [--backprop target/release/backprop]
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import warnings

_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != _HERE]

import numpy as np  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.neural_network import MLPClassifier  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

MAX_ITER = 200


def theirs(x, y):
    clf = MLPClassifier((64,), solver="lbfgs", alpha=1e-4, max_iter=MAX_ITER, tol=0.0, random_state=1)
    with threadpool_limits(1), warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        t = time.perf_counter()
        clf.fit(x, y)
        return time.perf_counter() - t, clf.n_iter_, None, clf.loss_


def ours(binary, csv, out):
    args = [binary, "train", "--train", csv, "--optimizer", "lbfgs", "--hidden", "64",
            "--l2", "1e-4", "--iterations", str(MAX_ITER), "--tol", "0", "--precision", "f64",
            "--threads", "1", "--out", out, "--force"]
    t = time.perf_counter()
    subprocess.run(args, check=True, capture_output=True)
    wall = time.perf_counter() - t
    m = json.load(open(os.path.join(out, "metrics.json")))
    return m["train_seconds"], m["iterations"], m.get("lbfgs_evaluations"), m["final_cost"], wall


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--backprop", default="target/release/backprop")
    a = p.parse_args()
    x, y = load_digits(return_X_y=True)
    x = StandardScaler().fit_transform(x)
    with tempfile.TemporaryDirectory() as tmp:
        csv = os.path.join(tmp, "digits.csv")
        header = ",".join(f"f{i}" for i in range(x.shape[1])) + ",label"
        np.savetxt(csv, np.column_stack([x, y]), delimiter=",", header=header, comments="",
                   fmt=["%.17g"] * x.shape[1] + ["%d"])
        mine, sk = [], []
        for _ in range(a.repeats):
            mine.append(ours(a.backprop, csv, os.path.join(tmp, "run")))
            sk.append(theirs(x, y))
    t_ours = statistics.median(r[0] for r in mine)
    wall = statistics.median(r[4] for r in mine)
    t_sk = statistics.median(r[0] for r in sk)
    _, it, ev, loss, _ = mine[-1]
    _, sk_it, _, sk_loss = sk[-1]
    print(f"backprop lbfgs: {t_ours:.3f} s training loop ({wall:.3f} s whole command), "
          f"{it} iterations, {ev} evaluations, final loss {loss:.6f}")
    print(f"scikit-learn lbfgs: {t_sk:.3f} s fit, {sk_it} iterations, final loss {sk_loss:.6f}")
    # Both may stop before max_iter on scipy's ftol rule: compare per iteration too.
    per_ours, per_sk = t_ours / it * 1e3, t_sk / sk_it * 1e3
    print(f"per iteration: backprop {per_ours:.2f} ms, scikit-learn {per_sk:.2f} ms ({per_sk / per_ours:.2f}x)")
    print(f"speed-up (training loop vs fit): {t_sk / t_ours:.2f}x")


if __name__ == "__main__":
    main()
