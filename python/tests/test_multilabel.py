"""Multi-label targets: an indicator y (n × k of 0/1) fits k independent
sigmoids, as scikit-learn's MLPClassifier does — the same probabilities and
losses from the same weights, its classes_, predict and predict_proba; and
scikit-learn's single-class fit."""

import warnings

import numpy as np
import pytest
from sklearn.datasets import make_multilabel_classification
from sklearn.neural_network import MLPClassifier as SkMLP
from sklearn.preprocessing import StandardScaler

import backprop


def problem():
    X, Y = make_multilabel_classification(n_samples=120, n_features=8, n_classes=4, random_state=3)
    return StandardScaler().fit_transform(X), Y


def quiet_fit(est, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return est.fit(X, y)


def start(est, X, Y, coefs, intercepts):
    """Fits once (classes and shapes), puts the given weights in, fits 100 iterations on."""
    quiet_fit(est.set_params(max_iter=1), X, Y)
    est.coefs_ = [c.copy() for c in coefs]
    est.intercepts_ = [b.copy() for b in intercepts]
    return quiet_fit(est.set_params(max_iter=100), X, Y)


@pytest.mark.parametrize("alpha", [0.0, 1e-3])
@pytest.mark.parametrize("activation", ["relu", "tanh", "logistic"])
def test_100_full_batch_iterations_equal_scikit_learns(activation, alpha):
    X, Y = problem()
    units = [8, 16, 4]
    rs = np.random.RandomState(0)
    coefs = [rs.uniform(-0.6, 0.6, (a, b)) for a, b in zip(units[:-1], units[1:])]
    intercepts = [rs.uniform(-0.1, 0.1, b) for b in units[1:]]
    common = dict(hidden_layer_sizes=(16,), activation=activation, alpha=alpha, learning_rate_init=0.1,
                  tol=0.0, n_iter_no_change=10**9, warm_start=True, random_state=0)
    theirs = start(SkMLP(solver="sgd", momentum=0.0, batch_size=len(X), shuffle=False, **common), X, Y, coefs, intercepts)
    ours = start(backprop.MLPClassifier(solver="gd", **common), X, Y, coefs, intercepts)
    assert ours.n_iter_ == theirs.n_iter_ == 100
    np.testing.assert_allclose(ours.loss_curve_[1:], theirs.loss_curve_[1:], rtol=1e-10)
    np.testing.assert_allclose(ours.predict_proba(X), theirs.predict_proba(X), rtol=0, atol=1e-10)
    assert np.abs(ours.coefs_[0] - coefs[0]).max() > 1e-3


@pytest.mark.parametrize("activation, alpha, max_iter", [("tanh", 1e-2, 60), ("logistic", 1.0, 500)])
def test_lbfgs_ends_at_scikit_learns_loss_from_the_same_initial_weights(activation, alpha, max_iter):
    """scikit-learn's initial weights (same random_state), then L-BFGS: 60
    iterations of a tanh net (measured 8.7e-12 apart), or converged (126
    iterations each, 4.4e-12 apart). Longer runs of a non-convex net drift
    apart as rounding accumulates (tanh α=0.01 to convergence: 3.5e-6)."""
    X, Y = problem()
    common = dict(solver="lbfgs", hidden_layer_sizes=(10,), activation=activation, alpha=alpha, max_iter=max_iter,
                  random_state=0)
    theirs = quiet_fit(SkMLP(**common), X, Y)
    ours = quiet_fit(backprop.MLPClassifier(**common), X, Y)
    assert ours.n_iter_ == theirs.n_iter_
    assert abs(ours.loss_ - theirs.loss_) < 1e-9, (ours.loss_, theirs.loss_)
    np.testing.assert_array_equal(ours.predict(X), theirs.predict(X))


def test_attributes_and_predictions_are_scikit_learns():
    X, Y = problem()
    common = dict(hidden_layer_sizes=(12,), max_iter=30, random_state=0)
    ours = quiet_fit(backprop.MLPClassifier(**common), X, Y)
    theirs = quiet_fit(SkMLP(**common), X, Y)
    for name in ("classes_", "n_outputs_", "out_activation_"):
        np.testing.assert_array_equal(getattr(ours, name), getattr(theirs, name))
    p = ours.predict_proba(X)
    assert p.shape == Y.shape
    assert np.abs(p.sum(axis=1) - 1).max() > 0.1  # independent, not a softmax
    predicted = ours.predict(X)
    assert predicted.shape == Y.shape and predicted.dtype.kind == "i"
    np.testing.assert_array_equal(predicted, (p > 0.5).astype(int))
    # score is scikit-learn's subset accuracy: every label of a row right.
    assert ours.score(X, Y) == np.mean((predicted == Y).all(axis=1))
    np.testing.assert_allclose(ours.predict_log_proba(X), np.log(p))


def test_partial_fit_and_early_stopping_take_an_indicator():
    X, Y = problem()
    est = backprop.MLPClassifier((20,), solver="sgd", learning_rate_init=0.2, random_state=0)
    for _ in range(60):
        est.partial_fit(X, Y, classes=[0, 1, 2, 3])
    assert est.score(X, Y) > 0.5
    np.testing.assert_array_equal(est.classes_, np.arange(4))
    stopped = quiet_fit(backprop.MLPClassifier((20,), early_stopping=True, random_state=0), X, Y)
    assert stopped.predict(X).shape == Y.shape
    assert 0 <= stopped.best_validation_score_ <= 1
    with pytest.raises(ValueError, match="multi-label indicator of 3 labels"):
        est.partial_fit(X, Y[:, :3])


def test_the_model_folder_keeps_the_sigmoids(tmp_path):
    X, Y = problem()
    est = quiet_fit(backprop.MLPClassifier((12,), max_iter=50, random_state=0), X, Y)
    est.save(tmp_path / "m")
    info = (tmp_path / "m" / "model.json").read_text()
    assert '"output_activation": "sigmoids"' in info
    back = backprop.load(tmp_path / "m")
    np.testing.assert_allclose(back.predict_proba(X), est.predict_proba(X), rtol=0, atol=1e-12)
    np.testing.assert_array_equal(back.predict(X), est.predict(X))


def test_a_single_class_fits_as_scikit_learns():
    X = np.random.RandomState(0).randn(20, 3)
    y = np.full(20, 7)
    ours = quiet_fit(backprop.MLPClassifier((5,), max_iter=20, random_state=0), X, y)
    theirs = quiet_fit(SkMLP((5,), max_iter=20, random_state=0), X, y)
    np.testing.assert_array_equal(ours.classes_, theirs.classes_)
    np.testing.assert_array_equal(ours.predict(X), theirs.predict(X))
    assert ours.predict_proba(X).shape == theirs.predict_proba(X).shape == (20, 2)
    # scikit-learn's targets are all 0: P(the second column) falls as it trains.
    assert ours.predict_proba(X)[:, 1].mean() < 0.5


def test_early_stoppings_split_refuses_a_one_member_class_in_scikit_learns_words():
    X = [[1, 2], [2, 3], [3, 4], [4, 5]]
    with pytest.raises(ValueError, match=r"only 1 member.*Classes with too few members are: \['True'\]"):
        backprop.MLPClassifier(early_stopping=True).fit(X, [0, 0, 0, 1])
