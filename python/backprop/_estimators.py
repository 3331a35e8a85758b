"""scikit-learn estimators over backprop's Rust core.

The estimators hold all state (weights, optimiser moments, the record of the
fit) as numpy arrays and Python values, so they clone, pickle and compare as
scikit-learn expects; ``backprop._core`` is stateless: each call takes arrays
and returns new ones. Parameters keep scikit-learn's names and meanings
(``sklearn.neural_network.MLPClassifier``); what scikit-learn lacks is added:
``dropout``, the solvers ``gd``/``momentum``/``rmsprop``, ``leaky_relu``,
``dtype`` and ``n_threads``.
"""

import json
import numbers
import os
import warnings

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state, compute_sample_weight
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import _check_sample_weight, check_is_fitted, validate_data

from . import _core

_ACTIVATIONS = ("relu", "tanh", "logistic", "leaky_relu")
_SOLVERS = ("sgd", "adam", "gd", "momentum", "rmsprop")
_SCHEDULES = ("constant", "invscaling", "adaptive")
_DTYPES = {"float64": np.float64, "float32": np.float32}


class _Network:
    """The fitting and prediction shared by the estimators (a mixin: the
    public classes list ``ClassifierMixin`` and ``BaseEstimator`` themselves)."""

    # -- what each estimator defines -------------------------------------------------
    def _hidden_sizes(self):
        raise NotImplementedError

    def _hidden_activation(self):
        raise NotImplementedError

    def _initial_params(self, layer_units, rs):
        raise NotImplementedError

    # -- settings ----------------------------------------------------------------------
    def _np_dtype(self):
        if self.dtype not in _DTYPES:
            raise ValueError(f"dtype must be 'float32' or 'float64', got {self.dtype!r}")
        return _DTYPES[self.dtype]

    def _check_settings(self):
        def positive_int(name, value, minimum=1):
            if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < minimum:
                raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")

        def number(name, value, lo, hi, lo_open=False, hi_open=False):
            if not isinstance(value, numbers.Real) or isinstance(value, bool) or not np.isfinite(value):
                raise ValueError(f"{name} must be a finite number, got {value!r}")
            if value < lo or (lo_open and value == lo) or value > hi or (hi_open and value == hi):
                lb, rb = "(" if lo_open else "[", ")" if hi_open else "]"
                raise ValueError(f"{name} must be in {lb}{lo}, {hi}{rb}, got {value!r}")

        for size in self._hidden_sizes():
            positive_int("hidden_layer_sizes", size)
        if self._hidden_activation() not in _ACTIVATIONS:
            raise ValueError(f"activation must be one of {', '.join(_ACTIVATIONS)}, got {self._hidden_activation()!r}")
        if self.solver not in _SOLVERS:
            raise ValueError(f"solver must be one of {', '.join(_SOLVERS)}, got {self.solver!r}")
        if self.learning_rate not in _SCHEDULES:
            raise ValueError(f"learning_rate must be one of {', '.join(_SCHEDULES)}, got {self.learning_rate!r}")
        if self.batch_size != "auto":
            positive_int("batch_size", self.batch_size)
        number("alpha", self.alpha, 0, np.inf)
        number("learning_rate_init", self.learning_rate_init, 0, np.inf, lo_open=True)
        number("power_t", self.power_t, 0, np.inf)
        positive_int("max_iter", self.max_iter)
        number("tol", self.tol, 0, np.inf)
        positive_int("n_iter_no_change", self.n_iter_no_change)
        number("momentum", self.momentum, 0, 1, hi_open=True)
        number("validation_fraction", self.validation_fraction, 0, 1, lo_open=True, hi_open=True)
        number("beta_1", self.beta_1, 0, 1, hi_open=True)
        number("beta_2", self.beta_2, 0, 1, hi_open=True)
        number("epsilon", self.epsilon, 0, np.inf, lo_open=True)
        positive_int("n_threads", self.n_threads)
        self._np_dtype()
        return self._keep_prob()

    def _keep_prob(self):
        """`dropout` as the library's per-hidden-layer keep probabilities."""
        n_hidden = len(self._hidden_sizes())
        dropout = getattr(self, "dropout", None)
        if dropout is None:
            return []
        keep = [float(dropout)] * n_hidden if np.isscalar(dropout) else [float(p) for p in dropout]
        if len(keep) != n_hidden:
            raise ValueError(f"dropout gives {len(keep)} keep probabilities for {n_hidden} hidden layers")
        for p in keep:
            if not 0 < p <= 1:
                raise ValueError(f"dropout keep probabilities must be in (0, 1], got {p!r}")
        return keep

    def _verbose_every(self):
        if self.verbose is True:
            return 1
        if not self.verbose:
            return 0
        return int(self.verbose)

    # -- fitting -------------------------------------------------------------------------
    def fit(self, X, y, sample_weight=None):
        """Trains on X (n_samples × n_features) and labels y (any labels), each
        example weighted by `sample_weight` (times `class_weight`'s weight of
        its class): the cost is Σ wᵢ·lᵢ / Σ wᵢ and the L2 term α/(2·Σ wᵢ)·‖W‖²,
        as scikit-learn's. Returns self."""
        return self._fit(X, y, sample_weight, incremental=False)

    def partial_fit(self, X, y, sample_weight=None, classes=None):
        """One epoch over (X, y), continuing the weights and the optimiser's
        state; `classes` lists every label on the first call. Returns self."""
        if not hasattr(self, "coefs_") and classes is None:
            raise ValueError("classes must be passed on the first call to partial_fit")
        return self._fit(X, y, sample_weight, incremental=True, classes=classes)

    def _fit(self, X, y, sample_weight, incremental, classes=None):
        keep_prob = self._check_settings()
        if self.early_stopping and incremental:
            raise ValueError("partial_fit does not support early_stopping=True")
        dtype = self._np_dtype()
        fresh = not hasattr(self, "coefs_") or (not self.warm_start and not incremental)
        X, y = validate_data(self, X, y, reset=fresh, dtype=dtype)
        check_classification_targets(y)
        if fresh:
            labels = np.unique(y) if classes is None else np.unique(np.asarray(classes))
            if len(labels) < 2:
                raise ValueError(
                    f"{type(self).__name__} needs examples of at least 2 classes to fit; got 1 class ({labels[0]!r})"
                )
            self.classes_ = labels
        elif classes is not None and not np.array_equal(np.unique(np.asarray(classes)), self.classes_):
            raise ValueError(f"classes {classes!r} differ from those of the first fit {self.classes_!r}")
        unknown = np.setdiff1d(y, self.classes_)
        if unknown.size:
            raise ValueError(f"y holds labels {unknown!r} not among classes_ {self.classes_!r}")
        y_idx = np.searchsorted(self.classes_, y)
        weights = self._weights(X, y, y_idx, sample_weight)

        rs = check_random_state(self.random_state)
        n_classes = len(self.classes_)
        n_out = 1 if n_classes == 2 else n_classes
        units = [X.shape[1], *self._hidden_sizes(), n_out]
        if fresh:
            params = self._initial_params(units, rs)
            self.loss_curve_ = []
            self.t_ = 0
            self._epochs_done = 0
            self._steps_done = 0
            self._opt_state = None
            # The shuffles' and dropout's seed: kept, so that later epochs
            # (partial_fit, warm_start) continue the run's random streams.
            self._seed = int(rs.randint(np.iinfo(np.int32).max))
            self.n_layers_ = len(units)
            self.n_outputs_ = n_out
            self.out_activation_ = "logistic" if n_out == 1 else "softmax"
        else:
            params = self._params()
            if [w.shape for w, _ in params] != [(o, i) for i, o in zip(units[:-1], units[1:])]:
                raise ValueError("the network's layers do not fit this data; fit it afresh (warm_start=False)")
            params = [(w.astype(dtype, copy=False), b.astype(dtype, copy=False)) for w, b in params]

        validation = None
        x_train, yi_train, w_train = X, y_idx, weights
        if self.early_stopping:
            split = train_test_split(
                X, y_idx, *([weights] if weights is not None else []),
                random_state=rs, test_size=self.validation_fraction, stratify=y_idx,
            )
            x_train, x_val, yi_train, yi_val = split[:4]
            if weights is not None:
                w_train = split[4]
            if x_val.shape[0] < 2:
                raise ValueError("The validation set is too small. Increase 'validation_fraction' or the size of your dataset.")
            validation = (x_val, yi_val.astype(np.int64))
        n = x_train.shape[0]
        if self.solver == "gd":
            batch = None
        else:
            batch = min(200, n) if self.batch_size == "auto" else int(self.batch_size)
            if self.batch_size != "auto" and not 1 <= batch <= n:
                warnings.warn("Got `batch_size` less than 1 or larger than sample size. It is going to be clipped")
            batch = int(np.clip(batch, 1, n))
            if batch >= n:
                batch = None
        targets = np.zeros((n, n_out), dtype=dtype)
        if n_out == 1:
            targets[:, 0] = yi_train
        else:
            targets[np.arange(n), yi_train] = 1
        spec = dict(
            activation=self._hidden_activation(), solver=self.solver,
            learning_rate_init=float(self.learning_rate_init), learning_rate_schedule=self.learning_rate,
            power_t=float(self.power_t), batch_size=batch, max_iter=int(self.max_iter), tol=float(self.tol),
            n_iter_no_change=int(self.n_iter_no_change), beta_1=float(self.beta_1), beta_2=float(self.beta_2),
            epsilon=float(self.epsilon), momentum=float(self.momentum), shuffle=bool(self.shuffle),
            seed=self._seed, alpha=float(self.alpha), keep_prob=keep_prob,
            n_threads=int(self.n_threads), verbose=self._verbose_every(), incremental=incremental,
            epoch0=int(self._epochs_done), step0=int(self._steps_done),
        )
        out = _core.fit(
            x_train, targets, params, spec,
            opt_state=self._opt_state if incremental else None,
            validation=validation,
            sample_weight=w_train,
        )
        self._set_params(out["params"])
        self._opt_state = out["opt_state"]
        self._epochs_done += out["n_iter"]
        self._steps_done += out["steps"]
        self.n_iter_ = out["n_iter"]
        self.t_ += out["n_iter"] * n
        self.loss_curve_ = list(self.loss_curve_) + [float(c) for c in out["loss_curve"]]
        self.loss_ = self.loss_curve_[-1]
        if self.early_stopping:
            self.validation_scores_ = [float(s) for s in out["validation_scores"]]
            self.best_validation_score_ = max(self.validation_scores_)
            self.best_loss_ = None
        else:
            self.validation_scores_ = None
            self.best_validation_score_ = None
            self.best_loss_ = float(np.min(self.loss_curve_))
        if out["stop"] == "interrupted":
            warnings.warn("Training interrupted by user.")
        elif out["stop"] == "max_iter" and not incremental:
            warnings.warn(
                f"Stochastic Optimizer: Maximum iterations ({self.max_iter}) reached and the optimization hasn't converged yet.",
                ConvergenceWarning,
            )
        return self

    def _weights(self, X, y, y_idx, sample_weight):
        """The examples' weights (sample_weight × class_weight) in float64, or
        None when none are given. "balanced" weighs class c by n / (k·n_c),
        counted on this call's y."""
        weights = None
        if sample_weight is not None:
            weights = _check_sample_weight(sample_weight, X, dtype=np.float64, ensure_non_negative=True)
        if self.class_weight is not None:
            if isinstance(self.class_weight, dict):
                unknown = [c for c in self.class_weight if c not in set(self.classes_.tolist())]
                if unknown:
                    raise ValueError(f"class_weight names labels {unknown!r} not among classes_ {self.classes_!r}")
            elif self.class_weight != "balanced":
                raise ValueError(f"class_weight must be None, 'balanced' or a dict, got {self.class_weight!r}")
            cw = compute_sample_weight(self.class_weight, y).astype(np.float64)
            weights = cw if weights is None else weights * cw
        if weights is not None:
            if not weights.sum() > 0:
                raise ValueError("sample_weight must not be all zero")
            weights = np.ascontiguousarray(weights)
        return weights

    def _params(self):
        """The weights in the notes' shapes: W[l] n[l] × n[l-1], b[l] n[l] × 1."""
        return [(np.asarray(c).T, np.asarray(b).reshape(-1, 1)) for c, b in zip(self.coefs_, self.intercepts_)]

    def _set_params(self, params):
        self.coefs_ = [np.ascontiguousarray(w.T) for w, _ in params]
        self.intercepts_ = [np.ascontiguousarray(b[:, 0]) for _, b in params]

    # -- predicting ----------------------------------------------------------------------
    def predict_proba(self, X):
        """P(class) for each row of X: n_samples × n_classes, columns in classes_ order."""
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=self.coefs_[0].dtype)
        pre = getattr(self, "_preprocessing", None)
        p = _core.predict_proba(
            X, self._params(), self._hidden_activation(),
            preprocessing=json.dumps(pre) if pre else None, n_threads=int(self.n_threads),
        )
        if p.shape[1] == 1:
            p = np.hstack([1 - p, p])
        return p

    def predict_log_proba(self, X):
        """log P(class) for each row of X."""
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))

    def predict(self, X):
        """The most probable class of each row of X (for two classes: P > 0.5)."""
        check_is_fitted(self)
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]

    # -- the model folder ------------------------------------------------------------------
    def save(self, directory):
        """Writes model.safetensors and model.json into `directory` (made if
        missing), the files `backprop predict --model DIR` reads."""
        check_is_fitted(self)
        os.makedirs(directory, exist_ok=True)
        pre = getattr(self, "_preprocessing", None)
        if pre is None:
            names = getattr(self, "feature_names_in_", None)
            pre = {
                "input": "csv",
                "scale": 1.0,
                "example_shape": [int(self.n_features_in_)],
                "feature_names": [str(n) for n in names] if names is not None else None,
                "image_size": None,
                "standardization": None,
            }
        _core.save(
            os.fspath(directory), self._params(), self._hidden_activation(),
            [str(c) for c in self.classes_], json.dumps(pre),
        )


