"""The default SA-Net on the same images at other sizes.

``make_sanet(k)`` derives its patch size, stride, padding and pooling from the
image size seen in ``fit`` (``PatchFeatures`` with ``"auto"`` geometry),
so that one call serves 8x8 digits and large photographs. This study checks
that the derivation holds the accuracy when only the size changes: the first
``--n`` MNIST and Fashion-MNIST test images are resized (bilinear,
``scipy.ndimage.zoom``) to each of ``--sizes`` (``HxW``, non-square allowed)
and clustered by the default call, beside k-means on the resized pixels.
Nothing is chosen here; the default is fixed.

Usage::

    OMP_NUM_THREADS=1 python -m benchmarks.studies.sanet_sizes --n 5000 --seeds 0 1 \\
        --out benchmarks/results/sanet_sizes.md
"""

import argparse
import os

import numpy as np

from benchmarks._common import Report, accuracy, load, timed_fit_predict

SIZES = ("14x14", "20x20", "28x28", "40x40", "56x56", "84x84", "112x112", "28x40")


def resized(X, height, width):
    """Images ``X`` (n, h, w) in [0, 1] resized to ``(height, width)`` (bilinear)."""
    from scipy.ndimage import zoom

    h, w = X.shape[1:]
    if (h, w) == (height, width):
        return X
    out = np.stack([zoom(x, (height / h, width / w), order=1) for x in X])
    if out.shape[1:] != (height, width):  # zoom rounds the output size
        raise RuntimeError(f"zoom gave {out.shape[1:]}, not {(height, width)}")
    return np.clip(out, 0.0, 1.0).astype(np.float32)


def main(argv=None):
    from sklearn.cluster import KMeans

    from sklearn_specclust import make_sanet
    from sklearn_specclust.sanet._patches import auto_geometry

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--datasets", nargs="+", default=["mnist", "fashion"],
                   choices=("mnist", "fashion"))
    p.add_argument("--n", type=int, default=5000)
    p.add_argument("--sizes", nargs="+", default=list(SIZES))
    p.add_argument("--seeds", nargs="+", type=int, default=[0, 1])
    p.add_argument("--out", default=None)
    args = p.parse_args(argv)

    rep = Report("The default SA-Net on resized images",
                 f"one process, OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', 'unset')}; "
                 "seconds are one fit_predict each")
    rep.emit(f"The first {args.n} test images of each data set, resized; ACC per seed "
             f"({', '.join(map(str, args.seeds))}) and its mean. 'patch, step, padding' is "
             "what the default derives from the size; k-means: scikit-learn KMeans "
             "(n_init=10) on the resized pixels, same seeds.")
    rep.emit()
    rep.emit("| data | size | patch, step, padding | make_sanet(k) ACC per seed | mean | "
             "k-means ACC (mean) | make_sanet s (mean) |")
    rep.emit("| --- | --- | --- | --- | --- | --- | --- |")
    for name in args.datasets:
        X, y = load(name, "test")
        X, y = (X[: args.n] / 255.0).astype(np.float32), y[: args.n]
        k = len(np.unique(y))
        for size in args.sizes:
            height, width = (int(v) for v in size.split("x"))
            Xs = resized(X, height, width)
            accs, secs, km = [], [], []
            for seed in args.seeds:
                labels, sec = timed_fit_predict(make_sanet(k, random_state=seed), Xs)
                accs.append(accuracy(y, labels))
                secs.append(sec)
                km.append(accuracy(y, KMeans(k, n_init=10, random_state=seed).fit_predict(
                    Xs.reshape(len(Xs), -1))))
            geometry = ", ".join(map(str, auto_geometry(height, width)))
            rep.emit(f"| {name} | {size} | {geometry} | "
                     + " / ".join(f"{a:.4f}" for a in accs)
                     + f" | {np.mean(accs):.4f} | {np.mean(km):.4f} | {np.mean(secs):.1f} |")
    rep.emit()
    rep.save(args.out)


if __name__ == "__main__":
    main()
