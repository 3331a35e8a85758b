"""scikit-learn estimators over backprop's Rust core.

The estimators hold all state (weights, optimiser moments, the record of the
fit) as numpy arrays and Python values, so they clone, pickle and compare as
scikit-learn expects; ``backprop._core`` is stateless: each call takes arrays
and returns new ones. Parameters keep scikit-learn's names and meanings
(``sklearn.neural_network.MLPClassifier``); what scikit-learn lacks is added:
``dropout``, the solvers ``gd``/``momentum``/``rmsprop``, ``leaky_relu``,
``dtype``, ``n_threads`` and the library's initialisations (``init``).

Parameters are checked at ``fit`` (scikit-learn's rule) against
``_parameter_constraints``, as scikit-learn's are: a bad one raises
scikit-learn's ``InvalidParameterError`` (a ``ValueError``) in its words. The
library holds the rules of its settings and checks them, with the memory the
network would take, before anything is allocated (``_params.py`` says which
side checks what).
"""

import json
import numbers
import os
import warnings
from types import SimpleNamespace

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state, compute_sample_weight
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import _check_sample_weight, check_is_fitted, column_or_1d, validate_data

from . import _core, _sparse
from ._busy import one_fit
from ._params import MLP_CONSTRAINTS, validate

_DTYPES = {"float64": np.float64, "float32": np.float32}

# An lbfgs run that stopped short: scipy's status and message for each of the core's stops.
_LBFGS_STATUS = {
    "max_iter": (1, "STOP: TOTAL NO. OF ITERATIONS REACHED LIMIT"),
    "max_fun": (1, "STOP: TOTAL NO. OF F,G EVALUATIONS EXCEEDS LIMIT"),
    "line_search": (2, "ABNORMAL: the line search found no step"),
}


