#!/usr/bin/env python3
"""Writes the scale data set of make_data.py as raw little-endian float64 files, for the
training benchmarks (no CSV parsing in the way): OUT.x (ROWS x 32, row-major) and OUT.t (ROWS).
The same draws as make_data.py (default_rng(20240601), chunks of 250,000 rows), unrounded.
Usage: make_raw.py ROWS OUT
"""
import os
import sys

import numpy as np

from make_data import chunks


def main() -> int:
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    rows, out = int(sys.argv[1]), sys.argv[2]
    with open(out + ".x.part", "wb") as fx, open(out + ".t.part", "wb") as ft:
        for x, label in chunks(rows):
            fx.write(np.ascontiguousarray(x, dtype="<f8").tobytes())
            ft.write(label.astype("<f8").tobytes())
    os.replace(out + ".x.part", out + ".x")
    os.replace(out + ".t.part", out + ".t")
    return 0


if __name__ == "__main__":
    sys.exit(main())
