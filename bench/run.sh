#!/usr/bin/env bash
# The benchmark: builds backprop in release, sets up numpy in target/bench-venv,
# and runs every workload with backprop and with the numpy reference scripts,
# alternating, printing one table of medians (bench/compare.py).
#
#   bench/run.sh                 # all workloads, 3 runs each (≈ 15 min on 2 cores)
#   bench/run.sh --quick         # a tenth of the iterations, a smoke test
#   bench/run.sh --reps 5 --only W3,W4 --threads 2
#   bench/run.sh --peers [--quick …]   # instead: backprop beside numpy, PyTorch, JAX, TensorFlow/Keras
#                                      # and scikit-learn (bench/peers.sh passes the rest to bench/peers.py)
#   bench/run.sh --conv [--reps 5]     # instead: a small conv net's epoch beside PyTorch (bench/conv.py)
#   (then the planner case: bench_workloads planner, every configuration on every road,
#   the tiny-network case: bench/tiny.py, the flower net's iteration,
#   and the subnormal case: bench/subnormal.py, a table in f32 with and without --l2 1)
#
# Needs ../shared/reference (the numpy scripts) and ../shared/datasets/catvnoncat
# beside the repository, or BACKPROP_REFERENCE_DIR / BACKPROP_CAT_DIR.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" = "--peers" ]; then
  shift
  exec bench/peers.sh "$@"
fi
if [ "${1:-}" = "--conv" ]; then
  # The convolution case: one epoch of a small conv net in backprop and in
  # PyTorch on the CPU, same data, weights, batch order, batch size and threads
  # (bench/conv.py; the rest of the arguments go to it, e.g. --reps 5).
  # PyTorch comes from PyPI into target/torch-venv (≈ 5 GB with its CUDA
  # libraries: check `df -h` first).
  shift
  . bench/venv.sh
  need_venv target/torch-venv "numpy, torch" numpy torch
  echo "== cargo build --release --example conv_epoch" >&2
  cargo build --release --quiet -p backprop --example conv_epoch
  exec target/torch-venv/bin/python bench/conv.py --bin target/release/examples/conv_epoch "$@"
fi
ROOT=$(pwd)
REF=${BACKPROP_REFERENCE_DIR:-$ROOT/../shared/reference}
CAT=${BACKPROP_CAT_DIR:-$ROOT/../shared/datasets/catvnoncat}
VENV=$ROOT/target/bench-venv

for f in "$REF/w3_llayer.py" "$CAT/train_catvnoncat.h5"; do
  [ -f "$f" ] || { echo "missing $f (set BACKPROP_REFERENCE_DIR / BACKPROP_CAT_DIR)" >&2; exit 2; }
done

. bench/venv.sh
need_venv "$VENV" "numpy, h5py, jax" numpy h5py threadpoolctl jax

echo "== cargo build --release --features internals --example bench_workloads" >&2
cargo build --release --quiet -p backprop --features internals --example bench_workloads

mkdir -p target/bench
"$VENV/bin/python" bench/compare.py \
  --bin "$ROOT/target/release/examples/bench_workloads" \
  --python "$VENV/bin/python" --reference "$REF" --cat-dir "$CAT" \
  --json "target/bench/results-$(date -u +%Y%m%dT%H%M%SZ).json" "$@"

# The planner never picks the slower road: each configuration on the road the
# planner chooses (auto) and forced onto the others that compute its numbers
# (layers: every product direct; general: the general loop, the same update as
# one mini-batch per epoch). chosen_over_fastest ≈ 1 (within noise) everywhere.
echo "== the planner's choice against the other roads (median of 3, seconds)"
"$ROOT/target/release/examples/bench_workloads" planner --reps 3

# Tiny networks pay no per-iteration overhead: the flower net's iteration
# (2-4-1 tanh, 400 points, f64 and f32, 1 thread), wall and CPU time.
echo "== the tiny-network case: the flower net per iteration (median of 5)"
python3 bench/tiny.py --reps 5 "$ROOT/target/release/examples/bench_workloads"

# Subnormal weights cost nothing: the same table in f32 with and without
# --l2 1 (weight decay walks weights through the subnormal range), ratio ≈ 1.
echo "== the subnormal case: f32 with and without --l2 1 (median of 5, seconds)"
cargo build --release --quiet -p backprop-cli
python3 bench/subnormal.py --bin "$ROOT/target/release/backprop" --reps 5
