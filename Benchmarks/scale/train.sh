#!/usr/bin/env bash
# Training at scale (issue 8): builds the benchmark (release), writes the raw scale data once
# (make_raw.py: the draws of make_data.py, unrounded, as float64 files), then times one
# full-batch step interleaved against numpy and against the step's GEMMs (train_bench.py).
#   ROWS (default 1000000), ROUNDS (3), EPOCHS per run (5), DATA (/tmp/backprop-scale-ROWS).
# Not a test: figures depend on the machine and on what else runs on it.
set -euo pipefail
cd "$(dirname "$0")"
rows=${ROWS:-1000000}
data=${DATA:-/tmp/backprop-scale-$rows}
[ -f "$data.x" ] && [ -f "$data.t" ] || python3 make_raw.py "$rows" "$data"
(cd train && swift build -c release --product train-bench >/dev/null)
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-unset}"
python3 train_bench.py train/.build/release/train-bench "$data" "$rows" "${ROUNDS:-3}" "${EPOCHS:-5}"
echo "after: load average $(cut -d' ' -f1-3 /proc/loadavg)"
