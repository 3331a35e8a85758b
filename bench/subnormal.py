"""The subnormal case: the same table trained in f32 with and without L2
(`--l2 1`), alternating, `--reps` times each; prints the median training
seconds (metrics.json's train_seconds) of each and their ratio. Weight decay
walks the weights of inputs without signal through the subnormal range, where
x86 arithmetic is slow unless flushed to zero (crates/backprop/src/subnormal.rs);
the ratio should stay near 1 (issue 25 asks ≤ 1.3).

    python3 bench/subnormal.py --bin target/release/backprop [--reps 5] [--epochs 50]

The table is bench/default_table.py's (10 000 rows shaped like ISLR's Default;
4 features after one-hot, so 256 first-layer weights under the 64-unit default).
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import default_table  # noqa: E402


def subnormal_weights(folder):
    """How many f32 weights in model.safetensors are subnormal, of how many."""
    import struct
    with open(os.path.join(folder, "model.safetensors"), "rb") as f:
        raw = f.read()
    n = struct.unpack("<Q", raw[:8])[0]
    header, data = json.loads(raw[8:8 + n]), raw[8 + n:]
    sub = total = 0
    for name, t in header.items():
        if name == "__metadata__" or t["dtype"] != "F32":
            continue
        start, end = t["data_offsets"]
        values = struct.unpack("<%df" % ((end - start) // 4), data[start:end])
        total += len(values)
        sub += sum(1 for v in values if v != 0.0 and abs(v) < 1.1754943508222875e-38)
    return sub, total


def train(binary, table, out, l2, epochs):
    subprocess.run(
        [binary, "train", "--train", table, "--label-column", "default", "--quiet",
         "--precision", "f32", "--epochs", str(epochs), "--l2", str(l2),
         "--out", out, "--force"],
        check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    with open(os.path.join(out, "metrics.json")) as f:
        return json.load(f)["train_seconds"]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--bin", required=True)
    p.add_argument("--reps", type=int, default=5)
    p.add_argument("--epochs", type=int, default=50)
    a = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        table = os.path.join(tmp, "default.csv")
        default_table.main(table)
        times = {0: [], 1: []}
        for _ in range(a.reps):
            for l2 in (0, 1):
                times[l2].append(train(a.bin, table, os.path.join(tmp, f"l2-{l2}"), l2, a.epochs))
        sub, total = subnormal_weights(os.path.join(tmp, "l2-1"))
    plain, decayed = statistics.median(times[0]), statistics.median(times[1])
    print(f"subnormal case (f32, {a.epochs} epochs, median of {a.reps}): "
          f"--l2 0: {plain:.3f} s, --l2 1: {decayed:.3f} s, "
          f"ratio {decayed / plain:.2f}; subnormal weights after --l2 1: {sub} of {total}")


if __name__ == "__main__":
    main()
