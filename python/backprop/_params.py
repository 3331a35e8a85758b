"""scikit-learn's parameter validation for the estimators.

Each estimator declares ``_parameter_constraints`` as scikit-learn's do (its
own values added: the course's solvers, ``leaky_relu``, ``dropout``, …), and
a bad parameter raises scikit-learn's ``InvalidParameterError`` (a
``ValueError``) in scikit-learn's words: ``The 'tol' parameter of
MLPClassifier must be a float in the range [0.0, inf). Got -1 instead.``

Who checks what: the library holds the rules of its settings
(``LIBRARY_HELD``: the step size, the L2 strength, the optimisers' betas, the
counts, the layer sizes, dropout, threads) and checks them in ``_core.check``,
which words its refusal the same way (``The 'alpha' parameter of
MLPClassifier must be ≥ 0. Got -1 instead.``); Python checks the rest here,
before: the choices among names, the types, and scikit-learn's own rules
the library has no setting for (``tol``, ``n_iter_no_change``, ``power_t``,
``validation_fraction``, ``C``, …).
"""

from numbers import Integral, Real

import numpy as np
from sklearn.utils._param_validation import (
    Interval,
    Options,
    StrOptions,
    validate_parameter_constraints,
)

# The parameters whose ranges the library checks (spec.rs maps them onto its settings).
LIBRARY_HELD = frozenset({
    "hidden_layer_sizes", "alpha", "l1", "batch_size", "learning_rate_init", "max_iter", "momentum",
    "beta_1", "beta_2", "epsilon", "dropout", "n_threads",
})

_SHARED = {
    "tol": [Interval(Real, 0, None, closed="left")],
    "verbose": ["verbose"],
    "warm_start": ["boolean"],
    "random_state": ["random_state"],
    "class_weight": [dict, StrOptions({"balanced"}), None],
    "dtype": [StrOptions({"float32", "float64"}), None],
    "n_threads": [Interval(Integral, 1, None, closed="left")],
    "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
}

MLP_CONSTRAINTS = {
    **_SHARED,
    "hidden_layer_sizes": ["array-like", Interval(Integral, 1, None, closed="left")],
    "activation": [StrOptions({"identity", "logistic", "tanh", "relu", "leaky_relu"})],
    "solver": [StrOptions({"lbfgs", "sgd", "adam", "gd", "momentum", "rmsprop"})],
    "max_fun": [Interval(Integral, 1, None, closed="left")],
    "alpha": [Interval(Real, 0, None, closed="left")],
    "l1": [Interval(Real, 0, None, closed="left")],
    "batch_size": [StrOptions({"auto"}), Interval(Integral, 1, None, closed="left")],
    "learning_rate": [StrOptions({"constant", "invscaling", "adaptive"})],
    "power_t": [Interval(Real, 0, None, closed="left")],
    "max_iter": [Interval(Integral, 1, None, closed="left")],
    "shuffle": ["boolean"],
    "momentum": [Interval(Real, 0, 1, closed="both")],
    "nesterovs_momentum": ["boolean"],
    "early_stopping": ["boolean"],
    "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
    "beta_1": [Interval(Real, 0, 1, closed="left")],
    "beta_2": [Interval(Real, 0, 1, closed="left")],
    "epsilon": [Interval(Real, 0, None, closed="neither")],
    "n_iter_no_change": [Interval(Integral, 1, None, closed="left"), Options(Real, {np.inf})],
    "dropout": [Interval(Real, 0, 1, closed="right"), "array-like", None],
    "init": [StrOptions({"glorot", "xavier", "he", "small", "zeros"})],
}

# ConvClassifier: MLPClassifier's, a layer list in place of the hidden layers
# (the library parses and checks it), no L-BFGS, early stopping or dropout.
CONV_CONSTRAINTS = {
    **{k: v for k, v in MLP_CONSTRAINTS.items() if k not in (
        "hidden_layer_sizes", "activation", "max_fun", "early_stopping", "validation_fraction", "dropout", "l1")},
    "layers": [str],
    "picture_shape": ["array-like", None],
    "solver": [StrOptions({"sgd", "adam", "gd", "momentum", "rmsprop"})],
    "init": [StrOptions({"xavier", "he", "small", "zeros"})],
}

LOGISTIC_CONSTRAINTS = {
    **_SHARED,
    "penalty": [StrOptions({"l1", "l2", "elasticnet", "deprecated"}), None],
    "C": [Interval(Real, 0, None, closed="right")],
    "l1_ratio": [Interval(Real, 0, 1, closed="both"), None],
    "dual": ["boolean"],
    "fit_intercept": ["boolean"],
    "intercept_scaling": [Interval(Real, 0, None, closed="neither")],
    # scikit-learn's other solvers' names run the library's L-BFGS (_logistic.py).
    "solver": [StrOptions({"lbfgs", "adam", "gd", "newton-cg", "newton-cholesky", "sag", "saga", "liblinear"})],
    # 0: the starting weights, no iteration (scikit-learn's; _logistic.py).
    "max_iter": [Interval(Integral, 0, None, closed="left")],
    "n_jobs": [None, Integral],
}


def validate(estimator):
    """Checks `estimator`'s parameters that Python holds the rules of
    (scikit-learn's InvalidParameterError); the library checks the others."""
    constraints = {k: v for k, v in estimator._parameter_constraints.items() if k not in LIBRARY_HELD}
    validate_parameter_constraints(
        constraints, estimator.get_params(deep=False), caller_name=type(estimator).__name__
    )
