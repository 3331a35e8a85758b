"""``backprop.LogisticRegression``: scikit-learn's parameters and attributes
over the library's network with no hidden layer."""

import numbers
import warnings

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from . import _sparse
from ._busy import one_fit
from ._estimators import _keep_params, _Network
from ._logistic_penalty import strengths
from ._params import LOGISTIC_CONSTRAINTS

# MLPClassifier's settings that LogisticRegression does not take: its fixed
# values (full batch, so a fit is deterministic: no shuffles, zero weights).
_FIXED = dict(
    early_stopping=False, validation_fraction=0.1, n_iter_no_change=10, power_t=0.5,
    learning_rate="constant", beta_1=0.9, beta_2=0.999, epsilon=1e-8, momentum=0.9,
    shuffle=False, batch_size=None, max_fun=15000,
)

# scikit-learn's other solvers minimise the same objective: a fit that names
# one is solved by the library's L-BFGS.
SKLEARN_SOLVERS = ("newton-cg", "newton-cholesky", "sag", "saga", "liblinear")


class LogisticRegression(ClassifierMixin, _Network, BaseEstimator):
    """Logistic regression (softmax regression for more than two classes)
    with scikit-learn's parameters and attributes: the library's network with
    no hidden layer, trained full batch from zero weights.

    It minimises scikit-learn's objective, C·Σ sᵢ·lᵢ + r·‖w‖₁ + (1 − r)/2·‖w‖²
    (sᵢ: ``sample_weight`` × ``class_weight``; r: ``l1_ratio``; the
    intercept is not penalised), with the features standardised inside the
    fit (each column's mean and standard deviation), as glmnet does, and the
    scaling folded back into ``coef_`` and ``intercept_``: so it converges on
    raw, unscaled features (a column of incomes beside one of ages). With
    L-BFGS (``"lbfgs"`` and scikit-learn's names) the penalty weighs each
    standardised coefficient by 1/σⱼ (glmnet's ``penalty.factor``), so that
    it is on the raw coefficients: the solution is scikit-learn's. With the
    course's ``"adam"``/``"gd"`` the ½‖w‖² applies to the standardised
    coefficients (glmnet's convention).
    A fit is deterministic: full-batch steps from zero weights draw nothing
    at random (``random_state`` is accepted and unused). With
    ``solver="lbfgs"`` (the default, as scikit-learn's) it runs at most
    ``max_iter`` L-BFGS iterations and stops when the gradient's largest
    component is at most ``tol``, as scikit-learn's; with the course's
    ``"adam"``/``"gd"``, ``max_iter`` counts epochs and ``tol`` is on the
    loss (not better by ``tol`` for 10 epochs). It raises
    ``ConvergenceWarning`` when ``max_iter`` ends the fit first.

    Parameters, as scikit-learn's unless said:

    - ``l1_ratio``: r, the L1 share of the penalty (0: L2, 1: L1, between:
      elastic net), which scikit-learn gives to ``"liblinear"`` (L1) and
      ``"saga"`` (both) only: the library solves it by OWL-QN (L-BFGS kept
      in one orthant per step, so coefficients reach exactly 0);
      ``penalty`` (``"l2"``, ``"l1"``, ``"elasticnet"``, ``None``):
      scikit-learn 1.9's deprecated spelling, with its warnings and refusals;
    - ``C``: inverse of the penalty's strength (``np.inf``: none);
    - ``fit_intercept``: ``False`` (solver ``"lbfgs"`` and scikit-learn's
      names only) holds ``intercept_`` at 0 and scales X without centring it;
    - ``class_weight``, ``tol``, ``max_iter`` (epochs), ``verbose``,
      ``warm_start`` (continue from ``coef_``/``intercept_``);
    - ``solver``: ``"lbfgs"`` (the default: the library's L-BFGS, full
      batch), ``"adam"`` (Adam at ``learning_rate_init``, full batch) or
      ``"gd"`` (the course's full-batch gradient descent); scikit-learn's
      other names (``"newton-cg"``, ``"newton-cholesky"``, ``"sag"``,
      ``"saga"``, ``"liblinear"``) are accepted and solved by L-BFGS, the
      same objective (so the same solution, not the same iterations);
    - backprop's own: ``learning_rate_init`` (0.1), ``dtype`` and ``n_threads``.

    Attributes: ``classes_``, ``coef_`` (1 × n_features for two classes, the
    positive class's; n_classes × n_features for more), ``intercept_`` (both
    the model's weights: writing into them changes its predictions),
    ``n_iter_`` (an array of one count), ``n_features_in_``, and the
    course's view: ``W_`` (n_y × n_x, the notes' W) and ``b_`` (n_y × 1),
    and MLPClassifier's ``coefs_``/``intercepts_``/``loss_curve_``.
    ``partial_fit`` (solvers ``"adam"`` and ``"gd"``, as MLPClassifier's
    stochastic ones) continues the weights on a chunk, unstandardised.
    """

    _parameter_constraints = LOGISTIC_CONSTRAINTS

    def __init__(
        self,
        penalty="deprecated",
        *,
        C=1.0,
        l1_ratio=0.0,
        dual=False,
        tol=1e-4,
        fit_intercept=True,
        intercept_scaling=1,
        class_weight=None,
        random_state=None,
        solver="lbfgs",
        max_iter=100,
        verbose=0,
        warm_start=False,
        n_jobs=None,
        learning_rate_init=0.1,
        dtype=None,
        n_threads=1,
    ):
        _keep_params(self, locals())

    def _hidden_sizes(self):
        return []

    def _hidden_activation(self):
        return "relu"  # no hidden layer: never applied

    def _init(self):
        return "zeros"

    def _opt(self, name):
        if name == "alpha":
            return self._alpha()
        if name == "l1":
            return self._strengths[1] if self._check_c() else 0.0
        if name == "solver" and self.solver in SKLEARN_SOLVERS:
            return "lbfgs"
        return _FIXED[name] if name in _FIXED else getattr(self, name)

    def _alpha(self):
        """The library's L2 strength α of α/(2·Σsᵢ)·‖W‖²: (1 − r)/C, so that
        the cost is scikit-learn's objective divided by C·Σsᵢ."""
        return self._strengths[0] if self._check_c() else 0.0

    def _check_c(self):
        """Whether C penalises (not np.inf); raises for a C that is no number > 0."""
        if self.penalty is None or self.C == np.inf:
            return False
        if not isinstance(self.C, numbers.Real) or isinstance(self.C, bool) or not self.C > 0:
            raise ValueError(f"C must be a number > 0, got {self.C!r}")
        return True

    def _settings(self, n_classes, batch_size, incremental):
        """MLPClassifier's settings, and with L-BFGS the penalty's factor
        1/σⱼ of each standardised column (the raw coefficients' penalty)."""
        settings = super()._settings(n_classes, batch_size, incremental)
        settings["l1"] = self._opt("l1")
        # scikit-learn's LogisticRegression's scipy options: ftol 64·ε, maxls 50.
        settings.update(ftol=64 * np.finfo(float).eps, maxls=50)
        if self._lbfgs() and getattr(self, "_scale", None) is not None:
            settings["penalty_scale"] = (1.0 / np.asarray(self._scale[1], dtype=np.float64)).tolist()
        return settings

    def _classes(self, y, classes, fresh):
        labels = super()._classes(y, classes, fresh)
        if self.solver == "liblinear" and len(labels) > 2:
            raise ValueError(
                "The 'liblinear' solver does not support multiclass classification"
                " (n_classes >= 3). Either use another solver or wrap the "
                "estimator in a OneVsRestClassifier to keep applying a "
                "one-versus-rest scheme."
            )
        return labels

    def fit(self, X, y, sample_weight=None):
        """Trains on X and labels y (see ``_Network.fit``); ``max_iter=0``
        keeps the starting weights (zeros), as scikit-learn's, to inspect them."""
        if isinstance(self.max_iter, numbers.Integral) and not isinstance(self.max_iter, bool) and self.max_iter == 0:
            with one_fit(self):
                return self._fit_no_iteration(X, y)
        return super().fit(X, y, sample_weight)

    def _fit_no_iteration(self, X, y):
        """max_iter=0: the classes and the starting weights (zeros, or a warm start's), no iteration."""
        self._check_rules()
        fresh = not (self.warm_start and hasattr(self, "coef_"))
        X, y = validate_data(self, X, y, reset=fresh, dtype=self._np_dtypes(), accept_sparse=_sparse.ACCEPT)
        check_classification_targets(y)
        if fresh:
            self.classes_ = self._classes(y, None, True)
            k = 1 if len(self.classes_) == 2 else len(self.classes_)
            self._set_params([(np.zeros((k, X.shape[1]), X.dtype), np.zeros((k, 1), X.dtype))])
        self.n_iter_ = np.array([0], dtype=np.int32)
        warnings.warn(f"{self.solver} ran no iteration (max_iter=0): the starting weights are kept.", ConvergenceWarning)
        return self

    def _check_rules(self):
        super()._check_rules()
        # scikit-learn's reading of penalty/l1_ratio/C/solver/dual (its warnings, once a fit).
        self._strengths = strengths(self)
        if not self.fit_intercept and not self._lbfgs():
            raise ValueError(
                f"fit_intercept=False needs solver='lbfgs' (the library holds b at 0 in its L-BFGS only), got solver={self.solver!r}"
            )
        # dual=True (liblinear's only): the primal's solution, the same one.

    # -- the standardised space of training ------------------------------------------
    def _to_training_space(self, X, incremental, weights):
        """X standardised by its columns' means and standard deviations,
        each example counted by its weight (so integer weights standardise
        as repeated rows do); kept, to fold back. `partial_fit` trains on X
        as it is."""
        if incremental:
            self._scale = None
            return X
        if sp.issparse(X):
            # Scaled, never centred (centring would fill every zero): the
            # same σ as a dense X's, the centring left to b, so the objective
            # in (coef_, intercept_) is the dense fit's.
            std = _sparse.column_scale(X, weights, centred=self.fit_intercept)
            self._scale = (np.zeros(X.shape[1], X.dtype), std)
            return _sparse.scale_columns(X, std)
        mean = np.average(X, axis=0, weights=weights)
        if not self.fit_intercept:
            # Held at b = 0: scaled, not centred (centring moves into b).
            std = np.sqrt(np.average(X ** 2, axis=0, weights=weights))
            std[~(std > 0)] = 1.0
            self._scale = (np.zeros_like(mean).astype(X.dtype), std.astype(X.dtype))
            return X / self._scale[1]
        std = np.sqrt(np.average((X - mean) ** 2, axis=0, weights=weights))
        std[~(std > 0)] = 1.0
        mean, std = mean.astype(X.dtype), std.astype(X.dtype)
        self._scale = (mean, std)
        return (X - mean) / std

    def _from_training_space(self, params):
        """z = W'·(x − μ)/σ + b' as z = W·x + b: W = W'/σ, b = b' − W'·(μ/σ)."""
        if self._scale is None:
            return params
        mean, std = self._scale
        (w, b), = params
        return [(w / std, b - w @ (mean / std).reshape(-1, 1))]

    def _into_training_space(self, params):
        """W·x + b as W'·(x − μ)/σ + b': W' = W·σ, b' = b + W·μ."""
        if self._scale is None:
            return params
        mean, std = self._scale
        (w, b), = params
        return [(w * std, b + w @ mean.reshape(-1, 1))]

    def _lbfgs_not_converged(self, stop, n_iter):
        """scikit-learn's ConvergenceWarning words for the solver name given:
        each of its solvers words it its own way (every name runs the
        library's L-BFGS here; lbfgs keeps scipy's status and message)."""
        own = {
            "newton-cg": f"newton-cg failed to converge at loss = {self._final_loss}. Increase the number of iterations.",
            "newton-cholesky": (
                f"Newton solver did not converge after {n_iter} iterations. "
                "Increase max_iter or tol, or scale the data."
            ),
            "liblinear": "Liblinear failed to converge, increase the number of iterations.",
            "sag": "The max_iter was reached which means the coef_ did not converge",
            "saga": "The max_iter was reached which means the coef_ did not converge",
        }
        return own.get(self.solver) or super()._lbfgs_not_converged(stop, n_iter)

    def _not_converged(self):
        return (
            f"LogisticRegression ({self.solver}) did not converge in max_iter={self.max_iter} epochs: "
            "increase max_iter or tol."
        )

    # -- scikit-learn's attributes -------------------------------------------------------
    def _record(self, out, n, incremental):
        super()._record(out, n, incremental)
        self.n_iter_ = np.array([out["n_iter"]], dtype=np.int32)

    # coef_ and intercept_ are the weights themselves (writing into them
    # changes the model, as scikit-learn's); coefs_/intercepts_ view them.
    def _set_params(self, params):
        (w, b), = params
        self.coef_ = np.ascontiguousarray(w)
        self.intercept_ = np.ascontiguousarray(b[:, 0])

    def _params(self):
        return [(np.asarray(self.coef_), np.asarray(self.intercept_).reshape(-1, 1))]

    @property
    def coefs_(self):
        """MLPClassifier's layout: [n_features × n_outputs]."""
        return [np.asarray(self.coef_).T]

    @property
    def intercepts_(self):
        return [np.asarray(self.intercept_)]

    @property
    def W_(self):
        """The notes' W: n_y × n_x."""
        return self.coef_

    @property
    def b_(self):
        """The notes' b: n_y × 1."""
        return self.intercept_.reshape(-1, 1)

    def decision_function(self, X):
        """The logits: X·coef_ᵀ + intercept_ (a vector for two classes)."""
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=self.coef_.dtype, accept_sparse=_sparse.ACCEPT)
        scores = np.asarray(X @ self.coef_.T) + self.intercept_
        return scores.ravel() if scores.shape[1] == 1 else scores
