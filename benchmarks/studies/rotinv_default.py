"""The rotation-invariant default against the thesis preset and scikit-learn.

On randomly rotated MNIST test images without the digit 9 and rotated
Fashion-MNIST test images (``make_rotated``, the thesis's protocol), one
table per data set: ACC / NMI / ARI, fit_predict time and the peak resident
memory of a fresh process for

* ``make_rotinv_inr(k, random_state=0)``: the default (canonical views +
  orbit spectral clustering, no training),
* ``make_rotinv_inr(k, preset="kwon-thesis", encoder__max_epochs=E)``: the
  thesis's encoder and k-means, stopped after ``E`` epochs (50 take hours on
  two cores),
* scikit-learn ``KMeans(k, n_init=10)`` and ``SpectralClustering(k,
  affinity="nearest_neighbors")`` on the rotated pixels,

then one timing of the default on ``--timing-n`` rotated MNIST test images
(all ten digits: MNIST's test set holds 8,991 images that are not a 9).

Run from the repository root::

    OMP_NUM_THREADS=1 PYTHONPATH=. python -m benchmarks.studies.rotinv_default --n 2000
"""

import argparse
import multiprocessing
import os
import platform
import resource
import subprocess
import sys
import time

import numpy as np

from benchmarks._common import Report, clustering_scores

METHODS = ("default", "kwon-thesis", "kmeans-pixels", "spectral-pixels")


def _data(name, n):
    from sklearn_specclust.datasets import load_fashion_mnist, load_mnist, make_rotated

    load = load_fashion_mnist if name == "fashion" else load_mnist
    X, y = load("test", return_X_y=True, download=False)
    drop = (9,) if name == "mnist" else None  # "mnist-all" keeps the 9s
    # rotate a few more than n so that n remain after dropping the 9s
    m = min(len(X), int(n * 1.2) + 10)
    Xr, yr, _ = make_rotated(X[:m], y[:m], random_state=0, drop_classes=drop)
    return Xr[:n].astype(np.float32) / 255.0, yr[:n]


def _model(method, k, epochs):
    from sklearn.cluster import KMeans, SpectralClustering

    from sklearn_specclust.inr import make_rotinv_inr

    if method == "default":
        return make_rotinv_inr(k, random_state=0)
    if method == "kwon-thesis":
        return make_rotinv_inr(k, preset="kwon-thesis", random_state=0,
                               encoder__max_epochs=epochs)
    if method == "kmeans-pixels":
        return KMeans(k, n_init=10, random_state=0)
    return SpectralClustering(k, affinity="nearest_neighbors", n_neighbors=10,
                              assign_labels="kmeans", random_state=0)


def _run(method, dataset, n, epochs, queue):
    """In a fresh process: fit_predict, its time, and the process's peak RSS."""
    X, y = _data(dataset, n)
    k = len(np.unique(y))
    model = _model(method, k, epochs)
    if not method.endswith("pixels"):
        import torch  # noqa: F401  (its import is not part of the timing)
    rows = X.reshape(len(X), -1) if method.endswith("pixels") else X
    t0 = time.perf_counter()
    labels = model.fit_predict(rows)
    seconds = time.perf_counter() - t0
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    queue.put((labels, seconds, peak_mib, y))


def measure(method, dataset, n, epochs):
    """``(labels, seconds, peak MiB, y)`` of one method, run in its own process."""
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_run, args=(method, dataset, n, epochs, queue))
    proc.start()
    result = queue.get()
    proc.join()
    return result


def _stamp(report):
    import scipy
    import sklearn
    import torch

    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"],
                                capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        commit = "unknown"
    report.emit("Reproduce: `OMP_NUM_THREADS=1 PYTHONPATH=. python -m "
                f"benchmarks.studies.rotinv_default {' '.join(sys.argv[1:])}`")
    report.emit(f"Commit: {commit}; numpy {np.__version__}, scipy {scipy.__version__}, "
                f"scikit-learn {sklearn.__version__}, torch {torch.__version__}, "
                f"Python {platform.python_version()}.")
    report.emit()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000, help="test images per data set")
    parser.add_argument("--thesis-epochs", type=int, default=3)
    parser.add_argument("--timing-n", type=int, default=10000,
                        help="rotated MNIST images for the default's timing (0: skip)")
    parser.add_argument("--datasets", nargs="+", default=["mnist", "fashion"],
                        choices=["mnist", "fashion"])
    parser.add_argument("--out", default="benchmarks/results/rotinv_default.md")
    args = parser.parse_args(argv)

    report = Report("Rotation-invariant default against the thesis preset and "
                    "scikit-learn", "a machine shared with other jobs; times are wall clock")
    _stamp(report)
    names = {
        "default": "`make_rotinv_inr(k)` (default)",
        "kwon-thesis": f"`preset=\"kwon-thesis\"`, {args.thesis_epochs} epochs",
        "kmeans-pixels": "scikit-learn KMeans on pixels",
        "spectral-pixels": "scikit-learn SpectralClustering (kNN, k=10) on pixels",
    }
    for dataset in args.datasets:
        title = ("rotated MNIST test images without 9" if dataset == "mnist"
                 else "rotated Fashion-MNIST test images")
        report.emit(f"## {title}, first {args.n}")
        report.emit()
        report.emit("| method | ACC | NMI | ARI | fit_predict s | peak RSS MiB | load |")
        report.emit("| --- | --- | --- | --- | --- | --- | --- |")
        for method in METHODS:
            labels, seconds, peak, y = measure(method, dataset, args.n, args.thesis_epochs)
            acc, nmi, ari, _ = clustering_scores(y, labels)
            report.emit(f"| {names[method]} | {acc:.3f} | {nmi:.3f} | {ari:.3f} | "
                        f"{seconds:.1f} | {peak:.0f} | {os.getloadavg()[0]:.1f} |")
        report.emit()
    if args.timing_n:
        labels, seconds, peak, y = measure("default", "mnist-all", args.timing_n, 0)
        acc, nmi, _, _ = clustering_scores(y, labels)
        report.emit(f"## The default on {len(y)} rotated MNIST test images (all ten digits, "
                    f"k={len(np.unique(y))})")
        report.emit()
        report.emit(f"fit_predict {seconds:.1f} s, peak RSS {peak:.0f} MiB, ACC {acc:.3f}, "
                    f"NMI {nmi:.3f}; load average {os.getloadavg()[0]:.1f} at the end.")
    report.save(args.out)


if __name__ == "__main__":
    main()
