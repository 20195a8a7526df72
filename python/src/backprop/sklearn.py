"""A scikit-learn-compatible classifier: `BackpropClassifier(hidden=(8,), ...)` with `fit`,
`predict`, `predict_proba`, usable in `sklearn.pipeline.Pipeline` and `cross_val_score`.

`fit` trains through the C library the way a pipeline file does (it writes the rows to a
temporary CSV file and a pipeline beside it, runs it with `backprop.run`, and loads the model),
so the training is the library's own, with its numerics and errors. scikit-learn itself is
optional: without it the class still works, without `clone`/`get_params` from BaseEstimator.
"""
import json
import os
import tempfile

import numpy as np

from ._errors import BackpropError
from ._model import Model
from ._run import run as run_pipeline

try:  # scikit-learn is optional
    from sklearn.base import BaseEstimator, ClassifierMixin
    _BASES = (ClassifierMixin, BaseEstimator)
except ImportError:  # pragma: no cover: exercised only without scikit-learn
    _BASES = (object,)

TARGET = "_bp_target"


class BackpropClassifier(*_BASES):
    """A feed-forward network classifier trained by Backprop.

    Parameters follow the train stage's (`pipeline stages`): `hidden` (units per hidden layer),
    `activation`, `epochs`, `learning_rate`, `optimizer` (gd, momentum, adam), `batch` (a size or
    "full"), `l2`, `seed`; `standardize` adds a normalize stage fitted on the training rows.
    Two classes: one sigmoid output with binary cross-entropy; more: softmax with cross-entropy.
    `library` optionally names libbackprop.so. After `fit`: `classes_`, `n_features_in_`,
    `model_` (a `backprop.Model`), `training_` (the run's training records).
    """

    def __init__(self, hidden=(8,), activation="tanh", epochs=200, learning_rate=0.01, optimizer="adam",
                 batch=32, l2=0.0, seed=0, standardize=True, library=None):
        self.hidden = hidden
        self.activation = activation
        self.epochs = epochs
        self.learning_rate = learning_rate
        self.optimizer = optimizer
        self.batch = batch
        self.l2 = l2
        self.seed = seed
        self.standardize = standardize
        self.library = library

    def fit(self, X, y):
        """Trains on X (rows x features, numbers) and y (one label per row); returns self."""
        X = _features(X)
        y = np.asarray(y)
        if y.ndim != 1 or len(y) != X.shape[0]:
            raise ValueError(f"y must be 1-D with one label per row of X ({X.shape[0]}), got shape {y.shape}")
        self.classes_, codes = np.unique(y, return_inverse=True)
        if len(self.classes_) < 2:
            raise ValueError(f"fit needs at least two classes, got {list(self.classes_)}")
        self.n_features_in_ = X.shape[1]
        names = [f"x{i}" for i in range(X.shape[1])]
        binary = len(self.classes_) == 2
        train = {"stage": "train", "hidden": [int(h) for h in self.hidden], "activation": self.activation,
                 "output_activation": "sigmoid" if binary else "softmax",
                 "loss": "binary_cross_entropy" if binary else "cross_entropy",
                 "epochs": int(self.epochs), "learning_rate": float(self.learning_rate), "optimizer": self.optimizer,
                 "batch": self.batch if self.batch == "full" else int(self.batch), "l2": float(self.l2),
                 "model": "model.json"}
        stages = [{"stage": "ingest", "path": "rows.csv", "target": TARGET, "columns": names}]
        if self.standardize:
            stages.append({"stage": "normalize", "standardize": names})
        stages.append(train)
        with tempfile.TemporaryDirectory(prefix="backprop-fit-") as work:
            with open(os.path.join(work, "rows.csv"), "w") as file:
                file.write(",".join(names + [TARGET]) + "\n")
                for row, code in zip(X, codes):
                    file.write(",".join(repr(float(v)) for v in row) + f",{int(code)}\n")
            with open(os.path.join(work, "fit.json"), "w") as file:
                json.dump({"seed": int(self.seed), "stages": stages}, file)
            result = run_pipeline(os.path.join(work, "fit.json"), library_path=self.library)
            self.model_ = Model(os.path.join(work, "model.json"), library_path=self.library)
        self.training_ = result.get("training", {})
        return self

    def predict_proba(self, X):
        """One probability per class (columns in `classes_` order) for each row of X."""
        model = self._fitted()
        X = _features(X)
        if X.shape[1] != self.n_features_in_:
            raise ValueError(f"X has {X.shape[1]} features, the classifier was fitted with {self.n_features_in_}")
        out = model.predict(X)
        if len(self.classes_) == 2:
            return np.column_stack([1 - out[:, 0], out[:, 0]])
        return out

    def predict(self, X):
        """The most probable class of each row of X."""
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba, axis=1)]

    def _fitted(self):
        model = getattr(self, "model_", None)
        if model is None:
            raise BackpropError("BP_ERR_NULL", "this BackpropClassifier is not fitted yet: call fit(X, y) first")
        return model


def _features(X):
    try:
        X = np.asarray(X, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise ValueError(f"X must hold numbers: {error}") from None
    if X.ndim != 2 or X.shape[0] == 0 or X.shape[1] == 0:
        raise ValueError(f"X must be 2-D with at least one row and one column, got shape {X.shape}")
    if not np.all(np.isfinite(X)):
        raise ValueError("X holds NaN or infinite values")
    return X
