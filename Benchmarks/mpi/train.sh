#!/usr/bin/env bash
# Data-parallel training on one machine (issue 9): the 4M-row synthetic set (Benchmarks/scale/
# make_data.py; generated into DATA_DIR, default /work/bench-data, if absent), a 32→64→1 sigmoid
# network, 5 full-batch epochs, split 90/10, evaluated on the test rows. Interleaved rounds of:
#   alone   pipeline run, no mpirun (never loads MPI), 2 threads
#   np1-t1  mpirun -np 1, 1 thread
#   np2-t1  mpirun -np 2, 1 thread per process (each process parses and trains on half the rows)
# Prints wall time and peak RSS per process (/usr/bin/time), then the speed-up; then the cost of
# the per-step allreduce of the packed 32→64→1 gradient (2,177 weights + the loss) at -np 2.
#   ROWS (default 4000000), ROUNDS (2), EPOCHS (5). Not a test: figures depend on the machine
#   and on what else runs on it.
set -euo pipefail
cd "$(dirname "$0")/../.."
rows=${ROWS:-4000000} rounds=${ROUNDS:-2} epochs=${EPOCHS:-5}
data_dir=${DATA_DIR:-/work/bench-data}
csv="$data_dir/$rows.csv"
[ -f "$csv" ] || { mkdir -p "$data_dir"; python3 Benchmarks/scale/make_data.py "$rows" "$csv"; }
swift build -c release --product pipeline >/dev/null
bin="$(swift build -c release --show-bin-path)/pipeline"
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
pipeline() {  # pipeline THREADS
    cat <<JSON
{"seed": 11, "stages": [
  {"stage": "ingest", "path": "$csv", "target": "label"},
  {"stage": "split", "test_fraction": 0.1},
  {"stage": "train", "hidden": [64], "loss": "binary_cross_entropy", "learning_rate": 0.5, "epochs": $epochs, "threads": $1},
  {"stage": "evaluate"}]}
JSON
}
pipeline 2 >"$work/t2.json"; pipeline 1 >"$work/t1.json"
mpirun=(mpirun --allow-run-as-root --oversubscribe)
export OPENBLAS_NUM_THREADS=1
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-unset}; $rows rows, $epochs epochs"
# One run: wall time of the whole job, and each process's peak RSS and the leader's stage seconds
# (a stage ends at the agreement after it, so the leader's time is the job's).
run() {  # run NAME NP|alone PIPELINE
    local start end
    rm -f "$work"/rank.* "$work/summary.json"
    start=$(date +%s.%N)
    if [ "$2" = alone ]; then
        /usr/bin/time -o "$work/rank.0" -f '%M' "$bin" run --json "$3" >"$work/summary.json"
    else
        "${mpirun[@]}" -np "$2" sh -c '/usr/bin/time -o "$0/rank.$OMPI_COMM_WORLD_RANK" -f %M "$1" run --json "$2" >"$0/out.$OMPI_COMM_WORLD_RANK"' "$work" "$bin" "$3"
        mv "$work/out.0" "$work/summary.json"
    fi
    end=$(date +%s.%N)
    python3 - "$1" "$start" "$end" "$work" <<'PY'
import glob, json, sys
name, start, end, work = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
rss = [int(open(f).read().split()[-1]) / 1024 for f in sorted(glob.glob(work + "/rank.*"))]
run = json.load(open(work + "/summary.json"))["run"]
stages = " ".join(f"{s['kind']} {s['seconds']:.2f}" for s in run["stages"])
print(f"{name:7s} wall {end - start:6.2f} s   peak RSS per process (MiB) {' '.join(f'{r:.0f}' for r in rss)}   stages (s): {stages}")
PY
}
for round in $(seq "$rounds"); do
    echo "round $round"
    run alone alone "$work/t2.json"
    run np1-t1 1 "$work/t1.json"
    run np2-t1 2 "$work/t1.json"
done | tee "$work/times"
awk '$1 ~ /^(alone|np1-t1|np2-t1)$/ { t[$1] = t[$1] " " $3 } END { for (n in t) print "wall seconds " n ":" t[n] }' "$work/times" | sort
echo "after: load average $(cut -d' ' -f1-3 /proc/loadavg)"
gcc -std=c11 -O2 -ISources/CMPI/include Benchmarks/mpi/allreduce.c Sources/CMPI/bp_mpi.c -o "$work/allreduce"
"${mpirun[@]}" -np 2 "$work/allreduce" 2178 2000
