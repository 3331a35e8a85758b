"""backprop: the course's hand-derived forward and backward propagation, in Rust, from Python.

- ``backprop.MLPClassifier`` and ``backprop.LogisticRegression``: scikit-learn
  estimators (plain Python classes over the stateless Rust core ``backprop._core``).
- ``backprop.ConvClassifier``: a convolutional network over picture arrays
  (N × H × W × C), its layer list as ``backprop train --layers`` takes it.
- ``backprop.TableClassifier``: tables as pandas holds them (named columns,
  strings, missing cells, string labels), prepared by the library's own code,
  as ``backprop train`` prepares a CSV file, before a backprop network.
- ``backprop.load(dir)``: a fitted estimator from a model folder written by
  ``backprop train`` or by ``estimator.save(dir)``.
- ``backprop.course``: the course's three models, its data, costs and gradients,
  as a reference to check a hand-written implementation against.
- ``backprop.set_max_memory(size)``: the memory budget every fit is checked
  against before it allocates (``"64G"``; ``None``: the detected one).
"""

from . import _core, course
from ._conv import ConvClassifier
from ._estimators import MLPClassifier
from ._logistic import LogisticRegression
from ._model_folder import load
from ._table import TableClassifier

set_max_memory = _core.set_max_memory

__version__ = _core.__version__

__all__ = ["MLPClassifier", "ConvClassifier", "LogisticRegression", "TableClassifier", "load", "set_max_memory", "course", "__version__"]
