"""Writes the fuzz targets' seed corpora into fuzz/corpus/<target>/: small real
files of each format (numpy, h5py and Pillow for the arrays and pictures; the
backprop binary, 3 iterations on the iris CSV, for a model folder and a
checkpoint). Run once from the repository root; the seeds are committed.

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


def main(binary):
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
