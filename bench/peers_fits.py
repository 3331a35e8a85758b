"""The framework-driven runs of bench/peers.py: PyTorch's nn + autograd + optim
loop, Keras 3 `fit` on TensorFlow, scikit-learn's and backprop's
MLPClassifier `fit` — each from the same initial weights (the course's W[l],
b[l], put into the framework's own layout) over the same batches in order.

Each returns (seconds, final params in the course's layout, cost of the last
forward pass or None). A fit is warmed up first (a short fit: tracing,
allocation), then its weights and optimiser state reset before the timed run.
"""
import time
import warnings

import numpy as np

from peers_loops import batches, cost_of


def run_torch_autograd(w, threads):
    import torch

    torch.set_num_threads(threads)
    X, Y = torch.from_numpy(w["X"].T.copy()), torch.from_numpy(w["Y"].T.copy())
    sizes = [p.shape for p in w["P"][0::2]]
    layers = []
    for i, (n_out, n_in) in enumerate(sizes):
        layers.append(torch.nn.Linear(n_in, n_out, dtype=X.dtype))
        if i < len(sizes) - 1:
            layers.append(torch.nn.ReLU())
    net = torch.nn.Sequential(*layers)
    lin = [m for m in net if isinstance(m, torch.nn.Linear)]
    if w["softmax"]:
        target = Y.argmax(dim=1)
        loss_fn = lambda z, s, n: torch.nn.functional.cross_entropy(z, target[s:s + n])  # noqa: E731
    else:
        loss_fn = lambda z, s, n: torch.nn.functional.binary_cross_entropy_with_logits(z, Y[s:s + n])  # noqa: E731

    def reset():
        with torch.no_grad():
            for l, m in enumerate(lin):
                m.weight.copy_(torch.from_numpy(w["P"][2 * l]))
                m.bias.copy_(torch.from_numpy(w["P"][2 * l + 1][:, 0]))
        if w["opt"] == "sgd":
            return torch.optim.SGD(net.parameters(), lr=w["lr"])
        return torch.optim.Adam(net.parameters(), lr=w["lr"], betas=(w["beta1"], w["beta2"]), eps=w["eps"])

    def epochs(opt, units):
        for _ in range(units):
            for s, n in batches(X.shape[0], w["batch"]):
                opt.zero_grad(set_to_none=True)
                loss = loss_fn(net(X[s:s + n]), s, n)
                loss.backward()
                opt.step()
        return float(loss)

    epochs(reset(), 1)
    opt = reset()
    t0 = time.perf_counter()
    last = epochs(opt, w["units"])
    secs = time.perf_counter() - t0
    P = []
    for m in lin:
        P += [m.weight.detach().numpy().copy(), m.bias.detach().numpy()[:, None].copy()]
    return secs, P, last


def run_keras(w, threads):
    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(threads)
    tf.config.threading.set_inter_op_parallelism_threads(threads)
    import keras

    keras.config.set_floatx(str(w["X"].dtype))
    X, Y = w["X"].T.copy(), w["Y"].T.copy()
    sizes = [p.shape[0] for p in w["P"][0::2]]
    model = keras.Sequential([keras.Input((X.shape[1],))] + [
        keras.layers.Dense(n, activation="relu" if i < len(sizes) - 1 else ("softmax" if w["softmax"] else "sigmoid"))
        for i, n in enumerate(sizes)])
    opt = (keras.optimizers.SGD(learning_rate=w["lr"]) if w["opt"] == "sgd" else
           keras.optimizers.Adam(learning_rate=w["lr"], beta_1=w["beta1"], beta_2=w["beta2"], epsilon=w["eps"]))
    model.compile(optimizer=opt, loss="categorical_crossentropy" if w["softmax"] else "binary_crossentropy")
    init = [a for W, b in zip(w["P"][0::2], w["P"][1::2]) for a in (W.T, b[:, 0])]
    model.set_weights(init)
    opt.build(model.trainable_variables)
    opt_init = [v.numpy() for v in opt.variables]  # its step count, moments and learning rate
    bl = batches(X.shape[0], w["batch"])
    k = bl[0][1] + bl[-1][1] if len(bl) > 1 else bl[0][1]  # both batch shapes traced
    model.fit(X[:k], Y[:k], batch_size=w["batch"], epochs=1, shuffle=False, verbose=0)
    model.set_weights(init)
    for v, v0 in zip(opt.variables, opt_init):
        v.assign(v0)
    t0 = time.perf_counter()
    h = model.fit(X, Y, batch_size=w["batch"], epochs=w["units"], shuffle=False, verbose=0)
    secs = time.perf_counter() - t0
    ws = model.get_weights()
    P = [a for i in range(0, len(ws), 2) for a in (ws[i].T.copy(), ws[i + 1][:, None].copy())]
    return secs, P, float(h.history["loss"][-1])


