"""``backprop.load``: a fitted estimator from a model folder (model.json +
model.safetensors), as ``backprop train`` or ``estimator.save`` writes it."""

import json
import os

import numpy as np

from . import _core
from ._conv import ConvClassifier
from ._estimators import MLPClassifier
from ._logistic import LogisticRegression
from ._table import TableClassifier, class_labels


def load(directory):
    """Reads the model folder `directory` into a fitted estimator whose
    predictions are ``backprop predict``'s. A model of a table (one
    ``backprop train`` trained on a CSV file, or a ``TableClassifier``
    saved) gives a ``TableClassifier``: it takes the raw table — a DataFrame
    with the training columns, in any order, string categories and missing
    cells as in training — and prepares it with the library's own code.
    A conv net gives a ``ConvClassifier`` taking picture arrays.
    Any other gives an ``MLPClassifier`` (``LogisticRegression`` for a network
    with no hidden layer) taking raw arrays, scaled and standardised as the
    model's training data was. A folder that does not load raises one
    ``ValueError`` naming the file at fault."""
    info_json, activation, params = _core.load(os.fspath(directory))
    info = json.loads(info_json)
    sizes = info["layer_sizes"]
    dtype = "float32" if info["precision"] == "f32" else "float64"
    if info.get("picture_layers"):
        est = ConvClassifier._of_model(info, activation, dtype)
    elif len(sizes) == 2:
        est = LogisticRegression(dtype=dtype)
    else:
        est = MLPClassifier(hidden_layer_sizes=tuple(sizes[1:-1]), activation=activation, dtype=dtype)
    est._set_params(params)
    classes = info["classes"]
    est._multilabel = info["output_activation"] == "sigmoids"
    if len(classes) != (2 if sizes[-1] == 1 and not est._multilabel else sizes[-1]):
        raise ValueError(
            f"{os.path.join(os.fspath(directory), 'model.json')}: lists {len(classes)} classes "
            f"for an output of {sizes[-1]} units; the model folder is damaged: train it again"
        )
    est.classes_ = class_labels(classes)
    est.n_features_in_ = sizes[0]
    est.n_layers_ = len(sizes)
    est.n_outputs_ = sizes[-1]
    est.out_activation_ = "logistic" if sizes[-1] == 1 or est._multilabel else "softmax"
    est.loss_curve_ = []
    est.n_iter_ = 0
    est.t_ = 0
    est._epochs_done = 0
    est._steps_done = 0
    est._opt_state = None
    est._seed = 0
    pre = info["preprocessing"]
    if pre.get("table"):
        return TableClassifier._of_model(est, info)
    if pre.get("feature_names") and pre.get("input") == "csv":
        est.feature_names_in_ = np.array(pre["feature_names"], dtype=object)
    # Raw inputs become X as the training data did (pixels ÷ 255, standardisation).
    if pre.get("scale", 1.0) != 1.0 or pre.get("standardization"):
        est._preprocessing = pre
    return est
