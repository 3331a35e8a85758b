"""Big tables: `backprop train --epochs 1` and `predict` on numeric CSVs of
10⁵, 10⁶ and 10⁷ rows × 20 feature columns (+ a 0/1 label), against the
time and peak memory of pandas' read_csv (and polars' and pyarrow's CSV
readers where they import). Each command runs under /usr/bin/time -v; the
figures are wall seconds and peak RSS (MB). The tables are written under
/tmp/csvload and deleted at the end (10⁷ rows is ~1.7 GB: check `df -h /`).

    python3 bench/csv_load.py [--rows 100000,1000000] [--reps 3] [--backprop target/release/backprop]

Every command runs with 1 thread for the readers' comparison, alternating
between the tools (`--reps` rounds); the medians are printed, each peak also
as a multiple of the f32 matrix (rows × 20 × 4 bytes). `--backprop OLD,NEW`
times two binaries in the same rounds (paired runs on a shared machine).
"""
import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys

import numpy as np

ROOT = "/tmp/csvload"
COLUMNS = 20


def write_table(path, rows, seed=0):
    """Features N(0, 1) written with 6 decimals (~9 bytes a cell), the
    label from a linear rule with noise: ~172 bytes a row."""
    rng = np.random.default_rng(seed)
    w = rng.standard_normal(COLUMNS)
    header = ",".join(f"x{i}" for i in range(1, COLUMNS + 1)) + ",label\n"
    with open(path, "w") as f:
        f.write(header)
        chunk = 200_000
        for start in range(0, rows, chunk):
            n = min(chunk, rows - start)
            x = rng.standard_normal((n, COLUMNS))
            y = (x @ w + rng.standard_normal(n) > 0).astype(int)
            lines = [",".join(f"{v:.6f}" for v in row) + f",{label}" for row, label in zip(x, y)]
            f.write("\n".join(lines) + "\n")


READERS = {
    "pandas": "import pandas as pd; d = pd.read_csv({p!r}); x = d.drop(columns='label').to_numpy()",
    "polars": "import polars as pl; d = pl.read_csv({p!r}); x = d.drop('label').to_numpy()",
    "pyarrow": "import pyarrow.csv as c; t = c.read_csv({p!r}); x = t.drop(['label']).to_pandas().to_numpy()",
}


def measure(cmd, env=None):
    """(wall seconds, peak RSS MB, stdout) of `cmd` under /usr/bin/time -v."""
    run = subprocess.run(["/usr/bin/time", "-v"] + cmd, capture_output=True, text=True, env=env)
    if run.returncode != 0:
        sys.exit(f"{cmd} failed:\n{run.stdout}\n{run.stderr}")
    wall = re.search(r"Elapsed \(wall clock\) time.*: (?:(\d+):)?(\d+):([\d.]+)", run.stderr)
    seconds = float(wall.group(2)) * 60 + float(wall.group(3)) + float(wall.group(1) or 0) * 3600
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", run.stderr).group(1))
    return seconds, rss / 1000, run.stdout


def training_seconds(stdout):
    """The training time `train` reports ("… in 0.35 s"), if it does."""
    found = re.findall(r"in ([\d.]+) ?s\b", stdout)
    return float(found[-1]) if found else None


def time_backprop(binary, path, out, tag, env, results):
    """One round of `train --epochs 1` and `predict` with `binary`, added to `results`."""
    train = [binary, "train", "--train", path, "--epochs", "1", "--threads", "1",
             "--out", out, "--force"]
    predict = [binary, "predict", "--model", out, "--format", "csv", path]
    t, rss, stdout = measure(train, env)
    results.setdefault("train" + tag, []).append((t, rss))
    results.setdefault("training alone" + tag, []).append((training_seconds(stdout) or 0, 0))
    t, rss, _ = measure(predict, env)
    results.setdefault("predict" + tag, []).append((t, rss))


def available_readers(python):
    names = []
    for name in READERS:
        mod = "pyarrow.csv" if name == "pyarrow" else name
        if subprocess.run([python, "-c", f"import {mod}"], capture_output=True).returncode == 0:
            names.append(name)
    return names


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", default="100000,1000000")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--backprop", default="target/release/backprop",
                    help="one binary, or several separated by commas, timed in turn")
    ap.add_argument("--python", default=sys.executable)
    ap.add_argument("--keep", action="store_true", help="keep the tables under /tmp/csvload")
    args = ap.parse_args()
    env = dict(os.environ, OMP_NUM_THREADS="1", RAYON_NUM_THREADS="1", POLARS_MAX_THREADS="1")
    os.makedirs(ROOT, exist_ok=True)
    readers = available_readers(args.python)
    try:
        for rows in [int(r) for r in args.rows.split(",")]:
            path = f"{ROOT}/t{rows}.csv"
            if not os.path.exists(path):
                write_table(path, rows)
            size = os.path.getsize(path) / 1e6
            print(f"\n{rows} rows × {COLUMNS} columns, {size:.0f} MB "
                  f"(f64 matrix {rows * COLUMNS * 8 / 1e6:.0f} MB, f32 {rows * COLUMNS * 4 / 1e6:.0f} MB)")
            binaries = args.backprop.split(",")
            results = {}
            for _ in range(args.reps):
                for name in readers:
                    code = READERS[name].format(p=path)
                    results.setdefault(name, []).append(measure([args.python, "-c", code], env)[:2])
                for b, binary in enumerate(binaries):
                    tag = f" [{b}]" if len(binaries) > 1 else ""
                    time_backprop(binary, path, f"{ROOT}/run{rows}-{b}", tag, env, results)
            f32_mb = rows * COLUMNS * 4 / 1e6
            for name, runs in results.items():
                t = statistics.median(r[0] for r in runs)
                rss = statistics.median(r[1] for r in runs)
                print(f"  {name:20s} {t:7.2f} s  {rss:8.0f} MB peak  ({rss / f32_mb:4.2f}× f32 X)")
            for b in range(len(binaries)):
                shutil.rmtree(f"{ROOT}/run{rows}-{b}", ignore_errors=True)
    finally:
        if not args.keep:
            shutil.rmtree(ROOT, ignore_errors=True)


if __name__ == "__main__":
    main()
