"""What SA-Net's spectral head sees: the pooling grid and unit-length rows.

The default network pools its last feature maps over a 3x3 grid of
overlapping windows and hands the flattened result to
:class:`~sklearn_specclust.sanet.SpectralHead`, whose kNN graph then
compares images by Euclidean distance. Two changes of that input are
compared here, alone and together:

* rows scaled to unit length (``sklearn.preprocessing.Normalizer``) before
  the head, so that the kNN graph ranks neighbours by cosine similarity and
  an image's overall response strength (stroke width, contrast, the area of
  the object) no longer moves it away from images of the same shape;
* a denser 5x5 grid of pooling windows (on a 13x13 map, windows of 5 at
  stride 2 instead of stride 4), which keeps more of the layout;
* more k-means restarts in the head (``SpectralHead(n_init=...)``, 10 by
  default), so that its k-means on the eigenvectors more often finds the
  partition of smallest inertia (``--variants 0 4 5``).

The default network (``make_sanet(k, random_state=seed)`` up to ``pool``) is
fitted once per data set and seed; its maps are pooled both ways and cached
as ``.npy`` in ``--cache`` (delete them when the network changes). Each seed
drives the network and the head. ``--part train`` chooses on training images
(MNIST and Fashion-MNIST train ``[0:10000]`` and ``[10000:20000]``, MNIST
train ``[20000:21800]`` for a small collection, the bundled digits);
``--part test`` reports on the test 10k and on the digits. ``--occluded``
runs the same on the images occluded by the paper's protocol
(:func:`~sklearn_specclust.datasets.make_occluded`: 20 % of each image
behind the same block of an image of another class, drawn with the seed).

Run::

    OMP_NUM_THREADS=1 python -m benchmarks.studies.sanet_head_input --part train \\
        --out benchmarks/results/sanet_head_input_train.md
    OMP_NUM_THREADS=1 python -m benchmarks.studies.sanet_head_input --part test \\
        --out benchmarks/results/sanet_head_input.md
    OMP_NUM_THREADS=1 python -m benchmarks.studies.sanet_head_input --part train \\
        --variants 0 4 5 --out benchmarks/results/sanet_head_restarts_train.md
    OMP_NUM_THREADS=1 python -m benchmarks.studies.sanet_head_input --part test \\
        --variants 0 4 5 --out benchmarks/results/sanet_head_restarts.md
    OMP_NUM_THREADS=1 python -m benchmarks.studies.sanet_head_input --part test \\
        --occluded --variants 0 1 2 3 4 --out benchmarks/results/sanet_head_input_occluded.md
"""

import argparse
import os
import tempfile
import time
import warnings

import numpy as np

from benchmarks._common import Report, clustering_scores, mean_table, seed_spread_table
from benchmarks.studies.sanet_head_consensus import images

SETS = {
    "train": ("mnist_0", "mnist_1", "mnist_small", "fashion_0", "fashion_1", "digits"),
    "test": ("mnist_test", "fashion_test", "digits"),
}
TITLES = {
    "mnist_0": "MNIST train [0:10000]", "mnist_1": "MNIST train [10000:20000]",
    "mnist_small": "MNIST train [20000:21800]",
    "fashion_0": "Fashion train [0:10000]", "fashion_1": "Fashion train [10000:20000]",
    "mnist_test": "MNIST test 10k", "fashion_test": "Fashion test 10k",
    "digits": "digits (all 1797)",
}
SLICES = {"0": (0, 10000), "1": (10000, 20000), "small": (20000, 21800)}
#: method -> (pooling grid, unit rows, k-means restarts of the head)
VARIANTS = {
    "3x3 grid (the network before this study)": (3, False, 10),
    "3x3 grid, unit rows": (3, True, 10),
    "5x5 grid": (5, False, 10),
    "5x5 grid, unit rows": (5, True, 10),
    "3x3 grid, 30 k-means restarts": (3, False, 30),
    "3x3 grid, 100 k-means restarts": (3, False, 100),
}
#: the variants run unless --variants says otherwise (the first is the baseline)
FIRST_RUN = ("3x3 grid (the network before this study)", "3x3 grid, unit rows", "5x5 grid",
             "5x5 grid, unit rows")


