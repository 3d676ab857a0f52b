"""Lanczos in float64 vs float32 on MNIST kNN graphs, side by side.

``solve_lanczos`` iterates in float32 from ``LANCZOS_FLOAT32_MIN`` nodes on.
This script measures what that costs and gains on the graphs the layer
builds: the kNN graph (k=10, ``(A + A^T) / 2``) of ``n`` MNIST images (raw
pixels / 255, neighbours by the ``"ivf"`` search), for the 11 eigenvectors
of the spectral-embedding benchmark and the 64 of SA-Net's layers. For each:
wall and CPU time of each precision, the largest residual
``|A u - mu u|``, the largest eigenvalue difference and the distance between
the two eigenvector subspaces (spectral norm of the difference of the
projectors, leaving out the last vector, whose cut can fall inside a
cluster of eigenvalues).

Usage::

    OMP_NUM_THREADS=1 \\
        python -m benchmarks.timing.spectral_solvers [--n 20000 70000] [--out FILE]
"""

import argparse
import time

import numpy as np

from benchmarks._common import Report, load


def _graph(n):
    from sklearn_specclust.spectral._graphs import knn_graph
    from sklearn_specclust.spectral._laplacian import normalized_affinity
    from sklearn_specclust.spectral._neighbors import NeighborIndex

    X, _ = load("mnist", "all")
    X = np.ascontiguousarray(X[:n].reshape(n, -1), dtype=np.float32) / 255.0
    X = np.unique(X, axis=0)
    _, ind = NeighborIndex(X, algorithm="ivf", random_state=0).query(X, 10)
    return normalized_affinity(knn_graph(ind, 10))[0]


def _solve(A, k, float32):
    from sklearn_specclust.spectral import _solvers

    saved = _solvers.LANCZOS_FLOAT32_MIN
    _solvers.LANCZOS_FLOAT32_MIN = 0 if float32 else A.shape[0] + 1
    try:
        t0, c0 = time.perf_counter(), time.process_time()
        mu, U = _solvers.solve_lanczos(A, k, 0)
        return mu, U, time.perf_counter() - t0, time.process_time() - c0
    finally:
        _solvers.LANCZOS_FLOAT32_MIN = saved


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, nargs="+", default=[20000, 70000])
    ap.add_argument("--k", type=int, nargs="+", default=[11, 64])
    ap.add_argument("--out", default=None)
    args = ap.parse_args(argv)
    report = Report("Lanczos float64 vs float32 on MNIST kNN graphs",
                    "wall times are inflated; CPU times less so")
    emit = report.emit
    emit("| nodes | eigenvectors | float64 s (CPU s) | float32 s (CPU s) | CPU time ratio "
         "32/64 | max residual 64 / 32 | max eigenvalue diff | subspace distance |")
    emit("|---|---|---|---|---|---|---|---|")
    for n in args.n:
        A = _graph(n)
        for k in args.k:
            mu64, U64, w64, c64 = _solve(A, k, False)
            mu32, U32, w32, c32 = _solve(A, k, True)
            r64 = np.linalg.norm(A @ U64 - U64 * mu64, axis=0).max()
            r32 = np.linalg.norm(A @ U32 - U32 * mu32, axis=0).max()
            P, Q = U64[:, : k - 1], U32[:, : k - 1]
            dist = np.linalg.norm(Q @ (Q.T @ P) - P, 2)
            emit(f"| {A.shape[0]} | {k} | {w64:.1f} ({c64:.1f}) | {w32:.1f} ({c32:.1f}) | "
                 f"{c32 / c64:.2f} | {r64:.1e} / {r32:.1e} | "
                 f"{np.abs(mu64 - mu32).max():.1e} | {dist:.1e} |")
    report.save(args.out)


if __name__ == "__main__":
    main()
