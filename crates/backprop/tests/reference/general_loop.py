# Two epochs of the general loop in numpy: mini-batches of 4 (in order, no
# shuffle) of a 3-4-1 tanh/sigmoid net, Adam (course defaults) with L2
# (λ = 0.1: cost + λ/(2·mb)·Σ‖W‖², dW + (λ/mb)·W), α = 0.01.
# Prints the epoch costs (Σ batch cost × batch size / m) and the final parameters.
import numpy as np
X = np.array([[0.5, -1.2, 0.3, 2.0, -0.7, 1.1, 0.0, -1.5, 0.8, 0.25],
              [1.5, 0.4, -0.9, 0.1, 0.6, -2.0, 1.2, 0.3, -0.4, 0.9],
              [-0.3, 0.8, 1.4, -1.1, 0.2, 0.5, -0.6, 1.0, 0.7, -1.3]])
Y = np.array([[1, 0, 1, 0, 1, 0, 0, 1, 1, 0]], dtype=float)
P = {"W1": np.array([[0.2, -0.4, 0.1], [0.5, 0.3, -0.2], [-0.1, 0.6, 0.4], [0.3, -0.5, 0.2]]),
     "b1": np.array([[0.01], [-0.02], [0.03], [0.0]]),
     "W2": np.array([[0.7, -0.3, 0.5, -0.6]]),
     "b2": np.array([[0.05]])}
lam, lr, b1, b2, eps, bs = 0.1, 0.01, 0.9, 0.999, 1e-8, 4
v = {k: np.zeros_like(p) for k, p in P.items()}
s = {k: np.zeros_like(p) for k, p in P.items()}
t = 0
m = X.shape[1]
for epoch in range(2):
    total = 0.0
    for k0 in range(0, m, bs):
        x, y = X[:, k0:k0 + bs], Y[:, k0:k0 + bs]
        mb = x.shape[1]
        Z1 = P["W1"] @ x + P["b1"]; A1 = np.tanh(Z1)
        Z2 = P["W2"] @ A1 + P["b2"]; A2 = 1 / (1 + np.exp(-Z2))
        cost = -np.mean(y * np.log(A2) + (1 - y) * np.log(1 - A2))
        cost += lam / (2 * mb) * (np.sum(P["W1"] ** 2) + np.sum(P["W2"] ** 2))
        dZ2 = A2 - y
        g = {"W2": dZ2 @ A1.T / mb + lam / mb * P["W2"], "b2": dZ2.sum(axis=1, keepdims=True) / mb}
        dZ1 = (P["W2"].T @ dZ2) * (1 - A1 ** 2)
        g["W1"] = dZ1 @ x.T / mb + lam / mb * P["W1"]
        g["b1"] = dZ1.sum(axis=1, keepdims=True) / mb
        t += 1
        for k in ["W1", "b1", "W2", "b2"]:
            v[k] = b1 * v[k] + (1 - b1) * g[k]
            s[k] = b2 * s[k] + (1 - b2) * g[k] ** 2
            P[k] = P[k] - lr * (v[k] / (1 - b1 ** t)) / (np.sqrt(s[k] / (1 - b2 ** t)) + eps)
        total += cost * mb
    print("epoch", epoch, repr(float(total / m)))
for k in ["W1", "b1", "W2", "b2"]:
    print(k, [repr(float(a)) for a in P[k].ravel()])
