"""Convolution, pooling and batch normalisation in numpy, written from the
equations (not from the library's code): one f x f offset (p, q) at a time,
each vectorised over the examples, positions and channels with einsum.

Reads a JSON list of cases on stdin, prints a JSON list of results. Arrays
travel as {"shape": [...], "data": [row-major values]}.
"""
import json
import sys

import numpy as np


def arr(x):
    return np.array(x["data"], dtype=np.float64).reshape(x["shape"])


def out(a):
    a = np.asarray(a, dtype=np.float64)
    return {"shape": list(a.shape), "data": a.ravel().tolist()}


def windows(a_pad, p, q, f, stride, n_h, n_w):
    """A_pad[i, h*s + p, w*s + q, k] for every output (h, w)."""
    return a_pad[:, p:p + stride * (n_h - 1) + 1:stride, q:q + stride * (n_w - 1) + 1:stride, :]


def conv(c):
    a_prev, w, b, dz = arr(c["a_prev"]), arr(c["w"]), arr(c["b"]), arr(c["dz"])
    s, pad = c["stride"], c["pad"]
    m, n_h_prev, n_w_prev, _ = a_prev.shape
    f = w.shape[0]
    n_h = (n_h_prev + 2 * pad - f) // s + 1
    n_w = (n_w_prev + 2 * pad - f) // s + 1
    a_pad = np.pad(a_prev, ((0, 0), (pad, pad), (pad, pad), (0, 0)))
    z = np.zeros((m, n_h, n_w, w.shape[3])) + b
    da_pad = np.zeros_like(a_pad)
    dw = np.zeros_like(w)
    for p in range(f):
        for q in range(f):
            win = windows(a_pad, p, q, f, s, n_h, n_w)
            z += np.einsum("ihwk,kc->ihwc", win, w[p, q])
            dw[p, q] = np.einsum("ihwk,ihwc->kc", win, dz)
            windows(da_pad, p, q, f, s, n_h, n_w)[...] += np.einsum("ihwc,kc->ihwk", dz, w[p, q])
    db = dz.sum(axis=(0, 1, 2)).reshape(1, 1, 1, -1)
    da_prev = da_pad[:, pad:pad + n_h_prev, pad:pad + n_w_prev, :]
    return {"z": out(z), "da_prev": out(da_prev), "dw": out(dw), "db": out(db)}


def pool(c):
    a_prev, da = arr(c["a_prev"]), arr(c["da"])
    f, s, mode = c["f"], c["stride"], c["mode"]
    _, n_h_prev, n_w_prev, _ = a_prev.shape
    n_h, n_w = (n_h_prev - f) // s + 1, (n_w_prev - f) // s + 1
    stack = np.stack([windows(a_prev, p, q, f, s, n_h, n_w) for p in range(f) for q in range(f)])
    da_prev = np.zeros_like(a_prev)
    if mode == "max":
        a = stack.max(axis=0)
        first = stack.argmax(axis=0)  # the first maximum in (p, q) row-major order
        for j in range(f * f):
            windows(da_prev, j // f, j % f, f, s, n_h, n_w)[...] += np.where(first == j, da, 0.0)
    else:
        a = stack.mean(axis=0)
        for j in range(f * f):
            windows(da_prev, j // f, j % f, f, s, n_h, n_w)[...] += da / (f * f)
    return {"a": out(a), "da_prev": out(da_prev)}


def batchnorm(c):
    """Z is n x m (one example per column); gradients of J with dJ/dZ~ = G."""
    z, gamma, beta, g = arr(c["z"]), arr(c["gamma"]), arr(c["beta"]), arr(c["dz_tilde"])
    eps, momentum = c["epsilon"], c["momentum"]
    mu = z.mean(axis=1, keepdims=True)
    var = ((z - mu) ** 2).mean(axis=1, keepdims=True)
    z_norm = (z - mu) / np.sqrt(var + eps)
    z_tilde = gamma * z_norm + beta
    dgamma = (g * z_norm).sum(axis=1, keepdims=True)
    dbeta = g.sum(axis=1, keepdims=True)
    # dZ from the chain rule through mu and var, term by term.
    m = z.shape[1]
    dz_norm = g * gamma
    dvar = (dz_norm * (z - mu)).sum(axis=1, keepdims=True) * -0.5 * (var + eps) ** -1.5
    dmu = -dz_norm.sum(axis=1, keepdims=True) / np.sqrt(var + eps) + dvar * (-2.0 * (z - mu)).mean(axis=1, keepdims=True)
    dz = dz_norm / np.sqrt(var + eps) + dvar * 2.0 * (z - mu) / m + dmu / m
    running_mean = momentum * arr(c["running_mean"]) + (1 - momentum) * mu
    running_var = momentum * arr(c["running_var"]) + (1 - momentum) * var
    predicted = gamma * (z - running_mean) / np.sqrt(running_var + eps) + beta
    return {"z_tilde": out(z_tilde), "dgamma": out(dgamma), "dbeta": out(dbeta), "dz": out(dz),
            "running_mean": out(running_mean), "running_var": out(running_var),
            "predicted": out(predicted)}


OPS = {"conv": conv, "pool": pool, "batchnorm": batchnorm}

if __name__ == "__main__":
    cases = json.load(sys.stdin)
    json.dump([OPS[c["op"]](c) for c in cases], sys.stdout)
