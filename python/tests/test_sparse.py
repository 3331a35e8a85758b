"""Sparse X (issue 26, item 4): scipy CSR/CSC matrices and arrays train
both estimators without being densified (the library's first layer runs
over the stored entries), to the weights the dense fit of the same data
gives:

- MLPClassifier, every solver: the same arithmetic but each example's sum
  over its stored features in place of the dense product's over all of
  them, so the weights differ by rounding alone: within 1e-9 of their scale
  for sgd and adam; within 1e-5 for lbfgs, whose 60 iterations (line
  searches, curvature pairs) amplify that rounding.
- LogisticRegression: a sparse X is scaled but not centred (centring would
  fill every zero), the centring left to the intercept; the objective in
  (coef_, intercept_) is the dense fit's, so both reach its minimiser: with
  lbfgs at tol 1e-10 the weights within 1e-4 and the log-loss within 1e-8;
  the course's gradient solvers, which stop by their own rule on another
  path, the log-loss within 0.1 %.

Malformed sparse input raises ValueError naming the fix."""

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.datasets import make_classification
from sklearn.metrics import log_loss

import backprop


def tables(n=300, features=60, classes=2, density=0.1, seed=0):
    """A sparse table (CSR) and its dense form."""
    X, y = make_classification(n_samples=n, n_features=features, n_informative=10, n_redundant=0,
                               n_classes=classes, random_state=seed)
    rng = np.random.RandomState(seed)
    X[rng.rand(*X.shape) > density] = 0.0
    return sp.csr_matrix(X), X, y


def close(a, b, rel):
    scale = max(1.0, float(np.max(np.abs(a))))
    assert np.max(np.abs(a - b)) <= rel * scale, np.max(np.abs(a - b))


MLP_SOLVERS = [
    dict(solver="sgd", learning_rate_init=0.05, max_iter=15),
    dict(solver="adam", max_iter=15),
    dict(solver="lbfgs", max_iter=60),
    dict(solver="adam", max_iter=15, early_stopping=True),
]
BOUND = {"sgd": 1e-9, "adam": 1e-9, "lbfgs": 1e-5}


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("settings", MLP_SOLVERS, ids=lambda s: s["solver"] + ("_es" if "early_stopping" in s else ""))
@pytest.mark.parametrize("classes", [2, 3])
def test_mlp_sparse_fit_gives_the_dense_fits_weights(settings, classes):
    Xs, Xd, y = tables(classes=classes)
    make = lambda: backprop.MLPClassifier(hidden_layer_sizes=(8,), random_state=1, batch_size=32, **settings)
    dense, sparse = make().fit(Xd, y), make().fit(Xs, y)
    for a, b in zip(dense.coefs_ + dense.intercepts_, sparse.coefs_ + sparse.intercepts_):
        close(a, b, BOUND[settings["solver"]])
    assert dense.n_iter_ == sparse.n_iter_
    np.testing.assert_allclose(dense.predict_proba(Xd), sparse.predict_proba(Xs), atol=BOUND[settings["solver"]])
    np.testing.assert_array_equal(dense.predict(Xd), sparse.predict(Xs))


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_csc_csr_arrays_and_float32_train_alike_and_partial_fit_takes_sparse():
    Xs, Xd, y = tables()
    make = lambda: backprop.MLPClassifier(hidden_layer_sizes=(5,), random_state=0, max_iter=5)
    ref = make().fit(Xs, y)
    for X in (Xs.tocsc(), sp.csr_array(Xs), sp.csc_array(Xs)):
        other = make().fit(X, y)
        for a, b in zip(ref.coefs_, other.coefs_):
            np.testing.assert_array_equal(a, b)
    f32 = make().fit(Xs.astype(np.float32), y)
    assert f32.coefs_[0].dtype == np.float32
    dense, sparse = make(), make()
    for _ in range(3):
        dense.partial_fit(Xd, y, classes=[0, 1])
        sparse.partial_fit(Xs, y, classes=[0, 1])
    close(dense.coefs_[0], sparse.coefs_[0], 1e-9)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("solver", ["lbfgs", "adam", "gd"])
@pytest.mark.parametrize("classes", [2, 3])
def test_logistic_regression_sparse_fit_reaches_the_dense_fits_minimiser(solver, classes):
    Xs, Xd, y = tables(classes=classes, features=20, density=0.3)
    tol = 1e-10 if solver == "lbfgs" else 1e-8
    make = lambda: backprop.LogisticRegression(solver=solver, tol=tol, max_iter=20000, C=10.0)
    dense, sparse = make().fit(Xd, y), make().fit(Xs, y)
    loss = lambda est, X: log_loss(y, est.predict_proba(X))
    if solver == "lbfgs":
        close(dense.coef_, sparse.coef_, 1e-4)
        close(dense.intercept_, sparse.intercept_, 1e-4)
        assert abs(loss(dense, Xd) - loss(sparse, Xs)) <= 1e-8
    else:
        # Each stops by its own rule (no improvement of tol for 10 epochs) on its own path.
        assert abs(loss(dense, Xd) - loss(sparse, Xs)) <= 1e-3 * loss(dense, Xd)
    np.testing.assert_allclose(sparse.decision_function(Xs), sparse.decision_function(Xd), atol=1e-12)
    np.testing.assert_allclose(sparse.predict_proba(Xs), sparse.predict_proba(Xd), atol=1e-12)


def test_logistic_regression_sparse_without_intercept_and_with_weights():
    Xs, Xd, y = tables(features=20, density=0.3)
    w = np.random.RandomState(0).rand(len(y)) + 0.5
    for kw in (dict(fit_intercept=False), dict()):
        make = lambda: backprop.LogisticRegression(tol=1e-10, max_iter=20000, **kw)
        dense, sparse = make().fit(Xd, y, sample_weight=w), make().fit(Xs, y, sample_weight=w)
        close(dense.coef_, sparse.coef_, 1e-4)
    assert sparse.coef_.shape == (1, 20)


def test_malformed_sparse_input_is_refused_naming_the_fix():
    Xs, Xd, y = tables(n=50, features=10)
    bad = Xs.copy()
    bad.data[0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        backprop.MLPClassifier(max_iter=1).fit(bad, y)
    out_of_range = sp.csr_matrix((Xs.data, Xs.indices, Xs.indptr), shape=Xs.shape)
    out_of_range.indices = out_of_range.indices.copy()
    out_of_range.indices[0] = 10
    with pytest.raises(ValueError, match=r"indices must lie in \[0, 10\)"):
        backprop.MLPClassifier(max_iter=1).fit(out_of_range, y)
    fitted = backprop.MLPClassifier(max_iter=2).fit(Xs, y)
    with pytest.raises(ValueError, match="features"):
        fitted.predict(sp.csr_matrix(np.ones((3, 9))))
    with pytest.raises(ValueError, match="features"):
        backprop.LogisticRegression(max_iter=5).fit(Xs, y).predict_proba(sp.csr_matrix(np.ones((3, 11))))
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        backprop.MLPClassifier(max_iter=1).fit(Xs, y[:-1])