def run_tf_loop(w, threads):
    """A hand-written TensorFlow loop: tf.GradientTape in a tf.function per
    batch size, the update written out (SGD, or Adam as the other loops)."""
    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(threads)
    tf.config.threading.set_inter_op_parallelism_threads(threads)
    X, Y = tf.constant(w["X"].T.copy()), tf.constant(w["Y"].T.copy())
    fresh = lambda: [[tf.Variable(f(p.T if p.shape[1] > 1 else p[:, 0])) for p in w["P"]]  # noqa: E731
                     for f in (np.copy, np.zeros_like, np.zeros_like)]
    L = len(w["P"]) // 2

    def step(P, M, V, s, t, n):
        Xb, Yb = X[s:s + n], Y[s:s + n]
        with tf.GradientTape() as tape:
            A = Xb
            for l in range(L):
                A = A @ P[2 * l] + P[2 * l + 1]
                A = tf.nn.relu(A) if l < L - 1 else A
            if w["softmax"]:
                loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(Yb, A))
            else:
                loss = tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(Yb, A))
        G = tape.gradient(loss, P)
        if w["opt"] == "sgd":
            for p, g in zip(P, G):
                p.assign_sub(w["lr"] * g)
            return loss
        c2 = tf.sqrt(1 - w["beta2"] ** t)
        a, e = w["lr"] * c2 / (1 - w["beta1"] ** t), w["eps"] * c2
        for p, g, m, v in zip(P, G, M, V):
            m.assign(w["beta1"] * m + (1 - w["beta1"]) * g)
            v.assign(w["beta2"] * v + (1 - w["beta2"]) * g * g)
            p.assign_sub(a * m / (tf.sqrt(v) + e))
        return loss

    bl = batches(X.shape[0], w["batch"])
    dt = w["X"].dtype
    fns = {n: tf.function(lambda P, M, V, s, t, n=n: step(P, M, V, s, t, n)) for n in {n for _, n in bl}}
    P, M, V = fresh()
    for s, n in {n: (s, n) for s, n in bl}.values():  # warm-up: trace each batch size
        fns[n](P, M, V, tf.constant(s), tf.constant(1, dt))
    P, M, V = fresh()
    t, t0 = 0, time.perf_counter()
    for _ in range(w["units"]):
        for s, n in bl:
            t += 1
            loss = fns[n](P, M, V, tf.constant(s), tf.constant(t, dt))
    last = float(loss)
    secs = time.perf_counter() - t0
    out = [p.numpy() for p in P]
    return secs, [a.T.copy() if a.ndim == 2 else a[:, None].copy() for a in out], last


def run_mlp(w, threads, which):
    """scikit-learn's MLPClassifier or backprop's (`which`), warm-started from
    the shared weights: a one-epoch fit on a slice sets the classes and the
    layout up, the shared weights replace its own, and the timed fit starts
    there with a fresh optimiser (scikit-learn's warm_start)."""
    X, Y = w["X"].T.copy(), w["Y"]
    y = Y.argmax(axis=0) if w["softmax"] else Y[0].astype(np.int64)
    hidden = tuple(p.shape[0] for p in w["P"][0:-2:2])
    kw = dict(hidden_layer_sizes=hidden, activation="relu", solver="adam" if w["opt"] == "adam" else "sgd",
              alpha=0.0, batch_size=w["batch"], learning_rate_init=w["lr"], max_iter=w["units"], shuffle=False,
              tol=0.0, momentum=0.0, nesterovs_momentum=False, warm_start=True, random_state=0)
    if w["opt"] == "adam":
        kw.update(beta_1=w["beta1"], beta_2=w["beta2"], epsilon=w["eps"])
    if which == "backprop":
        import backprop

        if w["opt"] == "sgd" and w["batch"] >= X.shape[0]:
            kw["solver"] = "gd"  # full batch: the same updates, on the library's full-batch road
        clf = backprop.MLPClassifier(n_iter_no_change=np.inf, n_threads=threads, **kw)
    else:
        from sklearn.neural_network import MLPClassifier

        clf = MLPClassifier(n_iter_no_change=10**9, **kw)
    k = min(X.shape[0], 2000)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clf.set_params(max_iter=1).fit(X[:k], y[:k])
        clf.set_params(max_iter=w["units"])
        clf.coefs_ = [np.ascontiguousarray(W.T) for W in w["P"][0::2]]
        clf.intercepts_ = [b[:, 0].copy() for b in w["P"][1::2]]
        t0 = time.perf_counter()
        clf.fit(X, y)
        secs = time.perf_counter() - t0
    P = [a for W, b in zip(clf.coefs_, clf.intercepts_) for a in (np.asarray(W).T.copy(), np.asarray(b)[:, None])]
    return secs, P, float(clf.loss_curve_[-1])


def final_cost(P, X, Y):
    """The cost at the final weights over the whole set (f64)."""
    A = X.astype(np.float64)
    L = len(P) // 2
    for l in range(L):
        Z = P[2 * l].astype(np.float64) @ A + P[2 * l + 1].astype(np.float64)
        if l < L - 1:
            A = np.maximum(Z, 0)
        elif Y.shape[0] == 1:
            A = 1 / (1 + np.exp(-Z))
        else:
            e = np.exp(Z - Z.max(axis=0, keepdims=True))
            A = e / e.sum(axis=0, keepdims=True)
    return cost_of(A, Y)
