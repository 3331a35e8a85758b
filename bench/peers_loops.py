"""The hand-written training loops of bench/peers.py: one forward/backward/update
written once over a small table of array operations, run with numpy, PyTorch
(no autograd: the gradients written out, updates in place) and JAX (the
whole step jitted, compiled ahead of the timed loop).

Layout is the course's: X is n_x × m, W[l] is n[l] × n[l-1], b[l] is n[l] × 1.
Hidden layers ReLU; the output a sigmoid (one unit) or a softmax (several), with
cross-entropy, so dZ[L] = A[L] − Y. Mini-batches are contiguous column slices
taken in order. Nothing here imports a framework at module level.
"""
import time

import numpy as np


def forward_backward(o, P, Xb, Yb, inv):
    """Gradients of the mean cross-entropy over the batch, and A[L]."""
    L = len(P) // 2
    A, cache = Xb, []
    for l in range(L):
        Z = P[2 * l] @ A + P[2 * l + 1]
        cache.append((A, Z))
        A = o.relu(Z) if l < L - 1 else o.out(Z)
    dZ = A - Yb
    G = [None] * len(P)
    for l in reversed(range(L)):
        G[2 * l] = (dZ @ cache[l][0].T) * inv
        G[2 * l + 1] = o.sum1(dZ) * inv
        if l > 0:
            dZ = (P[2 * l].T @ dZ) * o.gt0(cache[l - 1][1])
    return G, A


def cost_of(AL, Y):
    """The course's cost of one forward pass (f64, in numpy)."""
    AL, Y = np.asarray(AL, dtype=np.float64), np.asarray(Y, dtype=np.float64)
    eps = 1e-12
    if AL.shape[0] == 1:
        return float(-np.mean(Y * np.log(AL + eps) + (1 - Y) * np.log(1 - AL + eps)))
    return float(-np.sum(Y * np.log(AL + eps)) / AL.shape[1])


def batches(m, bs):
    return [(s, min(bs, m - s)) for s in range(0, m, bs)]


class Ops:
    """relu, the output activation, the step mask and the row sum, per library."""

    def __init__(self, lib, softmax):
        if lib == "torch":
            import torch

            self.relu, self.gt0 = torch.relu, (lambda z: (z > 0).to(z.dtype))
            self.sum1 = lambda a: a.sum(dim=1, keepdim=True)
            sm = lambda z: torch.softmax(z, dim=0)  # noqa: E731
            self.out = sm if softmax else torch.sigmoid
            return
        xp = np
        if lib == "jax":
            import jax.numpy as xp  # noqa: F811
        self.relu, self.gt0 = (lambda z: xp.maximum(z, 0)), (lambda z: (z > 0).astype(z.dtype))
        self.sum1 = lambda a: a.sum(axis=1, keepdims=True)

        def softmax_(z):
            e = xp.exp(z - z.max(axis=0, keepdims=True))
            return e / e.sum(axis=0, keepdims=True)

        self.out = softmax_ if softmax else (lambda z: 1 / (1 + xp.exp(-z)))


def adam_scalars(cfg, t):
    """The course's bias-corrected Adam as one step size and one epsilon:
    p -= lr·m̂/(√v̂ + ε) = a·m/(√v + e) with a = lr·√(1−β₂ᵗ)/(1−β₁ᵗ), e = ε·√(1−β₂ᵗ)."""
    c2 = np.sqrt(1 - cfg["beta2"] ** t)
    return cfg["lr"] * c2 / (1 - cfg["beta1"] ** t), cfg["eps"] * c2


def run_eager(lib, w, threads):
    """numpy or PyTorch: the loop in Python, updates in place. Returns
    (seconds, final params as numpy, cost of the last forward pass)."""
    if lib == "torch":
        import torch

        torch.set_num_threads(threads)
        conv = torch.from_numpy
        sqrt = torch.sqrt
        ctx = torch.no_grad
    else:
        conv, sqrt = (lambda a: a), np.sqrt
        import contextlib

        ctx = contextlib.nullcontext
    o = Ops(lib, w["softmax"])
    X, Y = conv(w["X"]), conv(w["Y"])
    with ctx():
        _eager_epochs(o, [conv(p.copy()) for p in w["P"]], X, Y, w, sqrt, units=1)  # warm-up
        P = [conv(p.copy()) for p in w["P"]]
        t0 = time.perf_counter()
        AL, Yb = _eager_epochs(o, P, X, Y, w, sqrt, units=w["units"])
        secs = time.perf_counter() - t0
    return secs, [np.asarray(p) for p in P], cost_of(AL, Yb)


