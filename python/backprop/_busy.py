"""One fit at a time per estimator.

The Rust core releases the GIL while it trains, so two threads calling
``fit`` on one estimator would really run together, each writing the
estimator's weights and record: the result would mix two fits. ``one_fit``
refuses the second call at once with a ``RuntimeError`` that says what to do;
fits of different estimators (clones) run in parallel as before. The set of
estimators fitting is kept here, not on the estimator, so that estimators
still pickle, clone and compare as scikit-learn expects.
"""

import contextlib
import threading

_guard = threading.Lock()
_fitting = set()


@contextlib.contextmanager
def one_fit(estimator, method="fit"):
    """Holds `estimator` as fitting for the block; raises RuntimeError if
    another thread is fitting it already."""
    key = id(estimator)
    with _guard:
        if key in _fitting:
            name = type(estimator).__name__
            raise RuntimeError(
                f"{name}.{method}: this estimator is already fitting in another thread; "
                f"wait for that fit to end, or fit a copy (sklearn.base.clone(estimator)) in this one"
            )
        _fitting.add(key)
    try:
        yield
    finally:
        with _guard:
            _fitting.discard(key)


def is_fitting(estimator):
    """Whether a fit of `estimator` is in progress (in any thread)."""
    with _guard:
        return id(estimator) in _fitting
