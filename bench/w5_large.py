"""W5 at scale: logistic regression, vectorized numpy, on a synthetic set of
m examples with n features (default 100 000 × 100), the same numbers
`bench_workloads scalar-large` makes: np.random.seed(0); X = randn(n, m);
y = 1 where the first 10 features sum above 0. w = 0, b = 0, lr 0.1.
Prints one JSON line (loop_seconds: the training loop only)."""
import argparse
import json
import time

import numpy as np


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--m", type=int, default=100_000)
    p.add_argument("--n", type=int, default=100)
    p.add_argument("--iters", type=int, default=100)
    a = p.parse_args()
    np.random.seed(0)
    X = np.random.randn(a.n, a.m)
    Y = (X[: min(a.n, 10)].sum(axis=0, keepdims=True) > 0).astype(np.float64)
    w = np.zeros((a.n, 1))
    b = 0.0
    lr, m = 0.1, a.m
    cost = None
    t0 = time.perf_counter()
    for _ in range(a.iters):
        A = 1 / (1 + np.exp(-(np.dot(w.T, X) + b)))
        cost = -np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A)) / m
        dZ = A - Y
        dw = np.dot(X, dZ.T) / m
        db = np.sum(dZ) / m
        w = w - lr * dw
        b = b - lr * db
    loop_s = time.perf_counter() - t0
    print(json.dumps({"workload": "scalar-large", "impl": "numpy_vectorized", "n": a.n,
                      "m": a.m, "iters": a.iters, "loop_seconds": loop_s,
                      "final_cost": float(cost), "w0": float(w[0, 0]), "b": float(b)}))


if __name__ == "__main__":
    main()