def _eager_epochs(o, P, X, Y, w, sqrt, units):
    M = [p * 0 for p in P] if w["opt"] == "adam" else None
    V = [p * 0 for p in P] if w["opt"] == "adam" else None
    t = 0
    for _ in range(units):
        for s, n in batches(X.shape[1], w["batch"]):
            Xb, Yb = X[:, s:s + n], Y[:, s:s + n]
            G, AL = forward_backward(o, P, Xb, Yb, 1.0 / n)
            t += 1
            if M is None:
                for p, g in zip(P, G):
                    p -= w["lr"] * g
                continue
            a, e = adam_scalars(w, t)
            for p, g, m, v in zip(P, G, M, V):
                m *= w["beta1"]
                m += (1 - w["beta1"]) * g
                v *= w["beta2"]
                v += (1 - w["beta2"]) * (g * g)
                p -= a * m / (sqrt(v) + e)
    return AL, Yb


def run_jax(w, threads, use_grad=False):
    """The step jitted and compiled per batch size before timing; `use_grad`
    takes the gradients from jax.grad of the cost instead of writing them out."""
    import jax
    import jax.numpy as jnp
    from jax import lax

    o = Ops("jax", w["softmax"])

    def grads(P, Xb, Yb, n):
        if not use_grad:
            return forward_backward(o, P, Xb, Yb, 1.0 / n)

        def cost(P):
            A = Xb
            for l in range(len(P) // 2):
                Z = P[2 * l] @ A + P[2 * l + 1]
                A = o.relu(Z) if l < len(P) // 2 - 1 else Z
            if w["softmax"]:
                return -jnp.sum(Yb * jax.nn.log_softmax(A, axis=0)) / n, jax.nn.softmax(A, axis=0)
            return jnp.mean(jnp.logaddexp(0, A) - Yb * A), jax.nn.sigmoid(A)

        G, AL = jax.grad(cost, has_aux=True)(P)
        return G, AL

    def step(state, X, Y, start, t, n):
        P, M, V = state
        Xb = lax.dynamic_slice_in_dim(X, start, n, axis=1)
        Yb = lax.dynamic_slice_in_dim(Y, start, n, axis=1)
        G, AL = grads(list(P), Xb, Yb, n)
        if w["opt"] == "sgd":
            return (tuple(p - w["lr"] * g for p, g in zip(P, G)), M, V), AL
        c2 = jnp.sqrt(1 - w["beta2"] ** t)
        a, e = w["lr"] * c2 / (1 - w["beta1"] ** t), w["eps"] * c2
        M = tuple(w["beta1"] * m + (1 - w["beta1"]) * g for m, g in zip(M, G))
        V = tuple(w["beta2"] * v + (1 - w["beta2"]) * g * g for v, g in zip(V, G))
        P = tuple(p - a * m / (jnp.sqrt(v) + e) for p, m, v in zip(P, M, V))
        return (P, M, V), AL

    return _jax_time(w, jax.jit(step, static_argnums=(5,), donate_argnums=(0,)))


def _jax_time(w, jitted):
    import jax
    import jax.numpy as jnp

    X, Y = jnp.asarray(w["X"]), jnp.asarray(w["Y"])
    fresh = lambda: tuple(tuple(jnp.asarray(f(p)) for p in w["P"]) for f in (np.copy, np.zeros_like, np.zeros_like))  # noqa: E731
    bl = batches(w["X"].shape[1], w["batch"])
    dt = w["X"].dtype
    compiled = {n: jitted.lower(fresh(), X, Y, 0, np.asarray(1, dt), n).compile() for n in {n for _, n in bl}}
    state = fresh()
    state, _ = compiled[bl[0][1]](state, X, Y, 0, np.asarray(1, dt))  # warm-up
    jax.block_until_ready(state)
    state = fresh()
    jax.block_until_ready((state, X, Y))
    t, t0 = 0, time.perf_counter()
    for _ in range(w["units"]):
        for s, n in bl:
            t += 1
            state, AL = compiled[n](state, X, Y, s, np.asarray(t, dt))
    jax.block_until_ready(state)
    secs = time.perf_counter() - t0
    s, n = bl[-1]
    return secs, [np.asarray(p) for p in state[0]], cost_of(AL, w["Y"][:, s:s + n])
