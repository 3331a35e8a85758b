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
