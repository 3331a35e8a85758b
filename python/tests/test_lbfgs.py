"""solver="lbfgs" in both estimators (issue 26, item 1): the library's L-BFGS
with scikit-learn's meanings of max_iter, tol, max_fun, n_iter_ and loss_.

From the same initial weights, on three tables scikit-learn ships
(standardised), backprop's final loss is within 1e-6 of scikit-learn's
lbfgs, as crates/backprop-cli/tests/lbfgs_sklearn.rs checks for the CLI's."""

import warnings

import numpy as np
import pytest
from sklearn import datasets
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression as SkLogisticRegression
from sklearn.neural_network import MLPClassifier as SkMLP
from sklearn.preprocessing import StandardScaler

import backprop

TABLES = {"iris": datasets.load_iris, "wine": datasets.load_wine, "breast_cancer": datasets.load_breast_cancer}


def table(name):
    X, y = TABLES[name](return_X_y=True)
    return StandardScaler().fit_transform(X), y


def from_weights(est, X, y, coefs, intercepts, max_iter):
    """Fits once (classes and shapes), puts the weights in, then fits
    `max_iter` iterations from them (warm_start: a new L-BFGS run)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.set_params(max_iter=1, warm_start=True).fit(X, y)
    est.coefs_ = [c.copy() for c in coefs]
    est.intercepts_ = [b.copy() for b in intercepts]
    est.set_params(max_iter=max_iter)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)  # converged cases
        return est.fit(X, y)


@pytest.mark.parametrize(
    "name,hidden,alpha,max_iter",
    [("iris", 10, 1e-2, 200), ("wine", 8, 1e-1, 200), ("breast_cancer", 4, 10.0, 500)],
)
def test_final_loss_is_within_1e_6_of_scikit_learns_lbfgs_from_the_same_weights(name, hidden, alpha, max_iter):
    X, y = table(name)
    k = len(np.unique(y))
    units = [X.shape[1], hidden, 1 if k == 2 else k]
    rs = np.random.RandomState(3)
    coefs = [rs.normal(0, 1 / np.sqrt(a), (a, b)) for a, b in zip(units[:-1], units[1:])]
    intercepts = [np.zeros(b) for b in units[1:]]
    params = dict(solver="lbfgs", hidden_layer_sizes=(hidden,), alpha=alpha, random_state=0)
    ours = from_weights(backprop.MLPClassifier(**params), X, y, coefs, intercepts, max_iter)
    theirs = from_weights(SkMLP(**params), X, y, coefs, intercepts, max_iter)
    assert abs(ours.loss_ - theirs.loss_) <= 1e-6, (ours.loss_, theirs.loss_)
    # The same iterates up to rounding (sums in another order): the stop
    # may come an iteration or two apart.
    assert abs(ours.n_iter_ - theirs.n_iter_) <= max(2, theirs.n_iter_ // 20), (ours.n_iter_, theirs.n_iter_)
    assert isinstance(ours.n_iter_, int) and not hasattr(ours, "loss_curve_")


def test_max_iter_counts_iterations_and_warns_in_scikit_learns_words():
    X, y = table("wine")
    with pytest.warns(ConvergenceWarning, match=r"lbfgs failed to converge after 5 iteration\(s\) \(status=1\)") as w:
        clf = backprop.MLPClassifier(solver="lbfgs", hidden_layer_sizes=(8,), max_iter=5, random_state=0).fit(X, y)
    assert clf.n_iter_ == 5
    assert "Increase the number of iterations" in str(w[0].message) and "max_iter=5" in str(w[0].message)
    # warm_start: a new run of max_iter iterations from the kept weights, as scipy's.
    before = clf.loss_
    with pytest.warns(ConvergenceWarning):
        clf.set_params(warm_start=True).fit(X, y)
    assert clf.n_iter_ == 5 and clf.loss_ < before


def test_max_fun_limits_the_evaluations():
    X, y = table("breast_cancer")
    with pytest.warns(ConvergenceWarning, match="EVALUATIONS EXCEEDS LIMIT"):
        clf = backprop.MLPClassifier(solver="lbfgs", hidden_layer_sizes=(20,), max_fun=10, random_state=1).fit(X, y)
    assert 1 <= clf.n_iter_ <= 10


def test_tol_is_on_the_gradient_a_loose_one_stops_sooner():
    X, y = table("iris")
    loose = backprop.MLPClassifier(solver="lbfgs", hidden_layer_sizes=(10,), tol=1e-1, random_state=0).fit(X, y)
    tight = backprop.MLPClassifier(solver="lbfgs", hidden_layer_sizes=(10,), tol=1e-6, max_iter=1000,
                                   random_state=0).fit(X, y)
    assert loose.n_iter_ < tight.n_iter_ and tight.loss_ < loose.loss_


def test_lbfgs_has_no_partial_fit_and_refuses_settings_that_do_not_apply():
    assert not hasattr(backprop.MLPClassifier(solver="lbfgs"), "partial_fit")
    assert hasattr(backprop.MLPClassifier(solver="adam"), "partial_fit")
    X, y = table("iris")
    with pytest.raises(ValueError, match="dropout does not apply to solver lbfgs"):
        backprop.MLPClassifier(solver="lbfgs", dropout=0.5).fit(X, y)
    with pytest.raises(ValueError, match="max_fun"):
        backprop.MLPClassifier(solver="lbfgs", max_fun=0).fit(X, y)


def test_logistic_regression_defaults_to_lbfgs_and_reaches_scikit_learns_loss():
    X, y = datasets.load_iris(return_X_y=True)
    ours = backprop.LogisticRegression(C=np.inf, tol=1e-8, max_iter=1000)
    assert backprop.LogisticRegression().solver == "lbfgs"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ours.fit(X, y)
        sk = SkLogisticRegression(C=np.inf, tol=1e-8, max_iter=1000).fit(X, y)
    loss = lambda m: -np.mean(np.log(m.predict_proba(X)[np.arange(len(y)), y]))
    assert loss(ours) <= loss(sk) + 1e-4, (loss(ours), loss(sk))
    assert ours.n_iter_.shape == (1,) and 0 < ours.n_iter_[0] <= 1000


def test_fit_intercept_false_holds_the_intercept_at_0_and_solves_scikit_learns_problem():
    X, y = datasets.make_classification(n_samples=300, n_features=5, n_informative=3, n_redundant=0, flip_y=0.2, random_state=0)
    X = X * np.array([1.0, 10.0, 0.1, 3.0, 1.0]) + 0.5
    ours = backprop.LogisticRegression(fit_intercept=False, C=np.inf, tol=1e-10, max_iter=1000).fit(X, y)
    sk = SkLogisticRegression(fit_intercept=False, C=np.inf, tol=1e-10, max_iter=1000).fit(X, y)
    assert np.array_equal(ours.intercept_, np.zeros(1))
    np.testing.assert_allclose(ours.decision_function(X), X @ ours.coef_.ravel())
    # Without a penalty the objective is scikit-learn's exactly: the same coefficients.
    np.testing.assert_allclose(ours.coef_, sk.coef_, rtol=1e-4, atol=1e-6)
    with pytest.raises(ValueError, match="fit_intercept=False needs solver='lbfgs'"):
        backprop.LogisticRegression(fit_intercept=False, solver="adam").fit(X, y)


@pytest.mark.parametrize("solver", ["newton-cg", "newton-cholesky", "sag", "saga", "liblinear"])
def test_scikit_learns_other_solver_names_run_the_library_lbfgs(solver):
    X, y = datasets.load_wine(return_X_y=True)
    if solver == "liblinear":  # two classes only, as scikit-learn's
        X, y = X[y < 2], y[y < 2]
    ours = backprop.LogisticRegression(solver=solver, max_iter=500).fit(X, y)
    lbfgs = backprop.LogisticRegression(solver="lbfgs", max_iter=500).fit(X, y)
    assert np.array_equal(ours.coef_, lbfgs.coef_) and np.array_equal(ours.n_iter_, lbfgs.n_iter_)
    # Each name warns in its own scikit-learn solver's words (scikit-learn 1.9.1's).
    words = {
        "newton-cg": "newton-cg failed to converge at loss = .*Increase the number of iterations",
        "newton-cholesky": "Newton solver did not converge after 2 iterations",
        "liblinear": "Liblinear failed to converge, increase the number of iterations",
        "sag": "The max_iter was reached which means the coef_ did not converge",
        "saga": "The max_iter was reached which means the coef_ did not converge",
    }
    with pytest.warns(ConvergenceWarning, match=words[solver]):
        backprop.LogisticRegression(solver=solver, max_iter=2).fit(X, y)


def test_max_iter_0_keeps_the_starting_weights_and_penalty_warns_as_deprecated():
    X, y = datasets.load_iris(return_X_y=True)
    with pytest.warns(ConvergenceWarning, match="max_iter=0"):
        clf = backprop.LogisticRegression(max_iter=0).fit(X, y)
    assert clf.n_iter_[0] == 0 and not clf.coef_.any() and not clf.intercept_.any()
    np.testing.assert_allclose(clf.predict_proba(X), np.full((150, 3), 1 / 3))
    with pytest.warns(FutureWarning, match="'penalty' was deprecated"):
        backprop.LogisticRegression(penalty="l2").fit(X, y)
