"""backprop.MLPClassifier beside scikit-learn's MLPClassifier, side by side in one run.

Both on one thread (backprop: n_threads=1; scikit-learn: its BLAS limited to
one thread by threadpoolctl), the same data, hyper-parameters and number of
epochs, float64. Timings are medians of --repeats runs taken alternately
(ours, theirs, ours, …), so a load that comes and goes hits both alike.

1. Adam epochs on 20 000 × 50, hidden (100,), batch 200 (the issue's target: ≥ 10×).
2. The course-shaped full-batch net: 209 × 12288 → 20 → 7 → 5 → 1, relu,
   gradient descent at 0.0075 (target: ≥ 4× per iteration); the course's cat
   pictures when $BACKPROP_CAT_DIR is set, random pictures of that shape otherwise.
3. Test accuracy at default settings (adam, (100,), 200 epochs) on digits,
   breast cancer and a synthetic set (target: within 1 point).

Usage: python bench/sklearn.py [--repeats 5] [--quick]
"""

import argparse
import os
import statistics
import sys
import time
import warnings

# This file is named sklearn.py: keep its folder off the path so that
# `import sklearn` finds scikit-learn, not this script.
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != _HERE]

import numpy as np  # noqa: E402
from sklearn.datasets import load_breast_cancer, load_digits, make_classification
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier as SkMLP
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

import backprop


def timed(fit):
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est = fit()
    return time.perf_counter() - start, est


def side_by_side(name, ours, theirs, units, repeats):
    """Median seconds per unit of both, measured alternately; prints one table row."""
    t_ours, t_theirs = [], []
    for _ in range(repeats):
        t, a = timed(ours)
        t_ours.append(t / units)
        t, b = timed(theirs)
        t_theirs.append(t / units)
    mo, mt = statistics.median(t_ours), statistics.median(t_theirs)
    print(f"| {name} | {mo * 1e3:.2f} ms | {mt * 1e3:.2f} ms | {mt / mo:.1f}× | "
          f"{min(t_ours) * 1e3:.2f}–{max(t_ours) * 1e3:.2f} / {min(t_theirs) * 1e3:.2f}–{max(t_theirs) * 1e3:.2f} ms |")
    return a, b


def adam_epochs(repeats, epochs):
    rs = np.random.RandomState(0)
    X, y = make_classification(n_samples=20000, n_features=50, n_informative=30, random_state=0)
    common = dict(hidden_layer_sizes=(100,), solver="adam", batch_size=200, learning_rate_init=1e-3, alpha=1e-4,
                  max_iter=epochs, tol=0.0, n_iter_no_change=10**9, random_state=rs.randint(1000))
    side_by_side(f"Adam epoch, 20 000 × 50, (100,), batch 200 ({epochs} epochs a run)",
                 lambda: backprop.MLPClassifier(n_threads=1, **common).fit(X, y),
                 lambda: SkMLP(**common).fit(X, y), epochs, repeats)


def course_net(repeats, iterations):
    cat_dir = os.environ.get("BACKPROP_CAT_DIR")
    if cat_dir:
        from backprop import course

        train_x, train_y, *_ = course.load_cat(cat_dir)
        X, y, source = np.ascontiguousarray(train_x.T), train_y.ravel().astype(int), "cat pictures"
    else:
        rs = np.random.RandomState(1)
        X = rs.randint(0, 256, size=(209, 12288)) / 255.0
        y = (rs.rand(209) < 0.35).astype(int)
        source = "random pictures"
    common = dict(hidden_layer_sizes=(20, 7, 5), activation="relu", learning_rate_init=0.0075, alpha=0.0,
                  max_iter=iterations, tol=0.0, n_iter_no_change=10**9, random_state=1)
    ours, theirs = side_by_side(
        f"full-batch iteration, 209 × 12288 → 20 → 7 → 5 → 1 ({source}, {iterations} iterations a run)",
        lambda: backprop.MLPClassifier(solver="gd", n_threads=1, **common).fit(X, y),
        lambda: SkMLP(solver="sgd", momentum=0.0, batch_size=209, shuffle=False, **common).fit(X, y),
        iterations, repeats)
    gap = np.abs(np.array(ours.loss_curve_) - np.array(theirs.loss_curve_)).max()
    print(f"|   (same starting weights, same updates: largest cost difference {gap:.1e}) | | | | |")


def accuracies():
    digits = load_digits(return_X_y=True)
    cancer = load_breast_cancer(return_X_y=True)
    synthetic = make_classification(n_samples=3000, n_features=20, n_informative=10, n_classes=3, random_state=0)
    print("\n| data set | backprop | scikit-learn | difference |\n|---|---|---|---|")
    for name, (X, y) in (("digits", digits), ("breast cancer", cancer), ("synthetic (3000 × 20, 3 classes)", synthetic)):
        Xtr, Xte, ytr, yte = train_test_split(X, y, random_state=0, stratify=y)
        scaler = StandardScaler().fit(Xtr)
        Xtr, Xte = scaler.transform(Xtr), scaler.transform(Xte)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            a = backprop.MLPClassifier(random_state=0).fit(Xtr, ytr).score(Xte, yte)
            b = SkMLP(random_state=0).fit(Xtr, ytr).score(Xte, yte)
        print(f"| {name} | {a * 100:.2f} % | {b * 100:.2f} % | {(a - b) * 100:+.2f} points |")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="fewer epochs and iterations (a smoke run)")
    args = parser.parse_args()
    with threadpool_limits(limits=1):
        print(f"backprop {backprop.__version__} vs scikit-learn {__import__('sklearn').__version__}, one thread each, "
              f"medians of {args.repeats} alternating runs\n")
        print("| workload | backprop | scikit-learn | speed-up | range (backprop / scikit-learn) |\n|---|---|---|---|---|")
        adam_epochs(args.repeats, 2 if args.quick else 10)
        course_net(args.repeats, 10 if args.quick else 100)
        accuracies()


if __name__ == "__main__":
    main()
