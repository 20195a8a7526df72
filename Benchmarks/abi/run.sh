#!/usr/bin/env bash
# Prediction speed of the shipped libbackprop.so against FANN (Debian libfann-dev), in one run:
# single-row latency (ns/call) and batch throughput (rows/s). Not run in CI.
#   Benchmarks/abi/run.sh [MODEL.json]     (default: out/admissions.model.json)
set -euo pipefail
cd "$(dirname "$0")/../.."
model=${1:-out/admissions.model.json}
[ -e "$model" ] || { swift build --product pipeline >&2 && "$(swift build --show-bin-path)/pipeline" run -q pipelines/admissions.json; }
dist=$(scripts/build-lib)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
gcc -std=c11 -O2 -Wall -Wextra -Werror -I"$dist/include" Benchmarks/abi/bench.c -L"$dist/lib" -lbackprop \
    -Wl,-rpath,"$dist/lib" -ldoublefann -lm -o "$work/bench"
# The model's weights, layer by layer, [inputs][outputs], for FANN.
weights=$(python3 -c '
import json, sys
model = json.load(open(sys.argv[1]))
assert all(layer["bias"] is None for layer in model["layers"]), "the FANN comparison expects a model without biases"
print(" ".join(repr(w) for layer in model["layers"] for row in layer["weights"] for w in row))' "$model")
# shellcheck disable=SC2086
"$work/bench" "$model" $weights
