#!/usr/bin/env python3
"""Compares two model files, reports or prediction CSV files: every number within TOL
(absolute), everything else equal, the checksum aside. Usage: same_model.py A B [TOL]. Prints the
largest difference; exits 1 when they differ."""
import csv
import json
import sys


def number_or_text(field):
    try:
        return float(field)
    except ValueError:
        return field


def load(path):
    if path.endswith(".csv"):
        with open(path, newline="") as f:
            return [[number_or_text(x) for x in row] for row in csv.reader(f)]
    with open(path) as f:
        return json.load(f)


def walk(a, b, path, worst):
    if isinstance(a, bool) or isinstance(b, bool) or isinstance(a, str) or a is None:
        if a != b:
            raise SystemExit(f"{path}: {a!r} != {b!r}")
    elif isinstance(a, (int, float)) and isinstance(b, (int, float)):
        if abs(a - b) > worst[0]:
            worst[0], worst[1] = abs(a - b), path
    elif isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            raise SystemExit(f"{path}: {len(a)} != {len(b)} items")
        for i, (x, y) in enumerate(zip(a, b)):
            walk(x, y, f"{path}[{i}]", worst)
    elif isinstance(a, dict) and isinstance(b, dict):
        if sorted(a) != sorted(b):
            raise SystemExit(f"{path}: keys {sorted(a)} != {sorted(b)}")
        for key in a:
            if key != "checksum":
                walk(a[key], b[key], f"{path}.{key}", worst)
    else:
        raise SystemExit(f"{path}: {type(a).__name__} != {type(b).__name__}")


def main():
    tol = float(sys.argv[3]) if len(sys.argv) > 3 else 1e-9
    a, b = (load(p) for p in sys.argv[1:3])
    worst = [0.0, ""]
    walk(a, b, "", worst)
    print(f"largest difference {worst[0]:.3g} at {worst[1] or '-'}")
    if worst[0] > tol:
        raise SystemExit(f"more than {tol}")


main()
