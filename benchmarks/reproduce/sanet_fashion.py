"""SA-Net on Fashion-MNIST: the paper's "natural" preset at depth 2, 3 and 5.

Side by side in one run on the first ``--n`` Fashion-MNIST test images
(pixels / 255): k-means and scikit-learn ``SpectralClustering`` (kNN) on
pixels, ``make_sanet(preset="natural", depth=d)`` for each depth with the
paper's k-means head and with the spectral head (15 eigenvectors), and our
one-layer ``"mnist-plus"`` preset with the spectral head. Prints ACC, NMI,
ARI, FS and the fit time; ``--out`` also writes the table.

    OMP_NUM_THREADS=2 python -m benchmarks.reproduce.sanet_fashion \
        --n 1000 --out benchmarks/results/sanet_fashion.md
"""

import argparse
import time
import warnings

import numpy as np
from sklearn.cluster import KMeans, SpectralClustering

from benchmarks._common import clustering_scores, clustering_table, print_and_save
from sklearn_specclust.datasets import load_fashion_mnist
from sklearn_specclust.sanet import make_sanet


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--depths", type=int, nargs="+", default=[2, 3, 5])
    ap.add_argument("--max-nodes", type=int, default=None,
                    help="layer*__max_nodes of the natural networks (default: the layer's)")
    ap.add_argument("--out", default=None)
    args = ap.parse_args(argv)
    X, y = load_fashion_mnist("test", return_X_y=True)
    X = X[: args.n].astype(np.float32) / 255.0
    y = np.asarray(y[: args.n])
    rows = []

    def run(name, make, data):
        t = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            labels = make().fit_predict(data)
        s = time.perf_counter() - t
        rows.append((name, *clustering_scores(y, labels), s))
        print(f"{name}: ACC {rows[-1][1]:.3f} ({s:.0f} s)", flush=True)

    flat = X.reshape(len(X), -1)
    run("k-means (pixels)", lambda: KMeans(10, n_init=10, random_state=0), flat)
    run("SpectralClustering kNN k=10 (pixels)", lambda: SpectralClustering(
        10, affinity="nearest_neighbors", n_neighbors=10, random_state=0), flat)
    for d in args.depths:
        over = {}
        if args.max_nodes:
            over = {f"layer{i}__max_nodes": args.max_nodes for i in range(1, d + 1)}
        run(f'SA-Net-{d}, preset "natural" (paper), k-means',
            lambda d=d, over=over: make_sanet(10, preset="natural", depth=d, random_state=0,
                                              **over), X)
        run(f'SA-Net-{d}, preset "natural", spectral head (15)',
            lambda d=d, over=over: make_sanet(10, preset="natural", depth=d, head="spectral",
                                               embed__n_components=15, random_state=0, **over), X)
    run('preset "mnist-plus" (ours), spectral head (15)',
        lambda: make_sanet(10, preset="mnist-plus", head="spectral", embed__n_components=15,
                           random_state=0), X)

    text = [
        f"# SA-Net on Fashion-MNIST test (first {args.n} images): the \"natural\" preset at "
        "depth " + ", ".join(map(str, args.depths)), "",
        "Times are only comparable within this table.", "",
        *clustering_table(rows),
    ]
    print_and_save(text, args.out)


if __name__ == "__main__":
    main()
