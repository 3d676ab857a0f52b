"""Neighbour searches on MNIST: recall@k against exact search, and time, side by side.

Two settings, each searched by ``NeighborIndex`` with ``"brute"`` (exact,
scikit-learn), ``"pca"`` (every node scored on 96 principal components, the
best re-ranked exactly) and ``"ivf"`` (the same, scoring only the nodes of
the 24 nearest of n/64 k-means cells), in one process:

* *graph*: the 10k MNIST test images (raw pixels / 255) as nodes, each
  queried for its k nearest nodes (what ``fit`` does);
* *out of sample*: 20,000 training images as nodes, the 10k test images as
  queries (what ``transform`` does).

For each: build and query wall time and CPU time, and recall@10 and
recall@32 (k=32 is what SA-Net's epsilon procedures ask) against exact
search.

Usage::

    OMP_NUM_THREADS=1 \\
        python -m benchmarks.timing.spectral_neighbors [--out FILE]
"""

import argparse
import time

import numpy as np

from benchmarks._common import Report, load


def _load(split, n):

    X, _ = load("mnist", split)
    rng = np.random.RandomState(0)
    idx = np.sort(rng.choice(len(X), min(n, len(X)), replace=False))
    return np.ascontiguousarray(X[idx].reshape(len(idx), -1), dtype=np.float32) / 255.0


def _recall(found, exact, k):
    return float(np.mean([len(set(a[:k]) & set(b[:k])) / k for a, b in zip(found, exact)]))


def main(argv=None):
    from sklearn_specclust.spectral._neighbors import NeighborIndex

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=None)
    args = ap.parse_args(argv)
    report = Report("Neighbour search on MNIST: recall and time",
                    "wall times are inflated; CPU times less so")
    emit = report.emit
    emit("| setting | search | build s | query s (CPU s) | CPU time vs brute | "
         "recall@10 | recall@32 |")
    emit("|---|---|---|---|---|---|---|")
    test = _load("test", 10000)
    settings = [("graph: 10k test images", test, test),
                ("out of sample: 10k test vs 20k train", _load("train", 20000), test)]
    for name, nodes, queries in settings:
        exact = None
        for algo in ("brute", "pca", "ivf"):
            t0 = time.perf_counter()
            index = NeighborIndex(nodes, algorithm=algo, random_state=0)
            build = time.perf_counter() - t0
            t0, c0 = time.perf_counter(), time.process_time()
            _, ind = index.query(queries, 32)
            wall, cpu = time.perf_counter() - t0, time.process_time() - c0
            if exact is None:
                exact, cpu_brute = ind, cpu
            emit(f"| {name} | {algo} | {build:.1f} | {wall:.1f} ({cpu:.1f}) | "
                 f"{cpu / cpu_brute:.2f} | {_recall(ind, exact, 10):.4f} | "
                 f"{_recall(ind, exact, 32):.4f} |")
    report.save(args.out)


if __name__ == "__main__":
    main()
