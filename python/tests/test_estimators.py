"""The estimators' own promises: reproducible, the attributes scikit-learn's
MLPClassifier has, no copy of the data, the GIL released, Ctrl-C, verbose."""

import os
import signal
import threading
import time
import warnings

import numpy as np
import pytest
from sklearn.datasets import load_iris, make_classification
from sklearn.exceptions import ConvergenceWarning

import backprop
from backprop import _core


def data(n=300, features=8, classes=2, seed=0):
    return make_classification(
        n_samples=n, n_features=features, n_informative=5, n_classes=classes, random_state=seed
    )


def test_version_is_the_crates():
    assert backprop.__version__ == _core.__version__
    assert backprop.__version__.count(".") == 2


@pytest.mark.parametrize("solver", ["adam", "sgd", "gd", "momentum", "rmsprop"])
def test_same_seed_gives_the_same_model_and_another_seed_another(solver):
    X, y = data()
    fit = lambda seed: backprop.MLPClassifier((16, 8), solver=solver, max_iter=30, random_state=seed).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a, b, c = fit(3), fit(3), fit(4)
    for wa, wb in zip(a.coefs_ + a.intercepts_, b.coefs_ + b.intercepts_):
        assert np.array_equal(wa, wb)
    assert a.loss_curve_ == b.loss_curve_
    assert not np.array_equal(a.coefs_[0], c.coefs_[0])


def test_starting_weights_are_scikit_learns():
    from sklearn.neural_network import MLPClassifier as SkMLP

    X, y = data()
    ours = backprop.MLPClassifier((5,), max_iter=1, random_state=7)
    theirs = SkMLP((5,), max_iter=1, random_state=7)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # Zero learning rate: the weights stay where they started.
        ours.set_params(solver="gd", learning_rate_init=1e-300).fit(X, y)
        theirs.set_params(solver="sgd", momentum=0, learning_rate_init=1e-300).fit(X, y)
    for a, b in zip(ours.coefs_ + ours.intercepts_, theirs.coefs_ + theirs.intercepts_):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-250)


