"""How many eigenvectors should SA-Net's image-level spectral head keep?

The default network's features (``make_sanet`` up to ``flatten``) are computed
once per data set; the head is then run with ``n_clusters``, 1.5x, 2x and
2.5x ``n_clusters`` eigenvectors, and the k-means head on the same features.
Settings are chosen on *training* images (MNIST / Fashion-MNIST train
slices); the bundled digits have no split and are shown for reference.

Run: ``OMP_NUM_THREADS=1 PYTHONPATH=. python -m benchmarks.bench_sanet_head --out benchmarks/results/sanet_head.md``
"""

import argparse
import time
import warnings

import numpy as np
from sklearn.base import clone
from sklearn.cluster import KMeans

from benchmarks._report import Report, clustering_scores
from sklearn_specclust.datasets import load_digits_images, load_fashion_mnist, load_mnist
from sklearn_specclust.sanet import make_sanet

FACTORS = (1.0, 1.5, 2.0, 2.5)


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
    head = " | ".join(f"{f:g}k" for f in FACTORS)
    rep.emit(f"| data | n | k-means head | {head} | features s |")
    rep.emit("| --- | --- | --- | " + " | ".join("---" for _ in FACTORS) + " | --- |")
    for name, (X, y) in data_sets(args.sizes):
        k = len(np.unique(y))
        net = make_sanet(k, random_state=args.seed)
        cut = [n for n, _ in net.steps].index("embed")
        t0 = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            F = net[:cut].fit_transform(X)
        seconds = time.perf_counter() - t0
        accs = [clustering_scores(y, KMeans(k, n_init=10, random_state=args.seed)
                                  .fit_predict(F))[0]]
        for factor in FACTORS:
            head_net = clone(net[cut:]).set_params(
                embed__n_components=max(k, int(round(factor * k))))
            accs.append(clustering_scores(y, head_net.fit_predict(F))[0])
        rep.emit(f"| {name} | {len(X)} | " + " | ".join(f"{a:.3f}" for a in accs)
                 + f" | {seconds:.0f} |")
    rep.save(args.out)


if __name__ == "__main__":
    main()
