"""ConvClassifier: a conv net over picture arrays (N × H × W × C).

- scikit-learn's estimator checks, with no expected failures. They feed 2-d
  tabular X (N × D); ConvClassifier reads such an X as N pictures of
  1 × D × 1 (a row of D pixels, as documented), so the checks run on a layer
  list that fits any D: 1 × 1 filters (conv4x1x1), then a dense layer. They
  use ``batch_size="auto"`` (full batches on their small data), as
  MLPClassifier's default, for their sample-weight equivalence check.
- The same settings and seed train to the same probabilities as the
  library trained from Rust alone (crates/backprop/examples/conv_fit.rs,
  ``engine::fit`` on the builder's picture network).
- It learns vertical against horizontal bars to > 95 % test accuracy.
- Bad input is refused with a ValueError naming the parameter and the fix.
"""

import os
import pickle
import subprocess

import numpy as np
import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

import backprop
from conftest import required

CHECKED = backprop.ConvClassifier(layers="conv4x1x1,relu,dense8,relu", batch_size="auto", max_iter=200, random_state=0)


@parametrize_with_checks([CHECKED])
def test_scikit_learn_estimator_checks(estimator, check):
    check(estimator)


def bars(n, seed, classes=2, size=8):
    """n pictures of size × size × 1 (uint8): a bright vertical bar (class 1),
    a horizontal one (class 0), or none (class 2), over noise."""
    rs = np.random.RandomState(seed)
    y = rs.randint(0, classes, n)
    X = rs.randint(0, 80, (n, size, size, 1))
    at = rs.randint(0, size, n)
    for i in range(n):
        if y[i] == 1:
            X[i, :, at[i], 0] = 255
        elif y[i] == 0:
            X[i, at[i], :, 0] = 255
    return X.astype(np.uint8), y


def test_it_learns_vertical_against_horizontal_bars():
    X, y = bars(400, 0)
    Xt, yt = bars(300, 1)
    clf = backprop.ConvClassifier(layers="conv4x3x3,relu,maxpool2,dense16,relu", max_iter=20, random_state=0)
    clf.fit(X, y)
    assert clf.score(Xt, yt) > 0.95
    assert clf.picture_shape_ == (8, 8, 1)
    assert [w.shape for w in clf.conv_coefs_] == [(3, 3, 1, 4)]
    assert [b.shape for b in clf.conv_intercepts_] == [(4,)]
    # 6 × 6 after the 3 × 3 convolution, 3 × 3 × 4 after the pooling: 36 flattened values.
    assert [w.shape for w in clf.coefs_] == [(36, 16), (16, 1)]
    assert clf.n_iter_ == len(clf.loss_curve_) and clf.loss_ == clf.loss_curve_[-1]
    assert clf.loss_curve_[-1] < clf.loss_curve_[0]


@pytest.mark.parametrize("classes", [2, 3])
def test_the_same_settings_and_seed_train_as_the_library_does_from_rust(tmp_path, classes):
    binary = required("BACKPROP_CONV_FIT", "the path of crates/backprop's example conv_fit "
                      "(cargo build --release -p backprop --example conv_fit)")
    X, y = bars(120, 3, classes=classes, size=7)
    layers, seed, epochs, batch, rate, l2 = "conv3x3x3p1,relu,avgpool2,conv4x2x2,tanh,maxpool2s1,dense6,relu", 5, 4, 16, 0.01, 0.05
    clf = backprop.ConvClassifier(
        layers=layers, random_state=seed, max_iter=epochs, batch_size=batch, learning_rate_init=rate, alpha=l2,
        tol=0.0, n_iter_no_change=10**6, dtype="float64",
    )
    clf.fit(X, y)
    # The library's picture rule: uint8 pixels ÷ 255 in f64.
    (X.reshape(len(X), -1).astype(np.float64) / 255.0).tofile(tmp_path / "x.f64")
    y.astype("<i8").tofile(tmp_path / "y.i64")
    subprocess.run(
        [binary, tmp_path / "x.f64", tmp_path / "y.i64", "7", "7", "1", layers, str(seed), str(epochs), str(batch),
         str(rate), str(l2), tmp_path / "p.f64"], check=True,
    )
    rust = np.fromfile(tmp_path / "p.f64", dtype="<f8").reshape(len(X), -1)
    p = clf.predict_proba(X)
    np.testing.assert_array_equal(p[:, 1:] if classes == 2 else p, rust)


