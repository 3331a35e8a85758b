"""Runs exported ONNX graphs in onnxruntime for crates/backprop/tests/onnx_picture.rs.

Reads a JSON list of cases from the file named by its argument: {"model": path, "x": {"shape", "data"}}
(the graph's input `X`, raw pixels N × n_H × n_W × n_C) and writes, for each,
{"probabilities": {"shape", "data"}, "label": [...], "input_type", "ops"} after
onnx.checker.check_model(full_check=True), so the Rust side compares them with
Network::predict_proba.
"""

import json
import sys

import numpy as np
import onnx
import onnxruntime as ort


def run(case):
    model = onnx.load(case["model"])
    onnx.checker.check_model(model, full_check=True)
    session = ort.InferenceSession(case["model"], providers=["CPUExecutionProvider"])
    (inp,) = session.get_inputs()
    dtype = np.float64 if inp.type == "tensor(double)" else np.float32
    x = np.array(case["x"]["data"], dtype=np.float64).reshape(case["x"]["shape"]).astype(dtype)
    label, proba = session.run(["label", "probabilities"], {inp.name: x})
    return {
        "probabilities": {"shape": list(proba.shape), "data": proba.astype(np.float64).ravel().tolist()},
        "label": [int(v) for v in label.ravel()],
        "input_type": inp.type,
        "input_shape": [d if isinstance(d, int) else None for d in inp.shape],
        "ops": [n.op_type for n in model.graph.node],
    }


def main():
    with open(sys.argv[1]) as f:
        cases = json.load(f)
    json.dump([run(c) for c in cases], sys.stdout)


if __name__ == "__main__":
    main()
