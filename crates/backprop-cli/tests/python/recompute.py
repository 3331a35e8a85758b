"""Recompute backprop's predictions in numpy from its model files.

usage: recompute.py MODEL_DIR DATA.csv PREDICTIONS.json
Loads model.safetensors with the `safetensors` package, applies the
preprocessing in model.json to the CSV's features, runs the forward pass
(Z = W·A + b, hidden g, then a sigmoid output for one unit or a softmax
over K units) and compares with backprop's probabilities (of the most
probable class, for a softmax) and classes. Prints the largest difference;
exits 1 above 1e-6 or on any class that differs.
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
    for f in s.get("signed_log", []):  # a table's skewed columns: sign(x)·ln(1+|x|) first
        X[f] = np.sign(X[f]) * np.log1p(np.abs(X[f]))
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
    A = Z if l == L else g(Z)

Z = A.astype(np.float64)
assert info["output_activation"] == ("sigmoid" if Z.shape[0] == 1 else "softmax"), info["output_activation"]
if Z.shape[0] == 1:
    P = 1 / (1 + np.exp(-Z[0]))
    S = np.vstack([1 - P, P])
else:
    E = np.exp(Z - Z.max(axis=0, keepdims=True))
    S = E / E.sum(axis=0, keepdims=True)
best = S.argmax(axis=0)

# "probabilities" holds every class's, by name; "probability" the predicted class's.
preds = json.load(open(preds_path))
ours = np.array([[p["probabilities"][c] for c in info["classes"]] for p in preds]).T
diff = float(np.max(np.abs(ours - S)))
picked = np.array([p["probability"] for p in preds])
diff = max(diff, float(np.max(np.abs(picked - S[best, np.arange(S.shape[1])]))))
wrong = sum(p["class"] != info["classes"][c] for p, c in zip(preds, best))
print(f"max |numpy - backprop| = {diff:.3e} over {ours.size} probabilities; {wrong} classes differ")
sys.exit(0 if diff <= 1e-6 and wrong == 0 else 1)
