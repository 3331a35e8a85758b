# The course's update rules (Improving Deep Neural Networks, week 2), on a tiny case.
import numpy as np
W0 = np.array([[1.0, -2.0], [0.5, 3.0]])
G = [np.array([[0.1, -0.2], [0.3, 0.4]]), np.array([[-0.5, 0.25], [0.05, -0.1]]), np.array([[0.2, 0.2], [-0.3, 0.1]])]
lr = 0.01
def show(name, W): print(name, [repr(float(v)) for v in W.ravel()])
W = W0.copy()
for g in G: W = W - lr * g
show("gd", W)
W = W0.copy(); v = np.zeros_like(W); beta = 0.9
for g in G:
    v = beta * v + (1 - beta) * g; W = W - lr * v
show("momentum", W)
W = W0.copy(); s = np.zeros_like(W); b2 = 0.999; eps = 1e-8
for g in G:
    s = b2 * s + (1 - b2) * g**2; W = W - lr * g / (np.sqrt(s) + eps)
show("rmsprop", W)
W = W0.copy(); v = np.zeros_like(W); s = np.zeros_like(W); b1 = 0.9
for t, g in enumerate(G, 1):
    v = b1 * v + (1 - b1) * g; s = b2 * s + (1 - b2) * g**2
    vc = v / (1 - b1**t); sc = s / (1 - b2**t)
    W = W - lr * vc / (np.sqrt(sc) + eps)
show("adam", W)
