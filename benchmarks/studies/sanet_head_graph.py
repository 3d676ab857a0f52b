"""SA-Net's spectral head on a self-tuning kNN graph instead of its own.

The default head (:class:`~sklearn_specclust.sanet.SpectralHead`) clusters
the eigenvectors of a kNN graph (10 neighbours) of the images' SA-Net
features. Issue 13 lists the head's graph (self-tuning scales) among the
directions to try. :class:`~sklearn_specclust.inr.OrbitSpectralClustering`
with one view is spectral clustering on the self-tuning kNN graph of
Zelnik-Manor and Perona (weights ``exp(-d^2 / (sigma_i sigma_j))``,
random-walk eigenvectors, the same consensus choice of how many), so it
is compared as the head, with 10 neighbours and with its ``"auto"``
(``round(log2 n)``) neighbours, on the same features.

Training images only (the choice): rows [0:10000] and [10000:20000] of the
MNIST and Fashion-MNIST training sets, seeds 0 and 1; each seed drives the
network (``make_sanet(10, random_state=seed)`` up to its head) and the head.

Usage::

    OMP_NUM_THREADS=2 python -m benchmarks.studies.sanet_head_graph \\
        --out benchmarks/results/sanet_head_graph_train.md
"""

import argparse

import numpy as np

from benchmarks._common import Report, accuracy, load, sanet_features, timed_fit_predict

SLICES = ((0, 10000), (10000, 20000))


def heads(k, seed):
    """``(label, estimator)`` of every head compared."""
    from sklearn_specclust.inr import OrbitSpectralClustering
    from sklearn_specclust.sanet import SpectralHead

    return [
        ("SpectralHead (the default)", SpectralHead(k, random_state=seed)),
        ("self-tuning kNN, 10 neighbours",
         OrbitSpectralClustering(k, n_neighbors=10, random_state=seed)),
        ("self-tuning kNN, log2(n) neighbours", OrbitSpectralClustering(k, random_state=seed)),
    ]


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--datasets", nargs="+", default=["mnist", "fashion"],
                   choices=("mnist", "fashion"))
    p.add_argument("--seeds", nargs="+", type=int, default=[0, 1])
    p.add_argument("--out", default=None)
    args = p.parse_args(argv)

    rep = Report("SA-Net's head on a self-tuning kNN graph (train)",
                 "one process; the network is fitted once per data set and seed, each head "
                 "on its features (head seconds only)")
    titles = [label for label, _ in heads(10, 0)]
    rep.emit("| data | seed | " + " | ".join(titles) + " |")
    rep.emit("| --- | --- | " + " | ".join("---" for _ in titles) + " |")
    accs = {}
    for name in args.datasets:
        X_all, y_all = load(name, "train")
        for start, stop in SLICES:
            X, y = X_all[start:stop], y_all[start:stop]
            for seed in args.seeds:
                F, _ = sanet_features(X, 10, seed)
                cells = []
                for label, est in heads(10, seed):
                    labels, sec = timed_fit_predict(est, F)
                    a = accuracy(y, labels)
                    accs.setdefault((name, label), []).append(a)
                    cells.append(f"{a:.4f} ({sec:.1f} s)")
                rep.emit(f"| {name} train [{start}:{stop}] | {seed} | " + " | ".join(cells)
                         + " |")
    rep.emit()
    rep.emit("| head | " + " | ".join(args.datasets) + " | mean |")
    rep.emit("| --- | " + " | ".join("---" for _ in args.datasets) + " | --- |")
    for label in titles:
        means = [np.mean(accs[(n, label)]) for n in args.datasets]
        rep.emit(f"| {label} | " + " | ".join(f"{m:.4f}" for m in means)
                 + f" | {np.mean(means):.4f} |")
    rep.save(args.out)


if __name__ == "__main__":
    main()
