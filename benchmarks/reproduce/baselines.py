"""Baseline clusterers on MNIST, side by side in one run.

SC-ST (self-tuning, dense and kNN) and SC-LS (landmarks) of
``sklearn_specclust.cluster`` against scikit-learn's ``KMeans`` and
``SpectralClustering(affinity="nearest_neighbors")`` on the MNIST test set
(10,000 images, raw pixels / 255), then SC-LS and KMeans on all 70,000 images
(the setting of Chen & Cai). Prints a Markdown table: ACC (Hungarian), NMI,
ARI, wall time, and time as a ratio of scikit-learn's SpectralClustering.

Run from the repository root::

    export SPECCLUST_DATA=/path/to/data   # holds mnist/*.gz
    OMP_NUM_THREADS=2 python -m benchmarks.reproduce.baselines \
        --out benchmarks/results/baselines_mnist.md

``--quick`` uses 2,000 test images and skips the 70k rows (a smoke run).
"""

import argparse
import sys
import time

import numpy as np
from sklearn.cluster import KMeans, SpectralClustering

from benchmarks._common import clustering_scores, load, save
from sklearn_specclust.cluster import (
    LandmarkSpectralClustering,
    SelfTuningSpectralClustering,
)

# Numbers quoted for reference only (not measured here).
PUBLISHED = [
    ("SC-LS (LSC-K, p=1000, r=5)", "MNIST 70k", "~0.78",
     "Chen & Cai 2011, as quoted in the project brief"),
]


def _methods(seed, n_samples):
    yield "KMeans (sklearn, n_init=10)", KMeans(n_clusters=10, n_init=10, random_state=seed)
    yield (
        "SpectralClustering (sklearn, kNN k=10)",
        SpectralClustering(
            n_clusters=10,
            affinity="nearest_neighbors",
            n_neighbors=10,
            assign_labels="kmeans",
            random_state=seed,
        ),
    )
    yield (
        "SC-ST dense (K=7)",
        SelfTuningSpectralClustering(n_clusters=10, random_state=seed),
    )
    yield (
        "SC-ST kNN (K=7, 15-NN graph)",
        SelfTuningSpectralClustering(n_clusters=10, affinity="knn", random_state=seed),
    )
    yield (
        "SC-LS k-means landmarks (p=1000, r=5)",
        LandmarkSpectralClustering(n_clusters=10, random_state=seed),
    )
    yield (
        "SC-LS k-means landmarks, paper's plain embedding",
        LandmarkSpectralClustering(
            n_clusters=10, normalize_embedding=False, random_state=seed
        ),
    )
    yield (
        "SC-LS random landmarks (p=1000, r=5)",
        LandmarkSpectralClustering(
            n_clusters=10, landmark_selection="random", random_state=seed
        ),
    )


def _run(name, est, X, y, data_name):
    start = time.perf_counter()
    labels = est.fit_predict(X)
    seconds = time.perf_counter() - start
    acc, nmi, ari, _ = clustering_scores(y, labels)
    row = dict(method=name, data=data_name, acc=acc, nmi=nmi, ari=ari, seconds=seconds)
    print(
        f"  {name:<42} {data_name:<10} ACC {row['acc']:.4f}  NMI {row['nmi']:.4f}  "
        f"ARI {row['ari']:.4f}  {seconds:8.1f} s",
        file=sys.stderr,
        flush=True,
    )
    return row


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--quick", action="store_true", help="2k test images, no 70k rows")
    parser.add_argument("--out", default=None, help="also write the table to this file")
    args = parser.parse_args(argv)

    X_test, y_test = load("mnist", "test")
    X_test = X_test.reshape(len(X_test), -1).astype(np.float32) / 255.0
    if args.quick:
        X_test, y_test = X_test[:2000], y_test[:2000]
    test_name = f"MNIST {len(X_test) // 1000}k test"

    rows = []
    for name, est in _methods(args.seed, len(X_test)):
        rows.append(_run(name, est, X_test, y_test, test_name))
    if not args.quick:
        X_all, y_all = load("mnist", "all")
        X_all = X_all.reshape(len(X_all), -1).astype(np.float32) / 255.0
        for name, est in _methods(args.seed, len(X_all)):
            if name.startswith(("KMeans", "SC-LS")):
                rows.append(_run(name, est, X_all, y_all, "MNIST 70k"))

    def _reference(prefix):
        return {r["data"]: r["seconds"] for r in rows if r["method"].startswith(prefix)}

    ref_kmeans, ref_spectral = _reference("KMeans"), _reference("SpectralClustering")
    out = [
        "# Baseline clusterers on MNIST",
        "",
        "Data: raw pixels / 255, test set and all 70,000 images. ACC is the Hungarian-matched "
        "accuracy. Times are only comparable within this table (the ratio columns).",
        "",
        "| method | data | ACC | NMI | ARI | time (s) | time / KMeans | "
        "time / sklearn SpectralClustering |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]

    def _ratio(seconds, ref):
        return f"{seconds / ref:.2f}" if ref else "not run"

    for r in rows:
        out.append(
            f"| {r['method']} | {r['data']} | {r['acc']:.4f} | {r['nmi']:.4f} | "
            f"{r['ari']:.4f} | {r['seconds']:.1f} | "
            f"{_ratio(r['seconds'], ref_kmeans.get(r['data']))} | "
            f"{_ratio(r['seconds'], ref_spectral.get(r['data']))} |"
        )
    out += ["", "Published numbers, for reference (not measured here):", "",
            "| method | data | ACC | source |", "| --- | --- | ---: | --- |"]
    out += [f"| {m} | {d} | {a} | {src} |" for m, d, a, src in PUBLISHED]
    save(args.out, "\n".join(out))


if __name__ == "__main__":
    main()
