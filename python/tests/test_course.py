"""backprop.course: the notebooks' numbers, and gradients and costs equal to
a hand-written numpy implementation of the notes' equations."""

import numpy as np
import pytest

from backprop import course
from conftest import required


def numpy_step(X, Y, params, activation):
    """The notes' forward and backward pass, written out in numpy."""
    L = len(params) // 2
    g = {"relu": lambda z: np.maximum(z, 0), "tanh": np.tanh}[activation]
    dg = {"relu": lambda z, a: (z > 0).astype(float), "tanh": lambda z, a: 1 - a**2}[activation]
    A, cache = X, []
    for l in range(1, L + 1):
        Z = params[f"W{l}"] @ A + params[f"b{l}"]
        A_prev, A = A, (1 / (1 + np.exp(-Z)) if l == L else g(Z))
        cache.append((A_prev, Z, A))
    m = X.shape[1]
    cost = -np.mean(Y * np.log(A) + (1 - Y) * np.log(1 - A))
    grads, dZ = {}, A - Y
    for l in range(L, 0, -1):
        A_prev, Z, _ = cache[l - 1]
        grads[f"dW{l}"] = dZ @ A_prev.T / m
        grads[f"db{l}"] = dZ.sum(axis=1, keepdims=True) / m
        if l > 1:
            _, Zp, Ap = cache[l - 2]
            dZ = (params[f"W{l}"].T @ dZ) * dg(Zp, Ap)
    return cost, grads


def small_problem(seed=0):
    rs = np.random.RandomState(seed)
    X = rs.randn(6, 40)
    Y = (X[0:1] * X[1:2] > 0).astype(float)
    sizes = [6, 5, 3, 1]
    params = {}
    for l in range(1, len(sizes)):
        params[f"W{l}"] = rs.randn(sizes[l], sizes[l - 1]) * 0.5
        params[f"b{l}"] = rs.randn(sizes[l], 1) * 0.1
    return X, Y, params


@pytest.mark.parametrize("activation", ["relu", "tanh"])
def test_gradients_equal_a_hand_written_numpy_step(activation):
    X, Y, params = small_problem()
    cost, grads = course.gradients(X, Y, params, activation)
    want_cost, want = numpy_step(X, Y, params, activation)
    assert abs(cost - want_cost) < 1e-12
    assert sorted(grads) == sorted(want)
    for k in want:
        assert grads[k].shape == want[k].shape
        np.testing.assert_allclose(grads[k], want[k], rtol=1e-10, atol=1e-14)


def test_costs_equal_numpy_gradient_descent_iteration_by_iteration():
    X, Y, params = small_problem(1)
    got = course.costs(X, Y, params, learning_rate=0.3, iterations=50, activation="tanh")
    p = {k: v.copy() for k, v in params.items()}
    want = []
    for _ in range(50):
        c, grads = numpy_step(X, Y, p, "tanh")
        want.append(c)
        for k in list(p):
            p[k] = p[k] - 0.3 * grads["d" + k]
    np.testing.assert_allclose(got, want, rtol=1e-10)


def test_the_flower_net_gets_the_courses_90_75_percent():
    X, Y = course.flower()
    assert X.shape == (2, 400) and Y.shape == (1, 400)
    run = course.flower_net(X, Y, print_every=0)
    assert run.parameters["W1"].shape == (4, 2) and run.parameters["b1"].shape == (4, 1)
    assert len(run.costs) == 10000
    assert abs(run.cost_at(0) - 0.6930480201239823) < 1e-9
    assert round(course.accuracy(X, Y, run.parameters, "tanh") * 400) == 363


def test_the_cat_runs_print_the_notebooks_costs(capsys):
    cat_dir = required("BACKPROP_CAT_DIR", "the course's catvnoncat .h5 files")
    train_x, train_y, test_x, test_y, classes = course.load_cat(cat_dir)
    assert train_x.shape == (12288, 209) and train_y.shape == (1, 209) and classes == ["non-cat", "cat"]
    lr = course.logistic_regression(train_x, train_y)
    assert abs(lr.cost_at(1900) - 0.140872) < 1e-6
    assert lr.parameters["W1"].shape == (1, 12288)
    two = course.two_layer(train_x, train_y)
    assert abs(two.cost_at(2400) - 0.048555) < 1e-6
    deep = course.deep(train_x, train_y)
    assert abs(deep.cost_at(2400) - 0.092878) < 1e-6
    assert [deep.parameters[f"W{l}"].shape for l in (1, 2, 3, 4)] == [(20, 12288), (7, 20), (5, 7), (1, 5)]
    assert round(course.accuracy(test_x, test_y, deep.parameters) * 50) == 40
    out = capsys.readouterr().out
    assert "Cost after iteration 1900: 0.140872" in out
    assert "Cost after iteration 2400: 0.048555" in out
    assert "Cost after iteration 2400: 0.092878" in out
