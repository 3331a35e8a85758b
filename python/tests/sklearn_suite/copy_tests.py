"""scikit-learn's own test files, run against backprop's estimators.

Copies ``sklearn/neural_network/tests/test_mlp.py`` and
``sklearn/linear_model/tests/test_logistic.py`` from the installed
scikit-learn into a folder, with one change each: the class under test is
imported from ``backprop`` instead of scikit-learn (``MLPClassifier``,
``LogisticRegression``); every other line is scikit-learn's. Beside them it
writes a ``conftest.py`` that

- keeps only the cases that use backprop's class (a test whose source names
  ``MLPClassifier`` / ``LogisticRegression``; the others test scikit-learn's
  own ``MLPRegressor``, ``LogisticRegressionCV`` or private functions and are
  deselected, counted as such);
- marks each case listed in ``marks.py`` as an expected failure, strict, with
  its reason (private internals, solvers or penalties backprop does not offer),
  unless ``--no-marks`` is given (the raw measure).

Run (the Python suite does it: ``python/tests/test_sklearn_test_files.py``)::

    python python/tests/sklearn_suite/copy_tests.py OUT_DIR [--no-marks]
    python -m pytest -p sklearn.conftest OUT_DIR

``-p sklearn.conftest`` gives scikit-learn's fixtures (``global_random_seed``, …).
"""

import argparse
import os
import re
import sys

import sklearn

HERE = os.path.dirname(os.path.abspath(__file__))

# (file in scikit-learn, scikit-learn's import line, the line that replaces it, the class)
FILES = [
    (
        "neural_network/tests/test_mlp.py",
        "from sklearn.neural_network import MLPClassifier, MLPRegressor\n",
        "from sklearn.neural_network import MLPRegressor\nfrom backprop import MLPClassifier\n",
        "MLPClassifier",
    ),
    (
        "linear_model/tests/test_logistic.py",
        "from sklearn.linear_model import LogisticRegression, LogisticRegressionCV, SGDClassifier\n",
        "from sklearn.linear_model import LogisticRegressionCV, SGDClassifier\nfrom backprop import LogisticRegression\n",
        "LogisticRegression",
    ),
]

CONFTEST = '''"""Written by copy_tests.py: selects the cases using backprop's class and marks the known failures."""
import sys

sys.path.insert(0, {here!r})
from marks import select  # noqa: E402


def pytest_collection_modifyitems(config, items):
    select(config, items, marks={marks!r})
'''


def copy(out_dir, marks=True):
    """Writes the two test files (import swapped) and the conftest into out_dir."""
    os.makedirs(out_dir, exist_ok=True)
    root = os.path.dirname(sklearn.__file__)
    for rel, old, new, _ in FILES:
        with open(os.path.join(root, rel), encoding="utf-8") as f:
            source = f.read()
        if source.count(old) != 1:
            sys.exit(f"{rel}: scikit-learn {sklearn.__version__}'s import line changed: {old.strip()!r} not found once")
        with open(os.path.join(out_dir, os.path.basename(rel)), "w", encoding="utf-8") as f:
            f.write(source.replace(old, new))
    with open(os.path.join(out_dir, "conftest.py"), "w", encoding="utf-8") as f:
        f.write(CONFTEST.format(here=HERE, marks=marks))


def uses_class(source, cls):
    """Whether a test's source names `cls` itself (not only `clsCV`)."""
    return re.search(rf"\b{cls}\b(?!CV)", source) is not None


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out_dir")
    parser.add_argument("--no-marks", action="store_true", help="no expected failures: the raw measure")
    args = parser.parse_args()
    copy(args.out_dir, marks=not args.no_marks)
