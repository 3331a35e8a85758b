"""Recompute backprop's predictions in numpy from its model files.

usage: recompute.py MODEL_DIR DATA.csv PREDICTIONS.json
Loads model.safetensors with the `safetensors` package, applies the
preprocessing in model.json to the CSV's features, runs the forward pass
(Z = W·A + b, hidden g, sigmoid output) and compares with backprop's
probabilities. Prints the largest difference; exits 1 above 1e-6.
"""
import json
import sys

import numpy as np
from safetensors.numpy import load_file

model_dir, data_path, preds_path = sys.argv[1:4]
info = json.load(open(f"{model_dir}/model.json"))
weights = load_file(f"{model_dir}/model.safetensors")
dtype = np.float32 if info["precision"] == "f32" else np.float64

pre = info["preprocessing"]
header = open(data_path).readline().strip().split(",")
table = np.loadtxt(data_path, delimiter=",", skiprows=1, ndmin=2)
cols = [header.index(name) for name in pre["feature_names"]]
X = table[:, cols].T * pre["scale"]
if pre.get("standardization"):
    s = pre["standardization"]
    X = (X - np.array(s["mean"])[:, None]) / np.array(s["std"])[:, None]
A = X.astype(dtype)

g = {
    "relu": lambda z: np.maximum(z, 0),
    "tanh": np.tanh,
    "sigmoid": lambda z: 1 / (1 + np.exp(-z)),
    "leaky-relu": lambda z: np.where(z > 0, z, info["hidden_activation"].get("slope", 0.01) * z),
}[info["hidden_activation"]["name"]]
L = len(info["layer_sizes"]) - 1
for l in range(1, L + 1):
    W, b = weights[f"W{l}"], weights[f"b{l}"]
    assert W.shape == (info["layer_sizes"][l], info["layer_sizes"][l - 1]), W.shape
    assert b.shape == (info["layer_sizes"][l], 1), b.shape
    assert W.dtype == dtype
    Z = W @ A + b
    A = 1 / (1 + np.exp(-Z)) if l == L else g(Z)

# P(second class) for a sigmoid model: "probabilities" holds every class's.
positive = info["classes"][1]
ours = np.array([p["probabilities"][positive] for p in json.load(open(preds_path))])
diff = float(np.max(np.abs(ours - A[0].astype(np.float64))))
print(f"max |numpy - backprop| = {diff:.3e} over {ours.size} predictions")
sys.exit(0 if diff <= 1e-6 else 1)