class _Network:
    """The fitting and prediction shared by the estimators (a mixin: the
    public classes list ``ClassifierMixin`` and ``BaseEstimator`` themselves)."""

    def __sklearn_tags__(self):
        """scikit-learn's tags: a sparse X is accepted (``_sparse.py``)."""
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags

    # -- what each estimator defines -------------------------------------------------
    # Whether a 2-d indicator y (n × k of 0/1) is a multi-label fit (k
    # independent sigmoids, as scikit-learn's MLPClassifier), and whether y
    # may hold one class only (scikit-learn's MLPClassifier fits it).
    _multilabel_ok = False
    _one_class_ok = False

    def _hidden_sizes(self):
        raise NotImplementedError

    def _hidden_activation(self):
        raise NotImplementedError

    def _init(self):
        raise NotImplementedError

    def _initial_params(self, layer_units, rs):
        """The starting weights, or None where the library draws them (its
        initialisations, from the run's seed)."""
        return None

    def _opt(self, name):
        """The training setting `name`, as MLPClassifier names it (an
        estimator without that parameter gives its fixed value)."""
        return getattr(self, name)

    def _keep_spec(self, spec):
        """Keeps what predictions need of a fresh fit's checked settings
        (ConvClassifier: its layers)."""

    def _to_training_space(self, X, incremental, weights):
        """X as the library trains on it (LogisticRegression standardises it)."""
        return X

    def _from_training_space(self, params):
        """The trained weights as the estimator keeps them (`params` in the notes' shapes)."""
        return params

    def _into_training_space(self, params):
        """The kept weights as the library continues them."""
        return params

    # -- settings ----------------------------------------------------------------------
    def _np_dtypes(self):
        """The dtypes X may keep: the input's float32 or float64 (others
        become float64) when ``dtype`` is None, as scikit-learn's; else ``dtype``."""
        if self.dtype is None:
            return [np.float64, np.float32]
        if self.dtype not in _DTYPES:
            raise ValueError(f"dtype must be None, 'float32' or 'float64', got {self.dtype!r}")
        return _DTYPES[self.dtype]

    def _check_rules(self):
        """scikit-learn's parameter validation of what Python holds the
        rules of (InvalidParameterError); the library checks the rest."""
        validate(self)

    def _settings(self, n_classes, batch_size, incremental):
        """The parameters `_core.check` reads (scikit-learn's names) for a fit
        on `n_classes` classes."""
        return dict(
            hidden_layer_sizes=self._hidden_sizes(), activation=self._hidden_activation(), init=self._init(),
            solver=self._opt("solver"), learning_rate_init=self._opt("learning_rate_init"), learning_rate=self._opt("learning_rate"),
            power_t=self._opt("power_t"), batch_size=batch_size, max_iter=self._opt("max_iter"), tol=self._opt("tol"),
            n_iter_no_change=self._opt("n_iter_no_change"), max_fun=self._opt("max_fun"), beta_1=self._opt("beta_1"), beta_2=self._opt("beta_2"),
            epsilon=self._opt("epsilon"), momentum=self._opt("momentum"), shuffle=bool(self._opt("shuffle")),
            alpha=self._opt("alpha"), l1=getattr(self, "l1", 0.0), dropout=getattr(self, "dropout", None), n_threads=self.n_threads,
            dtype=np.dtype(self._run_dtype).name, verbose=self._verbose_every(), incremental=incremental, n_classes=n_classes,
            estimator=type(self).__name__, nesterovs_momentum=bool(getattr(self, "nesterovs_momentum", False)),
            fit_intercept=bool(getattr(self, "fit_intercept", True)), multilabel=getattr(self, "_fit_multilabel", False),
            # scikit-learn's solvers print its "Iteration i, loss = …" every
            # epoch; the course's (gd, momentum, rmsprop) the course's line every n-th.
            verbose_sklearn_words=self._opt("solver") in ("sgd", "adam", "lbfgs"),
        )

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
        as scikit-learn's. Returns self. Another thread's fit of this same
        estimator in progress raises RuntimeError (fit a clone instead)."""
        with one_fit(self):
            return self._fit(X, y, sample_weight, incremental=False)

    def _check_solver(self):
        if self._opt("solver") == "lbfgs":
            raise AttributeError(f"partial_fit is only available for stochastic optimizers. {self._opt('solver')} is not stochastic.")
        return True

    def _lbfgs(self):
        """solver="lbfgs": full-batch L-BFGS iterations, which scikit-learn's
        stochastic settings (early stopping, n_iter_no_change, batch_size) do not apply to."""
        return self._opt("solver") == "lbfgs"

    def _early_stopping(self):
        return bool(self._opt("early_stopping")) and not self._lbfgs()

    @available_if(lambda est: est._check_solver())
    def partial_fit(self, X, y, sample_weight=None, classes=None):
        """One epoch over (X, y), continuing the weights and the optimiser's
        state; `classes` lists every label on the first call. Returns self."""
        if not hasattr(self, "coefs_") and classes is None:
            raise ValueError("classes must be passed on the first call to partial_fit")
        with one_fit(self, "partial_fit"):
            return self._fit(X, y, sample_weight, incremental=True, classes=classes)

    def _fit(self, X, y, sample_weight, incremental, classes=None):
        self._check_rules()
        if self._early_stopping() and incremental:
            raise ValueError("partial_fit does not support early_stopping=True")
        fresh = not hasattr(self, "coefs_") or (not self.warm_start and not incremental)
        X, y = validate_data(
            self, X, y, reset=fresh, dtype=self._np_dtypes(), accept_sparse=_sparse.ACCEPT, multi_output=self._multilabel_ok
        )
        X = _sparse.as_library_x(X)
        dtype = self._run_dtype = X.dtype
        multilabel = self._multilabel_ok and type_of_target(y).startswith("multilabel")
        if not multilabel and self._multilabel_ok:
            y = column_or_1d(y, warn=True)
        check_classification_targets(y)
        self._fit_multilabel = multilabel
        if multilabel:
            labels, y_idx = self._multilabel_targets(y, fresh)
        else:
            labels = self._classes(y, classes, fresh)
            unknown = np.setdiff1d(y, labels)
            if unknown.size:
                raise ValueError(f"y holds labels {unknown!r} not among classes_ {labels!r}")
            y_idx = np.searchsorted(labels, y)
        weights = self._weights(X, y, labels, sample_weight)
        X = self._to_training_space(X, incremental, weights)
        rs = check_random_state(self.random_state)
        n = X.shape[0]
        n_train = n - (int(np.ceil(self._opt("validation_fraction") * n)) if self._early_stopping() else 0)
        # The library checks every setting, and the network's memory, before
        # anything is allocated (weights, targets, buffers).
        # One class (scikit-learn's MLPClassifier fits it): one sigmoid, every target 0.
        n_classes = len(labels) if multilabel else max(len(labels), 2)
        spec = _core.check(self._settings(n_classes, self._batch_size(n_train), incremental), X.shape[1], n)
        if fresh:
            params = self._initial_params(spec.sizes, rs)
            # The shuffles' and dropout's seed, as `backprop train --seed`:
            # random_state itself when it is an integer. Kept, so that later
            # epochs (partial_fit, warm_start) continue the run's random streams.
            run = dict(seed=self._run_seed(rs), epochs_done=0)
        else:
            params = [(w.astype(dtype, copy=False), b.astype(dtype, copy=False))
                      for w, b in self._into_training_space(self._params())]
            # scikit-learn's: the stopping rule's count goes on; partial_fit's
            # optimiser (its moments and step size) too, warm_start's starts afresh.
            run = dict(seed=self._seed, epochs_done=self._epochs_done, seen=self.t_,
                       stopper=getattr(self, "_stopper", None))
            if incremental:
                run.update(opt_state=self._opt_state, rate=getattr(self, "_rate", None))

        validation = None
        x_train, yi_train, w_train = X, y_idx, weights
        if self._early_stopping():
            split = train_test_split(
                X, y_idx, *([weights] if weights is not None else []),
                random_state=rs, test_size=self._opt("validation_fraction"), stratify=self._stratify(y_idx, n_classes),
            )
            x_train, x_val, yi_train, yi_val = split[:4]
            if weights is not None:
                w_train = split[4]
            if x_val.shape[0] < 2:
                raise ValueError("The validation set is too small. Increase 'validation_fraction' or the size of your dataset.")
            validation = (x_val, yi_val.astype(np.int64))
        out = _core.fit(x_train, yi_train.astype(np.int64), spec, run, params,
                        validation=validation, sample_weight=w_train)
        if fresh:
            self.classes_ = labels
            if not self._lbfgs():
                self.loss_curve_ = []
                self.validation_scores_ = []
            self.t_ = 0
            self.n_layers_ = len(spec.sizes)
            self.n_outputs_ = spec.sizes[-1]
            self.out_activation_ = "logistic" if self.n_outputs_ == 1 or multilabel else "softmax"
            self._multilabel = multilabel
            self._keep_spec(spec)
        self._seed = run["seed"]
        self._epochs_done = run["epochs_done"] + out["n_iter"]
        self._record(out, x_train.shape[0], incremental)
        return self

    def _multilabel_targets(self, y, fresh):
        """A multi-label fit's classes_ (0 … k−1, as scikit-learn's) and its
        n × k targets of 0/1 (the indicator's nonzero entries are 1)."""
        if not fresh and not (getattr(self, "_multilabel", False) and y.shape[1] == len(self.classes_)):
            raise ValueError(
                f"y is a multi-label indicator of {y.shape[1]} labels, but the earlier fit had classes_ "
                f"{self.classes_!r}; fit afresh (warm_start=False) to change the targets"
            )
        labels = np.arange(y.shape[1]) if fresh else self.classes_
        return labels, np.ascontiguousarray(y != 0, dtype=np.int64)

    @staticmethod
    def _stratify(y_idx, n_classes):
        """Early stopping's split is stratified on scikit-learn's binarised
        targets (one bool column for two classes, one-hot for more), so it is
        scikit-learn's split and its words for a class of one member; a
        multi-label fit's is not stratified (scikit-learn's rule)."""
        if y_idx.ndim == 2:
            return None
        if n_classes <= 2:
            return (y_idx == 1)[:, None]
        return np.eye(n_classes, dtype=bool)[y_idx]

    def _classes(self, y, classes, fresh):
        """The classes of the fit: y's (or `classes`') on a fresh one, else classes_."""
        if not fresh:
            if classes is not None and not np.array_equal(np.unique(np.asarray(classes)), self.classes_):
                raise ValueError(f"classes {classes!r} differ from those of the first fit {self.classes_!r}")
            self._check_continued_classes(np.unique(y))
            return self.classes_
        labels = np.unique(y) if classes is None else np.unique(np.asarray(classes))
        if len(labels) < 2 and not self._one_class_ok:
            raise ValueError(
                f"{type(self).__name__} needs examples of at least 2 classes to fit; got 1 class ({labels[0]!r})"
            )
        return labels

    def _check_continued_classes(self, seen):
        """scikit-learn's rule for a fit that continues: with warm_start, y
        must hold exactly the earlier classes; partial_fit's y, a subset."""
        if self.warm_start:
            if set(seen.tolist()) != set(self.classes_.tolist()):
                raise ValueError(
                    "warm_start can only be used where `y` has the same classes as in the previous call "
                    f"to fit. Previously got {self.classes_}, `y` has {seen}"
                )
        elif np.setdiff1d(seen, self.classes_).size:
            raise ValueError(f"`y` has classes not in `self.classes_`. `self.classes_` has {self.classes_}. 'y' has {seen}.")

    def _batch_size(self, n):
        """Examples per update on n: scikit-learn's "auto" is min(200, n);
        more than n is clipped, with scikit-learn's warning."""
        if self._opt("batch_size") == "auto":
            return min(200, n)
        if isinstance(self._opt("batch_size"), numbers.Integral) and self._opt("batch_size") > n and self._opt("solver") not in ("gd", "lbfgs"):
            warnings.warn("Got `batch_size` less than 1 or larger than sample size. It is going to be clipped")
        return self._opt("batch_size")

    def _run_seed(self, rs):
        if isinstance(self.random_state, numbers.Integral) and not isinstance(self.random_state, bool):
            return int(self.random_state)
        return int(rs.randint(np.iinfo(np.int32).max))

    def _record(self, out, n, incremental):
        """The fit's results as scikit-learn's attributes."""
        self._set_params(self._from_training_space(out["params"]))
        self._opt_state = out["opt_state"]
        self._rate = out["rate"]
        self._stopper = out["stopper"]
        self.n_iter_ = out["n_iter"]
        self.t_ += out["n_iter"] * n
        if self._lbfgs():
            return self._record_lbfgs(out)
        self.loss_curve_ = list(self.loss_curve_) + [float(c) for c in out["loss_curve"]]
        self.loss_ = self.loss_curve_[-1]
        if self._opt("early_stopping"):
            self.validation_scores_ = list(getattr(self, "validation_scores_", None) or []) + [float(s) for s in out["validation_scores"]]
            self.best_validation_score_ = max(self.validation_scores_)
            self.best_loss_ = None
        else:
            self.validation_scores_ = None
            self.best_validation_score_ = None
            self.best_loss_ = float(np.min(self.loss_curve_))
        if out["stop"] == "interrupted":
            warnings.warn("Training interrupted by user.")
        elif out["stop"] == "max_iter" and not incremental:
            warnings.warn(self._not_converged(), ConvergenceWarning)

    def _record_lbfgs(self, out):
        """scikit-learn's attributes of an lbfgs fit: ``loss_`` (the cost at
        the final weights) and ``n_iter_`` (its iterations); no ``loss_curve_``."""
        self.loss_ = self._final_loss = float(out["loss"])
        for name in ("loss_curve_", "validation_scores_", "best_validation_score_", "best_loss_"):
            self.__dict__.pop(name, None)
        if out["stop"] == "interrupted":
            warnings.warn("Training interrupted by user.")
        elif out["stop"] in _LBFGS_STATUS:
            warnings.warn(self._lbfgs_not_converged(out["stop"], out["n_iter"]), ConvergenceWarning)

    def _lbfgs_not_converged(self, stop, n_iter):
        """scikit-learn's words for an lbfgs run that stopped short (its
        ``_check_optimize_result``, with scipy's status and message)."""
        status, message = _LBFGS_STATUS[stop]
        text = f"{self.solver} failed to converge after {n_iter} iteration(s) (status={status}):\n{message}\n"
        if n_iter == self._opt("max_iter"):
            text += f"\nIncrease the number of iterations to improve the convergence (max_iter={self._opt('max_iter')})."
        return text + "\nYou might also want to scale the data as shown in:\n    https://scikit-learn.org/stable/modules/preprocessing.html"

    def _not_converged(self):
        """The ConvergenceWarning's words (scikit-learn's MLPClassifier's)."""
        return (
            f"Stochastic Optimizer: Maximum iterations ({self.max_iter}) reached and the optimization hasn't converged yet."
        )

    def _weights(self, X, y, classes, sample_weight):
        """The examples' weights (sample_weight × class_weight) in float64, or
        None when none are given. "balanced" weighs class c by n / (k·n_c),
        counted on this call's y."""
        weights = None
        if sample_weight is not None:
            weights = _check_sample_weight(sample_weight, X, dtype=np.float64, ensure_non_negative=True)
        if self.class_weight is not None:
            if isinstance(self.class_weight, dict):
                unknown = [c for c in self.class_weight if c not in set(classes.tolist())]
                if unknown:
                    raise ValueError(f"class_weight names labels {unknown!r} not among classes_ {classes!r}")
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
        X = validate_data(self, X, reset=False, dtype=self.coefs_[0].dtype, accept_sparse=_sparse.ACCEPT)
        X = _sparse.as_library_x(X)
        pre = getattr(self, "_preprocessing", None)
        multilabel = getattr(self, "_multilabel", False)
        p = _core.predict_proba(
            X, self._params(), self._hidden_activation(),
            preprocessing=json.dumps(pre) if pre else None, n_threads=int(self.n_threads), multilabel=multilabel,
        )
        if p.shape[1] == 1 and not multilabel:
            p = np.hstack([1 - p, p])
        return p

    def predict_log_proba(self, X):
        """log P(class) for each row of X."""
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))

    def predict(self, X):
        """The most probable class of each row of X (for two classes: P > 0.5);
        multi-label: n × k of 0/1, 1 where P(label) > 0.5; fitted on one
        class: that class."""
        check_is_fitted(self)
        p = self.predict_proba(X)
        if getattr(self, "_multilabel", False):
            return (p > 0.5).astype(int)
        if len(self.classes_) == 1:
            return np.full(p.shape[0], self.classes_[0])
        return self.classes_[np.argmax(p, axis=1)]

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
            [str(c) for c in self.classes_], json.dumps(pre), multilabel=getattr(self, "_multilabel", False),
        )


