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


@pytest.mark.parametrize("alpha", [0.0, 1e-3])
@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("activation", ["relu", "tanh", "logistic"])
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
