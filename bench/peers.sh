#!/usr/bin/env bash
# backprop beside the peers its users pick: numpy, PyTorch (CPU), JAX, TensorFlow
# (a tf.function loop and Keras 3 fit) and scikit-learn, on W6, the W6 softmax/Adam
# variant, scikit-learn's Adam workload and the W3 cat net, at 1 and 2 threads
# (bench/peers.py; docs/PERFORMANCE.md, "Beside the peers").
#
#   bench/peers.sh                       # every workload and peer, 3 alternating runs (≈ 40 min on 2 cores)
#   bench/peers.sh --quick               # W6 on 6 000 rows, 3 epochs, 25 iterations (≈ 12 min)
#   bench/peers.sh --only w6,w6adam --peers backprop,bp-cli,torch,jax --threads 1
#   (also: bench/run.sh --peers [the same options])
#
# Sets up target/peers-venv the first time (torch, tensorflow-cpu, keras, jax,
# scikit-learn, numpy, h5py from PyPI: ≈ 7.5 GB with torch's CUDA libraries; check
# `df -h` first), and uses $BACKPROP_PYTHON (default target/py-venv/bin/python)
# for backprop's Python package, installing it there (`pip install .`) if missing.
# Needs ../shared/reference and ../shared/datasets/catvnoncat beside the repository,
# or BACKPROP_REFERENCE_DIR / BACKPROP_CAT_DIR.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
REF=${BACKPROP_REFERENCE_DIR:-$ROOT/../shared/reference}
CAT=${BACKPROP_CAT_DIR:-$ROOT/../shared/datasets/catvnoncat}
VENV=$ROOT/target/peers-venv
BP_PY=${BACKPROP_PYTHON:-$ROOT/target/py-venv/bin/python}

for f in "$REF/w6_scale.py" "$REF/w3_llayer.py" "$CAT/train_catvnoncat.h5"; do
  [ -f "$f" ] || { echo "missing $f (set BACKPROP_REFERENCE_DIR / BACKPROP_CAT_DIR)" >&2; exit 2; }
done

. bench/venv.sh
need_venv "$VENV" "torch, tensorflow, keras, jax, sklearn, h5py, threadpoolctl" \
  torch tensorflow-cpu keras jax scikit-learn numpy h5py threadpoolctl
if ! "$BP_PY" -c "import backprop, sklearn, threadpoolctl" 2>/dev/null; then
  echo "== installing backprop's Python package into $BP_PY's environment" >&2
  [ -x "$BP_PY" ] || python3 -m venv "$(dirname "$(dirname "$BP_PY")")"
  "$BP_PY" -m pip install --quiet numpy scikit-learn threadpoolctl "maturin>=1.9,<2"
  "$BP_PY" -m pip install --quiet .
fi

echo "== cargo build --release --features internals --example bench_workloads" >&2
cargo build --release --quiet -p backprop --features internals --example bench_workloads

mkdir -p target/bench
"$VENV/bin/python" bench/peers.py --peer-python "$VENV/bin/python" --bp-python "$BP_PY" \
  --bin "$ROOT/target/release/examples/bench_workloads" --reference "$REF" --cat-dir "$CAT" \
  --data "$ROOT/target/peers" --json "target/bench/peers-$(date -u +%Y%m%dT%H%M%SZ).json" "$@"
