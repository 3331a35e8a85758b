"""The course's runs, as a reference to check your own implementation against.

Everything here is in the notes' layout: X is n_x × m (one example per
column), Y is 1 × m, W[l] is n[l] × n[l-1] and b[l] is n[l] × 1, in float64.
Parameters are dicts ``{"W1": ..., "b1": ..., "W2": ...}``. The runs use the
course's seeds (numpy's ``np.random.seed``), initialisations and learning
rates, so their costs are the notebooks' numbers:

===========================  ==========================================
``logistic_regression``      cost 0.140872 after iteration 1900
``two_layer``                cost 0.048555 after iteration 2400
``deep``                     cost 0.092878 after iteration 2400
``flower_net``               90.75 % (363 of 400 points) on the flower
===========================  ==========================================

``costs`` runs gradient descent from parameters you give and returns every
iteration's cost; ``gradients`` returns one iteration's dW, db: compare them,
step by step, with a hand-written numpy version. These are backprop's own
functions, a reference to check against, not the assignments' graded ones.

``python -m backprop.course [CAT_DIR]`` runs all four and prints their costs.
"""

import os
from typing import NamedTuple

import numpy as np

from . import _core

__all__ = [
    "Run", "load_cat", "flower", "train", "logistic_regression", "two_layer", "deep", "flower_net",
    "costs", "gradients", "predict", "accuracy",
]


class Run(NamedTuple):
    """A finished course run: the parameters and the cost of every iteration."""

    parameters: dict
    costs: np.ndarray

    def cost_at(self, iteration):
        """The cost of iteration `iteration` (from 0; before its update)."""
        return float(self.costs[iteration])


def _to_dict(pairs):
    params = {}
    for l, (w, b) in enumerate(pairs, start=1):
        params[f"W{l}"] = w
        params[f"b{l}"] = b
    return params


def _to_pairs(parameters):
    layers = len(parameters) // 2
    if layers == 0 or any(f"W{l}" not in parameters or f"b{l}" not in parameters for l in range(1, layers + 1)):
        raise ValueError("parameters must hold W1, b1, …, WL, bL")
    return [
        (np.asarray(parameters[f"W{l}"], dtype=np.float64), np.asarray(parameters[f"b{l}"], dtype=np.float64).reshape(-1, 1))
        for l in range(1, layers + 1)
    ]


def _xy(X, Y):
    return np.asarray(X, dtype=np.float64), np.asarray(Y, dtype=np.float64).reshape(1, -1)


def load_cat(directory=None):
    """The course's cat / non-cat pictures: (train_x, train_y, test_x, test_y,
    classes), X as ``x.reshape(m, -1).T / 255`` (12288 × m). `directory` holds
    train_catvnoncat.h5 and test_catvnoncat.h5 (default: $BACKPROP_CAT_DIR)."""
    directory = directory or os.environ.get("BACKPROP_CAT_DIR")
    if not directory:
        raise ValueError("give the folder of train_catvnoncat.h5 and test_catvnoncat.h5 (or set BACKPROP_CAT_DIR)")
    train_x, train_y, classes = _core.load_course_data(os.path.join(directory, "train_catvnoncat.h5"))
    test_x, test_y, _ = _core.load_course_data(os.path.join(directory, "test_catvnoncat.h5"))
    return train_x, train_y, test_x, test_y, classes


def flower():
    """The course's planar flower (``load_planar_dataset``): X 2 × 400, Y 1 × 400."""
    return _core.flower()


def train(X, Y, layer_dims, activation="relu", init="xavier", learning_rate=0.0075, iterations=2500,
          seed=1, print_every=100, parameters=None):
    """Full-batch gradient descent on a network of `layer_dims` = [n_x, n_1, …, 1]
    with hidden `activation` (relu, tanh, logistic, leaky_relu), the weights
    drawn after ``np.random.seed(seed)`` by `init` (zeros, small: randn·0.01,
    xavier: randn/√n[l-1], he: randn·√(2/n[l-1])) or given as `parameters`.
    Prints "Cost after iteration i: cost" every `print_every` iterations (0:
    never). Returns a :class:`Run`."""
    X, Y = _xy(X, Y)
    pairs = _to_pairs(parameters) if parameters is not None else None
    final, history = _core.train(
        X, Y, [int(n) for n in layer_dims], activation, init, float(learning_rate), int(iterations),
        int(seed), int(print_every), pairs,
    )
    return Run(_to_dict(final), np.asarray(history))