def test_fitted_attributes_have_scikit_learns_layout():
    X, y = data(classes=3)
    labels = np.array(["cat", "dog", "eel"])[y]
    est = backprop.MLPClassifier((6, 4), max_iter=20, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est.fit(X, labels)
    assert list(est.classes_) == ["cat", "dog", "eel"]
    assert est.n_features_in_ == 8
    assert [c.shape for c in est.coefs_] == [(8, 6), (6, 4), (4, 3)]
    assert [b.shape for b in est.intercepts_] == [(6,), (4,), (3,)]
    assert est.n_iter_ == 20 and len(est.loss_curve_) == 20
    assert est.best_loss_ == min(est.loss_curve_)
    assert est.validation_scores_ is None
    p = est.predict_proba(X)
    assert p.shape == (300, 3)
    np.testing.assert_allclose(p.sum(axis=1), 1, rtol=1e-12)
    assert set(est.predict(X)) <= {"cat", "dog", "eel"}
    np.testing.assert_allclose(est.predict_log_proba(X), np.log(p))


def test_early_stopping_records_validation_accuracy_and_keeps_the_best_weights():
    X, y = data(n=600)
    est = backprop.MLPClassifier((16,), early_stopping=True, n_iter_no_change=3, max_iter=500, random_state=0)
    est.fit(X, y)
    assert est.best_loss_ is None
    assert len(est.validation_scores_) == est.n_iter_ < 500
    assert est.best_validation_score_ == max(est.validation_scores_)
    assert all(0 <= s <= 1 for s in est.validation_scores_)


def test_tol_stops_training_when_the_loss_stops_improving():
    X, y = data()
    est = backprop.MLPClassifier((8,), tol=1e-2, n_iter_no_change=2, max_iter=1000, random_state=0).fit(X, y)
    assert est.n_iter_ < 1000
    # scikit-learn's rule: more than n_iter_no_change epochs not better than best − tol.
    curve = est.loss_curve_
    assert curve[-1] > min(curve[:-1]) - 1e-2


def test_warm_start_and_partial_fit_continue_from_the_weights():
    X, y = data()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est = backprop.MLPClassifier((8,), max_iter=5, warm_start=True, random_state=0).fit(X, y)
        first = [c.copy() for c in est.coefs_]
        est.fit(X, y)
    assert len(est.loss_curve_) == 10
    assert not np.array_equal(first[0], est.coefs_[0])
    assert est.loss_curve_[5] < est.loss_curve_[0]
    inc = backprop.MLPClassifier((8,), random_state=0)
    for _ in range(5):
        inc.partial_fit(X, y, classes=[0, 1])
    assert len(inc.loss_curve_) == 5 and inc.n_iter_ == 1
    # Five partial fits are five epochs of one fit: the same shuffles and Adam state.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        whole = backprop.MLPClassifier((8,), max_iter=5, tol=0, random_state=0).fit(X, y)
    np.testing.assert_allclose(inc.loss_curve_, whole.loss_curve_, rtol=1e-12)


def test_pandas_feature_names():
    pd = pytest.importorskip("pandas")
    X, y = data()
    frame = pd.DataFrame(X, columns=[f"f{i}" for i in range(8)])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est = backprop.LogisticRegression(max_iter=50).fit(frame, y)
    assert list(est.feature_names_in_) == [f"f{i}" for i in range(8)]


def test_float32_trains_in_float32_to_float64s_numbers():
    X, y = data()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        f32 = backprop.MLPClassifier((8,), dtype="float32", max_iter=100, tol=0, random_state=0).fit(X, y)
        f64 = backprop.MLPClassifier((8,), dtype="float64", max_iter=100, tol=0, random_state=0).fit(X, y)
    assert all(c.dtype == np.float32 for c in f32.coefs_)
    assert f32.predict_proba(X).dtype == np.float32
    np.testing.assert_allclose(f32.loss_curve_, f64.loss_curve_, rtol=1e-4)
    assert f32.loss_curve_[-1] < 0.8 * f32.loss_curve_[0]


def test_dropout_leaky_relu_and_the_course_solvers_learn():
    X, y = data(n=500)
    for params in (
        dict(activation="leaky_relu", dropout=0.8, solver="adam"),
        dict(activation="tanh", solver="momentum", learning_rate_init=0.1),
        dict(activation="relu", solver="rmsprop", learning_rate_init=0.001),
        dict(activation="logistic", solver="gd", learning_rate_init=0.5, max_iter=500),
    ):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            est = backprop.MLPClassifier((32,), random_state=0, **params).fit(X, y)
        assert est.score(X, y) > 0.85, params


def test_arrays_reach_rust_without_a_copy():
    from sklearn.utils.validation import check_array

    X = np.random.RandomState(0).rand(50, 7)
    for arr in (X, np.asfortranarray(X), X.astype(np.float32), np.asfortranarray(X.astype(np.float32))):
        # The estimators validate with check_array(dtype=<their dtype>): no copy of these…
        checked = check_array(arr, dtype=arr.dtype)
        assert np.shares_memory(checked, arr)
        # …and the core reads the numpy buffer itself.
        assert _core.data_address(checked) == arr.ctypes.data


def test_training_releases_the_gil():
    X, y = data(n=4000, features=50)
    ticks = []
    running = threading.Event()

    def count():
        running.set()
        while running.is_set():
            ticks.append(1)
            time.sleep(0.001)

    t = threading.Thread(target=count)
    t.start()
    running.wait()
    before = len(ticks)
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        backprop.MLPClassifier((256,), max_iter=40, tol=0, random_state=0).fit(X, y)
    elapsed = time.perf_counter() - start
    during = len(ticks) - before
    running.clear()
    t.join()
    # The other thread ran throughout (a held GIL would give it ~nothing).
    assert elapsed > 0.2
    assert during > 0.3 * elapsed / 0.0012, (during, elapsed)


def test_ctrl_c_stops_a_fit_cleanly():
    X, y = data(n=4000, features=50)
    est = backprop.MLPClassifier((256,), max_iter=100000, tol=0, random_state=0)
    timer = threading.Timer(0.5, lambda: os.kill(os.getpid(), signal.SIGINT))
    start = time.perf_counter()
    timer.start()
    try:
        with pytest.warns(UserWarning, match="Training interrupted by user"):
            est.fit(X, y)
    except KeyboardInterrupt:  # pragma: no cover - what the test guards against
        pytest.fail("Ctrl-C escaped the fit")
    finally:
        timer.cancel()
    assert time.perf_counter() - start < 5
    assert 0 < est.n_iter_ < 100000
    assert len(est.loss_curve_) == est.n_iter_
    assert est.score(X, y) > 0.5


def test_verbose_prints_the_course_lines(capsys):
    X, y = data()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        backprop.MLPClassifier((4,), solver="gd", learning_rate_init=0.1, max_iter=250, tol=0, verbose=100,
                               random_state=0).fit(X, y)
    lines = capsys.readouterr().out.splitlines()
    assert [l.split(":")[0] for l in lines] == [f"Cost after iteration {i}" for i in (0, 100, 200)]
    float(lines[0].split(": ")[1])


def test_verbose_prints_every_epoch_of_a_mini_batch_fit(capsys):
    X, y = data()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est = backprop.MLPClassifier((4,), batch_size=20, max_iter=3, tol=0, verbose=True, random_state=0,
                                     solver="rmsprop").fit(X, y)
    lines = capsys.readouterr().out.splitlines()
    assert [l.split(":")[0] for l in lines] == [f"Cost after iteration {i}" for i in range(3)]
    assert [float(l.split(": ")[1]) for l in lines] == pytest.approx(est.loss_curve_, abs=1e-6)


@pytest.mark.parametrize("solver", ["sgd", "adam", "lbfgs"])
def test_verbose_of_scikit_learns_solvers_prints_its_words_every_epoch(capsys, solver):
    """scikit-learn's "Iteration i, loss = …" (i from 1, 8 decimals) every
    epoch, for any true verbose (10 here, as scikit-learn's own test)."""
    X, y = data()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est = backprop.MLPClassifier((4,), max_iter=3, tol=0, verbose=10, random_state=0, solver=solver).fit(X, y)
        est2 = backprop.MLPClassifier((4,), max_iter=2, tol=0, verbose=10, random_state=0, solver=solver).fit(X, y)
    lines = capsys.readouterr().out.splitlines()
    assert [l.split(",")[0] for l in lines] == [f"Iteration {i}" for i in (1, 2, 3, 1, 2)]
    assert all(len(l.split("loss = ")[1].split(".")[1]) == 8 for l in lines)
    if solver != "lbfgs":
        assert [float(l.split("loss = ")[1]) for l in lines[:3]] == pytest.approx(est.loss_curve_, abs=1e-8)
    assert est2.n_iter_ == 2


def test_bad_settings_are_refused_at_fit_with_the_parameter_named():
    X, y = data()
    for params, name in (
        (dict(solver="newton-cg"), "solver"),
        (dict(activation="softplus"), "activation"),
        (dict(hidden_layer_sizes=(0,)), "hidden_layer_sizes"),
        (dict(dropout=1.5), "dropout"),
        (dict(dtype="float16"), "dtype"),
        (dict(learning_rate_init=-1.0), "learning_rate_init"),
    ):
        est = backprop.MLPClassifier(**params)
        with pytest.raises(ValueError, match=name):
            est.fit(X, y)


def test_one_class_is_refused_by_logistic_regression_with_a_message_naming_it():
    """As scikit-learn's LogisticRegression; its MLPClassifier fits one
    class, and so does backprop's (test_multilabel.py)."""
    X, _ = data()
    with pytest.raises(ValueError, match="1 class"):
        backprop.LogisticRegression().fit(X, np.zeros(len(X)))


def test_the_inputs_float_dtype_is_kept_unless_dtype_says_otherwise():
    X, y = load_iris(return_X_y=True)
    for est in (backprop.MLPClassifier(hidden_layer_sizes=(5,), max_iter=5), backprop.LogisticRegression(max_iter=5)):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            assert est.fit(X.astype(np.float32), y).coefs_[0].dtype == np.float32
            assert est.fit(X.astype(np.float64), y).coefs_[0].dtype == np.float64
            assert est.fit(X.astype(np.int64), y).coefs_[0].dtype == np.float64
            assert est.set_params(dtype="float64").fit(X.astype(np.float32), y).coefs_[0].dtype == np.float64


def test_n_iter_no_change_inf_runs_every_epoch():
    X, y = load_iris(return_X_y=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est = backprop.MLPClassifier(hidden_layer_sizes=(5,), max_iter=30, tol=1e3, n_iter_no_change=np.inf).fit(X, y)
    assert est.n_iter_ == 30


def test_continued_fits_check_the_classes_as_scikit_learn():
    X, y = load_iris(return_X_y=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est = backprop.MLPClassifier((4,), max_iter=2, warm_start=True).fit(X, y)
        # A subset of the earlier classes is refused with warm_start, as scikit-learn's.
        with pytest.raises(ValueError, match="warm_start can only be used where `y` has the same classes"):
            est.fit(X[y < 2], y[y < 2])
        with pytest.raises(ValueError, match="warm_start can only be used"):
            est.fit(X, np.where(y == 2, 7, y))
        est.fit(X, y)  # the same classes go on
        inc = backprop.MLPClassifier((4,)).partial_fit(X, y, classes=[0, 1, 2])
        inc.partial_fit(X[y < 2], y[y < 2])  # partial_fit: a subset is fine
        with pytest.raises(ValueError, match="`y` has classes not in `self.classes_`"):
            inc.partial_fit(X, np.where(y == 2, 7, y))
