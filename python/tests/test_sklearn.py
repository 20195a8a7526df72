"""BackpropClassifier inside scikit-learn: Pipeline, cross_val_score, clone, labels of any kind."""
import csv

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

import backprop
from backprop.sklearn import BackpropClassifier
from conftest import REPO


def iris():
    with open(REPO / "data" / "iris.csv", newline="") as file:
        rows = list(csv.DictReader(file))
    X = np.array([[float(r[k]) for k in ("sepal_length", "sepal_width", "petal_length", "petal_width")] for r in rows])
    names = np.array(["setosa", "versicolor", "virginica"])
    return X, names[[int(r["species"]) for r in rows]]


def test_cross_validated_in_a_sklearn_pipeline():
    X, y = iris()
    pipeline = Pipeline([("scale", StandardScaler()),
                         ("net", BackpropClassifier(hidden=(8,), epochs=150, learning_rate=0.02, standardize=False))])
    scores = cross_val_score(pipeline, X, y, cv=5)
    assert scores.shape == (5,)
    assert scores.mean() > 0.85, scores  # iris: a linear model gets ~0.95


def test_probabilities_are_the_models_outputs_and_labels_come_back():
    X, y = iris()
    net = BackpropClassifier(hidden=(6,), epochs=100, learning_rate=0.02).fit(X, y)
    assert list(net.classes_) == ["setosa", "versicolor", "virginica"]
    proba = net.predict_proba(X)
    assert proba.shape == (150, 3) and np.allclose(proba.sum(axis=1), 1)
    assert np.array_equal(proba, net.model_.predict(X))
    assert set(net.predict(X)) <= set(net.classes_)
    assert (net.predict(X) == y).mean() > 0.8
    assert len(net.training_["records"]) > 0


def test_two_classes_use_one_sigmoid_output(admissions):
    X = np.array([[float(r[k]) for k in ("gre", "gpa", "rank")] for r in admissions.rows])
    y = np.array([int(r["admit"]) for r in admissions.rows])
    net = BackpropClassifier(hidden=(3,), epochs=50).fit(X, y)
    assert net.model_.outputs == [backprop.sklearn.TARGET]
    proba = net.predict_proba(X)
    assert np.array_equal(proba[:, 1], net.model_.predict(X)[:, 0])
    assert np.allclose(proba.sum(axis=1), 1)


def test_same_seed_same_model_and_clone_keeps_parameters():
    X, y = iris()
    a = BackpropClassifier(hidden=(4,), epochs=30, seed=5).fit(X, y)
    b = clone(a).fit(X, y)
    assert b.get_params() == a.get_params()
    assert np.array_equal(a.predict_proba(X), b.predict_proba(X))
    c = BackpropClassifier(hidden=(4,), epochs=30, seed=6).fit(X, y)
    assert not np.array_equal(a.predict_proba(X), c.predict_proba(X))


def test_errors():
    X, y = iris()
    with pytest.raises(ValueError, match="two classes"):
        BackpropClassifier().fit(X, np.zeros(150))
    with pytest.raises(ValueError, match="one label per row"):
        BackpropClassifier().fit(X, y[:10])
    with pytest.raises(backprop.BackpropError, match="not fitted"):
        BackpropClassifier().predict(X)
    net = BackpropClassifier(epochs=5).fit(X, y)
    with pytest.raises(ValueError, match="fitted with 4"):
        net.predict(X[:, :3])
    with pytest.raises(backprop.BackpropError) as bad:
        BackpropClassifier(activation="swish", epochs=5).fit(X, y)
    assert bad.value.status_name == "BP_ERR_PIPELINE" and "swish" in bad.value.message
