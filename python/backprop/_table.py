"""``backprop.TableClassifier``: a classifier for tables as pandas holds them
(named columns of numbers and strings, missing cells, string labels), which
prepares them with the library's own table preparation — the one ``backprop
train`` and ``backprop predict`` apply to CSV files, run by the Rust core —
before a backprop network (``MLPClassifier`` by default, with the CLI's table
defaults). ``save`` writes the model folder ``backprop predict`` and
``backprop export`` read; ``backprop.load`` of a folder ``backprop train``
wrote from a table gives one back."""

import json
import math
import os
import warnings

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.validation import check_is_fitted

from . import _core
from ._busy import one_fit
from ._estimators import MLPClassifier
from ._logistic import LogisticRegression

_PRECISIONS = {"float32": "f32", "float64": "f64"}


def table_network():
    """The network ``backprop train`` gives a table by default
    (``ModelSpec::table_default()``): one hidden layer of 64 ReLU units, Adam
    at 0.003, L2 ``alpha`` 0.1, mini-batches of 32, 50 epochs whatever the loss does."""
    return MLPClassifier(
        hidden_layer_sizes=(64,), learning_rate_init=0.003, batch_size=32, max_iter=50,
        n_iter_no_change=50, alpha=0.1, random_state=1,
    )


def class_labels(names):
    """Class names as a model folder stores them (strings), back as numbers
    when every one is a number written exactly as Python writes it back
    (``str(int)``: "7", or ``str(float)``: "0.5", finite): what a fit on
    numeric labels saved. Any other list stays as written: "007", "+1",
    ["1", "1.0"], "1e400" and "nan" are strings."""
    for kind in (int, float):
        try:
            values = [kind(n) for n in names]
        except ValueError:
            continue
        if all(str(v) == n and (kind is int or math.isfinite(v)) for v, n in zip(values, names)):
            return np.array(values)
    return np.array(names, dtype=object)


def _is_missing(v):
    if v is None:
        return True
    if isinstance(v, (float, np.floating)):
        return bool(np.isnan(v))
    return type(v).__name__ in ("NAType", "NaTType")


def _cells(values):
    """A column as the core reads it: float64 numbers (NaN: missing) for a
    numeric column, else strings (None: missing) read as a CSV cell is."""
    kind = getattr(getattr(values, "dtype", None), "kind", "O")
    if kind in "iuf":
        if hasattr(values, "to_numpy"):  # pandas, nullable integers too
            return np.ascontiguousarray(values.to_numpy(dtype=np.float64, na_value=np.nan))
        return np.ascontiguousarray(values, dtype=np.float64)
    if hasattr(values, "to_numpy"):
        values = values.to_numpy(dtype=object)
    return [None if _is_missing(v) else str(v) for v in values]


def _is_frame(X):
    return hasattr(X, "columns") and hasattr(X, "iloc")


def _columns(X, names=None):
    """X as (name, column) pairs: a DataFrame's columns by name; a 2-D
    array's named `names` when it has as many columns, else x0, x1, …"""
    if _is_frame(X):
        return [(str(c), _cells(X.iloc[:, j])) for j, c in enumerate(X.columns)]
    a = np.asarray(X)
    if a.ndim != 2:
        raise ValueError(f"X must be a table (a DataFrame or a 2-D array), got an array of {a.ndim} dimension(s)")
    if names is None or len(names) != a.shape[1]:
        names = [f"x{j}" for j in range(a.shape[1])]
    return [(str(n), _cells(a[:, j])) for j, n in enumerate(names)]


def _names(value):
    if value is None:
        return None
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value]


def _skew_threshold(value):
    """``log_skewed`` as ``prepare_fit`` takes it: {} for the library's default
    threshold, None for none, else the threshold (the library refuses one below 0)."""
    if value is True:
        return {}
    if value is False or value is None:
        return {"log_skewed": None}
    try:
        return {"log_skewed": float(value)}
    except (TypeError, ValueError):
        raise ValueError(
            f"log_skewed must be True, False or a skewness (a number >= 0), got {value!r}"
        ) from None


