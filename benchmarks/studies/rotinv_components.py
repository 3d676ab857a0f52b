"""How the rotation default chooses its number of eigenvectors.

``make_rotinv_inr(k)`` ends in :class:`~sklearn_specclust.inr.OrbitSpectralClustering`,
which clusters the leading eigenvectors of its orbit graph. How many is
chosen without labels by one of these rules (its ``n_components``):

- ``"eigengap"``: the count from ``k`` to ``2k`` with the largest eigengap
  of the random-walk matrix (the default before this study);
- ``"consensus"``: k-means on ``k`` times each of ``(1, 1.25, 1.5, 1.75, 2)``
  eigenvectors, keeping the partition that agrees best with the others
  (SA-Net's :class:`~sklearn_specclust.sanet.SpectralHead` rule);
- a fixed ``round(1.5 k)`` or ``2 k``.

``--split train`` chooses: ``--n`` random training images of each data set
(MNIST without 9, k = 9; Fashion-MNIST, k = 10), each rotated by a uniform
angle, drawn with ``benchmarks._common.load_rotated`` for every draw seed of
``--draws``. ``--split test`` reports on the images of
``benchmarks.studies.rotinv_background``: the 8,991 rotated MNIST test
images without 9 that the thesis scores, and the first ``--n`` rotated
Fashion-MNIST test images. ``--datasets digits`` (either split) rotates
all 1,797 bundled 8x8 digits (k = 10) once per seed of ``--draws``
(:func:`~sklearn_specclust.datasets.make_rotated`), data of another image
size that no rule was chosen on. ``--size S`` resizes every image to S x S
pixels (bilinear, ``benchmarks.studies.sanet_sizes.resized``) before the
views. The canonical views are computed once per data
set (they have no seed); every rule and seed then fits the clusterer on
them.

Usage::

    python -m benchmarks.studies.rotinv_components --split train --draws 2 3 4 \\
        --seeds 0 1 --out benchmarks/results/rotinv_components_train.md
    python -m benchmarks.studies.rotinv_components --split test --seeds 0 1 2 \\
        --out benchmarks/results/rotinv_components.md
    python -m benchmarks.studies.rotinv_components --datasets digits --draws 0 1 \
        --seeds 0 1 2 --out benchmarks/results/rotinv_components_digits.md
    python -m benchmarks.studies.rotinv_components --split test --datasets mnist \
        fashion --size 20 40 --seeds 0 1 --out benchmarks/results/rotinv_components_sizes.md
"""

import argparse

import numpy as np

from benchmarks._common import Report, accuracy, load_rotated, timed_fit_predict
from benchmarks.studies.rotinv_background import rotated

RULES = ("eigengap", "consensus", "1.5k", "2k")


def n_components(rule, k):
    """The clusterer's ``n_components`` for ``rule`` and ``k`` clusters."""
    return {"1.5k": int(round(1.5 * k)), "2k": 2 * k}.get(rule, rule)


def data_sets(split, names, n, draws):
    """``(label, X, y, k)`` of every data set of the split."""
    for name in names:
        if name == "digits":
            yield from rotated_digits(draws)
            continue
        if split == "test":
            X, y, k = rotated(name, n)
            yield f"{name} test", X, y, k
            continue
        for draw in draws:
            X, y = load_rotated(name, n, seed=draw)
            yield f"{name} train, draw {draw}", X, y, len(np.unique(y))


def rotated_digits(draws):
    """The bundled digits in [0, 1], rotated once per draw seed."""
    from sklearn_specclust.datasets import load_digits_images, make_rotated

    X, y = load_digits_images(return_X_y=True)
    X = (X / X.max()).astype(np.float32)
    for draw in draws:
        Xr, yr, _ = make_rotated(X, y, random_state=draw)
        yield f"digits rotated, draw {draw}", np.clip(Xr, 0, 1).astype(np.float32), yr, 10


def sized(sets, sides, resize):
    """``sets`` as they are (``sides`` None), or resized to each side."""
    for label, X, y, k in sets:
        if not sides:
            yield label, X, y, k
        for side in sides or ():
            yield f"{label}, {side}x{side}", resize(X, side, side).astype(np.float32), y, k


def main(argv=None):
    from sklearn_specclust import make_rotinv_inr

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--split", choices=("train", "test"), default="train")
    p.add_argument("--datasets", nargs="+", default=["mnist", "fashion"],
                   choices=("mnist", "fashion", "digits"))
    p.add_argument("--n", type=int, default=10000)
    p.add_argument("--draws", nargs="+", type=int, default=[2, 3, 4])
    p.add_argument("--seeds", nargs="+", type=int, default=[0, 1])
    p.add_argument("--size", type=int, nargs="+", default=None,
                   help="resize the images to each of these sides first")
    p.add_argument("--out", default=None)
    args = p.parse_args(argv)

    from benchmarks.studies.sanet_sizes import resized

    rep = Report(f"The rotation default's number of eigenvectors ({args.split})",
                 "one process; the views are computed once per data set, each cell is "
                 "one fit of OrbitSpectralClustering on them (its graph included)")
    rep.emit("Cells: ACC (eigenvectors used), fit seconds in the last columns.")
    rep.emit()
    rep.emit("| data | seed | " + " | ".join(RULES) + " | "
             + " | ".join(f"{r} s" for r in RULES) + " |")
    rep.emit("| --- | --- | " + " | ".join("---" for _ in RULES * 2) + " |")
    accs = {}
    for label, X, y, k in sized(data_sets(args.split, args.datasets, args.n, args.draws),
                                args.size, resized):
        pipe = make_rotinv_inr(k)
        views = pipe.steps[0][1].fit_transform(X)
        name = label.split()[0]
        for seed in args.seeds:
            cells, secs = [], []
            for rule in RULES:
                est = pipe.steps[-1][1].set_params(
                    n_components=n_components(rule, k), random_state=seed)
                labels, sec = timed_fit_predict(est, views)
                a = accuracy(y, labels)
                accs.setdefault((name, rule), []).append(a)
                cells.append(f"{a:.4f} ({est.n_components_})")
                secs.append(f"{sec:.1f}")
            rep.emit(f"| {label} ({len(X)}) | {seed} | " + " | ".join(cells) + " | "
                     + " | ".join(secs) + " |")
    rep.emit()
    rep.emit("Mean ACC (min over data sets and seeds):")
    rep.emit()
    rep.emit("| rule | " + " | ".join(args.datasets) + " | mean |")
    rep.emit("| --- | " + " | ".join("---" for _ in args.datasets) + " | --- |")
    for rule in RULES:
        cells = [f"{np.mean(accs[(n, rule)]):.4f} ({np.min(accs[(n, rule)]):.4f})"
                 for n in args.datasets]
        mean = np.mean([np.mean(accs[(n, rule)]) for n in args.datasets])
        rep.emit(f"| {rule} | " + " | ".join(cells) + f" | {mean:.4f} |")
    rep.save(args.out)


if __name__ == "__main__":
    main()
