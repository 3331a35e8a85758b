"""One fit at a time per estimator: the Rust core releases the GIL, so a
second thread's ``fit`` on an estimator already fitting would really overlap
with the first and mix their weights and records. It raises RuntimeError at
once instead, and the first fit ends as it would have alone."""

import subprocess
import sys

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import make_classification

import backprop
from backprop._busy import is_fitting, one_fit

# The main thread fits for long (the loss cannot stop it: tol=0); a helper
# thread waits until that fit's Rust loop is under way (its first "Iteration
# i, loss" line: verbose=True prints every epoch, through Python's print),
# calls fit (then partial_fit) on the same estimator and prints what it
# raised, then interrupts the main fit (SIGINT: the core ends it after the
# epoch in progress, with a warning). Waiting for the loop, not only for the
# guard, keeps the SIGINT out of the fit's Python prelude.
SCRIPT = """
import io, os, signal, sys, threading, time, warnings
import backprop
from backprop._busy import is_fitting
from sklearn.datasets import make_classification

out = sys.stdout
looping = threading.Event()

class Watch(io.TextIOBase):
    def write(self, text):
        if text.startswith("Iteration"):
            looping.set()
        return len(text)

sys.stdout = Watch()
X, y = make_classification(n_samples=400, n_features=10, random_state=0)
est = backprop.MLPClassifier((16,), max_iter=10**6, tol=0, n_iter_no_change=10**6, random_state=0, verbose=True)

def second():
    looping.wait()
    for call in (lambda: est.fit(X, y), lambda: est.partial_fit(X, y, classes=[0, 1])):
        try:
            call()
            print("second: no error", flush=True, file=out)
        except RuntimeError as e:
            print(f"second: RuntimeError: {e}", flush=True, file=out)
    print(f"still fitting: {is_fitting(est)}", flush=True, file=out)
    os.kill(os.getpid(), signal.SIGINT)

helper = threading.Thread(target=second)
helper.start()
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    est.fit(X, y)
helper.join()
sys.stdout = out
print(f"first: {[str(w.message) for w in caught]} epochs {est.n_iter_} curve {len(est.loss_curve_)}")
print(f"after: {is_fitting(est)}")
"""


def test_a_second_fit_of_an_estimator_fitting_in_another_thread_raises():
    run = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, (run.stdout, run.stderr[-2000:])
    lines = run.stdout.splitlines()
    seconds = [l for l in lines if l.startswith("second:")]
    assert len(seconds) == 2, run.stdout
    assert seconds[0].startswith("second: RuntimeError: MLPClassifier.fit: this estimator is already fitting"), run.stdout
    assert seconds[1].startswith("second: RuntimeError: MLPClassifier.partial_fit: this estimator is already fitting"), run.stdout
    assert "clone" in seconds[0]
    assert "still fitting: True" in lines, run.stdout
    first = next(l for l in lines if l.startswith("first:"))
    # The first fit alone wrote the record: its epochs and its curve agree.
    assert "Training interrupted by user." in first, first
    epochs = int(first.split(" epochs ")[1].split()[0])
    assert first.endswith(f"curve {epochs}"), first
    assert lines[-1] == "after: False", run.stdout


def test_the_guard_is_released_after_an_error_and_clones_fit_apart():
    X, y = make_classification(n_samples=60, n_features=4, random_state=0)
    est = backprop.MLPClassifier(alpha=-1)
    with pytest.raises(ValueError):
        est.fit(X, y)
    assert not is_fitting(est)
    est.set_params(alpha=0.0001, max_iter=3)
    copy = clone(est)
    with one_fit(est):
        # Another estimator (a clone) fits while this one is held.
        with pytest.warns(Warning):
            copy.fit(X, y)
        with pytest.raises(RuntimeError, match="already fitting"):
            est.fit(X, y)
    with pytest.warns(Warning):
        est.fit(X, y)
    assert np.asarray(est.predict(X)).shape == (60,)


def test_table_classifier_fits_one_at_a_time_too():
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame({"a": [0.0, 1, 2, 3, 4, 5] * 5, "label": ["x", "y"] * 15})
    table = backprop.TableClassifier()
    with one_fit(table):
        with pytest.raises(RuntimeError, match="^TableClassifier.fit: this estimator is already fitting"):
            table.fit(df)
    assert not is_fitting(table)
