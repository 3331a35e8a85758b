"""Same bits through both doors: MLPClassifier with the library's
initialisation (`init="xavier"`), an integer `random_state` and scikit-learn's
stopping rule out of the way trains on a table to the very weights `backprop
train` writes for the same table with the equivalent flags, in f32 and f64
(the CLI's `--no-standardize`: MLPClassifier takes X as given).

What cannot agree, and why: scikit-learn's `init="glorot"` (uniform draws
from `random_state`; the CLI draws the course's normal ones), `sgd`'s
momentum (Nesterov's by default, as scikit-learn's; the CLI's `momentum` is the
course's classical one; `sgd` maps onto it with α = η/(1 − μ), a rounding of its own), `early_stopping` (scikit-learn
splits with `train_test_split` and watches accuracy with `tol`; the CLI's
`--validation` splits with the library's seeded split and watches the
validation cost), the `invscaling`/`adaptive` rates and `tol` (the CLI has
none; it has `--lr-decay`, which Python has not), and `sample_weight` /
`class_weight` (no CLI flag)."""

import subprocess

import numpy as np
import pytest
from sklearn.datasets import make_classification

import backprop
from test_model_folder import cli, write_csv

EPOCHS = 15


def equivalent(solver, dtype):
    """The Python settings and the CLI flags of one run."""
    common = dict(hidden_layer_sizes=(7, 5), activation="tanh", init="xavier", random_state=3,
                  learning_rate_init=0.02, alpha=1e-3, max_iter=EPOCHS, tol=0.0, n_iter_no_change=10**6,
                  dtype=dtype, n_threads=1)
    # The CLI standardises a table's features by default; MLPClassifier takes X as it is.
    flags = ["--hidden", "7,5", "--activation", "tanh", "--init", "xavier", "--seed", "3",
             "--learning-rate", "0.02", "--l2", "0.001", "--threads", "1", "--no-standardize",
             "--precision", "f32" if dtype == "float32" else "f64"]
    if solver == "gd":
        # Full-batch: one epoch is one iteration (--epochs on a table means its mini-batches of 32).
        return dict(common, solver="gd"), flags + ["--optimizer", "gd", "--iterations", str(EPOCHS)]
    # Mini-batches of 32 (the last one partial), shuffled (or not), with dropout.
    batches = ["--batch-size", "32", "--epochs", str(EPOCHS)]
    if solver == "momentum":
        return (dict(common, solver="momentum", momentum=0.8, batch_size=32, shuffle=False),
                flags + batches + ["--optimizer", "momentum", "--beta", "0.8", "--no-shuffle"])
    if solver == "rmsprop":
        return (dict(common, solver="rmsprop", beta_2=0.99, epsilon=1e-7, batch_size=32),
                flags + batches + ["--optimizer", "rmsprop", "--beta2", "0.99", "--epsilon", "1e-7"])
    return (dict(common, solver="adam", batch_size=32, dropout=0.9),
            flags + batches + ["--optimizer", "adam", "--keep-prob", "0.9"])


@pytest.mark.parametrize("classes", [2, 3])
@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("solver", ["gd", "adam", "momentum", "rmsprop"])
def test_python_and_the_cli_train_to_the_same_weights(tmp_path, solver, dtype, classes):
    binary = cli()
    load_file = pytest.importorskip("safetensors.numpy").load_file
    X, y = make_classification(n_samples=150, n_features=6, n_informative=4, n_redundant=0, n_classes=classes,
                               random_state=5)
    names = [f"f{i}" for i in range(6)]
    write_csv(tmp_path / "data.csv", X, y, names)
    params, flags = equivalent(solver, dtype)
    ours = backprop.MLPClassifier(**params).fit(X, y)
    subprocess.run([binary, "train", "--train", str(tmp_path / "data.csv"), "--quiet", "--out", str(tmp_path / "run"),
                    *flags], check=True, capture_output=True)
    assert ours.n_iter_ == EPOCHS
    ours.save(tmp_path / "ours")
    mine, cli_s = (load_file(str(tmp_path / d / "model.safetensors")) for d in ("ours", "run"))
    assert sorted(mine) == sorted(cli_s) == ["W1", "W2", "W3", "b1", "b2", "b3"]
    for name in mine:
        assert mine[name].dtype == cli_s[name].dtype == np.dtype(dtype)
        assert np.array_equal(mine[name], cli_s[name]), (name, np.abs(mine[name] - cli_s[name]).max())
    # And the weights went somewhere: another seed ends elsewhere.
    other = backprop.MLPClassifier(**dict(params, random_state=4)).fit(X, y)
    assert not np.array_equal(other.coefs_[0], ours.coefs_[0])


@pytest.mark.parametrize("solver", ["gd", "adam"])
def test_l1_trains_to_the_same_weights_as_the_clis_l1(tmp_path, solver):
    """`l1` is the library's L1 setting (`backprop train --l1`): the same
    weights through both doors, and fewer of them in |W| than without it."""
    binary = cli()
    load_file = pytest.importorskip("safetensors.numpy").load_file
    X, y = make_classification(n_samples=150, n_features=6, n_informative=4, n_redundant=0, random_state=5)
    write_csv(tmp_path / "data.csv", X, y, [f"f{i}" for i in range(6)])
    params, flags = equivalent(solver, "float64")
    params, flags = dict(params, l1=0.5), flags + ["--l1", "0.5"]
    ours = backprop.MLPClassifier(**params).fit(X, y)
    subprocess.run([binary, "train", "--train", str(tmp_path / "data.csv"), "--quiet", "--out", str(tmp_path / "run"),
                    *flags], check=True, capture_output=True)
    ours.save(tmp_path / "ours")
    mine, cli_s = (load_file(str(tmp_path / d / "model.safetensors")) for d in ("ours", "run"))
    for name in mine:
        assert np.array_equal(mine[name], cli_s[name]), (name, np.abs(mine[name] - cli_s[name]).max())
    plain = backprop.MLPClassifier(**dict(params, l1=0.0)).fit(X, y)
    shrunk, free = (sum(np.abs(w).sum() for w in m.coefs_) for m in (ours, plain))
    assert shrunk < free, (shrunk, free)
    with pytest.raises(ValueError, match="l1"):
        backprop.MLPClassifier(**dict(params, l1=-1.0)).fit(X, y)