def test_pictures_in_every_accepted_form_train_alike():
    X, y = bars(60, 4)
    kw = dict(layers="conv2x3x3,relu,maxpool2", max_iter=3, random_state=1)
    ref = backprop.ConvClassifier(**kw).fit(X, y).predict_proba(X)
    scaled = X.astype(np.float64) / 255.0
    forms = [
        (scaled, X),  # float pixels as given: the uint8 ones ÷ 255
        (scaled[..., 0], X[..., 0]),  # N × H × W: one channel
        (scaled.reshape(60, -1), scaled.reshape(60, -1)),  # N rows of H·W·C with picture_shape
    ]
    for fit_x, predict_x in forms:
        shape = (8, 8, 1) if fit_x.ndim == 2 else None
        clf = backprop.ConvClassifier(picture_shape=shape, **kw).fit(fit_x, y)
        assert clf.picture_shape_ == (8, 8, 1)
        np.testing.assert_array_equal(clf.predict_proba(predict_x), ref)


def test_a_pickled_estimator_predicts_alike_and_fits_go_on():
    X, y = bars(80, 5)
    clf = backprop.ConvClassifier(layers="conv2x3x3,relu,maxpool2,dense4,relu", max_iter=2, random_state=2).fit(X, y)
    again = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(again.predict_proba(X), clf.predict_proba(X))
    # partial_fit continues the weights and Adam's moments: two epochs then one more
    # are three epochs (shuffles and all), as one fit of three is.
    kw = dict(layers="conv2x3x3,relu,maxpool2,dense4,relu", random_state=2, shuffle=False, tol=0.0)
    three = backprop.ConvClassifier(max_iter=3, **kw).fit(X, y)
    step = backprop.ConvClassifier(max_iter=1, **kw)
    for _ in range(3):
        step.partial_fit(X, y, classes=[0, 1])
    np.testing.assert_allclose(step.predict_proba(X), three.predict_proba(X), rtol=1e-12)
    assert step.n_iter_ == 1 and len(step.loss_curve_) == 3


@pytest.mark.parametrize("X, params, words", [
    (np.zeros((4, 2, 2, 2, 1)), {}, "X has 5 dimensions"),
    (np.zeros((4, 2, 2, 1)), {}, "does not fit pictures of 2×2×1"),
    (np.zeros((4, 8, 8, 1)), {"layers": "conv8x3x3,pool2"}, "layers='conv8x3x3,pool2' cannot be read: layer 2 ('pool2'): unknown layer"),
    (np.zeros((4, 8, 8, 1)), {"layers": "dense8,relu"}, "no convolution or pooling"),
    (np.full((4, 8, 8, 1), np.nan), {}, "Input X contains NaN"),
    (np.zeros((4, 12)), {"picture_shape": (2, 5)}, "picture_shape 2×5×1 holds 10 values, but X has 12 features"),
    (np.zeros((4, 8, 8, 1)), {"picture_shape": (4, 16)}, "picture_shape=(4, 16) is not X's pictures (8, 8, 1)"),
    (np.zeros((4, 8, 8, 1)), {"picture_shape": (4, -1)}, "picture_shape must be (H, W) or (H, W, C)"),
    (np.zeros((4, 8, 8, 1)), {"solver": "lbfgs"}, "The 'solver' parameter of ConvClassifier must be"),
    (np.zeros((4, 8, 8, 1)), {"layers": 8}, "The 'layers' parameter of ConvClassifier must be"),
])
def test_bad_input_is_refused_naming_the_parameter_and_the_fix(X, params, words):
    with pytest.raises(ValueError, match=None) as e:
        backprop.ConvClassifier(**params).fit(X, np.arange(len(X)) % 2)
    assert words in str(e.value)


