"""scikit-learn's lbfgs from given initial weights, for tests/lbfgs_sklearn.rs.

    python sklearn_lbfgs.py data TABLE        prints {"x": rows, "y": labels} (X standardised)
    python sklearn_lbfgs.py fit TABLE < JSON  reads {"hidden", "alpha", "max_iter",
                                              "coefs", "intercepts"} and prints
                                              {"loss": loss_, "n_iter": n_iter_}

Initial weights: scikit-learn's `_fit` draws them only on a first pass
(`not hasattr(self, "coefs_") or not warm_start`). So the estimator is fitted
once with max_iter=1 (which sets classes_, the label binariser, n_outputs_,
out_activation_, ...), its coefs_/intercepts_ are replaced by the given ones,
and fit again with warm_start=True: scipy's L-BFGS-B then starts from them.
"""

import json
import sys
import warnings

import numpy as np
from sklearn import datasets
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler

TABLES = {
    "iris": datasets.load_iris,
    "wine": datasets.load_wine,
    "breast_cancer": datasets.load_breast_cancer,
}


def table(name):
    x, y = TABLES[name](return_X_y=True)
    return StandardScaler().fit_transform(x), y


def fit(name, spec):
    x, y = table(name)
    clf = MLPClassifier(
        hidden_layer_sizes=tuple(spec["hidden"]),
        solver="lbfgs",
        alpha=spec["alpha"],
        max_iter=1,
        warm_start=True,
        random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(x, y)
        clf.coefs_ = [np.array(w, dtype=np.float64) for w in spec["coefs"]]
        clf.intercepts_ = [np.array(b, dtype=np.float64) for b in spec["intercepts"]]
        clf.set_params(max_iter=spec["max_iter"])
        clf.fit(x, y)
    return {"loss": float(clf.loss_), "n_iter": int(clf.n_iter_)}


if __name__ == "__main__":
    mode, name = sys.argv[1], sys.argv[2]
    if mode == "data":
        x, y = table(name)
        print(json.dumps({"x": x.tolist(), "y": y.tolist()}))
    else:
        print(json.dumps(fit(name, json.load(sys.stdin))))
