"""Writes the reference's training rows, preprocessed as in the pipeline, in FANN's text format."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "reference"))
from admissions_numpy import prepare  # noqa: E402

pipeline, csv_path, out = sys.argv[1:4]
stages, X, y = prepare(pipeline, csv_path)
train = stages["split"]["train_rows"]
with open(out, "w") as f:
    f.write(f"{len(train)} {X.shape[1]} 1\n")
    for i in train:
        f.write(" ".join(repr(float(v)) for v in X[i]) + "\n" + repr(float(y[i])) + "\n")
