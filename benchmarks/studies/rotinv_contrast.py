"""The rotation default with each image's contrast removed or kept.

``make_rotinv_inr(k)`` compares canonical views of the images by Euclidean
distance, so an image's contrast counts: the same digit written lighter, or
scanned at another contrast on a grey ground, lies far from its darker
copy. ``CanonicalViews(contrast="rms")`` scales each image, less its border
level, to unit root-mean-square value before the views; ``contrast=None``
keeps the values. Both are compared on the three versions of
``benchmarks.studies.sanet_padding`` applied after the rotation (``clean``;
``inverted``: ``1 - X``; ``background``: a contrast and a ground level drawn
per image).

``--split train`` chooses: ``--n`` random MNIST training images without 9
(k = 9) and ``--n`` random Fashion-MNIST training images (k = 10), each
rotated by a uniform angle (``benchmarks._common.load_rotated``, seed 2).
``--split test`` reports on the images of
``benchmarks.studies.rotinv_background``: the 8,991 rotated MNIST test
images without 9 that the thesis scores, and the first ``--n`` rotated
Fashion-MNIST test images (seed 1).

Usage::

    python -m benchmarks.studies.rotinv_contrast --split train --seeds 0 1 \\
        --out benchmarks/results/rotinv_contrast_train.md
    python -m benchmarks.studies.rotinv_contrast --split test --seeds 0 1 \\
        --out benchmarks/results/rotinv_contrast.md
"""

import argparse

import numpy as np

from benchmarks._common import Report, accuracy, load_rotated, timed_fit_predict
from benchmarks.studies.rotinv_background import rotated
from benchmarks.studies.sanet_padding import CONDITIONS, condition

MODES = (None, "rms")


def rotated_train(name, n):
    """``n`` random rotated training images of ``name`` (seed 2), labels and k."""
    X, y = load_rotated(name, n, seed=2)
    return X, y, len(np.unique(y))


def main(argv=None):
    from sklearn_specclust import make_rotinv_inr

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--split", choices=("train", "test"), default="train")
    p.add_argument("--datasets", nargs="+", default=["mnist", "fashion"],
                   choices=("mnist", "fashion"))
    p.add_argument("--n", type=int, default=10000)
    p.add_argument("--seeds", nargs="+", type=int, default=[0, 1])
    p.add_argument("--out", default=None)
    args = p.parse_args(argv)

    rep = Report(f"The rotation default with the contrast kept or removed ({args.split})",
                 "one process, the two settings alternating")
    rep.emit("| data | condition | seed | contrast=None ACC | contrast='rms' ACC "
             "| None s | 'rms' s |")
    rep.emit("| --- | --- | --- | --- | --- | --- | --- |")
    means = {}
    for name in args.datasets:
        X0, y, k = rotated_train(name, args.n) if args.split == "train" else rotated(name,
                                                                                    args.n)
        for cond in CONDITIONS[:3]:
            X = condition(X0, cond)
            for seed in args.seeds:
                accs, secs = [], []
                for mode in MODES:
                    net = make_rotinv_inr(k, random_state=seed).set_params(views__contrast=mode)
                    labels, sec = timed_fit_predict(net, X)
                    secs.append(sec)
                    accs.append(accuracy(y, labels))
                    means.setdefault((name, mode), []).append(accs[-1])
                rep.emit(f"| {name} ({len(X)}) | {cond} | {seed} | {accs[0]:.4f} | "
                         f"{accs[1]:.4f} | {secs[0]:.1f} | {secs[1]:.1f} |")
    rep.emit()
    for name in args.datasets:
        a, b = (np.mean(means[(name, m)]) for m in MODES)
        rep.emit(f"- {name}: mean ACC over conditions and seeds {a:.4f} (None), "
                 f"{b:.4f} ('rms'), difference {b - a:+.4f}.")
    rep.save(args.out)


if __name__ == "__main__":
    main()