def _keep_params(estimator, params):
    """Stores each ``__init__`` parameter under its own name, unchanged
    (scikit-learn's rule: validation happens in ``fit``)."""
    for name, value in params.items():
        if name != "self" and not name.startswith("__"):
            setattr(estimator, name, value)


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
    - ``solver="lbfgs"`` is the library's L-BFGS (scipy's L-BFGS-B steps, as
      scikit-learn's): ``max_iter`` iterations, ``max_fun`` cost evaluations,
      ``tol`` on the gradient's largest component; ``n_iter_`` and ``loss_``
      as scikit-learn's (no ``loss_curve_``, no ``partial_fit``), and
      ``ConvergenceWarning`` when it stops short;
    - ``solver``: ``"gd"`` (full-batch gradient descent, the course's; ignores
      ``batch_size``), ``"momentum"`` (the course's v = β·v + (1−β)·g with
      β = ``momentum``) and ``"rmsprop"`` (β = ``beta_2``) besides ``"sgd"``
      (Nesterov's momentum, as scikit-learn's; classical with
      ``nesterovs_momentum=False``) and ``"adam"``;
    - ``dropout``: keep probability of the hidden layers' units, one for all
      or one per hidden layer (inverted dropout, in training only);
    - ``l1``: λ of an L1 term λ/n·Σ|W| in the loss (n the examples, Σ wᵢ
      when weighted, as ``alpha``'s; the weights, not the biases), its
      subgradient (λ/n)·sign(W) in the gradient: ``backprop train --l1``;
    - ``class_weight``: ``None``, ``"balanced"`` (class c weighs n / (k·n_c))
      or a dict {label: weight}, multiplying ``fit``'s ``sample_weight``;
    - ``dtype``: ``"float64"`` or ``"float32"``, the precision of training
      (``None``, the default: the input's, float32 or float64, as scikit-learn's);
    - ``n_threads``: threads of the matrix products (results are reproducible
      for a given number);
    - ``verbose``: with scikit-learn's solvers (``sgd``, ``adam``,
      ``lbfgs``) any true value prints scikit-learn's "Iteration i, loss = …"
      every epoch; with the course's (``gd``, ``momentum``, ``rmsprop``)
      ``True`` prints "Cost after iteration i: cost" every epoch, an integer
      n every n-th epoch;
    - multi-label targets: an indicator ``y`` (n × k of 0/1) fits k
      independent sigmoids (the summed binary cross-entropies), as
      scikit-learn's: ``classes_`` is 0 … k−1, ``predict_proba`` gives each
      label's P, ``predict`` an n × k matrix of 0/1;
    - ``init``: ``"glorot"`` (scikit-learn's: the weights start as
      scikit-learn's do for the same ``random_state``) or one of the
      library's, ``"xavier"`` (N(0,1)/√n_prev), ``"he"``, ``"small"``
      (N(0,1)·0.01) and ``"zeros"``, drawn as ``backprop train --init``
      draws them from ``--seed``.

    An integer ``random_state`` is also the seed of the mini-batch shuffles
    and dropout masks (``backprop train --seed``): with ``init="xavier"``
    (or another of the library's), ``dtype`` and ``n_threads`` matching, a fit
    ends on the same weights as ``backprop train`` with the equivalent flags.
    """

    _parameter_constraints = MLP_CONSTRAINTS
    _multilabel_ok = True
    _one_class_ok = True

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
        solver="adam",
        alpha=0.0001,
        l1=0.0,
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
        nesterovs_momentum=True,
        early_stopping=False,
        validation_fraction=0.1,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        n_iter_no_change=10,
        max_fun=15000,
        dropout=None,
        class_weight=None,
        dtype=None,
        n_threads=1,
        init="glorot",
    ):
        _keep_params(self, locals())

    # scikit-learn's private attributes its own tests read, from the state
    # the fit keeps (read-only: setting them changes nothing here).
    @property
    def _no_improvement_count(self):
        """Epochs in a row not better by ``tol`` (scikit-learn's count)."""
        return self._stopper[0]

    @property
    def _optimizer(self):
        """The step size η the stochastic solver reached, as ``learning_rate``
        (scikit-learn's SGD optimiser's)."""
        return SimpleNamespace(learning_rate=self._rate)

    def _hidden_sizes(self):
        sizes = self.hidden_layer_sizes
        return [sizes] if np.isscalar(sizes) else list(sizes)

    def _hidden_activation(self):
        return self.activation

    def _init(self):
        return self.init

    def _initial_params(self, layer_units, rs):
        if self.init != "glorot":
            return None
        return _glorot(layer_units, self.activation, rs, self._run_dtype)
