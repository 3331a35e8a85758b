"""``ConvClassifier``: a convolutional network over picture arrays, trained
by the library's picture layers (convolution, pooling, flatten, the dense
layers after them), as ``backprop train --layers`` trains them.

It is ``MLPClassifier``'s estimator (``_estimators._Network``: the same fit,
settings, stopping rules, ``partial_fit`` and ``warm_start``) with a layer
list in place of ``hidden_layer_sizes``; the list and the pictures' shape go
to the library in the one settings mapping (``_core.check``), which parses
and checks them. The weights are kept as numpy arrays (the convolutions' in
the course's shapes), so the estimator clones and pickles as scikit-learn
expects.
"""

import json
import os

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.validation import check_is_fitted, validate_data

from . import _core
from ._estimators import _Network, _keep_params
from ._params import CONV_CONSTRAINTS

# What MLPClassifier has and ConvClassifier fixes: the library does not train
# picture layers with early stopping's kept weights or with L-BFGS.
_FIXED = {"early_stopping": False, "validation_fraction": 0.1, "max_fun": 15000}


def _pictures(X, picture_shape):
    """X as rows of pixels, the pictures' (H, W, C), and whether X gave
    them (3-d or 4-d) rather than ``picture_shape``: N × H × W × C and
    N × H × W (one channel) are flattened row-major (h, w, c order, the
    library's and the course's ``X.reshape(m, -1)``); 2-d X is N × H·W·C,
    its pictures ``picture_shape`` (H, W) or (H, W, C), else 1 × D × 1.
    uint8 pixels are divided by 255 (the library's rule for its picture
    files); every other type is kept as it is."""
    if not sp.issparse(X) and not hasattr(X, "iloc"):
        X = np.asarray(X)
    ndim = getattr(X, "ndim", 2)
    if ndim in (3, 4):
        shape = tuple(int(s) for s in X.shape[1:]) + ((1,) if ndim == 3 else ())
        if picture_shape is not None and _shape(picture_shape) != shape:
            raise ValueError(
                f"picture_shape={picture_shape!r} is not X's pictures {shape}: leave picture_shape "
                "out for an N × H × W × C X (it is for an X of N rows of H·W·C values)"
            )
        X = X.reshape(X.shape[0], -1)
        from_x = True
    elif ndim == 2:
        shape = _shape(picture_shape) if picture_shape is not None else (1, int(X.shape[1]), 1)
        from_x = False
    elif ndim > 4:
        raise ValueError(
            f"X has {ndim} dimensions {X.shape}: give pictures as N × H × W × C (or N × H × W, one "
            "channel, or N rows of H·W·C values with picture_shape=(H, W, C))"
        )
    else:
        return X, None, False  # scikit-learn's refusal of a 1-d X comes with validation
    if getattr(X, "dtype", None) == np.uint8:
        X = X.astype(np.float64) / 255.0
    return X, shape, from_x


def _shape(picture_shape):
    """``picture_shape`` as (H, W, C): (H, W) has one channel."""
    try:
        dims = tuple(int(d) for d in picture_shape)
    except (TypeError, ValueError):
        dims = ()
    if len(dims) not in (2, 3) or min(dims) < 1 or any(d != p for d, p in zip(dims, picture_shape)):
        raise ValueError(
            f"picture_shape must be (H, W) or (H, W, C) of whole numbers ≥ 1, got {picture_shape!r}"
        )
    return dims if len(dims) == 3 else dims + (1,)


