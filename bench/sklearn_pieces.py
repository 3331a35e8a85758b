"""Where backprop.MLPClassifier's Adam epoch (20 000 × 50, (100,), batch 200) spends its time:
the same fit with one piece taken out at a time (shuffling, Adam's update, L2), and in float32,
beside scikit-learn's, one thread each, medians of N alternating runs.

Usage: python bench/sklearn_pieces.py [N]
"""
import os
import statistics
import sys
import time
import warnings

# bench/sklearn.py sits beside this file: keep this folder off the path so
# that `import sklearn` finds scikit-learn.
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != _HERE]

import numpy as np  # noqa: E402
warnings.simplefilter("ignore")
from sklearn.datasets import make_classification
from sklearn.neural_network import MLPClassifier as SkMLP
from threadpoolctl import threadpool_limits
import backprop
X, y = make_classification(n_samples=20000, n_features=50, n_informative=30, random_state=0)
E = 10
common = dict(hidden_layer_sizes=(100,), batch_size=200, learning_rate_init=1e-3, alpha=1e-4,
              max_iter=E, tol=0.0, n_iter_no_change=10**9, random_state=0)
variants = {
  "adam": dict(solver="adam"),
  "adam noshuffle": dict(solver="adam", shuffle=False),
  "sgd mom0": dict(solver="sgd", momentum=0.0),
  "adam alpha0": dict(solver="adam", alpha=0.0),
  "adam f32": dict(solver="adam", dtype="float32"),
}
with threadpool_limits(1):
    res = {k: [] for k in variants}; sk = []
    for r in range(int(sys.argv[1]) if len(sys.argv) > 1 else 3):
        for k, v in variants.items():
            kw = dict(common); kw.update(v)
            t = time.perf_counter(); backprop.MLPClassifier(n_threads=1, **kw).fit(X, y); res[k].append((time.perf_counter() - t) / E)
        t = time.perf_counter(); SkMLP(solver="adam", **common).fit(X, y); sk.append((time.perf_counter() - t) / E)
    s = statistics.median(sk)
    print(f"sklearn {s*1e3:.1f} ms/epoch")
    for k, v in res.items():
        m = statistics.median(v); print(f"{k:16s} {m*1e3:.2f} ms/epoch  ratio {s/m:.1f}")
