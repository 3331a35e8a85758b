"""One table preparation for every door: a model `backprop train` made from a
CSV file predicts a raw DataFrame through `backprop.load` exactly as `backprop
predict` does; a `TableClassifier` fitted on the DataFrame prepares it as the
CLI does (the same model.json preprocessing) and saves a folder that `backprop
predict` and `backprop export` read."""

import json
import subprocess
import warnings

import numpy as np
from sklearn.base import clone
import pandas as pd
import pytest

import backprop
from conftest import required


def cli():
    return required("BACKPROP_BIN", "the backprop binary (target/release/backprop)")


def run(*args):
    return subprocess.run([cli(), *map(str, args)], capture_output=True, text=True, check=True)


def penguins(n, seed):
    """A table like Palmer penguins: string labels, a string feature (island),
    measurements of very different scales, missing cells (two rows without
    measurements, a sex missing in every seventh)."""
    rs = np.random.RandomState(seed)
    kinds = [("Adelie", 38.8, 190.0, 3700.0), ("Chinstrap", 48.8, 196.0, 3733.0), ("Gentoo", 47.5, 217.0, 5076.0)]
    rows = []
    for i in range(n):
        species, bill, flipper, mass = kinds[i % 3]
        if species != "Adelie":
            island = "Biscoe" if species == "Gentoo" else "Dream"
        else:
            island = {0: "Torgersen", 3: "Dream"}.get(i % 9, "Biscoe")
        sex = None if i % 7 == 0 else ("MALE" if i % 2 == 0 else "FEMALE")
        measured = [round(bill + 2.7 * rs.randn(), 1), round(flipper + 6.5 * rs.randn()), round(mass + 450 * rs.randn())]
        if i in (5, 40):
            measured = [np.nan] * 3
        rows.append([species, island, *measured, sex])
    return pd.DataFrame(rows, columns=["species", "island", "bill_length_mm", "flipper_length_mm", "body_mass_g", "sex"])


def cli_predictions(model, csv):
    return json.loads(run("predict", "--model", model, csv, "--format", "json").stdout)


def assert_same_answers(est, frame, rows):
    """`est`'s classes and probabilities for `frame` are the CLI's `rows`
    (`backprop predict --format json`): the same classes, every probability
    to 1e-12 (f64 models)."""
    p = est.predict_proba(frame)
    classes = est.predict(frame)
    assert len(rows) == len(frame) == len(p)
    for mine, label, row in zip(p, classes, rows):
        assert str(label) == row["class"]
        theirs = [row["probabilities"][str(c)] for c in est.classes_]
        assert np.max(np.abs(mine - theirs)) <= 1e-12, (mine, theirs)


@pytest.mark.parametrize("precision", ["f64", "f32"])
def test_load_of_a_cli_table_model_predicts_the_raw_dataframe_as_backprop_predict(tmp_path, precision):
    df = penguins(150, 1)
    df.to_csv(tmp_path / "train.csv")  # pandas' index as the unnamed first column
    run("train", "--train", tmp_path / "train.csv", "--label-column", "species", "--missing", "mean",
        "--precision", precision, "--epochs", "20", "--quiet", "--out", tmp_path / "run")
    rows = cli_predictions(tmp_path / "run", tmp_path / "train.csv")
    assert [r["input"] for r in rows] == list(range(150)), "the index column names the rows (as JSON numbers)"
    est = backprop.load(tmp_path / "run")
    assert isinstance(est, backprop.TableClassifier)
    assert list(est.classes_) == ["Adelie", "Chinstrap", "Gentoo"]
    assert list(est.feature_names_in_) == ["island", "bill_length_mm", "flipper_length_mm", "body_mass_g", "sex"]
    p = est.predict_proba(df)
    if precision == "f64":
        # The DataFrame trained on, as it is in memory; read back from the CSV
        # (with pandas' index column, or without it), in any column order.
        assert_same_answers(est, df, rows)
        assert_same_answers(est, pd.read_csv(tmp_path / "train.csv"), rows)
        assert_same_answers(est, pd.read_csv(tmp_path / "train.csv", index_col=0), rows)
        assert_same_answers(est, df[df.columns[::-1]].drop(columns="species"), rows)
    else:
        # An f32 network: the same classes, the CLI's probabilities to f32's precision.
        theirs = np.array([[r["probabilities"][c] for c in est.classes_] for r in rows])
        assert np.max(np.abs(p - theirs)) <= 1e-6
        assert [r["class"] for r in rows] == list(est.predict(df))
    assert est.score(df, df["species"]) > 0.9


