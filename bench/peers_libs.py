"""Names each peer's version and the kernel library its products run on, as the
library itself reports it (torch.__config__.show(), threadpoolctl for numpy's
and scipy's BLAS, TensorFlow's build info, jaxlib's version)."""
import re


def _blas():
    from threadpoolctl import threadpool_info

    return "; ".join(f"{d['internal_api']} {d['version']} ({d.get('architecture') or '?'})"
                     for d in threadpool_info() if d.get("user_api") == "blas") or "no BLAS found"


def _torch():
    import torch

    show = torch.__config__.show()
    blas = re.search(r"BLAS_INFO=(\w+)", show)
    mkl = re.search(r"Math Kernel Library Version ([\w.\-]+)", show)
    dnn = re.search(r"MKL-DNN (v[\d.]+)", show)
    cap = re.search(r"CPU capability usage: (\w+)", show)
    return (f"torch {torch.__version__}: BLAS {blas.group(1) if blas else '?'}"
            f"{' ' + mkl.group(1) if mkl else ''}, oneDNN {dnn.group(1) if dnn else '?'}, "
            f"{cap.group(1) if cap else '?'} kernels")


def _tf():
    import os

    import keras
    import tensorflow as tf

    onednn = os.environ.get("TF_ENABLE_ONEDNN_OPTS", "1") != "0"
    cuda = tf.sysconfig.get_build_info().get("is_cuda_build")
    return (f"keras {keras.__version__} on tensorflow-cpu {tf.__version__} (Eigen"
            f"{' + oneDNN custom ops' if onednn else ''}; cuda build: {cuda})")


def _jax():
    import jax
    import jaxlib

    return f"jax {jax.__version__} / jaxlib {jaxlib.__version__}: XLA:CPU ({jax.devices()[0].platform})"


def describe(peer):
    try:
        if peer in ("torch", "torch-autograd"):
            return _torch()
        if peer in ("keras", "tf"):
            return _tf()
        if peer in ("jax", "jax-grad"):
            return _jax()
        import numpy as np

        if peer == "numpy":
            return f"numpy {np.__version__}: {_blas()}"
        if peer == "sklearn":
            import sklearn

            return f"scikit-learn {sklearn.__version__} (numpy {np.__version__}, scipy): {_blas()}"
        import backprop

        return f"backprop {backprop.__version__}: faer (its own products; run-time SIMD dispatch)"
    except Exception as e:  # the description never stops a run
        return f"? ({e!r:.80})"
