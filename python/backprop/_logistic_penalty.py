"""LogisticRegression's penalty as scikit-learn 1.9 reads it from `penalty`,
`l1_ratio`, `C`, `solver` and `dual` — its warnings and refusals in its
words — and the library's strengths for it: the L2 term (1 − r)/C and the
L1 term r/C of the cost C·Σsᵢ·lᵢ + r·‖w‖₁ + (1 − r)/2·‖w‖², divided by C·Σsᵢ."""

import warnings

import numpy as np

# Solvers that take an L1 term (scikit-learn's; the library's OWL-QN solves it).
L1_SOLVERS = ("liblinear", "saga")


def _deprecated_penalty_warning():
    warnings.warn(
        "'penalty' was deprecated in version 1.8 and will be removed in"
        " 1.10. To avoid this warning, leave 'penalty' set to its default"
        " value and use 'l1_ratio' or 'C' instead."
        " Use l1_ratio=0 instead of penalty='l2',"
        " l1_ratio=1 instead of penalty='l1',"
        " l1_ratio set to a float between 0 and 1 instead of"
        " penalty='elasticnet', and C=np.inf instead of penalty=None.",
        FutureWarning,
    )


def _named_penalty(est):
    """The penalty `penalty`/`l1_ratio`/`C` name: "l2", "l1", "elasticnet" or None."""
    if est.penalty != "deprecated":
        _deprecated_penalty_warning()
        return est.penalty
    if est.l1_ratio == 0 or est.l1_ratio is None:
        if est.l1_ratio is None:
            warnings.warn(
                "'l1_ratio=None' was deprecated in version 1.8 and will "
                "trigger an error in 1.10. Use 0<=l1_ratio<=1 instead.",
                FutureWarning,
            )
        penalty = "l2"
    elif est.l1_ratio == 1:
        penalty = "l1"
    else:
        penalty = "elasticnet"
    return None if est.C == np.inf else penalty


def _check_solver(solver, penalty, dual):
    """scikit-learn's `_check_solver`: which solver takes which penalty."""
    if solver not in L1_SOLVERS and penalty not in ("l2", None):
        raise ValueError(f"Solver {solver} supports only 'l2' or None penalties, got {penalty} penalty.")
    if solver != "liblinear" and dual:
        raise ValueError(f"Solver {solver} supports only dual=False, got dual={dual}")
    if penalty == "elasticnet" and solver != "saga":
        raise ValueError(f"Only 'saga' solver supports elasticnet penalty, got solver={solver}.")
    if solver == "liblinear" and penalty is None:
        raise ValueError("C=np.inf as well as penalty=None is not supported for the liblinear solver")


def strengths(est):
    """(L2, L1) strengths of the library's cost for `est`'s parameters, as
    scikit-learn's `fit` reads them, with its warnings and refusals."""
    penalty = _named_penalty(est)
    _check_solver(est.solver, penalty, est.dual)
    l1_ratio = est.l1_ratio
    if penalty != "elasticnet" and l1_ratio is not None and 0 < l1_ratio < 1:
        warnings.warn(f"l1_ratio parameter is only used when penalty is 'elasticnet'. Got (penalty={penalty})")
    if (est.penalty == "l2" and l1_ratio != 0) or (est.penalty == "l1" and l1_ratio != 1):
        warnings.warn(
            f"Inconsistent values: penalty={est.penalty} with l1_ratio={l1_ratio}. "
            "penalty is deprecated. Please use l1_ratio only."
        )
    if penalty == "elasticnet" and l1_ratio is None:
        raise ValueError("l1_ratio must be specified when penalty is elasticnet.")
    if est.penalty is None and est.C != 1.0:
        warnings.warn("Setting penalty=None will ignore the C and l1_ratio parameters")
    if est.n_jobs is not None:
        warnings.warn(
            "'n_jobs' has no effect since 1.8 and will be removed in 1.10. "
            f"You provided 'n_jobs={est.n_jobs}', please leave it unspecified.",
            FutureWarning,
        )
    if penalty is None or est.C == np.inf:
        return 0.0, 0.0
    r = float(l1_ratio) if penalty == "elasticnet" else {"l2": 0.0, "l1": 1.0}[penalty]
    return (1.0 - r) / float(est.C), r / float(est.C)
