"""From the same weights, 100 full-batch iterations give scikit-learn's
MLPClassifier's probabilities to 1e-10 (solver "gd" here, "sgd" with no
momentum and one batch there: the same update)."""

import warnings

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.neural_network import MLPClassifier as SkMLP
from sklearn.preprocessing import StandardScaler

import backprop


def start(est, X, y, coefs, intercepts):
    """Fits once (to set the classes and shapes), then puts the given weights in."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est.set_params(max_iter=1).fit(X, y)
    est.coefs_ = [c.copy() for c in coefs]
    est.intercepts_ = [b.copy() for b in intercepts]
    est.set_params(max_iter=100)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return est.fit(X, y)


def one_hidden_layer_problem():
    """200 standardised rows of 10 features, 2 classes, and starting weights of a 10-16-1 net."""
    X, y = make_classification(n_samples=200, n_features=10, n_informative=6, random_state=1)
    X = StandardScaler().fit_transform(X)
    units = [10, 16, 1]
    rs = np.random.RandomState(0)
    coefs = [rs.uniform(-0.6, 0.6, (a, b)) for a, b in zip(units[:-1], units[1:])]
    intercepts = [rs.uniform(-0.1, 0.1, b) for b in units[1:]]
    return X, y, coefs, intercepts


@pytest.mark.parametrize("alpha", [0.0, 1e-3])
@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("activation", ["relu", "tanh", "logistic", "identity"])
def test_predict_proba_equals_scikit_learns_after_100_full_batch_iterations(activation, n_classes, alpha):
    X, y = make_classification(n_samples=200, n_features=10, n_informative=6, n_classes=n_classes, random_state=1)
    X = StandardScaler().fit_transform(X)
    hidden = (16, 8)
    units = [10, *hidden, 1 if n_classes == 2 else n_classes]
    rs = np.random.RandomState(0)
    coefs = [rs.uniform(-0.6, 0.6, (a, b)) for a, b in zip(units[:-1], units[1:])]
    intercepts = [rs.uniform(-0.1, 0.1, b) for b in units[1:]]
    common = dict(hidden_layer_sizes=hidden, activation=activation, alpha=alpha, learning_rate_init=0.1,
                  tol=0.0, n_iter_no_change=10**9, warm_start=True, random_state=0)
    theirs = start(SkMLP(solver="sgd", momentum=0.0, batch_size=200, shuffle=False, **common), X, y, coefs, intercepts)
    ours = start(backprop.MLPClassifier(solver="gd", **common), X, y, coefs, intercepts)
    assert ours.n_iter_ == theirs.n_iter_ == 100
    np.testing.assert_allclose(ours.predict_proba(X), theirs.predict_proba(X), rtol=0, atol=1e-10)
    # Costs before each update, the same 100 of them (the first fit's one, then these).
    np.testing.assert_allclose(ours.loss_curve_[1:], theirs.loss_curve_[1:], rtol=1e-10)
    # And the weights had somewhere to go: they moved.
    assert np.abs(ours.coefs_[0] - coefs[0]).max() > 1e-3


@pytest.mark.parametrize("schedule, tol", [("invscaling", 0.0), ("adaptive", 1e-3)])
def test_the_learning_rate_schedules_and_the_stopping_rule_are_scikit_learns(schedule, tol):
    """invscaling: η₀/(t+1)^power_t after each epoch, t the examples seen
    (counted across the warm start); adaptive: η ÷ 5 each time the loss has
    not improved by tol for more than n_iter_no_change epochs (the count
    carried across the warm start), until η ≤ 1e-6 ends the fit."""
    X, y, coefs, intercepts = one_hidden_layer_problem()
    common = dict(hidden_layer_sizes=(16,), activation="tanh", alpha=1e-4, learning_rate_init=0.5,
                  learning_rate=schedule, power_t=0.5, tol=tol, n_iter_no_change=2, warm_start=True, random_state=0)
    theirs = start(SkMLP(solver="sgd", momentum=0.0, batch_size=200, shuffle=False, **common), X, y, coefs, intercepts)
    ours = start(backprop.MLPClassifier(solver="gd", **common), X, y, coefs, intercepts)
    assert ours.n_iter_ == theirs.n_iter_
    if schedule == "adaptive":
        assert ours.n_iter_ < 100  # the rate fell to 1e-6: the fit ended
    np.testing.assert_allclose(ours.loss_curve_[1:], theirs.loss_curve_[1:], rtol=1e-10)
    np.testing.assert_allclose(ours.predict_proba(X), theirs.predict_proba(X), rtol=0, atol=1e-10)


def test_partial_fit_on_chunks_of_any_size_goes_on_as_scikit_learns():
    """Each partial_fit is one epoch on its chunk, continuing the weights,
    the rate (invscaling counts the examples seen over all chunks) and the
    stopping rule's count."""
    X, y = make_classification(n_samples=200, n_features=10, n_informative=6, random_state=1)
    X = StandardScaler().fit_transform(X)
    common = dict(hidden_layer_sizes=(16,), activation="tanh", alpha=1e-4, learning_rate_init=0.5,
                  learning_rate="invscaling", power_t=0.5, random_state=0)
    theirs = SkMLP(solver="sgd", momentum=0.0, batch_size=200, shuffle=False, **common)
    ours = backprop.MLPClassifier(solver="gd", **common)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for chunk in [slice(0, 100), slice(100, 137), slice(137, 200)] * 2:
            for est in (theirs, ours):
                est.partial_fit(X[chunk], y[chunk], classes=[0, 1])
    assert len(ours.loss_curve_) == len(theirs.loss_curve_) == 6
    np.testing.assert_allclose(ours.loss_curve_, theirs.loss_curve_, rtol=1e-10)
    np.testing.assert_allclose(ours.predict_proba(X), theirs.predict_proba(X), rtol=0, atol=1e-10)


@pytest.mark.parametrize("nesterovs_momentum", [True, False])
def test_sgd_momentum_nesterovs_or_classical_is_scikit_learns(nesterovs_momentum):
    """scikit-learn's sgd with momentum 0.9, Nesterov's (its default) or
    classical, one batch an epoch: the same 100 epochs from the same weights
    (the library's course-form momentum with α = η/(1 − μ): rounding apart)."""
    X, y, coefs, intercepts = one_hidden_layer_problem()
    common = dict(hidden_layer_sizes=(16,), activation="tanh", alpha=1e-4, learning_rate_init=0.05, momentum=0.9,
                  nesterovs_momentum=nesterovs_momentum, batch_size=200, shuffle=False, tol=0.0,
                  n_iter_no_change=10**9, warm_start=True, random_state=0)
    theirs = start(SkMLP(solver="sgd", **common), X, y, coefs, intercepts)
    ours = start(backprop.MLPClassifier(solver="sgd", **common), X, y, coefs, intercepts)
    np.testing.assert_allclose(ours.loss_curve_[1:], theirs.loss_curve_[1:], rtol=1e-9)
    np.testing.assert_allclose(ours.predict_proba(X), theirs.predict_proba(X), rtol=0, atol=1e-9)