def pooled_features(name, seed, cache, occluded=False):
    """``{grid: flattened pooled maps}`` of the default network (cached) and the labels.

    With ``occluded``, of the images occluded by the paper's protocol (the
    blocks drawn with ``seed``).
    """
    from sklearn_specclust.datasets import make_occluded
    from sklearn_specclust.sanet import AbsMaxPool, make_sanet

    grids = sorted({g for g, _, _ in VARIANTS.values()})
    tag = f"{name}_occluded" if occluded else name
    paths = {g: os.path.join(cache, f"{tag}_s{seed}_grid{g}.npy") for g in grids}
    y_path = os.path.join(cache, f"{name}_y.npy")
    if all(os.path.exists(p) for p in [*paths.values(), y_path]):
        return {g: np.load(p) for g, p in paths.items()}, np.load(y_path)
    X, y = images(name, SLICES)
    if occluded:
        X = make_occluded(X, 0.2, y=y, random_state=seed)
    net = make_sanet(len(np.unique(y)), random_state=seed)
    cut = [s for s, _ in net.steps].index("pool")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        maps = net[:cut].fit_transform(X)
    out = {g: AbsMaxPool(output_size=g).fit_transform(maps).reshape(len(maps), -1)
           for g in grids}
    os.makedirs(cache, exist_ok=True)
    for g, p in paths.items():
        np.save(p, out[g])
    np.save(y_path, y)
    return out, y


def head_labels(F, k, unit_rows, n_init, seed):
    """Labels and seconds of the default head on ``F`` (rows scaled to unit length or not)."""
    from sklearn.preprocessing import normalize

    from sklearn_specclust.sanet import SpectralHead

    t0 = time.perf_counter()
    X = normalize(F) if unit_rows else F
    labels = SpectralHead(k, n_init=n_init, random_state=seed).fit(X).labels_
    return labels, time.perf_counter() - t0


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=sorted(SETS), default="train")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--sets", nargs="+", default=None,
                        help="a subset of the part's data sets")
    parser.add_argument("--variants", nargs="+", type=int, default=None,
                        help="indices into VARIANTS (default: the first four)")
    parser.add_argument("--cache", default=os.path.join(tempfile.gettempdir(),
                                                        "sanet_head_input"))
    parser.add_argument("--occluded", action="store_true",
                        help="occlude 20 %% of each image (the paper's protocol)")
    parser.add_argument("--out", default=None)
    args = parser.parse_args(argv)
    names = args.sets or SETS[args.part]
    keys = list(VARIANTS)
    methods = [keys[i] for i in args.variants] if args.variants else list(FIRST_RUN)
    occ = ", 20 % occluded" if args.occluded else ""
    rep = Report(f"SA-Net spectral head input: pooling grid and unit rows ({args.part}{occ})",
                 "shared 2-core machine, one thread; head times are indicative only")
    scores, times, per_seed = {}, {}, {}
    for name in names:
        for seed in args.seeds:
            feats, y = pooled_features(name, seed, args.cache, args.occluded)
            k = len(np.unique(y))
            for method in methods:
                grid, unit, n_init = VARIANTS[method]
                labels, seconds = head_labels(feats[grid], k, unit, n_init, seed)
                s = clustering_scores(y, labels)[:2]
                scores.setdefault(method, {}).setdefault(name, []).append(s)
                times.setdefault(method, {}).setdefault(name, []).append(seconds)
                per_seed.setdefault(method, {}).setdefault(name, []).append(s[0])
            print(f"  {name} seed {seed} done", flush=True)
    seeds = ", ".join(map(str, args.seeds))
    rep.emit(f"ACC mean ± std (NMI mean in brackets) over seeds {seeds}; each seed drives the "
             "network (make_sanet(k, random_state=seed) up to pool) and the head "
             "(SpectralHead(k, random_state=seed))"
             + (", and the occlusion (make_occluded(X, 0.2, y=y, random_state=seed))."
                if args.occluded else "."))
    rep.emit()
    for line in seed_spread_table("head input", scores, names, TITLES, digits=4):
        rep.emit(line)
    rep.emit()
    rep.emit("ACC per seed:")
    rep.emit()
    rep.emit("| head input | " + " | ".join(TITLES[n] for n in names) + " |")
    rep.emit("| --- | " + " | ".join("---" for _ in names) + " |")
    for method, by_set in per_seed.items():
        rep.emit(f"| {method} | " + " | ".join(
            " / ".join(f"{a:.4f}" for a in by_set[n]) for n in names) + " |")
    rep.emit()
    rep.emit("Head fit seconds (mean, features given):")
    rep.emit()
    for line in mean_table("head input", times, names, TITLES, ".2f"):
        rep.emit(line)
    rep.emit()
    base = methods[0]
    for method in methods[1:]:
        diffs = [np.mean(per_seed[method][n]) - np.mean(per_seed[base][n]) for n in names]
        rep.emit(f"- {method} minus {base}: mean ACC "
                 + ", ".join(f"{d:+.4f}" for d in diffs) + f" ({', '.join(names)}).")
    rep.save(args.out)


if __name__ == "__main__":
    main()
