"""Which of our SA-Net presets to use on MNIST, chosen on *training* images.

``"mnist-plus"`` (one layer) against ``"natural-plus"`` at depth 2 (chosen on
Fashion-MNIST training images, ``sanet_fashion_plus_explore.md``), each with
the k-means and the 15-eigenvector spectral head, on slices of the MNIST
training set: the choice of preset for the test-set and 70k runs is made
here, not on the images they report.

    OMP_NUM_THREADS=2 python -m benchmarks.studies.sanet_presets_train --starts 0 10000 \
        --out benchmarks/results/sanet_presets_train.md
"""

import argparse
import time

from benchmarks._common import Report, load
from sklearn_specclust.metrics import clustering_accuracy_score
from sklearn_specclust.sanet import make_sanet

VARIANTS = {
    '"mnist-plus", k-means': dict(preset="mnist-plus"),
    '"mnist-plus", spectral head (15)': dict(
        preset="mnist-plus", head="spectral", embed__n_components=15),
    '"natural-plus" depth 2, k-means': dict(preset="natural-plus", depth=2),
    '"natural-plus" depth 2, spectral head (15)': dict(
        preset="natural-plus", depth=2, head="spectral", embed__n_components=15),
}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10000, help="images per slice")
    parser.add_argument("--starts", type=int, nargs="+", default=[0, 10000],
                        help="first training image of each slice")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out")
    args = parser.parse_args(argv)
    X, y = load("mnist", "train")
    rep = Report("SA-Net presets on MNIST training slices (choosing the preset)",
                 "times only comparable within this table")
    header = "| variant | " + " | ".join(
        f"ACC train[{s}:{s + args.n}]" for s in args.starts) + " | mean fit_predict s |"
    rep.emit(header)
    rep.emit("| --- |" + " --- |" * (len(args.starts) + 1))
    for name, kw in VARIANTS.items():
        accs, secs = [], []
        for s in args.starts:
            Xs, ys = X[s:s + args.n], y[s:s + args.n]
            t = time.perf_counter()
            labels = make_sanet(10, random_state=args.seed, **kw).fit_predict(Xs)
            secs.append(time.perf_counter() - t)
            accs.append(clustering_accuracy_score(ys, labels))
        rep.emit(f"| {name} | " + " | ".join(f"{a:.3f}" for a in accs)
                 + f" | {sum(secs) / len(secs):.0f} |")
    rep.emit()
    rep.save(args.out)


if __name__ == "__main__":
    main()