class ConvClassifier(ClassifierMixin, _Network, BaseEstimator):
    """A convolutional network classifier over pictures, trained by
    backprop's Rust core (the library's convolution and pooling layers,
    hand-derived as in the course's "Convolutional Neural Networks: Step by
    Step", then its dense layers and a sigmoid or softmax output).

    X is N × H × W × C (channels last), or N × H × W for one channel; uint8
    pixels (0–255) are divided by 255, as ``backprop train`` reads picture
    folders, HDF5 and ``.npy`` files; float pixels are used as given. A 2-d
    X is N rows of H·W·C values in h, w, c order, its pictures
    ``picture_shape=(H, W, C)`` (or (H, W)) or, without it, 1 × D × 1 (a row
    of D pixels: what scikit-learn's tabular checks feed). Predictions take
    X of the pictures' shape seen in ``fit``.

    ``layers`` is the layer list of ``backprop train --layers``:
    ``conv{n}x{f}x{f}`` (optional ``s{stride}``, ``p{pad}``),
    ``maxpool{f}``/``avgpool{f}`` (optional ``s{stride}``), activations
    (``relu``, ``tanh``, ``sigmoid``, ``leaky-relu``, ``identity``),
    ``flatten`` (implicit) and ``dense{n}`` each followed by the dense
    layers' one activation (ReLU where none is named); the output layer is
    the classes'. Convolution filters start as ``init`` says (``"xavier"``:
    N(0,1)/√(f·f·n_C_prev), ``"he"``, ``"small"``, ``"zeros"``), drawn from
    the seed as the CLI draws them.

    The other parameters are ``MLPClassifier``'s, with its meanings:
    ``solver`` (``"adam"``, ``"sgd"``, ``"gd"``, ``"momentum"``,
    ``"rmsprop"``; not ``"lbfgs"``), ``learning_rate_init``,
    ``learning_rate``, ``power_t``, ``batch_size`` (an integer or
    ``"auto"``: min(200, N)), ``max_iter`` (epochs), ``alpha`` (the L2 term
    α/(2·N)·‖W‖² over the filters and the dense W), ``tol`` and
    ``n_iter_no_change``, ``momentum``, ``nesterovs_momentum``, ``beta_1``,
    ``beta_2``, ``epsilon``, ``shuffle``, ``random_state`` (an integer is also
    the seed of the initialisation and the shuffles: ``backprop train
    --seed``), ``warm_start``, ``class_weight``, ``dtype``, ``n_threads`` and
    ``verbose``. The defaults are ``backprop train``'s for a layer list:
    Adam at 0.001 on mini-batches of 32 for 30 epochs, no L2 term, Xavier
    initialisation.

    Fitted, it has ``classes_``, ``n_iter_``, ``loss_``, ``loss_curve_``,
    ``t_``, ``picture_shape_`` (H, W, C), ``conv_coefs_`` (each
    convolution's W, f × f × n_C_prev × n_C), ``conv_intercepts_`` (its b,
    n_C values), and ``coefs_``/``intercepts_`` of the dense layers as
    ``MLPClassifier``'s (``coefs_[0]`` reads the flattened last volume).
    ``save(dir)`` writes the model folder ``backprop.load`` reads back.
    """

    _parameter_constraints = CONV_CONSTRAINTS

    def __init__(
        self,
        layers="conv8x3x3,relu,maxpool2,dense32,relu",
        *,
        picture_shape=None,
        solver="adam",
        alpha=0.0,
        batch_size=32,
        learning_rate="constant",
        learning_rate_init=0.001,
        power_t=0.5,
        max_iter=30,
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=False,
        warm_start=False,
        momentum=0.9,
        nesterovs_momentum=True,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        n_iter_no_change=10,
        class_weight=None,
        dtype=None,
        n_threads=1,
        init="xavier",
    ):
        _keep_params(self, locals())

    def __sklearn_tags__(self):
        """scikit-learn's tags: pictures are dense (no sparse X), 3-d X is taken."""
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = False
        tags.input_tags.three_d_array = True
        return tags

    def _opt(self, name):
        return _FIXED[name] if name in _FIXED else getattr(self, name)

    def _hidden_sizes(self):
        return []  # the layer list names them (the library reads it)

    def _hidden_activation(self):
        return getattr(self, "_activation", "relu")  # the layer list's, once fitted

    def _init(self):
        return self.init

    def _settings(self, n_classes, batch_size, incremental):
        """MLPClassifier's settings with the layer list and the pictures' shape."""
        settings = super()._settings(n_classes, batch_size, incremental)
        settings.update(layers=self.layers, picture_shape=self._fit_picture)
        return settings

    def _keep_spec(self, spec):
        """What predictions need of the fit's checked settings."""
        self._activation = spec.activation
        self._layers = self.layers
        self.picture_shape_ = self._fit_picture

    def _fit(self, X, y, sample_weight, incremental, classes=None):
        fresh = not hasattr(self, "coefs_") or (not self.warm_start and not incremental)
        X, shape, from_x = _pictures(X, self.picture_shape)
        if not fresh:
            if from_x:
                self._check_same_pictures(shape)
            shape = tuple(self.picture_shape_)  # a 2-d X: its features checked as scikit-learn's
            if self.layers != self._layers:
                raise ValueError(
                    f"layers changed from {self._layers!r} to {self.layers!r} since the last fit: "
                    "fit afresh (warm_start=False) to change the layers"
                )
        self._fit_picture = shape
        return super()._fit(X, y, sample_weight, incremental, classes)

    def _check_same_pictures(self, shape):
        if shape != tuple(self.picture_shape_):
            raise ValueError(
                f"X holds pictures of {shape[0]}×{shape[1]}×{shape[2]}, but {type(self).__name__} was "
                f"fitted on {'×'.join(map(str, self.picture_shape_))}: give pictures of that shape "
                "(resize them), or fit afresh"
            )

    # -- the weights ----------------------------------------------------------------------
    def _params(self):
        """The convolutions' (W, b) in the course's shapes, then the dense layers'."""
        convs = [(np.asarray(w), np.asarray(b).reshape(1, 1, 1, -1)) for w, b in zip(self.conv_coefs_, self.conv_intercepts_)]
        return convs + super()._params()

    def _set_params(self, params):
        convs = [p for p in params if np.ndim(p[0]) == 4]
        self.conv_coefs_ = [np.ascontiguousarray(w) for w, _ in convs]
        self.conv_intercepts_ = [np.ascontiguousarray(b.reshape(-1)) for _, b in convs]
        super()._set_params(params[len(convs):])

    # -- predicting ----------------------------------------------------------------------
    def predict_proba(self, X):
        """P(class) for each picture of X: N × n_classes, columns in classes_ order."""
        check_is_fitted(self)
        X, shape, from_x = _pictures(X, None)
        if from_x:
            self._check_same_pictures(shape)
        X = validate_data(self, X, reset=False, dtype=self.coefs_[0].dtype)
        p = _core.predict_proba(
            X, self._params(), self._activation, n_threads=int(self.n_threads),
            layers=self._layers, picture=tuple(int(d) for d in self.picture_shape_),
        )
        if p.shape[1] == 1:
            p = np.hstack([1 - p, p])
        return p

    def save(self, directory):
        """Writes model.safetensors and model.json into `directory` (made if
        missing): the files ``backprop predict --model DIR`` and
        ``backprop.load`` read, the picture and its layers among them (the
        convolutions' W and b beside the dense layers')."""
        check_is_fitted(self)
        os.makedirs(directory, exist_ok=True)
        pre = {
            "input": "array", "scale": 1.0, "example_shape": [int(d) for d in self.picture_shape_],
            "feature_names": None, "image_size": None, "standardization": None,
        }
        _core.save(
            os.fspath(directory), self._params(), self._activation, [str(c) for c in self.classes_],
            json.dumps(pre), layers=self._layers, picture=tuple(int(d) for d in self.picture_shape_),
        )

    @classmethod
    def _of_model(cls, info, activation, dtype):
        """An estimator for a model folder's conv net (``backprop.load``):
        its layer list, picture and dense g as the fit would have kept them."""
        est = cls(layers=info["layers"], dtype=dtype)
        picture = info["picture"]
        est.picture_shape_ = (picture["height"], picture["width"], picture["channels"])
        est._layers = info["layers"]
        est._activation = activation
        return est
