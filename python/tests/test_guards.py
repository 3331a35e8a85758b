"""The library's guards at the Python door: a setting out of range raises
scikit-learn's InvalidParameterError (a ValueError) in scikit-learn's words,
and a network larger than the memory budget a ValueError, each naming the
Python parameter before anything is allocated, and the interpreter goes on. Each
case runs in its own interpreter under a 4 GB address-space cap (`prlimit
--as=4000000000`), where an allocation of the asked size would abort it."""

import shutil
import subprocess
import sys

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.utils._param_validation import InvalidParameterError

import backprop

CAP = 4_000_000_000

# Fits MLPClassifier(**params) on a small table; prints the ValueError, then
# fits again with sound settings to show the interpreter survived.
SCRIPT = """
import sys, warnings
import backprop
from sklearn.datasets import make_classification

X, y = make_classification(n_samples=100, n_features=8, random_state=0)
try:
    backprop.MLPClassifier(**eval(sys.argv[1])).fit(X, y)
    print("no error")
except ValueError as e:
    print(f"ValueError: {e}")
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    backprop.MLPClassifier((4,), max_iter=5).fit(X, y)
print("survived")
"""


def capped(params):
    prlimit = shutil.which("prlimit")
    if prlimit is None:
        pytest.skip("prlimit (util-linux) is not installed")
    return subprocess.run([prlimit, f"--as={CAP}", sys.executable, "-c", SCRIPT, repr(params)],
                          capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize(
    "params, name",
    [
        # 8·10^15 bytes of loss curve and records, asked for by a typo.
        (dict(max_iter=10**15), "max_iter"),
        (dict(max_iter=10**30), "max_iter"),
        # Past the library's largest layer.
        (dict(hidden_layer_sizes=(10**7,)), "hidden_layer_sizes"),
        # Each layer allowed, the network over the memory budget (10^10 weights).
        (dict(hidden_layer_sizes=(100_000, 100_000)), "hidden_layer_sizes"),
        (dict(batch_size=0), "batch_size"),
        (dict(batch_size=-3), "batch_size"),
        (dict(learning_rate_init=-1), "learning_rate_init"),
        (dict(n_threads=10**6), "n_threads"),
        # The L2 term overflows the cost (Adam: no bound before training).
        (dict(alpha=1e308), "alpha"),
    ],
)
def test_sizes_past_the_budget_raise_value_error_under_a_4gb_cap(params, name):
    run = capped(params)
    assert run.returncode == 0, (run.returncode, run.stdout, run.stderr[-2000:])
    lines = run.stdout.splitlines()
    assert lines[-1] == "survived", run.stdout
    assert lines[0].startswith("ValueError: "), run.stdout
    message = lines[0]
    assert name in message and "--" not in message, message


def fit_error(**params):
    X, y = make_classification(n_samples=60, n_features=4, n_informative=3, n_redundant=0, random_state=0)
    with pytest.raises(ValueError) as raised:
        backprop.MLPClassifier(**params).fit(X, y)
    return str(raised.value)


def test_a_bad_learning_rate_is_named_learning_rate_init():
    assert fit_error(learning_rate_init=-1) == (
        "The 'learning_rate_init' parameter of MLPClassifier must be > 0. Got -1 instead."
    )
    assert fit_error(learning_rate_init=float("nan")).startswith(
        "The 'learning_rate_init' parameter of MLPClassifier must be > 0"
    )


@pytest.mark.parametrize(
    "params, name",
    [
        (dict(alpha=-1), "alpha"),
        (dict(beta_1=1.0), "beta_1"),
        (dict(solver="rmsprop", beta_2=-0.1), "beta_2"),
        (dict(epsilon=0.0), "epsilon"),
        (dict(solver="sgd", momentum=1.5), "momentum"),
        (dict(dropout=1.5), "dropout"),
        (dict(dropout=[0.5, 0.5], hidden_layer_sizes=(4, 4, 4)), "dropout"),
        (dict(hidden_layer_sizes=(4, 0)), "hidden_layer_sizes"),
        (dict(n_threads=0), "n_threads"),
        (dict(max_iter=0), "max_iter"),
    ],
)
def test_each_library_setting_is_named_by_its_python_parameter(params, name):
    with pytest.raises(InvalidParameterError) as raised:
        backprop.MLPClassifier(**params).fit(*make_classification(n_samples=60, n_features=4, random_state=0))
    message = str(raised.value)
    assert message.startswith((f"The '{name}' parameter of MLPClassifier must be", name)), message
    assert "--" not in message


def test_a_value_python_cannot_pass_is_given_back_as_written():
    assert fit_error(batch_size=-3) == "The 'batch_size' parameter of MLPClassifier must be at least 1. Got -3 instead."
    assert fit_error(max_iter=10**30).startswith("The 'max_iter' parameter of MLPClassifier must be at most")
    assert fit_error(max_iter=10**30).endswith(f"Got {10**30} instead.")


def test_settings_are_checked_at_fit_and_an_estimator_that_failed_stays_unfitted():
    est = backprop.MLPClassifier(alpha=-1)  # construction accepts anything (scikit-learn's rule)
    with pytest.raises(InvalidParameterError, match="'alpha'"):
        est.fit(*make_classification(n_samples=30, n_features=4, random_state=0))
    assert not hasattr(est, "coefs_") and not hasattr(est, "classes_")


def test_the_python_only_rules_are_checked_in_python_in_scikit_learns_words():
    for params, name in ((dict(tol=-1), "tol"), (dict(n_iter_no_change=0), "n_iter_no_change"),
                         (dict(early_stopping=True, validation_fraction=1.0), "validation_fraction"),
                         (dict(solver="adam", init="uniform"), "init"), (dict(solver="newton-cg"), "solver")):
        assert fit_error(**params).startswith(f"The '{name}' parameter of MLPClassifier must be")


def test_the_memory_budget_is_set_and_named_by_set_max_memory():
    backprop.set_max_memory("1M")
    try:
        message = fit_error(hidden_layer_sizes=(20_000,))
    finally:
        backprop.set_max_memory(None)
    assert "over the memory budget of 1 MB (backprop.set_max_memory)" in message, message
    assert message.endswith("raise the budget with backprop.set_max_memory (e.g. 64G)"), message
    assert "--" not in message, message
    # The budget detected again: the same network fits.
    X, y = make_classification(n_samples=60, n_features=4, n_informative=3, n_redundant=0, random_state=0)
    backprop.MLPClassifier(hidden_layer_sizes=(20_000,), max_iter=1).fit(X, y)
    for bad in ["2X", "-1G", 0, -5, 1.5]:
        with pytest.raises(ValueError):
            backprop.set_max_memory(bad)


@pytest.mark.parametrize("solver", ["adam", "rmsprop", "sgd", "gd"])
def test_a_loss_that_becomes_infinite_raises_value_error_naming_alpha(solver):
    """alpha=1e308 used to return loss_ = inf with no word; now the fit
    raises (the library's divergence, or its bound for gd/sgd) and the
    estimator stays unfitted."""
    X, y = make_classification(n_samples=60, n_features=4, n_informative=3, n_redundant=0, random_state=0)
    # A fixed random_state: from 1 start in 60 (seed 53), Adam and RMSprop shrink the weights
    # before the L2 term overflows, and the fit ends finite.
    est = backprop.MLPClassifier((4,), alpha=1e308, solver=solver, max_iter=5, random_state=0)
    with pytest.raises(ValueError, match="alpha") as raised:
        est.fit(X, y)
    assert "--" not in str(raised.value)
    assert not hasattr(est, "coefs_") and not hasattr(est, "loss_")


def test_a_large_but_finite_loss_still_fits():
    X, y = make_classification(n_samples=60, n_features=4, n_informative=3, n_redundant=0, random_state=0)
    est = backprop.MLPClassifier((4,), alpha=1e6, max_iter=5)
    with pytest.warns(Warning):
        est.fit(X, y)
    assert all(np.isfinite(est.loss_curve_))
