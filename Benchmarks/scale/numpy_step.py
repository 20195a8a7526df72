#!/usr/bin/env python3
"""numpy's full-batch training step of the 32-64-1 sigmoid network (binary cross-entropy,
biases, plain gradient descent), in place: every buffer allocated once, products with out=.
Usage: numpy_step.py DATA ROWS float64|float32 EPOCHS   (DATA from make_raw.py)
Prints one line: the seconds of each epoch, then the peak RSS in MiB.
"""
import resource
import sys
import time

import numpy as np


def main() -> int:
    data, rows, precision, epochs = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
    dtype = np.float64 if precision == "float64" else np.float32
    x = np.fromfile(data + ".x", dtype="<f8", count=rows * 32).reshape(rows, 32).astype(dtype)
    t = np.fromfile(data + ".t", dtype="<f8", count=rows).reshape(rows, 1).astype(dtype)
    rng = np.random.default_rng(1)
    w1 = (rng.standard_normal((32, 64)) / np.sqrt(32)).astype(dtype)
    b1 = np.zeros(64, dtype)
    w2 = (rng.standard_normal((64, 1)) / 8).astype(dtype)
    b2 = np.zeros(1, dtype)
    h = np.empty((rows, 64), dtype)
    y = np.empty((rows, 1), dtype)
    d1 = np.empty((rows, 64), dtype)
    g1 = np.empty((32, 64), dtype)
    g2 = np.empty((64, 1), dtype)
    rate = dtype(0.5)
    times = []
    for _ in range(epochs):
        start = time.perf_counter()
        # forward
        np.dot(x, w1, out=h)
        h += b1
        np.negative(h, out=h); np.exp(h, out=h); h += 1; np.reciprocal(h, out=h)
        np.dot(h, w2, out=y)
        y += b2
        np.negative(y, out=y); np.exp(y, out=y); y += 1; np.reciprocal(y, out=y)
        # output error term (cross-entropy with sigmoid): y - t, then the hidden one
        y -= t
        np.dot(y, w2.T, out=d1)
        d1 *= h
        np.subtract(1, h, out=h)  # h no longer needed after this line except as (1 - h)
        d1 *= h
        np.subtract(1, h, out=h)
        # gradients and update
        np.dot(h.T, y, out=g2)
        np.dot(x.T, d1, out=g1)
        w1 -= rate / rows * g1
        b1 -= rate / rows * d1.sum(axis=0)
        w2 -= rate / rows * g2
        b2 -= rate / rows * y.sum(axis=0)
        times.append(time.perf_counter() - start)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(" ".join(f"{s:.4f}" for s in times), f"peak_mib={peak:.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