def test_the_memory_of_the_picture_layers_is_checked_before_a_fit():
    backprop.set_max_memory("1M")
    try:
        with pytest.raises(ValueError, match=r"the picture layers \(layers\) over 500 pictures of 32×32×3 would take"):
            backprop.ConvClassifier("conv32x3x3,relu,maxpool2").fit(np.zeros((500, 32, 32, 3), np.uint8), np.arange(500) % 2)
    finally:
        backprop.set_max_memory(None)


def test_predictions_refuse_pictures_of_another_shape():
    X, y = bars(40, 6)
    clf = backprop.ConvClassifier(layers="conv2x3x3,relu,maxpool2", max_iter=1).fit(X, y)
    with pytest.raises(ValueError, match="X holds pictures of 4×16×1, but ConvClassifier was fitted on 8×8×1"):
        clf.predict(X.reshape(40, 4, 16, 1))
    with pytest.raises(ValueError, match="X has 63 features, but ConvClassifier is expecting 64"):
        clf.predict(X.reshape(40, -1)[:, :63])
    with pytest.raises(ValueError, match="fit afresh"):
        clf.set_params(warm_start=True, layers="conv3x3x3,relu").fit(X, y)


def test_a_model_folder_holds_the_conv_net_and_loads_back_alike(tmp_path):
    X, y = bars(50, 7, classes=3)
    layers = "conv3x3x3s1p1,relu,avgpool2,conv2x2x2s2,leaky-relu,maxpool2s1,dense5,tanh"
    for dtype in ("float64", "float32"):
        clf = backprop.ConvClassifier(layers, max_iter=2, random_state=3, dtype=dtype).fit(X, y)
        clf.save(os.fspath(tmp_path / dtype))
        loaded = backprop.load(tmp_path / dtype)
        assert isinstance(loaded, backprop.ConvClassifier) and loaded.picture_shape_ == (8, 8, 1)
        # The layer list read back from model.json parses into the same layers.
        assert loaded.layers == "conv3x3x3s1p1,relu,avgpool2s2,conv2x2x2s2p0,leaky-relu,maxpool2s1,dense5,tanh"
        np.testing.assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))
        for a, b in zip(loaded.conv_coefs_ + loaded.coefs_, clf.conv_coefs_ + clf.coefs_):
            np.testing.assert_array_equal(a, b)


def test_backprop_predict_reads_the_saved_folder_to_the_same_probabilities(tmp_path):
    from test_model_folder import cli
    binary = cli()
    X, y = bars(30, 8, classes=3)
    clf = backprop.ConvClassifier("conv3x3x3,relu,maxpool2,dense5,relu", max_iter=2, random_state=3).fit(X, y)
    clf.save(os.fspath(tmp_path / "model"))
    np.save(tmp_path / "x.npy", X)  # uint8: the CLI's .npy reader divides by 255, as the estimator does
    out = subprocess.run([binary, "predict", "--model", tmp_path / "model", tmp_path / "x.npy", "--format", "csv"],
                         check=True, capture_output=True, text=True).stdout.splitlines()
    header = out[0].split(",")
    columns = [header.index(f"p_{c}") for c in clf.classes_]
    printed = np.array([[float(line.split(",")[i]) for i in columns] for line in out[1:]])
    # The CLI's prediction road differs in the last bit of a few entries (5 of 90 here, ≤ 2e-16 relative).
    np.testing.assert_allclose(printed, clf.predict_proba(X), rtol=1e-12, atol=0)