def test_a_model_that_drops_missing_rows_refuses_them_in_python(tmp_path):
    df = penguins(120, 2)
    df.to_csv(tmp_path / "train.csv")
    run("train", "--train", tmp_path / "train.csv", "--label-column", "species", "--missing", "drop",
        "--epochs", "5", "--precision", "f64", "--quiet", "--out", tmp_path / "run")
    est = backprop.load(tmp_path / "run")
    whole = df.dropna()
    whole.to_csv(tmp_path / "whole.csv")
    assert_same_answers(est, whole, cli_predictions(tmp_path / "run", tmp_path / "whole.csv"))
    with pytest.raises(ValueError, match=r"X: \d+ row\(s\) have missing cells"):
        est.predict(df)


def test_a_table_classifier_prepares_as_the_cli_and_saves_what_the_cli_reads(tmp_path):
    df = penguins(210, 3)
    clf = backprop.TableClassifier(label_column="species", missing="mean").fit(df)
    # The CLI trained on the same table as a file prepares it the same way.
    df.to_csv(tmp_path / "train.csv")
    run("train", "--train", tmp_path / "train.csv", "--label-column", "species", "--missing", "mean",
        "--epochs", "1", "--quiet", "--out", tmp_path / "cli")
    cli_model = json.loads((tmp_path / "cli" / "model.json").read_text())
    mine, theirs = dict(clf.preprocessing_), dict(cli_model["preprocessing"])
    assert theirs["table"].pop("index_column") == "", "the CLI's file has pandas' index"
    mine["table"].pop("index_column", None)
    assert mine == theirs
    assert [str(c) for c in clf.classes_] == cli_model["classes"]
    assert clf.score(df, df["species"]) > 0.9
    # Saved, `backprop predict` gives the same classes and probabilities.
    clf.save(tmp_path / "model")
    assert_same_answers(clf, df, cli_predictions(tmp_path / "model", tmp_path / "train.csv"))
    again = backprop.load(tmp_path / "model")
    np.testing.assert_array_equal(again.predict_proba(df), clf.predict_proba(df))
    assert again.get_params()["missing"] == "mean"


def test_a_saved_table_classifier_exports_to_onnx(tmp_path):
    ort = pytest.importorskip("onnxruntime")
    df = penguins(90, 4)
    clf = backprop.TableClassifier(label_column="species", missing="mean").fit(df)
    clf.save(tmp_path / "model")
    run("export", "--model", tmp_path / "model", "--format", "onnx", "--out", tmp_path / "model.onnx")
    # The graph takes the features in the model's order before standardisation
    # (categories one-hot, gaps filled) and standardises them itself.
    st = clf.preprocessing_["standardization"]
    raw = clf.transform(df) * np.array(st["std"]) + np.array(st["mean"])
    session = ort.InferenceSession(str(tmp_path / "model.onnx"))
    label, probabilities = session.run(["label", "probabilities"], {"X": raw})
    assert np.max(np.abs(probabilities - clf.predict_proba(df))) <= 1e-9
    assert list(label) == list(clf.predict(df))


