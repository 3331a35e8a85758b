"""LogisticRegression's penalties (issue 26): scikit-learn's objective
C·Σsᵢ·lᵢ + r·‖w‖₁ + (1 − r)/2·‖w‖² on the raw features, solved in the
standardised space by the library's L-BFGS with per-feature penalty factors
(OWL-QN for an L1 part), and scikit-learn 1.9's words for the penalty,
l1_ratio and solver combinations."""

import warnings

import numpy as np
import pytest
from sklearn import datasets
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression as SkLogisticRegression

import backprop

TIGHT = dict(tol=1e-12, max_iter=10_000)


def tables():
    """Three tables on their raw scales, with sample or class weights."""
    iris = datasets.load_iris(return_X_y=True)
    wine = datasets.load_wine(return_X_y=True)
    X, y = datasets.load_breast_cancer(return_X_y=True)
    X = X[:, :8]  # ranges 0.05 to 2500
    weights = np.random.default_rng(0).uniform(0.2, 3.0, len(y))
    return [
        ("iris", iris, dict(), None),
        ("wine", wine, dict(class_weight="balanced"), None),
        ("breast_cancer", (X, y), dict(), weights),
    ]


def reference(X, y, params, sample_weight):
    """scikit-learn's minimiser of its objective (newton-cholesky to 1e-12:
    exact Newton steps, as accurate as scikit-learn's lbfgs gets and past it)."""
    sk = SkLogisticRegression(solver="newton-cholesky", **params, **TIGHT)
    return sk.fit(X, y, sample_weight=sample_weight)


def ours(X, y, params, sample_weight):
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        return backprop.LogisticRegression(**params, **TIGHT).fit(X, y, sample_weight=sample_weight)


@pytest.mark.parametrize("C", [0.01, 1.0, 100.0])
@pytest.mark.parametrize("case", tables(), ids=lambda c: c[0])
def test_l2_solution_is_scikit_learns_on_raw_features(case, C):
    _, (X, y), params, sw = case
    sk = reference(X, y, dict(params, C=C), sw)
    lbfgs = SkLogisticRegression(**params, C=C, **TIGHT).fit(X, y, sample_weight=sw) if C < 100 else sk
    got = ours(X, y, dict(params, C=C), sw)
    scale = np.abs(sk.coef_).max()
    np.testing.assert_allclose(got.coef_, sk.coef_, rtol=1e-5, atol=1e-5 * scale)
    np.testing.assert_allclose(got.intercept_, sk.intercept_, rtol=1e-5, atol=1e-5 * max(scale, 1))
    # scikit-learn's lbfgs reaches the same minimiser (where it converges on raw features).
    np.testing.assert_allclose(lbfgs.coef_, sk.coef_, rtol=1e-3, atol=1e-3 * scale)


def l1_objective(X, y, est, C, r):
    """scikit-learn's binary objective C·Σlᵢ + r·‖w‖₁ + (1 − r)/2·‖w‖² at `est`'s weights."""
    z = X @ est.coef_.ravel() + np.atleast_1d(est.intercept_)[0]
    return C * (np.logaddexp(0, z) - y * z).sum() + r * np.abs(est.coef_).sum() + (1 - r) / 2 * (est.coef_**2).sum()


@pytest.mark.parametrize(
    "solver, l1_ratio, C",
    [("liblinear", 1.0, 0.05), ("liblinear", 1.0, 1.0), ("saga", 0.5, 0.05), ("saga", 0.5, 1.0), ("saga", 1.0, 0.05)],
)
def test_l1_and_elastic_net_solution_is_scikit_learns_with_its_zeros(solver, l1_ratio, C):
    """Against liblinear (L1, without an intercept: liblinear penalises its
    own) and saga (elastic net), each run to tol 1e-10: coef_ to 1e-4 of the
    largest, the same exact zeros, and an objective no higher than theirs."""
    X, y = datasets.load_breast_cancer(return_X_y=True)
    X = (X - X.mean(0)) / X.std(0)  # saga's own convergence needs scaled features
    params = dict(C=C, l1_ratio=l1_ratio, fit_intercept=solver != "liblinear", solver=solver)
    sk = SkLogisticRegression(**params, tol=1e-10, max_iter=100_000, random_state=0).fit(X, y)
    got = ours(X, y, params, None)
    scale = np.abs(sk.coef_).max()
    np.testing.assert_allclose(got.coef_, sk.coef_, atol=1e-4 * scale)
    np.testing.assert_allclose(got.intercept_, sk.intercept_, atol=1e-4 * max(scale, 1))
    np.testing.assert_array_equal(got.coef_ == 0, sk.coef_ == 0)
    assert (got.coef_ == 0).sum() >= 3
    theirs = l1_objective(X, y, sk, C, l1_ratio)
    assert l1_objective(X, y, got, C, l1_ratio) <= theirs * (1 + 1e-9)


@pytest.mark.parametrize(
    "params, words",
    [
        (dict(l1_ratio=1.0), "Solver lbfgs supports only 'l2' or None penalties, got l1 penalty."),
        (dict(l1_ratio=0.5, solver="liblinear"), "Only 'saga' solver supports elasticnet penalty, got solver=liblinear."),
        (dict(dual=True), "Solver lbfgs supports only dual=False, got dual=True"),
        (dict(C=np.inf, solver="liblinear"), "C=np.inf as well as penalty=None is not supported for the liblinear solver"),
        (dict(penalty="elasticnet", l1_ratio=None, solver="saga"), "l1_ratio must be specified when penalty is elasticnet."),
        (dict(penalty="l1", solver="newton-cg"), "Solver newton-cg supports only 'l2' or None penalties, got l1 penalty."),
    ],
)
def test_refusals_are_scikit_learns(params, words):
    X, y = datasets.load_iris(return_X_y=True)
    for cls in (SkLogisticRegression, backprop.LogisticRegression):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            with pytest.raises(ValueError, match=words.replace("(", r"\(").replace(")", r"\)").replace(".", r"\.")):
                cls(**params).fit(X, y)
    with pytest.raises(ValueError, match="does not support multiclass"):
        backprop.LogisticRegression(solver="liblinear").fit(X, y)


@pytest.mark.parametrize(
    "params, category, words",
    [
        (dict(penalty="l2"), FutureWarning, "'penalty' was deprecated in version 1.8"),
        (dict(l1_ratio=None), FutureWarning, "'l1_ratio=None' was deprecated"),
        (dict(penalty="l2", l1_ratio=0.5), UserWarning, "l1_ratio parameter is only used when penalty is 'elasticnet'"),
        (dict(penalty="l1", l1_ratio=0.0, solver="saga"), UserWarning, "Inconsistent values: penalty=l1 with l1_ratio=0.0"),
        (dict(penalty=None, C=2.0), UserWarning, "Setting penalty=None will ignore the C and l1_ratio parameters"),
        (dict(n_jobs=2), FutureWarning, "'n_jobs' has no effect since 1.8"),
    ],
)
def test_warnings_are_scikit_learns(params, category, words):
    X, y = datasets.load_iris(return_X_y=True)
    X = (X - X.mean(0)) / X.std(0)
    for cls in (SkLogisticRegression, backprop.LogisticRegression):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            with pytest.warns(category, match=words.replace("(", r"\(").replace(")", r"\)")):
                cls(**params, max_iter=300).fit(X, y)