def logistic_regression(X, Y, learning_rate=0.005, iterations=2000, print_every=100):
    """The course's logistic regression (week 2): zero weights; on the cat
    data, cost 0.140872 after iteration 1900. Parameters W1 (1 × n_x) and b1."""
    X, Y = _xy(X, Y)
    return train(X, Y, [X.shape[0], 1], "relu", "zeros", learning_rate, iterations, 0, print_every)


def two_layer(X, Y, n_h=7, learning_rate=0.0075, iterations=2500, seed=1, print_every=100):
    """The course's two-layer model (week 4): LINEAR→RELU→LINEAR→SIGMOID,
    weights randn·0.01 after ``np.random.seed(1)``; on the cat data, cost
    0.048555 after iteration 2400."""
    X, Y = _xy(X, Y)
    return train(X, Y, [X.shape[0], n_h, 1], "relu", "small", learning_rate, iterations, seed, print_every)


def deep(X, Y, layer_dims=(12288, 20, 7, 5, 1), learning_rate=0.0075, iterations=2500, seed=1, print_every=100):
    """The course's L-layer model (week 4): relu hidden layers, weights
    randn/√n[l-1] after ``np.random.seed(1)``; on the cat data with
    (12288, 20, 7, 5, 1), cost 0.092878 after iteration 2400."""
    X, Y = _xy(X, Y)
    return train(X, Y, list(layer_dims), "relu", "xavier", learning_rate, iterations, seed, print_every)


def flower_net(X, Y, n_h=4, learning_rate=1.2, iterations=10000, seed=2, print_every=1000):
    """The course's planar network (week 3): one tanh hidden layer of `n_h`
    units, weights randn·0.01 after ``np.random.seed(2)``; on the flower,
    90.75 % (363 of 400) of the points right."""
    X, Y = _xy(X, Y)
    return train(X, Y, [X.shape[0], n_h, 1], "tanh", "small", learning_rate, iterations, seed, print_every)


def costs(X, Y, parameters, learning_rate, iterations, activation="relu"):
    """Gradient descent from `parameters`: the cost of each of `iterations`
    iterations (cost i is from iteration i's forward pass, before its
    update), as a numpy array."""
    X, Y = _xy(X, Y)
    pairs = _to_pairs(parameters)
    sizes = [pairs[0][0].shape[1]] + [w.shape[0] for w, _ in pairs]
    return train(X, Y, sizes, activation, "zeros", learning_rate, iterations, 0, 0, parameters).costs


def gradients(X, Y, parameters, activation="relu"):
    """One forward and backward pass at `parameters`: (cost, grads) with
    grads = {"dW1": …, "db1": …, …} in the parameters' shapes."""
    X, Y = _xy(X, Y)
    cost, pairs = _core.gradients(X, Y, _to_pairs(parameters), activation)
    grads = {}
    for l, (dw, db) in enumerate(pairs, start=1):
        grads[f"dW{l}"] = dw
        grads[f"db{l}"] = db
    return cost, grads


def predict(X, parameters, activation="relu"):
    """0/1 predictions (1 × m): 1 where the output is above 0.5."""
    X = np.asarray(X, dtype=np.float64)
    p = _core.predict_proba(X.T, _to_pairs(parameters), activation)
    return (p.T > 0.5).astype(np.float64)


def accuracy(X, Y, parameters, activation="relu"):
    """The fraction of the columns of X whose prediction is Y's label."""
    X, Y = _xy(X, Y)
    return float(np.mean(predict(X, parameters, activation) == Y))


def _main(argv):
    cat_dir = argv[1] if len(argv) > 1 else os.environ.get("BACKPROP_CAT_DIR")
    X, Y = flower()
    run = flower_net(X, Y)
    print(f"flower: {accuracy(X, Y, run.parameters, 'tanh') * 100:.2f} % of the points right")
    if not cat_dir:
        print("cat runs skipped: give the folder of the course's .h5 files (or set BACKPROP_CAT_DIR)")
        return
    train_x, train_y, test_x, test_y, _ = load_cat(cat_dir)
    for name, fn, at in (("logistic regression", logistic_regression, 1900), ("two-layer", two_layer, 2400),
                         ("deep", deep, 2400)):
        print(f"== {name}")
        run = fn(train_x, train_y)
        print(f"cost after iteration {at}: {run.cost_at(at):.6f}; train {accuracy(train_x, train_y, run.parameters) * 100:.2f} %, "
              f"test {accuracy(test_x, test_y, run.parameters) * 100:.2f} %")


if __name__ == "__main__":
    import sys

    _main(sys.argv)
