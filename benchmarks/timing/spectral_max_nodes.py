"""The layer's default node budget on 60k MNIST rows, against scikit-learn.

``SpectralAnalysisLayer(n_neighbors=10, eps_scales=(), gaussian_scales=(),
n_components=10)`` then ``KMeans(10)`` on the 60,000 MNIST training images
(pixels / 255): the default ``max_nodes="auto"`` (every node the memory
planner allows), the former default ``max_nodes=20000`` (sampled nodes and
out-of-sample extension) and, unless ``--no-sklearn``, scikit-learn's
``SpectralEmbedding(affinity="nearest_neighbors", n_neighbors=10)`` with
``eigen_solver="amg"``, in one run.

Usage::

    OMP_NUM_THREADS=1 PYTHONPATH=. python -m benchmarks.timing.spectral_max_nodes \\
        [--no-sklearn] [--out FILE]
"""

import argparse
import time
import warnings

import numpy as np
import sklearn
from sklearn.cluster import KMeans

from benchmarks._common import Report
from sklearn_specclust.datasets import load_mnist
from sklearn_specclust.metrics import clustering_accuracy_score
from sklearn_specclust.spectral import SpectralAnalysisLayer


def _acc(y, E):
    labels = KMeans(10, n_init=10, random_state=0).fit_predict(E)
    return clustering_accuracy_score(y, labels)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-sklearn", action="store_true")
    parser.add_argument("--out", default=None)
    args = parser.parse_args(argv)
    X, y = load_mnist("train", return_X_y=True)
    X = X.reshape(len(X), -1).astype(np.float32) / 255.0
    report = Report("SpectralAnalysisLayer node budget on 60k MNIST",
                    "shared machine; times are indicative")
    report.emit(f"scikit-learn {sklearn.__version__}, numpy {np.__version__}, n={len(X)}")
    report.emit()
    report.emit("| method | max_nodes_ | fit_transform s | k-means ACC |")
    report.emit("|---|---|---|---|")
    for max_nodes in ("auto", 20000):
        layer = SpectralAnalysisLayer(n_neighbors=10, eps_scales=(), gaussian_scales=(),
                                      n_components=10, max_nodes=max_nodes, random_state=0)
        t0 = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            E = layer.fit_transform(X)
        t = time.perf_counter() - t0
        report.emit(f"| ours, max_nodes={max_nodes!r} | {layer.max_nodes_} | {t:.1f} | "
                    f"{_acc(y, E):.4f} |")
    if not args.no_sklearn:
        from sklearn.manifold import SpectralEmbedding

        t0 = time.perf_counter()
        E = SpectralEmbedding(10, affinity="nearest_neighbors", n_neighbors=10,
                              eigen_solver="amg", random_state=0).fit_transform(X)
        t = time.perf_counter() - t0
        report.emit(f"| sklearn SpectralEmbedding (amg) | all | {t:.1f} | {_acc(y, E):.4f} |")
    if args.out:
        report.save(args.out)


if __name__ == "__main__":
    main()
