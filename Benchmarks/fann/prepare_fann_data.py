"""Writes the reference's training rows, preprocessed as in the pipeline, in FANN's text format."""
import csv
import json
import sys

import numpy as np

pipeline, csv_path, out = sys.argv[1:4]
stages = {s["stage"]: s for s in json.load(open(pipeline))["stages"]}
rows = list(csv.DictReader(open(csv_path)))
cols = []
for name in ("gre", "gpa"):
    v = np.array([float(r[name]) for r in rows])
    cols.append((v - v.mean()) / v.std(ddof=1))
rank = np.array([int(r["rank"]) for r in rows])
cols += [(rank == k).astype(float) for k in range(1, 5)]
X = np.stack(cols, axis=1)
y = [float(r["admit"]) for r in rows]
train = stages["split"]["train_rows"]
with open(out, "w") as f:
    f.write(f"{len(train)} 6 1\n")
    for i in train:
        f.write(" ".join(repr(float(v)) for v in X[i]) + "\n" + repr(y[i]) + "\n")
