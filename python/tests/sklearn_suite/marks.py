"""Which of scikit-learn's test cases run against backprop, and which are
expected to fail, each with why (copy_tests.py's conftest applies them)."""

import inspect

import pytest

from copy_tests import FILES, uses_class

# The case ("function[params]", or a function for all its cases) -> why it fails with
# backprop's class, as measured with scikit-learn 1.9.1 (python copy_tests.py DIR --no-marks;
# regenerated after lbfgs, fit_intercept=False and scikit-learn's solver names landed, and again
# after the exact penalties, OWL-QN's L1/elastic net and scikit-learn's penalty words, merged
# with sparse X and multi-label targets, and after the other solvers' ConvergenceWarning words).
EXPECTED_FAILURES = {
    'test_dtype_match[csr_array-False-liblinear]': "liblinear computes in float64 in scikit-learn; backprop keeps the float32 input's dtype",
    'test_dtype_match[csr_array-True-liblinear]': "liblinear computes in float64 in scikit-learn; backprop keeps the float32 input's dtype",
    'test_dtype_match[csr_matrix-False-liblinear]': "liblinear computes in float64 in scikit-learn; backprop keeps the float32 input's dtype",
    'test_dtype_match[csr_matrix-True-liblinear]': "liblinear computes in float64 in scikit-learn; backprop keeps the float32 input's dtype",
    'test_fit': "sets scikit-learn's private attributes by hand (_coef_indptr, _no_improvement_count, …) and runs its private _fit steps",
    'test_gradient': "calls scikit-learn's private _loss_grad_lbfgs (the gradient itself is checked by the library's gradient checks)",
    'test_large_sparse_matrix[csr_array-liblinear]': "scikit-learn's sag/saga/liblinear refuse 64-bit sparse indices; backprop's L-BFGS under those names takes them",
    'test_large_sparse_matrix[csr_array-sag]': "scikit-learn's sag/saga/liblinear refuse 64-bit sparse indices; backprop's L-BFGS under those names takes them",
    'test_large_sparse_matrix[csr_array-saga]': "scikit-learn's sag/saga/liblinear refuse 64-bit sparse indices; backprop's L-BFGS under those names takes them",
    'test_large_sparse_matrix[csr_matrix-liblinear]': "scikit-learn's sag/saga/liblinear refuse 64-bit sparse indices; backprop's L-BFGS under those names takes them",
    'test_large_sparse_matrix[csr_matrix-sag]': "scikit-learn's sag/saga/liblinear refuse 64-bit sparse indices; backprop's L-BFGS under those names takes them",
    'test_large_sparse_matrix[csr_matrix-saga]': "scikit-learn's sag/saga/liblinear refuse 64-bit sparse indices; backprop's L-BFGS under those names takes them",
    'test_liblinear_dual_random_state[42]': 'dual=True: no dual formulation',
    'test_liblinear_with_large_values': "scikit-learn refuses solver/penalty/multi_class combinations and liblinear's limits that backprop accepts (every solver name runs L-BFGS)",
    'test_logistic_cv[42-False]': "LogisticRegressionCV's liblinear coef_ and backprop's agree to 1e-4, not 6 decimals (liblinear's own tolerance)",
    'test_logistic_cv[42-True]': "LogisticRegressionCV's liblinear coef_ and backprop's agree to 1e-4, not 6 decimals (liblinear's own tolerance)",
    'test_logistic_cv_multinomial_score[accuracy-multiclass_agg_list0]': "LogisticRegressionCV passes backprop's own parameter dtype into scikit-learn's private _log_reg_scoring_path",
    'test_logistic_cv_multinomial_score[f1-multiclass_agg_list2]': "LogisticRegressionCV passes backprop's own parameter dtype into scikit-learn's private _log_reg_scoring_path",
    'test_logistic_cv_multinomial_score[neg_log_loss-multiclass_agg_list3]': "LogisticRegressionCV passes backprop's own parameter dtype into scikit-learn's private _log_reg_scoring_path",
    'test_logistic_cv_multinomial_score[precision-multiclass_agg_list1]': "LogisticRegressionCV passes backprop's own parameter dtype into scikit-learn's private _log_reg_scoring_path",
    'test_logistic_cv_multinomial_score[recall-multiclass_agg_list4]': "LogisticRegressionCV passes backprop's own parameter dtype into scikit-learn's private _log_reg_scoring_path",
    'test_logistic_regression_callback_fitted_estimator[False-2]': "scikit-learn's experimental callback API: not implemented",
    'test_logistic_regression_callback_fitted_estimator[False-3]': "scikit-learn's experimental callback API: not implemented",
    'test_logistic_regression_callback_fitted_estimator[True-2]': "scikit-learn's experimental callback API: not implemented",
    'test_logistic_regression_callback_fitted_estimator[True-3]': "scikit-learn's experimental callback API: not implemented",
    'test_logistic_regression_callback_support[0]': "scikit-learn's experimental callback API: not implemented",
    'test_logistic_regression_callback_support[1000]': "scikit-learn's experimental callback API: not implemented",
    'test_logistic_regression_callback_support[2]': "scikit-learn's experimental callback API: not implemented",
    'test_logistic_regression_callback_support_warning': "scikit-learn's warnings on inconsistent penalty / l1_ratio / C combinations",
    'test_logistic_regression_cv_refit[42-0]': "LogisticRegressionCV's refit compared to 6 decimals with backprop's fit (solver tolerances)",
    'test_logistic_regression_cv_refit[42-1]': "LogisticRegressionCV's refit compared to 6 decimals with backprop's fit (solver tolerances)",
    'test_logreg_predict_proba_multinomial[42]': "reads scikit-learn's private internals",
    'test_newton_cholesky_fallback_to_lbfgs': "scikit-learn's other solvers' own ConvergenceWarning words (sag, saga, liblinear, newton-cholesky): their names run the library's L-BFGS",
    'test_scores_attribute_layout_elasticnet': "LogisticRegressionCV's elastic-net scores compared with backprop's OWL-QN fits to exact equality",
    'test_sparsify[coo_array]': "SparseCoefMixin's sparsify/densify: not offered",
    'test_sparsify[coo_matrix]': "SparseCoefMixin's sparsify/densify: not offered",
    'test_warm_start_newton_solver[1-False-newton-cg]': "a second warm-started fit moves off the first's coef_ (rtol 1e-7): the library's L-BFGS restarts from the standardised weights",
    'test_warm_start_newton_solver[1-False-newton-cholesky]': "a second warm-started fit moves off the first's coef_ (rtol 1e-7): the library's L-BFGS restarts from the standardised weights",
    'test_warm_start_newton_solver[1-True-newton-cg]': "a second warm-started fit moves off the first's coef_ (rtol 1e-7): the library's L-BFGS restarts from the standardised weights",
    'test_warm_start_newton_solver[1-True-newton-cholesky]': "a second warm-started fit moves off the first's coef_ (rtol 1e-7): the library's L-BFGS restarts from the standardised weights",
    'test_warm_start_newton_solver[inf-False-newton-cg]': "a second warm-started fit moves off the first's coef_ (rtol 1e-7): the library's L-BFGS restarts from the standardised weights",
    'test_warm_start_newton_solver[inf-False-newton-cholesky]': "a second warm-started fit moves off the first's coef_ (rtol 1e-7): the library's L-BFGS restarts from the standardised weights",
    'test_warm_start_newton_solver[inf-True-newton-cg]': "a second warm-started fit moves off the first's coef_ (rtol 1e-7): the library's L-BFGS restarts from the standardised weights",
    'test_warm_start_newton_solver[inf-True-newton-cholesky]': "a second warm-started fit moves off the first's coef_ (rtol 1e-7): the library's L-BFGS restarts from the standardised weights",
}


def _class_of(item):
    for rel, _, _, cls in FILES:
        if item.fspath.basename == rel.rsplit("/", 1)[-1]:
            return cls
    return None


def select(config, items, marks=True):
    """Deselects the cases that do not use backprop's class; marks the expected failures."""
    keep, drop = [], []
    for item in items:
        cls = _class_of(item)
        fn = getattr(item, "function", None)
        source = inspect.getsource(fn) if fn is not None else ""
        (keep if cls and uses_class(source, cls) else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
    items[:] = keep
    if not marks:
        return
    for item in keep:
        why = EXPECTED_FAILURES.get(item.name) or EXPECTED_FAILURES.get(item.originalname)
        if why:
            # Not strict: a case that starts passing shows as XPASS, to be struck from the list.
            item.add_marker(pytest.mark.xfail(reason=why, strict=False))