def _glorot(layer_units, activation, rs, dtype):
    """scikit-learn's initialisation (Glorot uniform, W then b per layer, from
    `rs`), so a `random_state` starts where scikit-learn's MLPClassifier would."""
    params = []
    for fan_in, fan_out in zip(layer_units[:-1], layer_units[1:]):
        factor = 2.0 if activation == "logistic" else 6.0
        bound = np.sqrt(factor / (fan_in + fan_out))
        coef = rs.uniform(-bound, bound, (fan_in, fan_out))
        intercept = rs.uniform(-bound, bound, fan_out)
        params.append((np.ascontiguousarray(coef.T, dtype=dtype), intercept.reshape(-1, 1).astype(dtype)))
    return params


class MLPClassifier(ClassifierMixin, _Network, BaseEstimator):
    """A multi-layer perceptron classifier trained by backprop's Rust core.

    scikit-learn's parameters with scikit-learn's meanings (see
    ``sklearn.neural_network.MLPClassifier``), plus:

    - ``activation="leaky_relu"`` (slope 0.01);
    - ``solver``: ``"gd"`` (full-batch gradient descent, the course's; ignores
      ``batch_size``), ``"momentum"`` (the course's v = β·v + (1−β)·g with
      β = ``momentum``) and ``"rmsprop"`` (β = ``beta_2``) besides ``"sgd"``
      (classical momentum, not Nesterov's) and ``"adam"``;
    - ``dropout``: keep probability of the hidden layers' units, one for all
      or one per hidden layer (inverted dropout, in training only);
    - ``class_weight``: ``None``, ``"balanced"`` (class c weighs n / (k·n_c))
      or a dict {label: weight}, multiplying ``fit``'s ``sample_weight``;
    - ``dtype``: ``"float64"`` or ``"float32"``, the precision of training;
    - ``n_threads``: threads of the matrix products (results are reproducible
      for a given number);
    - ``verbose``: ``True`` prints "Cost after iteration i: cost" every epoch,
      an integer n every n-th epoch.

    The weights start as scikit-learn's do for the same ``random_state``.
    """

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
        solver="adam",
        alpha=0.0001,
        batch_size="auto",
        learning_rate="constant",
        learning_rate_init=0.001,
        power_t=0.5,
        max_iter=200,
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=False,
        warm_start=False,
        momentum=0.9,
        early_stopping=False,
        validation_fraction=0.1,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        n_iter_no_change=10,
        dropout=None,
        class_weight=None,
        dtype="float64",
        n_threads=1,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.power_t = power_t
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.warm_start = warm_start
        self.momentum = momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_iter_no_change = n_iter_no_change
        self.dropout = dropout
        self.class_weight = class_weight
        self.dtype = dtype
        self.n_threads = n_threads

    def _hidden_sizes(self):
        sizes = self.hidden_layer_sizes
        return [sizes] if np.isscalar(sizes) else list(sizes)

    def _hidden_activation(self):
        return self.activation

    def _initial_params(self, layer_units, rs):
        return _glorot(layer_units, self.activation, rs, self._np_dtype())


