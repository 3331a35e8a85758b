"""backprop with its defaults only against scikit-learn, on scikit-learn's bundled tables.

usage: python bench/defaults.py BACKPROP_BINARY [--splits N] [--candidates]

For each of iris, wine, breast cancer, digits and "wine, messy" (wine with a
string feature column and missing cells, built below), and each of N
stratified 75/25 splits (random_state 0…N−1), writes the training and test
tables the way pandas writes them (`df.to_csv()`: the index as an unnamed
first column, the class names as strings, the test table's columns in reverse
order), then runs

  backprop train --train train.csv --test test.csv --label-column target

(nothing else: every other setting is backprop's default; the messy table adds
`--missing mean`, since missing cells are refused by default), and
scikit-learn's MLPClassifier() and LogisticRegression(max_iter=1000), each on
the raw features and after a StandardScaler (on the messy table: a mean /
most-frequent SimpleImputer and a OneHotEncoder first), on the same split.
Prints the mean test accuracy over the splits and the median time per run, as
a Markdown table.

With --candidates it also runs backprop under each candidate setting of
CANDIDATES (explicit flags), the measurements behind the table defaults
(docs/DEFAULTS.md).

Needs scikit-learn and pandas (`python -m venv target/bench-venv &&
target/bench-venv/bin/pip install scikit-learn pandas`). Each run of backprop
is given --threads 1, as scikit-learn's fits here run on one core.
"""

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import warnings

# bench/sklearn.py (a benchmark) would shadow scikit-learn: this folder is
# sys.path[0] when the script runs, so take it off before importing.
sys.path = [p for p in sys.path if os.path.abspath(p or ".") != os.path.dirname(os.path.abspath(__file__))]

import pandas as pd  # noqa: E402
import numpy as np
from sklearn.compose import make_column_selector, make_column_transformer
from sklearn.datasets import load_breast_cancer, load_digits, load_iris, load_wine
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.impute import SimpleImputer
from sklearn.preprocessing import OneHotEncoder, StandardScaler


def load_messy_wine(as_frame=True):
    """Wine as a real table comes: the alcohol column replaced by a string
    column (low / medium / high, its terciles) and 4 % of the cells of three
    columns (one of them the string one) missing. Seeded: the same table every run."""
    bunch = load_wine(as_frame=as_frame)
    frame = bunch.frame.copy()
    frame.insert(0, "strength", pd.qcut(frame.pop("alcohol"), 3, labels=["low", "medium", "high"]).astype(str))
    rng = np.random.default_rng(0)
    for column in ["strength", "malic_acid", "color_intensity"]:
        frame.loc[rng.random(len(frame)) < 0.04, column] = np.nan
    bunch.frame = frame
    return bunch

DATASETS = {
    "iris": load_iris,
    "wine": load_wine,
    "breast cancer": load_breast_cancer,
    "digits": load_digits,
    "wine, messy": load_messy_wine,
}
# Flags a data set needs beside the defaults (missing cells are refused unless told what to do).
NEEDS = {"wine, messy": ["--missing", "mean"]}

def adam(hidden, rate, batch, epochs, note="", l2=0):
    """A candidate: ReLU layers `hidden`, Adam at `rate`, mini-batches of `batch`, `epochs` epochs,
    L2 λ `l2` (given explicitly: a table's default λ is 0.1 since issue 25)."""
    name = f"{hidden} relu, Adam α {rate}, batch {batch}, {epochs} epochs{f', L2 λ {l2}' if l2 else ''}{note}"
    flags = ["--hidden", hidden, "--optimizer", "adam", "--learning-rate", str(rate),
             "--batch-size", str(batch), "--epochs", str(epochs), "--l2", str(l2)]
    return name, flags


# Candidate table settings (flags beside --label-column), measured with --candidates.
CANDIDATES = dict([
    ("course: 20,7,5 relu, GD α 0.0075, 2500 full-batch iterations",
     ["--hidden", "20,7,5", "--optimizer", "gd", "--learning-rate", "0.0075", "--iterations", "2500"]),
    adam("100", 0.001, 200, 200, note=" (MLPClassifier's)"),
    adam("64", 0.01, 32, 50),
    adam("64", 0.001, 32, 100),
    adam("32", 0.01, 32, 30),
    adam("64,32", 0.001, 32, 100),
    # issue 25 (docs/DEFAULTS.md §3-4): L2 λ 0.1 with three step sizes.
    adam("64", 0.001, 32, 50, l2=0.1),
    adam("64", 0.003, 32, 50, l2=0.1, note=" (the defaults since issue 25)"),
    adam("64", 0.01, 32, 50, l2=0.1),
])


