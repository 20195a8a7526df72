"""Python anchors of Benchmarks/scale/run: pandas read_csv, numpy loadtxt, numpy full-batch
epochs of the 32-64-1 logistic network with MSE, in place (preallocated buffers, out=), and the
same epochs in torch on the CPU as a torch user writes them (nn.Sequential, autograd, SGD).
Usage: anchors.py pandas|loadtxt|numpy64|numpy32|torch64|torch32 DATA.csv [EPOCHS [THREADS]]
Prints "train_seconds N" for the epoch anchors (the epochs alone, data already in memory)."""
import sys
import time

import numpy as np


def read_pandas(path):
    import pandas as pd
    return pd.read_csv(path, dtype=np.float64, engine="c").to_numpy()


def epochs(path, count, dtype):
    table = read_pandas(path).astype(dtype, copy=False)
    x, y = np.ascontiguousarray(table[:, :32]), np.ascontiguousarray(table[:, 32:33])
    del table
    n = x.shape[0]
    rng = np.random.default_rng(1)
    w1 = (rng.standard_normal((32, 64)) * 0.1).astype(dtype)
    w2 = (rng.standard_normal((64, 1)) * 0.1).astype(dtype)
    h = np.empty((n, 64), dtype)
    o = np.empty((n, 1), dtype)
    dh = np.empty((n, 64), dtype)
    rate = dtype(0.5 / n)
    start = time.perf_counter()
    for _ in range(count):
        np.matmul(x, w1, out=h)
        np.negative(h, out=h); np.exp(h, out=h); h += 1; np.reciprocal(h, out=h)          # sigmoid
        np.matmul(h, w2, out=o)
        np.negative(o, out=o); np.exp(o, out=o); o += 1; np.reciprocal(o, out=o)
        delta = o                                                                         # (o - y) o (1 - o)
        err = o - y
        delta *= (1 - o); delta *= err
        g2 = h.T @ delta
        np.matmul(delta, w2.T, out=dh)
        dh *= h; h *= -1; h += 1; dh *= h                                                 # h (1 - h)
        g1 = x.T @ dh
        w2 -= rate * g2
        w1 -= rate * g1
    print(f"train_seconds {time.perf_counter() - start:.4f}")


def torch_epochs(path, count, dtype_name, threads):
    import warnings
    import torch
    warnings.filterwarnings("ignore", message="The given NumPy array is not writable")  # only read
    torch.set_num_threads(threads)
    dtype = getattr(torch, dtype_name)
    table = torch.from_numpy(read_pandas(path)).to(dtype)
    x, y = table[:, :32].contiguous(), table[:, 32:33].contiguous()
    del table
    torch.manual_seed(1)
    model = torch.nn.Sequential(torch.nn.Linear(32, 64), torch.nn.Sigmoid(), torch.nn.Linear(64, 1), torch.nn.Sigmoid()).to(dtype)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
    start = time.perf_counter()
    for _ in range(count):
        optimizer.zero_grad(set_to_none=False)
        loss = torch.nn.functional.mse_loss(model(x), y)
        loss.backward()
        optimizer.step()
    print(f"train_seconds {time.perf_counter() - start:.4f}")


def main():
    kind, path = sys.argv[1], sys.argv[2]
    count = int(sys.argv[3]) if len(sys.argv) > 3 else 5
    if kind == "pandas":
        print(read_pandas(path).shape)
    elif kind == "loadtxt":
        print(np.loadtxt(path, delimiter=",", skiprows=1).shape)
    elif kind == "numpy64":
        epochs(path, count, np.float64)
    elif kind == "numpy32":
        epochs(path, count, np.float32)
    elif kind in ("torch64", "torch32"):
        torch_epochs(path, count, "float64" if kind == "torch64" else "float32", int(sys.argv[4]) if len(sys.argv) > 4 else 1)
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main()
