"""The convolution case: one epoch of the same small conv net in backprop and in
PyTorch on the CPU, on the same pictures, from the same initial weights, in the
same mini-batch order, at the same batch size and thread count.

    conv 8×3×3 pad 1 → relu → max pool 2 → conv 16×3×3 pad 1 → relu → max pool 2
    → dense 64 relu → softmax 10, plain gradient descent, batches in order

Each (precision, threads) runs backprop and PyTorch alternately, each run in
its own process timing its training loop alone; the table gives the medians
and both runs' costs after the epoch (which agree to rounding).

    python bench/conv.py --bin target/release/examples/conv_epoch [--reps 3]
        [--m 4096] [--size 32] [--threads 1,2] [--precisions f32,f64]
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

CLASSES = 10


def write(dir_, name, a):
    np.ascontiguousarray(a, dtype="<f8").tofile(os.path.join(dir_, name))


def make_data(dir_, m, size, seed=1):
    """Pictures in [0, 1) whose class is the brightest of ten stripes of
    channel 0, and He-initialised parameters, written as raw f64."""
    rng = np.random.RandomState(seed)
    x = rng.rand(m, size, size, 3)
    stripes = x[:, :, :, 0].reshape(m, size, size)[:, : size // CLASSES * CLASSES]
    labels = stripes.reshape(m, CLASSES, -1).mean(axis=2).argmax(axis=1)
    flat = 16 * (size // 4) ** 2

    def he(*shape):
        # fan-in: f·f·n_C_prev for filters (f, f, n_C_prev, n_C), n[l-1] for a dense W (n[l], n[l-1])
        fan_in = np.prod(shape[:-1]) if len(shape) == 4 else shape[1]
        return rng.randn(*shape) * np.sqrt(2.0 / fan_in)

    params = {
        "w1": he(3, 3, 3, 8), "b1": np.zeros(8),
        "w2": he(3, 3, 8, 16), "b2": np.zeros(16),
        "w3": he(64, flat), "b3": np.zeros(64),
        "w4": he(CLASSES, 64), "b4": np.zeros(CLASSES),
    }
    with open(os.path.join(dir_, "shape.txt"), "w") as f:
        f.write(f"{m} {size} {size} 3 {CLASSES}\n")
    write(dir_, "x.bin", x)
    write(dir_, "labels.bin", labels.astype(np.float64))
    for k, v in params.items():
        write(dir_, k + ".bin", v)


def load(dir_):
    m, h, w, c, k = map(int, open(os.path.join(dir_, "shape.txt")).read().split())
    r = lambda n: np.fromfile(os.path.join(dir_, n + ".bin"), dtype="<f8")
    x = r("x").reshape(m, h, w, c)
    p = {n: r(n) for n in ("w1", "b1", "w2", "b2", "w3", "b3", "w4", "b4")}
    return x, r("labels").astype(np.int64), p, (h, w, c, k)


def torch_epoch(dir_, precision, threads, lr, batch):
    """One epoch in PyTorch (NCHW, its own layout): returns the result line."""
    import torch

    torch.set_num_threads(threads)
    torch.set_num_interop_threads(1)
    dtype = torch.float32 if precision == "f32" else torch.float64
    x, labels, p, (h, w, c, k) = load(dir_)
    nn = torch.nn
    net = nn.Sequential(
        nn.Conv2d(c, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(16 * (h // 4) * (w // 4), 64), nn.ReLU(), nn.Linear(64, k),
    ).to(dtype)
    hq, wq = h // 4, w // 4
    with torch.no_grad():
        # backprop's W is f × f × n_C_prev × n_C, PyTorch's n_C × n_C_prev × f × f;
        # backprop flattens (h, w, c), PyTorch (c, h, w): permute W[1]'s columns.
        net[0].weight.copy_(torch.from_numpy(p["w1"].reshape(3, 3, c, 8).transpose(3, 2, 0, 1).copy()))
        net[0].bias.copy_(torch.from_numpy(p["b1"]))
        net[3].weight.copy_(torch.from_numpy(p["w2"].reshape(3, 3, 8, 16).transpose(3, 2, 0, 1).copy()))
        net[3].bias.copy_(torch.from_numpy(p["b2"]))
        w3 = p["w3"].reshape(64, hq, wq, 16).transpose(0, 3, 1, 2).reshape(64, -1)
        net[7].weight.copy_(torch.from_numpy(w3.copy()))
        net[7].bias.copy_(torch.from_numpy(p["b3"]))
        net[9].weight.copy_(torch.from_numpy(p["w4"].reshape(k, 64)))
        net[9].bias.copy_(torch.from_numpy(p["b4"]))
    xt = torch.from_numpy(x.transpose(0, 3, 1, 2).copy()).to(dtype)
    yt = torch.from_numpy(labels)
    loss_fn = nn.CrossEntropyLoss()
    opt = torch.optim.SGD(net.parameters(), lr=lr)
    m = x.shape[0]
    costs = []
    start = time.perf_counter()
    for lo in range(0, m, batch):
        opt.zero_grad(set_to_none=False)
        loss = loss_fn(net(xt[lo : lo + batch]), yt[lo : lo + batch])
        loss.backward()
        opt.step()
        costs.append(loss.item())
    seconds = time.perf_counter() - start
    with torch.no_grad():
        cost = loss_fn(net(xt), yt).item()
    return {"seconds": seconds, "epoch_cost": float(np.mean(costs)), "cost": cost,
            "precision": precision, "threads": threads}


def one_run(cmd):
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def loadavg():
    return open("/proc/loadavg").read().split()[0]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", help="target/release/examples/conv_epoch")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--m", type=int, default=4096)
    ap.add_argument("--size", type=int, default=32)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--lr", type=float, default=0.05)
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--precisions", default="f32,f64")
    ap.add_argument("--torch-run", nargs=3, metavar=("DIR", "PRECISION", "THREADS"))
    a = ap.parse_args()
    if a.torch_run:
        d, prec, th = a.torch_run
        print(json.dumps(torch_epoch(d, prec, int(th), a.lr, a.batch)))
        return
    with tempfile.TemporaryDirectory(prefix="conv-bench-") as d:
        make_data(d, a.m, a.size)
        print(f"== one epoch, {a.m} pictures {a.size}×{a.size}×3, batch {a.batch}, "
              f"lr {a.lr}; median of {a.reps} alternating runs (seconds); load {loadavg()}")
        print(f"{'precision':>9} {'threads':>7} {'backprop':>9} {'pytorch':>9} {'ratio':>6}"
              f"  {'cost backprop':>14} {'cost pytorch':>14}")
        for prec in a.precisions.split(","):
            for th in map(int, a.threads.split(",")):
                ours = [sys.executable, __file__, "--lr", str(a.lr), "--batch", str(a.batch),
                        "--torch-run", d, prec, str(th)]
                runs = {"backprop": [], "pytorch": []}
                for _ in range(a.reps):
                    runs["backprop"].append(one_run([a.bin, d, prec, str(th), str(a.lr), str(a.batch)]))
                    runs["pytorch"].append(one_run(ours))
                med = {k: statistics.median(r["seconds"] for r in v) for k, v in runs.items()}
                print(f"{prec:>9} {th:>7} {med['backprop']:>9.3f} {med['pytorch']:>9.3f} "
                      f"{med['pytorch'] / med['backprop']:>6.2f}  {runs['backprop'][-1]['cost']:>14.10f} "
                      f"{runs['pytorch'][-1]['cost']:>14.10f}", flush=True)
        print(f"   (ratio = PyTorch's seconds / backprop's: above 1, backprop is faster; load {loadavg()})")


if __name__ == "__main__":
    main()
