"""Shared helpers of the SA-Net benchmarks: IDX reading and clustering scores.

Used until the ``found`` branch's ``load_mnist`` / ``clustering_report`` land;
reads the IDX files under ``$SPECCLUST_DATA/{mnist,fashion-mnist}``.
"""

import gzip
import os
import resource
import time
from pathlib import Path

import numpy as np
from scipy.optimize import linear_sum_assignment
from sklearn.metrics import (
    adjusted_rand_score,
    fowlkes_mallows_score,
    normalized_mutual_info_score,
)


def _read_idx(path):
    with gzip.open(path, "rb") as fh:
        data = fh.read()
    ndim = data[3]
    shape = tuple(int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(shape)


def load(name="mnist", subset="test"):
    """Images (n, 28, 28) uint8 and labels of MNIST or Fashion-MNIST."""
    root = Path(os.environ.get("SPECCLUST_DATA", Path(__file__).parents[2] / "shared" / "data"))
    prefix = {"test": "t10k", "train": "train"}
    parts = [subset] if subset != "all" else ["train", "test"]
    X, y = [], []
    for part in parts:
        X.append(_read_idx(root / name / f"{prefix[part]}-images-idx3-ubyte.gz"))
        y.append(_read_idx(root / name / f"{prefix[part]}-labels-idx1-ubyte.gz"))
    return np.concatenate(X), np.concatenate(y).astype(int)


def accuracy(y, labels):
    """Clustering accuracy: best one-to-one map of clusters to classes."""
    y = np.asarray(y)
    labels = np.asarray(labels)
    k = max(y.max(), labels.max()) + 1
    C = np.zeros((k, k), dtype=np.int64)
    np.add.at(C, (labels, y), 1)
    r, c = linear_sum_assignment(-C)
    return C[r, c].sum() / len(y)


def scores(y, labels):
    """ACC, NMI, ARI and FS (Fowlkes-Mallows) as a dict."""
    return dict(
        ACC=accuracy(y, labels),
        NMI=normalized_mutual_info_score(y, labels),
        ARI=adjusted_rand_score(y, labels),
        FS=fowlkes_mallows_score(y, labels),
    )


def peak_rss_gib():
    """Peak resident memory of this process so far, GiB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20


class Timer:
    def __enter__(self):
        self.t0 = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.t0
