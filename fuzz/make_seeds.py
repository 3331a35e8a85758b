"""Writes the fuzz targets' seed corpora into fuzz/corpus/<target>/: small real
files of each format (numpy, h5py and Pillow for the arrays and pictures; the
backprop binary, 3 iterations on the iris CSV, for a model folder and a
checkpoint; HTTP requests for the playground). Run once from the repository
root; the seeds are committed.

    target/py-venv/bin/python fuzz/make_seeds.py target/release/backprop
"""

import gzip
import io
import os
import shutil
import struct
import subprocess
import sys
import tempfile

import h5py
import numpy as np
from PIL import Image

SEP = b"\n--next-file--\n"
ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")


def put(target, name, data):
    d = os.path.join(ROOT, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def npy_bytes(a):
    b = io.BytesIO()
    np.save(b, a)
    return b.getvalue()


def npz_bytes(compressed, **arrays):
    b = io.BytesIO()
    (np.savez_compressed if compressed else np.savez)(b, **arrays)
    return b.getvalue()


def idx_bytes(a, dims):
    return bytes([0, 0, 8, dims]) + struct.pack(">" + "I" * dims, *a.shape) + a.tobytes()


def request(method, path, body=b"", *headers):
    """One HTTP request to the playground as the seeds' server (port 8000) reads it."""
    head = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1:8000", *headers]
    if body and not any(h.lower().startswith(("content-length", "transfer-encoding")) for h in headers):
        head.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


def playground_seeds():
    """The playground target's seeds: requests as the page and curl send them, and hostile ones."""
    json_t, csv_t = "Content-Type: application/json", "Content-Type: text/csv"
    origin = "Origin: http://127.0.0.1:8000"
    settings = (b'{"dataset": "gauss", "classes": 3, "points": 40, "noise": 0.1, "train_fraction": 0.5, '
                b'"features": [0, 1], "hidden": [4, 3], "activation": ["tanh", "relu"], "init": "he", '
                b'"learning_rate": 0.1, "optimizer": "adam", "batch_size": 8, "l2": 0.01, "keep_prob": 0.9, '
                b'"seed": 3, "epochs": 100, "paused": true}')
    csv = b"x1,x2,label\n0,0,0\n1,1,1\n0,1,0\n1,0,1\n"
    seeds = {
        "page": request("GET", "/"),
        "head": request("HEAD", "/app.js"),
        "run": request("POST", "/api/runs", settings, json_t, origin),
        "run-upload": request("POST", "/api/runs", b'{"dataset": "upload", "upload": "u1-0"}', json_t),
        "step": request("POST", "/api/runs/r1-0/step", b'{"epochs": 3}', json_t + "; charset=utf-8"),
        "upload": request("POST", "/api/uploads", csv, csv_t, origin),
        "upload-names": request("POST", "/api/uploads", b",a,b,label\n0,1,2,x\n1,3,4,y\n2,5,6,x\n3,7,8,y\n", csv_t),
        "upload-wide": request("POST", "/api/uploads", ",".join(f"c{j}" for j in range(300)).encode() + b",label\n", csv_t),
        "huge-length": request("POST", "/api/runs", b"", json_t, "Content-Length: 1000000000000"),
        "short-body": request("POST", "/api/runs", b"{}", json_t, "Content-Length: 50"),
        "chunked": request("POST", "/api/uploads", b"5\r\nx,lab\r\n0\r\n\r\n", csv_t, "Transfer-Encoding: chunked"),
        "continue": request("POST", "/api/runs", b"{}", json_t, "Expect: 100-continue"),
        "foreign": request("POST", "/api/runs", b"{}", "Content-Type: text/plain", "Origin: null"),
        "two-lengths": request("POST", "/api/runs", b"{}", json_t, "Content-Length: 2", "Content-Length: 3"),
        "http2": b"GET / HTTP/2.0\r\nHost: 127.0.0.1:8000\r\n\r\n",
        "no-colon": b"\r\nGET / HTTP/1.1\nHost 127.0.0.1:8000\n\n",
    }
    for name, data in seeds.items():
        put("playground", name, data)


def main(binary):
    playground_seeds()
    rng = np.random.default_rng(1)
    # CSV: numbers, names, a missing cell, an index column.
    put("csv", "numbers.csv", b"a,b,label\n0.1,2,0\n0.3,1e-3,1\n-4,5.5,0\n")
    put("csv", "names.csv", b"colour,size,label\nred,1.5,cat\nblue,2,dog\nred,,cat\n")
    put("csv", "index.csv", b",x1,x2,label\n0,1,2,a\n1,3,4,b\n2,5,6,c\n")
    # npy/npz: x (m, n) and y.
    x = rng.random((4, 3))
    y = np.array([0.0, 1.0, 0.0, 1.0])
    # npy: x.npy, the separator, y.npy.
    put("npy", "f8", npy_bytes(x) + SEP + npy_bytes(y))
    u8 = (rng.random((4, 2, 2)) * 255).astype(np.uint8)
    put("npy", "u8", npy_bytes(u8) + SEP + npy_bytes(y.astype(np.int64)))
    put("npz", "stored.npz", npz_bytes(False, x=x, y=y))
    put("npz", "deflated.npz", npz_bytes(True, x=x.astype(np.float32), y=y.astype(np.int64)))
    # IDX: 3 pictures of 2 × 2, labels; the images file, the separator, the labels file.
    imgs = (rng.random((3, 2, 2)) * 255).astype(np.uint8)
    labels = np.array([0, 1, 0], dtype=np.uint8)
    put("idx", "plain", idx_bytes(imgs, 3) + SEP + idx_bytes(labels, 1))
    # HDF5 as the course's files: uint8 pictures, int64 labels, classes; one contiguous, one chunked+gzip.
    for name, kw in [("course.h5", {}), ("chunked.h5", {"chunks": True, "compression": "gzip"})]:
        b = io.BytesIO()
        with h5py.File(b, "w") as f:
            f.create_dataset("train_set_x", data=(rng.random((3, 2, 2, 3)) * 255).astype(np.uint8), **kw)
            f.create_dataset("train_set_y", data=np.array([0, 1, 1], dtype=np.int64), **kw)
            f.create_dataset("list_classes", data=np.array([b"non-cat", b"cat"]))
        put("hdf5", name, b.getvalue())
    # Pictures: a tiny PNG (RGB and grey+alpha) and a JPEG.
    for name, mode, fmt in [("rgb.png", "RGB", "PNG"), ("la.png", "LA", "PNG"), ("rgb.jpg", "RGB", "JPEG")]:
        b = io.BytesIO()
        Image.new(mode, (3, 2), (120, 200, 30)[: len(mode)]).save(b, fmt)
        put("picture", name, b.getvalue())
    # A model folder and a checkpoint from a 3-iteration run.
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    iris = os.path.join(here, "crates/backprop-cli/tests/data/iris_train.csv")
    tmp = tempfile.mkdtemp()
    try:
        run = os.path.join(tmp, "run")
        subprocess.run(
            [binary, "train", "--train", iris, "--label-column", "target", "--hidden", "3", "--iterations", "3",
             "--optimizer", "adam", "--checkpoint-every", "1", "--out", run],
            check=True, stdout=subprocess.DEVNULL)
        read = lambda n: open(os.path.join(run, n), "rb").read()
        put("model", "iris", read("model.json") + SEP + read("model.safetensors"))
        put("checkpoint", "iris-adam", read("checkpoint.safetensors"))
    finally:
        shutil.rmtree(tmp)


if __name__ == "__main__":
    main(sys.argv[1])