class LogisticRegression(ClassifierMixin, _Network, BaseEstimator):
    """Logistic regression (softmax regression for more than two classes):
    the network with no hidden layer, trained from zero weights as the course
    trains it. ``alpha`` is the L2 strength λ of λ/(2m)·‖W‖²; the other
    parameters (``class_weight`` too) mean what they mean for
    :class:`MLPClassifier`. The default solver is Adam at 0.1, which
    converges on unscaled features too (the course's full-batch gradient
    descent: ``solver="gd"`` with its ``learning_rate_init``, e.g. 0.005 on
    the cat pictures)."""

    def __init__(
        self,
        *,
        alpha=0.0,
        solver="adam",
        batch_size="auto",
        learning_rate="constant",
        learning_rate_init=0.1,
        power_t=0.5,
        max_iter=1000,
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=False,
        warm_start=False,
        momentum=0.9,
        early_stopping=False,
        validation_fraction=0.1,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        n_iter_no_change=10,
        class_weight=None,
        dtype="float64",
        n_threads=1,
    ):
        self.alpha = alpha
        self.solver = solver
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.power_t = power_t
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.warm_start = warm_start
        self.momentum = momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_iter_no_change = n_iter_no_change
        self.class_weight = class_weight
        self.dtype = dtype
        self.n_threads = n_threads

    def _hidden_sizes(self):
        return []

    def _hidden_activation(self):
        return "relu"  # no hidden layer: never applied

    def _initial_params(self, layer_units, rs):
        dtype = self._np_dtype()
        n_x, k = layer_units
        return [(np.zeros((k, n_x), dtype=dtype), np.zeros((k, 1), dtype=dtype))]
