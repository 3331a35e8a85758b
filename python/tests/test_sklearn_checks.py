"""scikit-learn's own estimator checks, with no expected failures."""

from sklearn.utils.estimator_checks import parametrize_with_checks

import backprop


@parametrize_with_checks([backprop.MLPClassifier(), backprop.LogisticRegression()])
def test_scikit_learn_estimator_checks(estimator, check):
    check(estimator)
