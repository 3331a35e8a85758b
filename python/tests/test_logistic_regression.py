"""backprop.LogisticRegression: scikit-learn's parameters and attributes,
deterministic, converging on raw (unscaled) features (issue 25, item 2)."""

import warnings

import numpy as np
import pytest
from sklearn.datasets import load_iris, make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression as SkLogisticRegression
from sklearn.metrics import log_loss
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import backprop


def scaled_table():
    """2,000 rows, features on scales from 1 to 4·10⁴ (balance, income, …)."""
    X, y = make_classification(n_samples=2000, n_features=6, n_informative=4, random_state=0)
    return X * np.array([1e4, 1.0, 1e3, 4e4, 1.0, 10.0]), y


def test_features_scaled_by_1e4_reach_scikit_learns_log_loss_and_two_fits_agree():
    X, y = scaled_table()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        raw = SkLogisticRegression(max_iter=10_000).fit(X, y)
    scaled = make_pipeline(StandardScaler(), SkLogisticRegression()).fit(X, y)
    best = min(log_loss(y, raw.predict_proba(X)), log_loss(y, scaled.predict_proba(X)))
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)  # it converges, so no warning
        a = backprop.LogisticRegression().fit(X, y)
        b = backprop.LogisticRegression().fit(X, y)
    ours = log_loss(y, a.predict_proba(X))
    assert ours <= 1.01 * best, (ours, best)
    assert np.array_equal(a.coef_, b.coef_) and np.array_equal(a.intercept_, b.intercept_)
    # random_state draws nothing: another one gives the same model.
    c = backprop.LogisticRegression(random_state=7).fit(X, y)
    assert np.array_equal(a.coef_, c.coef_)


def test_without_a_penalty_the_solution_is_scikit_learns():
    X, y = load_iris(return_X_y=True)
    # (Two of iris's classes are separable, without a finite optimum: all three, softmax.)
    ours = backprop.LogisticRegression(C=np.inf, max_iter=20_000, tol=1e-9).fit(X, y)
    sk = SkLogisticRegression(C=np.inf, max_iter=20_000, tol=1e-10).fit(X, y)
    assert log_loss(y, ours.predict_proba(X)) <= 1.02 * log_loss(y, sk.predict_proba(X))


def test_scikit_learns_attributes_and_methods():
    X, y = load_iris(return_X_y=True)
    clf = backprop.LogisticRegression().fit(X, y)
    assert clf.coef_.shape == (3, 4) and clf.intercept_.shape == (3,)
    assert clf.n_iter_.shape == (1,) and clf.n_iter_[0] > 0
    scores = clf.decision_function(X)
    assert scores.shape == (150, 3)
    np.testing.assert_allclose(scores, X @ clf.coef_.T + clf.intercept_)
    np.testing.assert_allclose(np.exp(clf.predict_log_proba(X)), clf.predict_proba(X))
    # The course's view: W (n_y × n_x) and b (n_y × 1).
    assert clf.W_.shape == (3, 4) and clf.b_.shape == (3, 1)
    binary = backprop.LogisticRegression().fit(X[:100], y[:100])
    assert binary.coef_.shape == (1, 4) and binary.decision_function(X[:5]).shape == (5,)
    np.testing.assert_array_equal(binary.predict(X[:100]), (binary.decision_function(X[:100]) > 0).astype(int))


def test_c_is_the_inverse_l2_strength():
    X, y = load_iris(return_X_y=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        strong = backprop.LogisticRegression(C=0.01).fit(X, y)
        weak = backprop.LogisticRegression(C=100.0).fit(X, y)
        none = backprop.LogisticRegression(penalty=None, max_iter=50).fit(X, y)
        inf = backprop.LogisticRegression(C=np.inf, max_iter=50).fit(X, y)
    assert np.linalg.norm(strong.coef_) < np.linalg.norm(weak.coef_)
    np.testing.assert_array_equal(none.coef_, inf.coef_)


def test_not_converging_warns():
    X, y = scaled_table()
    with pytest.warns(ConvergenceWarning, match="max_iter=3"):
        backprop.LogisticRegression(max_iter=3).fit(X, y)


def test_warm_start_continues_from_coef():
    X, y = scaled_table()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf = backprop.LogisticRegression(max_iter=5, warm_start=True).fit(X, y)
        first = log_loss(y, clf.predict_proba(X))
        clf.fit(X, y)
    assert log_loss(y, clf.predict_proba(X)) < first


@pytest.mark.parametrize(
    "params, words",
    [(dict(l1_ratio=1.0), "supports only 'l2'"), (dict(fit_intercept=False, solver="adam"), "fit_intercept"), (dict(dual=True), "dual")],
)
def test_what_is_not_offered_is_refused_naming_it(params, words):
    X, y = scaled_table()
    with pytest.raises(ValueError, match=words):
        backprop.LogisticRegression(**params).fit(X, y)
