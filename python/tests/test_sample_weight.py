"""`sample_weight` in fit and `class_weight`: integer weights are repeated
rows, zero weights are removed rows, "balanced" is scikit-learn's weighting,
and a weighted fit is scikit-learn's weighted fit from the same weights."""

import warnings

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.neural_network import MLPClassifier as SkMLP
from sklearn.preprocessing import StandardScaler
from sklearn.utils import compute_sample_weight

import backprop

from test_scikit_learn_equal import start


def data(n=60, n_classes=3, seed=0):
    X, y = make_classification(n_samples=n, n_features=6, n_informative=4, n_redundant=0,
                               n_classes=n_classes, random_state=seed)
    return StandardScaler().fit_transform(X), y


def quiet_fit(est, X, y, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return est.fit(X, y, **kw)


ESTIMATORS = [
    # One batch (batch_size 200 > n) with Adam and L2: the weighted L2 term is α/(2·Σw)·‖W‖².
    lambda: backprop.MLPClassifier((8,), solver="adam", alpha=1e-2, learning_rate_init=0.01, max_iter=50,
                                   tol=0.0, random_state=0),
    # The course's full-batch gradient descent (weighted: the general road; repeated: the fast one).
    lambda: backprop.LogisticRegression(solver="gd", C=10.0, max_iter=100, tol=0.0),
    # Early stopping's road (a trainer call an epoch), no validation: an adaptive rate.
    lambda: backprop.MLPClassifier((8,), solver="sgd", learning_rate="adaptive", alpha=1e-3, max_iter=40,
                                   tol=0.0, random_state=0),
]


@pytest.mark.parametrize("make", ESTIMATORS)
def test_integer_weights_are_repeated_rows(make):
    X, y = data()
    w = np.random.RandomState(1).randint(0, 4, len(y))
    w[:3] = 1  # every class keeps examples
    weighted = quiet_fit(make(), X, y, sample_weight=w)
    repeated = quiet_fit(make(), np.repeat(X, w, axis=0), np.repeat(y, w))
    np.testing.assert_allclose(weighted.predict_proba(X), repeated.predict_proba(X), rtol=0, atol=1e-10)
    for a, b in zip(weighted.coefs_, repeated.coefs_):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-10)
    np.testing.assert_allclose(weighted.loss_curve_, repeated.loss_curve_, rtol=1e-10)
    # The weights mattered: unweighted is another model.
    plain = quiet_fit(make(), X, y)
    assert np.abs(plain.predict_proba(X) - weighted.predict_proba(X)).max() > 1e-4


def test_zero_weights_are_removed_rows_and_ones_are_no_weights():
    X, y = data()
    w = np.ones(len(y))
    w[::4] = 0
    make = ESTIMATORS[0]
    a = quiet_fit(make(), X, y, sample_weight=w)
    b = quiet_fit(make(), X[w > 0], y[w > 0])
    np.testing.assert_allclose(a.predict_proba(X), b.predict_proba(X), rtol=0, atol=1e-10)
    c = quiet_fit(make(), X, y, sample_weight=np.ones(len(y)))
    d = quiet_fit(make(), X, y)
    np.testing.assert_array_equal(c.predict_proba(X), d.predict_proba(X))


@pytest.mark.parametrize("labels", [np.array([0, 1, 2]), np.array(["cat", "dog", "fish"])])
def test_class_weight_is_sample_weight_per_class(labels):
    X, y = data()
    y = labels[y]
    for class_weight in ("balanced", {labels[0]: 3.0, labels[1]: 0.5, labels[2]: 1.0}):
        est = backprop.MLPClassifier((8,), max_iter=30, tol=0.0, random_state=0)
        a = quiet_fit(est.set_params(class_weight=class_weight), X, y)
        b = quiet_fit(backprop.MLPClassifier((8,), max_iter=30, tol=0.0, random_state=0), X, y,
                      sample_weight=compute_sample_weight(class_weight, y))
        np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))
    # Both multiply.
    sw = np.random.RandomState(2).rand(len(y)) + 0.5
    a = quiet_fit(backprop.LogisticRegression(class_weight="balanced", max_iter=20), X, y, sample_weight=sw)
    b = quiet_fit(backprop.LogisticRegression(max_iter=20), X, y,
                  sample_weight=sw * compute_sample_weight("balanced", y))
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))


def test_balanced_class_weight_raises_the_rare_class_recall():
    X, y = make_classification(n_samples=2000, n_features=8, weights=[0.95], flip_y=0.05, class_sep=0.5,
                               random_state=3)
    plain = quiet_fit(backprop.LogisticRegression(max_iter=300), X, y)
    balanced = quiet_fit(backprop.LogisticRegression(max_iter=300, class_weight="balanced"), X, y)
    recall = lambda est: (est.predict(X)[y == 1] == 1).mean()  # noqa: E731
    assert recall(balanced) > recall(plain) + 0.2, (recall(balanced), recall(plain))


@pytest.mark.parametrize("activation", ["relu", "tanh", "logistic"])
def test_weighted_fit_equals_scikit_learns_from_the_same_weights(activation):
    X, y = data(n=150, n_classes=3, seed=4)
    w = np.random.RandomState(5).rand(len(y)) * 3
    rs = np.random.RandomState(0)
    units = [6, 10, 3]
    coefs = [rs.uniform(-0.6, 0.6, (a, b)) for a, b in zip(units[:-1], units[1:])]
    intercepts = [rs.uniform(-0.1, 0.1, b) for b in units[1:]]
    common = dict(hidden_layer_sizes=(10,), activation=activation, alpha=1e-2, learning_rate_init=0.1,
                  tol=0.0, n_iter_no_change=10**9, warm_start=True, random_state=0)

    def weighted(est):
        fit = est.fit
        est.fit = lambda X, y: fit(X, y, sample_weight=w)
        return est

    theirs = start(weighted(SkMLP(solver="sgd", momentum=0.0, batch_size=200, shuffle=False, **common)),
                   X, y, coefs, intercepts)
    ours = start(weighted(backprop.MLPClassifier(solver="gd", **common)), X, y, coefs, intercepts)
    np.testing.assert_allclose(ours.predict_proba(X), theirs.predict_proba(X), rtol=0, atol=1e-10)


@pytest.mark.parametrize("bad, words", [
    (-np.ones(60), "(?i)negative"),
    (np.ones(59), "59"),
    (np.zeros(60), "zero"),
])
def test_unusable_weights_are_refused(bad, words):
    X, y = data()
    with pytest.raises(ValueError, match=words):
        backprop.MLPClassifier((4,), max_iter=2).fit(X, y, sample_weight=bad)


def test_unknown_class_weight_is_refused():
    X, y = data()
    with pytest.raises(ValueError, match="class_weight"):
        backprop.MLPClassifier((4,), max_iter=2, class_weight="often").fit(X, y)