def test_a_skewed_column_is_log_transformed_as_the_cli_does_and_can_be_turned_off(tmp_path):
    rs = np.random.RandomState(0)
    tail, x = rs.randn(200) * 1.5, rs.randn(200)
    df = pd.DataFrame({"x": x, "count": np.round(np.exp(tail) * 30), "y": np.where(tail + x > 0, "yes", "no")})
    clf = backprop.TableClassifier(label_column="y").fit(df)
    st = clf.preprocessing_["standardization"]
    assert st["signed_log"] == [1], "count, not x"
    assert abs(st["mean"][1] - np.log1p(df["count"]).mean()) < 1e-12
    # The CLI, trained on the same table as a file, chooses and stores the same.
    df.to_csv(tmp_path / "train.csv")
    run("train", "--train", tmp_path / "train.csv", "--label-column", "y", "--epochs", "1", "--quiet",
        "--out", tmp_path / "cli")
    assert json.loads((tmp_path / "cli" / "model.json").read_text())["preprocessing"]["standardization"] == st
    clf.save(tmp_path / "model")
    assert_same_answers(clf, df, cli_predictions(tmp_path / "model", tmp_path / "train.csv"))
    for off in (False, None, 1000):
        kept = backprop.TableClassifier(label_column="y", log_skewed=off).fit(df)
        assert "signed_log" not in kept.preprocessing_["standardization"], off
    with pytest.raises(ValueError, match=r"log_skewed must be >= 0, got -1"):
        backprop.TableClassifier(label_column="y", log_skewed=-1).fit(df)
    with pytest.raises(ValueError, match=r"log_skewed must be True, False or a skewness"):
        backprop.TableClassifier(label_column="y", log_skewed="lots").fit(df)


def test_a_loaded_model_refits_with_the_skew_threshold_it_was_trained_with(tmp_path):
    rs = np.random.RandomState(1)
    tail, x = rs.randn(200) * 1.5, rs.randn(200)
    df = pd.DataFrame({"x": x, "count": np.round(np.exp(tail) * 30), "y": np.where(tail + x > 0, "yes", "no")})
    for given, chosen in ((False, None), (True, [1]), (1000, None), (0.0, [0, 1])):
        clf = backprop.TableClassifier(label_column="y", log_skewed=given).fit(df)
        assert clf.preprocessing_["standardization"].get("signed_log") == chosen, given
        folder = tmp_path / f"model-{given}"
        clf.save(folder)
        loaded = backprop.load(folder)
        refit = clone(loaded).fit(df)
        assert refit.preprocessing_["standardization"] == clf.preprocessing_["standardization"], given


def test_labels_given_as_y_keep_their_type_and_unseen_categories_warn():
    df = penguins(150, 5).dropna()
    y = df.pop("species").map({"Adelie": 10, "Chinstrap": 2, "Gentoo": 7})
    clf = backprop.TableClassifier().fit(df, y)
    assert list(clf.classes_) == [2, 7, 10] and clf.classes_.dtype.kind == "i"
    assert set(clf.predict(df)) <= {2, 7, 10}
    new = df.head(3).copy()
    new["island"] = ["Atlantis", "Dream", "Biscoe"]
    with pytest.warns(UserWarning, match="column 'island': 1 cell\\(s\\) with a category not seen in training"):
        clf.predict(new)
    # An array without names is read by position, in feature_names_in_'s order.
    np.testing.assert_array_equal(clf.predict_proba(df[list(clf.feature_names_in_)].to_numpy()), clf.predict_proba(df))


def test_tables_that_cannot_be_prepared_raise_value_errors_naming_the_column():
    df = penguins(60, 6)
    with pytest.raises(ValueError, match=r"X: 15 missing cell\(s\) \(first: row 0, column 'sex'\)"):
        backprop.TableClassifier(label_column="species").fit(df)
    with pytest.raises(ValueError, match="y is given too"):
        backprop.TableClassifier().fit(df, df["species"])
    clf = backprop.TableClassifier(label_column="species", drop=["sex"], missing="drop").fit(df)
    with pytest.raises(ValueError, match="X: has no column 'island', which the model was trained on"):
        clf.predict(df.drop(columns="island"))
    with pytest.raises(ValueError, match="has no 'label' column"):
        backprop.TableClassifier().fit(df)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # columns the model does not read (sex, the labels) are no news
        clf.predict(df.dropna())
