#!/usr/bin/env python3
"""Training at scale, interleaved in one run: a full-batch step of the 32-64-1 sigmoid network
(binary cross-entropy) on ROWS rows of the scale data, this project (float64 and float32, one
and two threads) against numpy's in-place step (float64 and float32, one BLAS thread) and
against the step's GEMMs alone. Prints medians over rounds with the min-max spread, and ratios.
Usage: train_bench.py BENCH DATA ROWS ROUNDS EPOCHS
(BENCH: the train-bench binary; DATA: make_raw.py output.) A step is the median of a run's
epochs after the first (the first also holds the pass at the starting weights).
"""
import os
import statistics
import subprocess
import sys


def step_seconds(line):
    fields = line.split()
    epochs = [float(f) for f in fields if not f.startswith("peak_mib=")]
    peak = next(int(float(f.split("=")[1])) for f in fields if f.startswith("peak_mib="))
    return statistics.median(epochs[1:] or epochs), peak


def run(command, env=None):
    return subprocess.run(command, check=True, capture_output=True, text=True, env=env).stdout.strip()


def main() -> int:
    bench, data, rows, rounds, epochs = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
    here = os.path.dirname(os.path.abspath(__file__))
    one_blas = dict(os.environ, OPENBLAS_NUM_THREADS="1")
    cases = {
        "backprop f64, 1 thread": lambda: step_seconds(run([bench, data, rows, "step", "float64", "1", epochs])),
        "backprop f64, 2 threads": lambda: step_seconds(run([bench, data, rows, "step", "float64", "2", epochs])),
        "backprop f32, 1 thread": lambda: step_seconds(run([bench, data, rows, "step", "float32", "1", epochs])),
        "backprop f32, 2 threads": lambda: step_seconds(run([bench, data, rows, "step", "float32", "2", epochs])),
        "numpy f64 in place, 1 thread": lambda: step_seconds(run(["python3", f"{here}/numpy_step.py", data, rows, "float64", epochs], one_blas)),
        "numpy f32 in place, 1 thread": lambda: step_seconds(run(["python3", f"{here}/numpy_step.py", data, rows, "float32", epochs], one_blas)),
        "the step's 2 GEMMs alone, f64, 1 thread": lambda: (float(run([bench, data, rows, "gemm", "float64"])), 0),
        "the step's 2 GEMMs alone, f32, 1 thread": lambda: (float(run([bench, data, rows, "gemm", "float32"])), 0),
    }
    speeds = {"float64": [], "float32": []}
    results = {name: [] for name in cases}
    for round_ in range(rounds):
        for name, case in cases.items():
            results[name].append(case())
        for precision in speeds:
            speeds[precision].append(float(run([bench, data, rows, "gflops", precision])))
        print(f"round {round_ + 1} of {rounds} done", file=sys.stderr)
    medians = {}
    print(f"| {rows} rows, 32-64-1, full batch | step (median) | spread | peak RSS |")
    print("|---|---|---|---|")
    for name, values in results.items():
        seconds = [s for s, _ in values]
        medians[name] = statistics.median(seconds)
        peak = max(p for _, p in values)
        print(f"| {name} | {medians[name]:.3f} s | {min(seconds):.3f}-{max(seconds):.3f} | {f'{peak} MiB' if peak else ''} |")
    n = int(rows)
    flops = 2 * 2 * n * 32 * 64 + 2 * 2 * n * 64  # x·W1 and xᵀ·δ1, plus the 64-1 layer's two products
    for precision, values in speeds.items():
        gflops = statistics.median(values)
        print(f"| {precision} GEMM speed (1536², 1 thread) | {gflops:.1f} GFLOP/s | {min(values):.1f}-{max(values):.1f} | step's products at that speed: {flops / gflops / 1e9:.3f} s |")
        medians[f"speed {precision}"] = flops / gflops / 1e9
    def ratio(a, b):
        return medians[a] / medians[b]
    print()
    print(f"f64 step / numpy f64 in place: {ratio('backprop f64, 1 thread', 'numpy f64 in place, 1 thread'):.2f} (1 thread), "
          f"{ratio('backprop f64, 2 threads', 'numpy f64 in place, 1 thread'):.2f} (2 threads)")
    print(f"f64 step (1 thread) / its GEMMs alone: {ratio('backprop f64, 1 thread', 'the step' + chr(39) + 's 2 GEMMs alone, f64, 1 thread'):.2f}; "
          f"/ its products at the 1536² GEMM speed: {medians['backprop f64, 1 thread'] / medians['speed float64']:.2f}")
    print(f"f32 step / numpy f32 in place: {ratio('backprop f32, 1 thread', 'numpy f32 in place, 1 thread'):.2f} (1 thread), "
          f"{ratio('backprop f32, 2 threads', 'numpy f32 in place, 1 thread'):.2f} (2 threads)")
    print(f"two threads vs one (step): f64 {ratio('backprop f64, 1 thread', 'backprop f64, 2 threads'):.2f}x, "
          f"f32 {ratio('backprop f32, 1 thread', 'backprop f32, 2 threads'):.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
