#!/usr/bin/env bash
# Allreduce cost per training step on this machine (shared memory between processes), for the
# gradient of a 32→64→1 network (2,177 doubles) and larger ones; -np 2 and 4.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=$(mktemp -d); trap 'rm -rf "$out"' EXIT
gcc -std=c11 -O2 -ISources/CMPI/include Benchmarks/mpi/allreduce.c Sources/CMPI/bp_mpi.c -o "$out/allreduce"
for np in 2 4; do
    for count in 2177 65536 1048576; do
        mpirun --allow-run-as-root --oversubscribe -np "$np" "$out/allreduce" "$count" $((count > 100000 ? 200 : 2000))
    done
done
