"""The admissions workload in numpy, as the reference computes it, for timing against `pipeline run`.

Same math as the project's golden reference: gre/gpa standardized with the sample standard
deviation over all rows, rank one-hot, the split rows and initial weights of
pipelines/admissions-reference.json, 2 sigmoid hidden units without biases, MSE, full-batch
gradient descent (per-record deltas summed, then w += lr * delta / n), loss printed every tenth
of the epochs, test accuracy at the end.

usage: admissions_numpy.py loop|vectorised PIPELINE_JSON CSV
  loop        the reference's per-record Python loop
  vectorised  the same arithmetic as matrix products
"""
import csv
import json
import sys

import numpy as np


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def prepare(pipeline_path, csv_path):
    """The pipeline's stages by kind, the preprocessed features of every row, and the targets."""
    stages = {s["stage"]: s for s in json.load(open(pipeline_path))["stages"]}
    rows = list(csv.DictReader(open(csv_path)))
    cols = []
    for name in ("gre", "gpa"):
        v = np.array([float(r[name]) for r in rows])
        cols.append((v - v.mean()) / v.std(ddof=1))
    rank = np.array([int(r["rank"]) for r in rows])
    for k in range(1, 5):
        cols.append((rank == k).astype(float))
    X = np.stack(cols, axis=1)
    y = np.array([float(r["admit"]) for r in rows])
    return stages, X, y


def main(mode, pipeline_path, csv_path):
    stages, X, y = prepare(pipeline_path, csv_path)
    train = stages["train"]
    tr, te = stages["split"]["train_rows"], stages["split"]["test_rows"]
    features, targets = X[tr], y[tr]
    w_ih = np.array(train["initial_weights"][0], dtype=float)
    w_ho = np.array(train["initial_weights"][1], dtype=float)[:, 0]
    epochs, lr = train["epochs"], train["learning_rate"]
    n = len(features)
    last = None
    for e in range(epochs):
        if mode == "loop":
            d_ih = np.zeros(w_ih.shape)
            d_ho = np.zeros(w_ho.shape)
            for x, t in zip(features, targets):
                h = sigmoid(np.dot(x, w_ih))
                out = sigmoid(np.dot(h, w_ho))
                o_term = (t - out) * out * (1 - out)
                h_term = np.dot(o_term, w_ho) * h * (1 - h)
                d_ho += o_term * h
                d_ih += h_term * x[:, None]
        else:
            h = sigmoid(features @ w_ih)
            out = sigmoid(h @ w_ho)
            o_term = (targets - out) * out * (1 - out)
            h_term = np.outer(o_term, w_ho) * h * (1 - h)
            d_ho = h.T @ o_term
            d_ih = features.T @ h_term
        w_ih += lr * d_ih / n
        w_ho += lr * d_ho / n
        if (10 * e) % epochs == 0:
            loss = np.mean((sigmoid(sigmoid(features @ w_ih) @ w_ho) - targets) ** 2)
            print("Train loss:", loss, " WARNING - Loss Increasing" if last and last < loss else "")
            last = loss
    out = sigmoid(sigmoid(X[te] @ w_ih) @ w_ho)
    print("Prediction accuracy: {:.3f}".format(np.mean((out > 0.5) == y[te])))


if __name__ == "__main__":
    main(*sys.argv[1:4])
