"""How many eigenvectors should SA-Net's image-level spectral head keep?

The default network's features (``make_sanet`` up to ``flatten``) are computed
once per data set; the :class:`SpectralHead` is then run with a fixed number
of eigenvectors (``n_clusters`` x 1, 1.25, 1.5, 1.75, 2), with
``n_components="auto"`` (the consensus choice among those), and the k-means
head on the same features. Settings are chosen on *training* images (MNIST /
Fashion-MNIST train slices); the bundled digits have no split.

Run::

    OMP_NUM_THREADS=1 PYTHONPATH=. python -m benchmarks.studies.sanet_head \
        --out benchmarks/results/sanet_head.md
"""

import argparse

import numpy as np
from sklearn.cluster import KMeans

from benchmarks._common import Report, clustering_scores, sanet_features
from sklearn_specclust.cluster._consensus import AUTO_FACTORS
from sklearn_specclust.datasets import load_digits_images, load_fashion_mnist, load_mnist
from sklearn_specclust.sanet import SpectralHead


def data_sets(sizes):
    digits = load_digits_images(return_X_y=True)
    yield "digits (all 1797)", digits
    yield "digits (first 300)", (digits[0][:300], digits[1][:300])
    for name, loader in (("MNIST train", load_mnist), ("Fashion train", load_fashion_mnist)):
        X, y = loader("train", return_X_y=True)
        for n in sizes:
            yield f"{name} [{n}:{2 * n}]", (X[n:2 * n], y[n:2 * n])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 4000])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default=None)
    args = parser.parse_args(argv)
    rep = Report("SA-Net image-level head: eigenvectors per cluster",
                 "shared machine; times are indicative only")
    head = " | ".join(f"{f:g}k" for f in AUTO_FACTORS)
    rep.emit(f"| data | n | k-means head | {head} | auto (picked) | features s |")
    rep.emit("| --- | --- | --- | " + " | ".join("---" for _ in AUTO_FACTORS) + " | --- | --- |")
    for name, (X, y) in data_sets(args.sizes):
        k = len(np.unique(y))
        F, seconds = sanet_features(X, k, args.seed)
        accs = [clustering_scores(y, KMeans(k, n_init=10, random_state=args.seed)
                                  .fit_predict(F))[0]]
        for factor in AUTO_FACTORS:
            m = max(k, int(round(factor * k)))
            head = SpectralHead(k, n_components=m, random_state=args.seed)
            accs.append(clustering_scores(y, head.fit_predict(F))[0])
        auto = SpectralHead(k, random_state=args.seed).fit(F)
        picked = f"{clustering_scores(y, auto.labels_)[0]:.3f} ({auto.n_components_})"
        rep.emit(f"| {name} | {len(X)} | " + " | ".join(f"{a:.3f}" for a in accs)
                 + f" | {picked} | {seconds:.0f} |")
    rep.save(args.out)


if __name__ == "__main__":
    main()