def _recorded_skew_threshold(standardization):
    """``log_skewed`` as a model folder's standardisation records it: its
    threshold (``log_above``), else (files written before it was recorded)
    on exactly when some column was transformed; True (the default) when the
    features were not standardised, where it does nothing."""
    if standardization is None:
        return True
    if "log_above" in standardization:
        return float(standardization["log_above"])
    return bool(standardization.get("signed_log"))


class TableClassifier(ClassifierMixin, BaseEstimator):
    """A classifier for a table as pandas holds it, prepared as ``backprop
    train`` prepares a CSV file: by the same library code, so a model fitted
    here and one trained by the CLI on ``X.to_csv()`` prepare rows alike.

    - ``label_column``: the column of X holding the labels (default
      ``"label"``), unless ``y`` is given to ``fit``;
    - ``features`` / ``drop``: the feature columns by name (default: every
      other column, less ``drop``'s); ``index_column``: a column of row ids,
      not a feature (pandas' ``Unnamed: 0`` of distinct whole numbers is
      taken as one);
    - a column of strings is one-hot over its training categories (one not
      seen in training gives zeros, with a warning); ``missing``:
      ``"refuse"`` (the default), ``"drop"`` (rows with a missing cell are
      left out of training; ``predict`` refuses them) or ``"mean"`` (numbers
      filled with the training mean, categories with the most frequent);
    - ``standardize``: the features standardised with the training mean and
      standard deviation (categories' 0/1 features kept);
    - ``log_skewed``: with ``standardize``, a numeric column whose skewness
      in the training set exceeds 2 in magnitude (``True``, the default) or
      the number given is first read as sign(x)·ln(1 + |x|) (long-tailed
      counts and amounts); ``False`` or ``None`` keeps every column as it is.
      The columns chosen are kept in ``preprocessing_`` (its
      ``standardization``'s ``signed_log``) and read so by ``predict``;
    - ``estimator``: the classifier of the prepared features (default: the
      CLI's table network, :func:`table_network`); ``save`` needs a backprop
      ``MLPClassifier`` or ``LogisticRegression``.

    After ``fit``: ``classes_`` (the labels as given), ``estimator_`` (fitted
    on the prepared features and the classes' numbers), ``feature_names_in_``
    (the columns read; an array X without names is read by position in this
    order), ``preprocessing_`` (model.json's ``preprocessing``).
    """

    def __init__(
        self,
        estimator=None,
        *,
        label_column=None,
        features=None,
        drop=None,
        index_column=None,
        missing="refuse",
        standardize=True,
        log_skewed=True,
    ):
        self.estimator = estimator
        self.label_column = label_column
        self.features = features
        self.drop = drop
        self.index_column = index_column
        self.missing = missing
        self.standardize = standardize
        self.log_skewed = log_skewed

    def fit(self, X, y=None):
        """Fits the preparation on X (and the labels: ``y``, or X's label
        column), then the estimator on the prepared features. Returns self.
        Another thread's fit of this same estimator in progress raises RuntimeError."""
        with one_fit(self):
            return self._fit(X, y)

    def _fit(self, X, y):
        columns = _columns(X)
        label = None if self.label_column is None else str(self.label_column)
        if y is not None:
            label = label or str(getattr(y, "name", None) or "label")
            if any(name == label for name, _ in columns):
                raise ValueError(
                    f"X has a column '{label}' and y is given too: give the labels one way "
                    "(y, or label_column naming a column of X)"
                )
            columns.append((label, _cells(y)))
        out = _core.prepare_fit(
            columns, label_column=label, features=_names(self.features), drop=_names(self.drop),
            index_column=self.index_column, missing=str(self.missing), standardize=bool(self.standardize),
            **_skew_threshold(self.log_skewed),
        )
        for note in out["notes"]:
            warnings.warn(note, stacklevel=2)
        estimator = table_network() if self.estimator is None else clone(self.estimator)
        with warnings.catch_warnings():
            if self.estimator is None:
                # The CLI's table network trains its 50 epochs as planned.
                warnings.simplefilter("ignore", ConvergenceWarning)
            estimator.fit(out["x"], out["y"])
        self.estimator_ = estimator
        self._set_preparation(json.loads(out["preprocessing"]), out["classes"])
        labels = y if y is not None else _label_values(X, columns, out["preprocessing"])
        _, first = np.unique(out["y"], return_index=True)
        self.classes_ = np.asarray(labels)[out["rows"][first]]
        return self

    def _set_preparation(self, preprocessing, class_names):
        self.preprocessing_ = preprocessing
        self._class_names = [str(c) for c in class_names]
        names = [c["name"] for c in preprocessing["table"]["columns"]]
        self.feature_names_in_ = np.array(names, dtype=object)
        self.n_features_in_ = len(names)

    def transform(self, X):
        """X's rows prepared as the network sees them (n_samples × n_x
        float64: categories one-hot, gaps filled, standardised)."""
        check_is_fitted(self)
        columns = _columns(X, self.feature_names_in_)
        precision = _PRECISIONS.get(str(getattr(self.estimator_, "dtype", "float64")), "f64")
        out = _core.prepare_apply(json.dumps(self.preprocessing_), self._class_names, columns, precision=precision)
        n = len(columns[0][1]) if columns else 0
        if len(out["rows"]) != n:
            raise ValueError(
                f"X: {n - len(out['rows'])} row(s) have missing cells, which this model (missing='drop') "
                "does not predict: leave them out first (X.dropna(subset=...))"
            )
        for note in out["notes"]:
            warnings.warn(note, stacklevel=3)
        return out["x"]

    def predict_proba(self, X):
        """P(class) for each row of X: n_samples × n_classes, columns in classes_ order."""
        return self.estimator_.predict_proba(self.transform(X))

    def predict(self, X):
        """The most probable class of each row of X."""
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]

    def save(self, directory):
        """Writes model.safetensors and model.json (with the preparation)
        into `directory` (made if missing): the folder ``backprop predict
        --model DIR`` and ``backprop export --model DIR`` read."""
        check_is_fitted(self)
        network = self.estimator_
        if not isinstance(network, (MLPClassifier, LogisticRegression)):
            raise TypeError(
                f"save writes backprop networks; the estimator is a {type(network).__name__}: "
                "use backprop.MLPClassifier or backprop.LogisticRegression"
            )
        os.makedirs(directory, exist_ok=True)
        _core.save(
            os.fspath(directory), network._params(), network._hidden_activation(),
            self._class_names, json.dumps(self.preprocessing_),
        )

    @classmethod
    def _of_model(cls, network, info):
        """The fitted classifier of a model folder whose model.json describes
        a table: `network` (fitted, classes numbered) and model.json (`info`)."""
        pre = info["preprocessing"]
        table = pre["table"]
        clf = cls(
            estimator=clone(network), label_column=table["label_column"],
            features=[c["name"] for c in table["columns"]], index_column=table.get("index_column"),
            missing=table.get("missing", "refuse"), standardize=pre.get("standardization") is not None,
            log_skewed=_recorded_skew_threshold(pre.get("standardization")),
        )
        network.classes_ = np.arange(len(info["classes"]))
        clf.estimator_ = network
        clf._set_preparation(pre, info["classes"])
        clf.classes_ = class_labels(info["classes"])
        return clf


def _label_values(X, columns, preprocessing_json):
    """The label column's values as X holds them (their own type)."""
    label = json.loads(preprocessing_json)["table"]["label_column"]
    j = [name for name, _ in columns].index(label)
    if _is_frame(X):
        return X.iloc[:, j].to_numpy()
    return np.asarray(X)[:, j]
