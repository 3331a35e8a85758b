"""Runs exported ONNX models in onnxruntime and compares them with `backprop predict`.

Usage: onnx_check.py CASES.json, a list of cases:
  {"name", "model": model.onnx, "inputs": CSV of raw features (one example a row, no header),
   "predictions": `backprop predict --format json` on the same examples in the same order,
   "tolerance", "opset", "label_type": "int64" | "string", "input_type": "float" | "double",
   optionally "input_shape": [n_H, n_W, n_C] (a conv net: each CSV row reshaped to a picture)}
For each: onnx.checker.check_model(full_check=True); the opset, IR version 8 and metadata;
onnxruntime's `probabilities` against predict's every class's probability (its
"probabilities", by class name) within the tolerance; identical labels; rows of
`probabilities` summing to 1. Prints one line per case; exits 1 naming every failure.
"""

import json
import sys

import numpy as np
import onnx
import onnxruntime as ort


def check(case):
    model = onnx.load(case["model"])
    onnx.checker.check_model(model, full_check=True)
    errors = []
    if model.ir_version != 8:
        errors.append(f"IR version {model.ir_version}, expected 8")
    opset = [o.version for o in model.opset_import if o.domain in ("", "ai.onnx")]
    if opset != [case["opset"]]:
        errors.append(f"opset {opset}, expected {case['opset']}")
    meta = {p.key: p.value for p in model.metadata_props}
    for key in ("backprop_version", "layer_sizes", "classes", "preprocessing"):
        if key not in meta:
            errors.append(f"metadata has no {key}")
    classes = json.loads(meta.get("classes", "[]"))

    session = ort.InferenceSession(case["model"], providers=["CPUExecutionProvider"])
    (inp,) = session.get_inputs()
    if inp.type != f"tensor({case['input_type']})":
        errors.append(f"input is {inp.type}, expected tensor({case['input_type']})")
    dtype = np.float64 if case["input_type"] == "double" else np.float32
    x = np.loadtxt(case["inputs"], delimiter=",", ndmin=2, dtype=np.float64).astype(dtype)
    if case.get("input_shape"):  # a conv net's pictures: N × n_H × n_W × n_C
        x = x.reshape([len(x)] + case["input_shape"])
    label, proba = session.run(["label", "probabilities"], {inp.name: x})

    with open(case["predictions"]) as f:
        preds = json.load(f)
    if proba.shape != (len(preds), len(classes)):
        errors.append(f"probabilities has shape {proba.shape}, expected {(len(preds), len(classes))}")
        return errors, None
    if case["label_type"] == "int64" and label.dtype != np.int64:
        errors.append(f"label is {label.dtype}, expected int64")
    if case["label_type"] == "string" and label.dtype != object:
        errors.append(f"label is {label.dtype}, expected strings")
    got_labels = [str(v) for v in label]
    want_labels = [p["class"] for p in preds]
    if got_labels != want_labels:
        bad = [i for i, (g, w) in enumerate(zip(got_labels, want_labels)) if g != w]
        errors.append(f"labels differ at rows {bad[:10]}: {[got_labels[i] for i in bad[:3]]} vs {[want_labels[i] for i in bad[:3]]}")
    if len(set(want_labels)) < 2:
        errors.append("every example has the same label: the comparison would prove little")
    want_p = np.array([[p["probabilities"][c] for c in classes] for p in preds], dtype=np.float64)
    got_p = proba.astype(np.float64)
    diff = float(np.max(np.abs(got_p - want_p)))
    row_sum = float(np.max(np.abs(proba.astype(np.float64).sum(axis=1) - 1.0)))
    if not diff <= case["tolerance"]:
        errors.append(f"probabilities differ from predict's by {diff:.3g} > {case['tolerance']}")
    if not row_sum <= 4 * case["tolerance"]:
        errors.append(f"rows of probabilities sum to 1 ± {row_sum:.3g}")
    return errors, (diff, row_sum, len(preds))


def main():
    with open(sys.argv[1]) as f:
        cases = json.load(f)
    print(f"onnx {onnx.__version__}, onnxruntime {ort.__version__}")
    failed = []
    for case in cases:
        errors, figures = check(case)
        if figures:
            diff, row_sum, n = figures
            print(f"{case['name']}: {n} examples, max |p_onnxruntime - p_predict| = {diff:.3g} "
                  f"(tolerance {case['tolerance']}), rows sum to 1 ± {row_sum:.3g}, labels identical: "
                  f"{not any(e.startswith('labels') for e in errors)}")
        failed += [f"{case['name']}: {e}" for e in errors]
    for line in failed:
        print("FAIL", line)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
