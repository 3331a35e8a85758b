"""One model format with the CLI: `backprop train` → backprop.load, and
estimator.save → `backprop predict`, the same probabilities to 1e-12 (f64)."""

import json
import os
import subprocess

import numpy as np
import pytest
from sklearn.datasets import make_classification

import backprop
from conftest import required


def cli():
    return required("BACKPROP_BIN", "the backprop binary (target/release/backprop)")


def write_csv(path, X, y, names):
    with open(path, "w") as f:
        f.write(",".join(names + ["label"]) + "\n")
        for row, label in zip(X, y):
            f.write(",".join(repr(float(v)) for v in row) + f",{int(label)}\n")


def clis_number(p, row):
    """The probability `backprop predict` prints: P(the predicted class); ours
    for the same row."""
    return p[list(row["probabilities"]).index(row["class"])]


def cli_probabilities(binary, model, csv):
    out = subprocess.run([binary, "predict", "--model", str(model), str(csv), "--format", "json"],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


@pytest.mark.parametrize(
    "flags, classes",
    [
        (["--hidden", "5,3", "--activation", "tanh"], 2),
        (["--hidden", "6", "--activation", "relu", "--standardize"], 2),
        (["--hidden", "4", "--activation", "leaky-relu", "--standardize"], 3),
        (["--hidden", "none"], 2),
    ],
)
def test_a_model_the_cli_trained_predicts_the_clis_probabilities(tmp_path, flags, classes):
    binary = cli()
    X, y = make_classification(n_samples=80, n_features=4, n_informative=3, n_redundant=0, n_classes=classes,
                               random_state=2)
    X = X * [1.0, 3.0, 10.0, 0.5] + [0.0, 1.0, -5.0, 2.0]
    names = ["a", "b", "c", "d"]
    write_csv(tmp_path / "data.csv", X, y, names)
    subprocess.run([binary, "train", "--train", str(tmp_path / "data.csv"), "--precision", "f64",
                    "--iterations", "200", "--learning-rate", "0.05", "--quiet", "--out", str(tmp_path / "run"),
                    *flags], check=True, capture_output=True)
    est = backprop.load(tmp_path / "run")
    assert est.n_features_in_ == 4 and list(est.feature_names_in_) == names
    assert list(est.classes_) == list(range(classes))
    ours = est.predict_proba(X)
    theirs = cli_probabilities(binary, tmp_path / "run", tmp_path / "data.csv")
    for p, row in zip(ours, theirs):
        assert abs(clis_number(p, row) - row["probability"]) <= 1e-12
        assert est.classes_[np.argmax(p)] == int(row["class"])


@pytest.mark.parametrize("classes, hidden, activation", [(2, (7, 3), "relu"), (3, (5,), "tanh"), (2, (), None)])
def test_a_model_python_saved_is_used_by_the_cli_with_the_same_numbers(tmp_path, classes, hidden, activation):
    binary = cli()
    X, y = make_classification(n_samples=120, n_features=5, n_informative=3, n_classes=classes, random_state=3)
    names = [f"f{i}" for i in range(5)]
    if activation is None:
        est = backprop.LogisticRegression(max_iter=50)
    else:
        est = backprop.MLPClassifier(hidden, activation=activation, max_iter=50, random_state=0)
    import pandas as pd
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est.fit(pd.DataFrame(X, columns=names), y)
    est.save(tmp_path / "model")
    write_csv(tmp_path / "new.csv", X, y, names)
    theirs = cli_probabilities(binary, tmp_path / "model", tmp_path / "new.csv")
    ours = est.predict_proba(pd.DataFrame(X, columns=names))
    for p, row in zip(ours, theirs):
        assert est.classes_[np.argmax(p)] == int(row["class"])
        assert abs(clis_number(p, row) - row["probability"]) <= 1e-12
    again = backprop.load(tmp_path / "model")
    np.testing.assert_array_equal(again.predict_proba(X), est.predict_proba(X))


def test_a_folder_that_does_not_load_raises_one_value_error_naming_the_file(tmp_path):
    X, y = make_classification(n_samples=50, n_features=3, n_informative=2, n_redundant=0, random_state=0)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        backprop.LogisticRegression(max_iter=5).fit(X, y).save(tmp_path / "m")
    with pytest.raises(ValueError, match="is not a model folder"):
        backprop.load(tmp_path / "missing")
    (tmp_path / "m" / "model.safetensors").write_bytes(b"not tensors")
    with pytest.raises(ValueError, match="model.safetensors"):
        backprop.load(tmp_path / "m")
    (tmp_path / "m" / "model.json").write_text("{ broken")
    with pytest.raises(ValueError, match="model.json"):
        backprop.load(tmp_path / "m")
    os.remove(tmp_path / "m" / "model.json")
    with pytest.raises(ValueError, match="model.json"):
        backprop.load(tmp_path / "m")


def _saved(tmp_path, **fit):
    X, y = make_classification(n_samples=50, n_features=3, n_informative=2, n_redundant=0, random_state=0)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est = backprop.MLPClassifier((3,), max_iter=5, random_state=0).fit(X, y)
    est.save(tmp_path / "m")
    return est, X


@pytest.mark.parametrize(
    "names, expected",
    [
        (["007", "7"], ["007", "7"]),  # once both 7
        (["1", "1.0"], ["1", "1.0"]),  # once both 1.0
        (["1e400", "nan"], ["1e400", "nan"]),  # once [inf, nan]
        (["+1", "-1"], ["+1", "-1"]),
        (["0", "1.0"], ["0", "1.0"]),
        (["2", "10"], [2, 10]),  # integers as a fit on integers saved them
        (["0.5", "1.5"], [0.5, 1.5]),  # floats as str(float) writes them
        (["cat", "dog"], ["cat", "dog"]),
    ],
)
def test_loaded_class_names_stay_as_written(tmp_path, names, expected):
    _, X = _saved(tmp_path)
    info_path = tmp_path / "m" / "model.json"
    info = json.loads(info_path.read_text())
    info["classes"] = names
    info_path.write_text(json.dumps(info))
    est = backprop.load(tmp_path / "m")
    assert list(est.classes_) == expected
    if isinstance(expected[0], str):
        assert all(isinstance(c, str) for c in est.classes_)
    else:
        assert est.classes_.dtype.kind == ("i" if isinstance(expected[0], int) else "f")
    assert set(est.predict(X)) <= set(expected)


def _poison_first_weight(path, value):
    """Overwrites the first number of model.safetensors' first tensor with `value`."""
    data = bytearray(path.read_bytes())
    n = int.from_bytes(data[:8], "little")
    header = json.loads(data[8 : 8 + n])
    name = sorted((k for k in header if k != "__metadata__"), key=lambda k: header[k]["data_offsets"][0])[0]
    dtype = {"F64": np.float64, "F32": np.float32}[header[name]["dtype"]]
    start = 8 + n + header[name]["data_offsets"][0]
    bad = np.array([value], dtype=dtype).tobytes()
    data[start : start + len(bad)] = bad
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("value", [float("nan"), float("inf")])
def test_non_finite_weights_are_refused_at_load_by_python_and_the_cli(tmp_path, value):
    _, X = _saved(tmp_path)
    _poison_first_weight(tmp_path / "m" / "model.safetensors", value)
    with pytest.raises(ValueError, match="model.safetensors: W1\\[0, 0\\] is (NaN|inf)"):
        backprop.load(tmp_path / "m")
    cli = required("BACKPROP_BIN", "the backprop binary of this build")
    np.savetxt(tmp_path / "in.csv", X, delimiter=",", header="a,b,c", comments="")
    run = subprocess.run([cli, "predict", "--model", str(tmp_path / "m"), str(tmp_path / "in.csv")],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 2, (run.stdout, run.stderr)
    assert "model.safetensors" in run.stderr and run.stdout == "", run.stderr


def test_non_finite_weights_are_refused_at_predict_save_and_warm_start(tmp_path):
    est, X = _saved(tmp_path)
    est.coefs_[0][2, 1] = np.nan
    for call in (est.predict, est.predict_proba):
        with pytest.raises(ValueError, match=r"^coefs_\[0\]\[2, 1\] is NaN: the weights must be finite"):
            call(X)
    with pytest.raises(ValueError, match=r"^coefs_\[0\]\[2, 1\] is NaN"):
        est.save(tmp_path / "again")
    est.coefs_[0][2, 1] = 0.0
    est.intercepts_[1][0] = -np.inf
    with pytest.raises(ValueError, match=r"^intercepts_\[1\]\[0\] is -inf"):
        est.predict(X)
    est.set_params(warm_start=True)
    with pytest.raises(ValueError, match=r"^intercepts_\[1\]\[0\] is -inf"):
        est.fit(X, np.arange(50) % 2)


def test_loading_a_run_still_in_progress_says_so(tmp_path):
    import time

    cli = required("BACKPROP_BIN", "the backprop binary of this build")
    X, y = make_classification(n_samples=400, n_features=3, n_informative=2, n_redundant=0, random_state=0)
    np.savetxt(tmp_path / "d.csv", np.column_stack([X, y]), delimiter=",", header="a,b,c,label", comments="")
    run = subprocess.Popen([cli, "train", "--train", "d.csv", "--out", "run", "--iterations", "100000000", "--quiet"],
                           cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while not (tmp_path / ".run.lock").is_file():
            assert run.poll() is None and time.monotonic() < deadline, run.stderr.read()
            time.sleep(0.01)
        with pytest.raises(ValueError, match=r"run: is a run still in progress: another backprop run \(pid \d+\)"):
            backprop.load(tmp_path / "run")
    finally:
        run.kill()
        run.wait()


def _write_safetensors(path, tensors):
    """safetensors' layout by hand: an 8-byte header length, the JSON header, then the f64 bytes."""
    header, blobs, start = {}, [], 0
    for name, array in tensors.items():
        data = np.ascontiguousarray(array, dtype="<f8").tobytes()
        header[name] = {"dtype": "F64", "shape": list(array.shape), "data_offsets": [start, start + len(data)]}
        blobs.append(data)
        start += len(data)
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    path.write_bytes(len(text).to_bytes(8, "little") + text + b"".join(blobs))


def test_a_conv_model_folder_loads_as_a_conv_classifier_that_computes_its_equations(tmp_path):
    folder = tmp_path / "conv"
    folder.mkdir()
    info = {
        "format": "backprop-model", "backprop_version": "0", "layer_sizes": [4, 1],
        "hidden_activation": {"name": "relu"}, "output_activation": "sigmoid", "precision": "f64",
        "classes": ["a", "b"],
        "preprocessing": {"input": "array", "scale": 1.0, "example_shape": [2, 2, 1], "feature_names": None},
        "picture": {"height": 2, "width": 2, "channels": 1},
        "picture_layers": [{"kind": "conv", "filters": 1, "f": 1, "stride": 1, "pad": 0}],
    }
    (folder / "model.json").write_text(json.dumps(info))
    _write_safetensors(folder / "model.safetensors", {
        "W1": np.ones((1, 4)), "b1": np.zeros((1, 1)),
        "conv1.W": np.full((1, 1, 1, 1), 2.0), "conv1.b": np.zeros((1, 1, 1, 1)),
    })
    loaded = backprop.load(folder)
    assert isinstance(loaded, backprop.ConvClassifier)
    x = np.random.RandomState(0).rand(3, 2, 2, 1)
    # Z = 2·x (the 1×1 filter), flattened, then W1 = ones: z = 2·Σx, a = σ(z).
    expected = 1 / (1 + np.exp(-2 * x.sum(axis=(1, 2, 3))))
    np.testing.assert_allclose(loaded.predict_proba(x)[:, 1], expected, rtol=1e-12)
