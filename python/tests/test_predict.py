"""Predictions through the package equal `pipeline predict` to 1e-12, whatever the input form."""
import numpy as np
import pandas as pd
import pytest

import backprop

TOLERANCE = 1e-12


def test_describes_the_admissions_model(admissions):
    m = backprop.load(admissions.model)
    assert m.inputs == ["gre", "gpa", "rank"]
    assert m.outputs == ["admit"]
    assert m.features == ["gre", "gpa", "rank_1", "rank_2", "rank_3", "rank_4"]
    assert m.categorical == {"gre": False, "gpa": False, "rank": True}
    assert m.categories("rank") == {"1": 1.0, "2": 2.0, "3": 3.0, "4": 4.0}
    assert m.categories("gre") == {}


def test_array_in_input_order_matches_the_cli(admissions):
    m = backprop.load(admissions.model)
    x = np.array([[float(r[name]) for name in m.inputs] for r in admissions.rows])
    got = m.predict(x)
    assert got.shape == (40, 1) and got.dtype == np.float64
    assert np.max(np.abs(got - admissions.expected)) <= TOLERANCE
    assert len(np.unique(got)) > 10  # not a constant


def test_dict_of_columns_matches_the_cli(admissions):
    m = backprop.load(admissions.model)
    columns = {name: [r[name] for r in admissions.rows] for name in ("admit", "rank", "gpa", "gre")}
    columns["gre"] = [float(v) for v in columns["gre"]]
    columns["gpa"] = [float(v) for v in columns["gpa"]]
    got = m.predict(columns)  # rank as text labels "1".."4"; extra column "admit" ignored
    assert np.max(np.abs(got - admissions.expected)) <= TOLERANCE


def test_dataframe_matches_the_cli(admissions):
    m = backprop.load(admissions.model)
    frame = pd.read_csv(admissions.csv)[["rank", "gpa", "gre", "admit"]]  # order does not matter
    got = m.predict(frame)
    assert np.max(np.abs(got - admissions.expected)) <= TOLERANCE


def test_text_categories_by_label_match_the_cli(text_categories):
    m = backprop.load(text_categories.model)
    assert m.inputs == ["gre", "gpa", "tier"]
    tiers = m.categories("tier")
    assert set(tiers) == {"top", "upper", "lower", "bottom"}
    assert sorted(tiers.values()) == [0.0, 1.0, 2.0, 3.0]  # text labels stand as positions
    frame = pd.read_csv(text_categories.csv)
    got = m.predict(frame)
    assert got.shape == (100, 1)
    assert np.max(np.abs(got - text_categories.expected)) <= TOLERANCE
    # The same rows as an array, the labels replaced by their values.
    x = np.column_stack([frame["gre"], frame["gpa"], [tiers[t] for t in frame["tier"]]])
    assert np.max(np.abs(m.predict(x) - text_categories.expected)) <= TOLERANCE


def test_predict_features_matches_predict(admissions):
    m = backprop.load(admissions.model)
    frame = pd.read_csv(admissions.csv)
    # Features by hand: the model file's fitted standardization, one-hot of rank.
    import json
    steps = json.loads(admissions.model.read_text())["preprocessing"]
    state = {}
    for step in steps:
        state.setdefault(step["column"], step)
    features = []
    for _, row in frame.iterrows():
        values = []
        for name in ("gre", "gpa"):
            s = state[name]
            values.append((row[name] - s["mean"]) / s["std"])
        values += [1.0 if row["rank"] == k else 0.0 for k in (1, 2, 3, 4)]
        features.append(values)
    got = m.predict_features(np.array(features))
    assert np.max(np.abs(got - admissions.expected)) <= 1e-12


def test_context_manager_frees_the_model(admissions):
    with backprop.load(admissions.model) as m:
        m.predict([[700, 3.8, 2]])
    with pytest.raises(backprop.BackpropError) as error:
        m.predict([[700, 3.8, 2]])
    assert error.value.status_name == "BP_ERR_NULL"


def test_plugin_steps_only_when_allowed(tmp_path, admissions):
    """A model with a C plugin step (examples/c-plugin/clip.c) is refused by default, and with
    allow_plugins predicts as `pipeline predict --allow-plugins`."""
    import subprocess
    from conftest import pipeline_command, train_plugin_model
    model, env = train_plugin_model(tmp_path)
    cli = subprocess.run([pipeline_command(), "predict", "--allow-plugins", "--format", "values", "--model", str(model),
                          "--input", str(admissions.csv)], check=True, capture_output=True, text=True, env=env).stdout
    expected = np.array([[float(v) for v in line.split(",")] for line in cli.splitlines()])
    with pytest.raises(backprop.BackpropError) as refused:
        backprop.load(model)
    assert refused.value.status_name == "BP_ERR_PLUGINS_NOT_ALLOWED"
    m = backprop.load(model, allow_plugins=True, plugin_path=str(tmp_path))
    got = m.predict(pd.read_csv(admissions.csv))
    assert np.max(np.abs(got - expected)) <= TOLERANCE
    assert np.max(np.abs(got - admissions.expected)) > 1e-6  # not the same model as the plain one
