#!/usr/bin/env python3
"""Writes the synthetic scale data set: ROWS rows of 32 N(0,1) features and a 0/1 label.

label = sigmoid(x·w + noise) > 0.5, with w and the noise drawn from numpy's
default_rng(20240601); features written with %.6f, the label as 0 or 1, header x1..x32,label.
Usage: make_data.py ROWS OUT.csv   (written in chunks, so memory stays small for any ROWS)
"""
import sys

import numpy as np

FEATURES = 32
CHUNK = 250_000


def chunks(rows):
    """Yields (features, labels) in chunks of CHUNK rows: the data set's draws, in order."""
    rng = np.random.default_rng(20240601)
    weights = rng.standard_normal(FEATURES)
    done = 0
    while done < rows:
        n = min(CHUNK, rows - done)
        x = rng.standard_normal((n, FEATURES))
        noise = rng.standard_normal(n)
        yield x, (1.0 / (1.0 + np.exp(-(x @ weights + noise))) > 0.5).astype(np.int64)
        done += n


def main() -> int:
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    rows, out = int(sys.argv[1]), sys.argv[2]
    header = ",".join([f"x{i + 1}" for i in range(FEATURES)] + ["label"])
    fmt = ",".join(["%.6f"] * FEATURES + ["%d"])
    with open(out + ".part", "w") as f:
        f.write(header + "\n")
        for x, label in chunks(rows):
            np.savetxt(f, np.column_stack([x, label]), fmt=fmt)
    import os
    os.replace(out + ".part", out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
