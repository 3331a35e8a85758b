#!/usr/bin/env bash
# Data-parallel scaling: the 784-256-128-1 workload (60 000 synthetic examples
# of 784 features, f32, batch 1024) on 1 and 2 MPI ranks. Prints examples per
# second and the time spent in the gradient all-reduce per update.
#
#   bench/mpi_scaling.sh [EPOCHS] [REPS]     (default 2 epochs, 3 repetitions; medians)
#
# Builds backprop with --features mpi (needs OpenMPI and libclang: see docs/cli.md)
# and makes the data with numpy in target/bench-venv.
set -euo pipefail
cd "$(dirname "$0")/.."
EPOCHS=${1:-2}
REPS=${2:-3}
VENV=target/bench-venv
mkdir -p target/bench
if ! "$VENV/bin/python" -c "import numpy" 2>/dev/null; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet numpy
fi
DATA=target/bench/scale_60000x784.npz
if [ ! -f "$DATA" ]; then
  "$VENV/bin/python" - "$DATA" <<'PY'
import sys
import numpy as np
rng = np.random.default_rng(0)
x = rng.standard_normal((60000, 784), dtype=np.float32)
w = rng.standard_normal(784).astype(np.float32)
y = (x @ w > 0).astype(np.uint8)
np.savez(sys.argv[1], x=x, y=y)
PY
fi
cargo build --release --quiet -p backprop-cli --features mpi
BIN=target/release/backprop
ARGS=(train --train "$DATA" --hidden 256,128 --activation relu --init he --batch-size 1024
      --epochs "$EPOCHS" --learning-rate 0.01 --precision f32 --threads 1 --json --force)
echo "ranks  rep  seconds  examples/s  updates  all-reduce ms/update"
for rep in $(seq "$REPS"); do
  for np in 1 2; do
    out=target/bench/mpi_np$np
    mpirun --allow-run-as-root --oversubscribe --bind-to none -np "$np" "$BIN" "${ARGS[@]}" --out "$out" >/dev/null
    "$VENV/bin/python" - "$out/metrics.json" "$np" "$rep" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
ex = m["train_examples"] * m["iterations"]
ms = 1000 * m["allreduce_seconds"] / max(m["updates"], 1)
print(f'{sys.argv[2]:>5}  {sys.argv[3]:>3}  {m["train_seconds"]:7.2f}  {ex / m["train_seconds"]:10.0f}  {m["updates"]:7d}  {ms:20.3f}')
PY
  done
done