def write_split(frame, target, split, folder):
    train, test = train_test_split(
        frame, test_size=0.25, random_state=split, stratify=frame[target]
    )
    train.to_csv(os.path.join(folder, "train.csv"))
    test[list(test.columns[::-1])].to_csv(os.path.join(folder, "test.csv"))
    return train, test


def run_backprop(binary, folder, flags):
    out = os.path.join(folder, "run")
    cmd = [
        binary, "train", "--train", os.path.join(folder, "train.csv"),
        "--test", os.path.join(folder, "test.csv"), "--label-column", "target",
        "--out", out, "--force", "--json", *flags,
    ]
    start = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed: {done.stderr}")
    summary = json.loads(done.stdout)
    return summary["test_accuracy"], seconds, done.stderr.strip()


def prepared(model, frame, standardise):
    """scikit-learn's model behind what the table needs: string columns one-hot
    encoded, missing cells filled (mean / most frequent), numbers standardised
    when asked."""
    strings = [c for c in frame.columns if c != "target" and not pd.api.types.is_numeric_dtype(frame[c])]
    numbers = SimpleImputer(strategy="mean")
    if standardise:
        numbers = make_pipeline(numbers, StandardScaler())
    if not strings and not frame.isna().any().any():
        return make_pipeline(StandardScaler(), model) if standardise else model
    columns = make_column_transformer(
        (make_pipeline(SimpleImputer(strategy="most_frequent"), OneHotEncoder(handle_unknown="ignore")), strings),
        (numbers, make_column_selector(dtype_include="number")),
    )
    return make_pipeline(columns, model)


def run_sklearn(model, train, test, target):
    x, y = train.drop(columns=[target]), train[target]
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(x, y)
    seconds = time.perf_counter() - start
    return model.score(test.drop(columns=[target])[x.columns], test[target]), seconds


def main():
    binary = os.path.abspath(sys.argv[1])
    splits = int(sys.argv[sys.argv.index("--splits") + 1]) if "--splits" in sys.argv else 5
    runs = {"backprop, defaults only": []}
    if "--only-candidates" in sys.argv:
        runs = {}
    if "--candidates" in sys.argv or "--only-candidates" in sys.argv:
        runs.update({f"backprop {name}": flags for name, flags in CANDIDATES.items()})
    sklearn = {
        "MLPClassifier() raw": lambda: MLPClassifier(random_state=0),
        "MLPClassifier() standardised": lambda: MLPClassifier(random_state=0),
        "LogisticRegression raw": lambda: LogisticRegression(max_iter=1000),
        "LogisticRegression standardised": lambda: LogisticRegression(max_iter=1000),
    }
    rows = {name: {} for name in [*runs, *sklearn]}
    warnings_seen = []
    for dataset, load in DATASETS.items():
        bunch = load(as_frame=True)
        frame = bunch.frame.copy()
        frame["target"] = [str(bunch.target_names[i]) for i in bunch.target]
        results = {name: ([], []) for name in rows}
        for split in range(splits):
            with tempfile.TemporaryDirectory() as folder:
                train, test = write_split(frame, "target", split, folder)
                for name, flags in runs.items():
                    acc, secs, err = run_backprop(
                        binary, folder, [*NEEDS.get(dataset, []), *flags]
                    )
                    results[name][0].append(acc)
                    results[name][1].append(secs)
                    if "warning" in err:
                        warnings_seen.append(f"{dataset} split {split}, {name}: {err}")
                for name, make in sklearn.items():
                    model = prepared(make(), frame, name.endswith("standardised"))
                    acc, secs = run_sklearn(model, train, test, "target")
                    results[name][0].append(acc)
                    results[name][1].append(secs)
        for name, (accs, secs) in results.items():
            rows[name][dataset] = (statistics.mean(accs), statistics.median(secs))
    print(f"mean test accuracy over {splits} stratified 75/25 splits (median seconds)\n")
    print("| run | " + " | ".join(DATASETS) + " |")
    print("|---|" + "---|" * len(DATASETS))
    for name, by_set in rows.items():
        cells = [f"{by_set[d][0] * 100:.1f} % ({by_set[d][1]:.2f} s)" for d in DATASETS]
        print(f"| {name} | " + " | ".join(cells) + " |")
    print("\nbackprop's time is the whole command (start, reading the CSV, training, writing the run")
    print("folder and plots); scikit-learn's is fit() alone. The machine is shared: times are rough.")
    for w in warnings_seen:
        print(w)


if __name__ == "__main__":
    main()
