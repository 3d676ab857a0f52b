"""k-means baseline: the CLI's model and metrics against an independent computation.

Question: does ``specclust run --model kmeans --dataset D`` report the same
numbers as plain scikit-learn KMeans on pixels scored by a hand-written
Hungarian accuracy? Both paths are run side by side in one process:

* **ours**: ``load_mnist``/``load_digits_images`` -> the registry's
  ``kmeans`` model (``get_model``) -> ``clustering_report``;
* **independent**: the IDX files parsed here with ``gzip`` + ``numpy``
  (for digits: ``sklearn.datasets.load_digits``) -> ``KMeans(n_init=10)`` on
  pixels / max -> ACC from ``linear_sum_assignment`` on a confusion matrix
  built with ``np.add.at``, NMI/ARI from scikit-learn, F-score from pair
  counts written out here.

The IDX reader, accuracy and F-score here are deliberately *not* the
library's (nor :mod:`benchmarks._common`'s): this study is the independent
check of them.

Usage::

    python -m benchmarks.studies.kmeans_baseline \
        [--datasets digits mnist] [--seeds 0 1 2]
"""

import argparse
import gzip
import os
import time
from pathlib import Path

import numpy as np
from scipy.optimize import linear_sum_assignment
from sklearn.cluster import KMeans
from sklearn.datasets import load_digits
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

from benchmarks._common import save
from sklearn_specclust._models import get_model
from sklearn_specclust.datasets import load_digits_images, load_mnist
from sklearn_specclust.metrics import clustering_report


def _read_idx_plain(path):
    with gzip.open(path, "rb") as fh:
        raw = fh.read()
    ndim = raw[3]
    shape = tuple(int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(shape)


def _independent_data(name):
    if name == "digits":
        d = load_digits()
        return d.data.astype(float) / 16.0, d.target
    root = Path(os.environ["SPECCLUST_DATA"]) / "mnist"
    X = _read_idx_plain(root / "t10k-images-idx3-ubyte.gz").reshape(10000, -1) / 255.0
    y = _read_idx_plain(root / "t10k-labels-idx1-ubyte.gz").astype(int)
    return X, y


def _independent_scores(y, labels):
    k_true, k_pred = y.max() + 1, labels.max() + 1
    cm = np.zeros((k_true, k_pred), dtype=np.int64)
    np.add.at(cm, (y, labels), 1)
    r, c = linear_sum_assignment(-cm)
    acc = cm[r, c].sum() / y.size

    def pairs(counts):
        return (counts * (counts - 1) // 2).sum()

    tp = pairs(cm.ravel())
    p = tp / pairs(cm.sum(axis=0))
    rec = tp / pairs(cm.sum(axis=1))
    return dict(acc=acc, nmi=normalized_mutual_info_score(y, labels),
                ari=adjusted_rand_score(y, labels), fs=2 * p * rec / (p + rec))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", nargs="+", default=["digits", "mnist"])
    parser.add_argument("--seeds", nargs="+", type=int, default=[0])
    parser.add_argument("--out", default=None, help="also write the table to this file")
    args = parser.parse_args(argv)
    lines = ["# k-means baseline: CLI model + our metrics vs an independent computation", ""]

    def emit(line):
        print(line, flush=True)
        lines.append(line)


    emit("| data | seed | path | ACC | NMI | ARI | FS | time (s) |")
    emit("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for name in args.datasets:
        if name == "digits":
            X_ours, y_ours = load_digits_images(return_X_y=True)
        else:
            X_ours, y_ours = load_mnist("test", return_X_y=True)
        X_ind, y_ind = _independent_data(name)
        assert np.array_equal(y_ours, y_ind), "labels differ between the two loaders"
        for seed in args.seeds:
            t0 = time.perf_counter()
            lab_ours = get_model("kmeans", n_clusters=10, random_state=seed).fit_predict(X_ours)
            t_ours = time.perf_counter() - t0
            rep = clustering_report(y_ours, lab_ours)

            t0 = time.perf_counter()
            lab_ind = KMeans(n_clusters=10, n_init=10, random_state=seed).fit_predict(X_ind)
            t_ind = time.perf_counter() - t0
            ind = _independent_scores(y_ind, lab_ind)
            cross = _independent_scores(y_ours, lab_ours)

            emit(f"| {name} | {seed} | ours (CLI model + clustering_report) | {rep.acc:.4f} | "
                  f"{rep.nmi:.4f} | {rep.ari:.4f} | {rep.fs:.4f} | {t_ours:.2f} |")
            emit(f"| {name} | {seed} | independent (plain KMeans + own LSA) | {ind['acc']:.4f} | "
                  f"{ind['nmi']:.4f} | {ind['ari']:.4f} | {ind['fs']:.4f} | {t_ind:.2f} |")
            emit(f"| {name} | {seed} | our labels, independent metrics | {cross['acc']:.4f} | "
                  f"{cross['nmi']:.4f} | {cross['ari']:.4f} | {cross['fs']:.4f} | "
                  f"ratio {t_ours / t_ind:.2f} |")
            emit(f"| {name} | {seed} | same labels both paths | "
                  f"{bool(np.array_equal(lab_ours, lab_ind))} | | | | |")

    save(args.out, "\n".join(lines))


if __name__ == "__main__":
    main()
