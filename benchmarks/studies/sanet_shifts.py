"""Does tolerance to small shifts in the image graph lift SA-Net's accuracy?

Two ways to make the image-level graph of the default network tolerant to
translations of a pixel or two (issue: SA-Net beyond the paper, "an orbit
over small translations, as the rotation orbit does for angles"):

* **shift orbit**: the pooled 3x3 maps are pooled again with the window grid
  moved by ``(dy, dx)`` in ``{-s, 0, s}^2`` map locations (zero padding,
  which abs-max pooling ignores); two images are as far apart as the nearest
  of these views of the second is to the unshifted view of the first, as
  :class:`~sklearn_specclust.inr.OrbitSpectralClustering` does for angles.
  The kNN graph on that distance (10 neighbours with the image itself, as
  :func:`~sklearn_specclust.spectral._graphs.knn_graph`) goes through the
  head's embedding and best-of-k consensus; "orbit, no shift" is the same
  machinery on one view, the baseline of these rows.
* **shifted copies as nodes**: every image is also shifted by up to one pixel
  at random (:func:`~sklearn_specclust.datasets.make_shifted`), the copies go
  through the fitted network, and the default
  :class:`~sklearn_specclust.sanet.SpectralHead` clusters originals and
  copies together; the originals' labels are scored. The copies fill in the
  data's manifold between nearby images, at the cost of one more network
  transform per copy.

``--part train`` explores on training slices (MNIST and Fashion-MNIST train
``[0:3000]`` and ``[3000:6000]``) and the bundled 8x8 digits; the network is
``make_sanet(k, random_state=0)`` and the head runs with ``--head-seeds``.
``--part test`` reports the default head against the shifted copies on the
test 10k, each seed driving the network, the copies and the head.

Run::

    python -m benchmarks.studies.sanet_shifts --out benchmarks/results/sanet_shifts_train.md
    python -m benchmarks.studies.sanet_shifts --part test \\
        --out benchmarks/results/sanet_shifts.md
"""

import argparse
import time
import warnings

import numpy as np

from benchmarks._common import Report, clustering_scores, mean_table, seed_spread_table
from benchmarks.studies.sanet_head_consensus import TITLES, images

SETS = {"train": ("mnist_tr0", "mnist_tr1", "fashion_tr0", "fashion_tr1", "digits"),
        "test": ("mnist_test", "fashion_test")}


def network(X, k, seed):
    """The default network up to the pooled maps, fitted on ``X``, and its parts."""
    from sklearn_specclust.sanet import make_sanet

    net = make_sanet(k, random_state=seed)
    names = [s for s, _ in net.steps]
    maps_part = net[: names.index("pool")]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        maps = maps_part.fit_transform(X)
    pool = net.named_steps["pool"].fit(maps)
    return maps_part, pool, maps


def shifted_pool(maps, pool, dy, dx):
    """Rows of ``pool``'s abs-max pooling with its windows moved by ``(dy, dx)``.

    Moving the windows equals pooling the maps moved the other way, with zeros
    brought in at the border (which abs-max pooling ignores).
    """
    from sklearn_specclust.sanet._pooling import abs_max_pool

    n, h, w, _ = maps.shape
    pad = max(abs(dy), abs(dx))
    m = np.pad(maps, ((0, 0), (pad, pad), (pad, pad), (0, 0)))
    moved = m[:, pad + dy : pad + dy + h, pad + dx : pad + dx + w]
    return abs_max_pool(moved, pool.pool_size_, stride=pool.stride_,
                        padding=pool.padding_).reshape(n, -1)


def orbit_neighbors(views, n_neighbors):
    """kNN (the sample first) by ``min_v |views[0][i] - views[v][j]|``."""
    V0 = views[0]
    n = V0.shape[0]
    sq0 = np.einsum("ij,ij->i", V0, V0)
    best = np.full((n, n), np.inf, dtype=np.float32)
    for V in views:
        sq = np.einsum("ij,ij->i", V, V)
        for s in range(0, n, 2000):
            D = sq0[s : s + 2000, None] + sq[None] - 2 * V0[s : s + 2000] @ V.T
            np.minimum(best[s : s + 2000], D, out=best[s : s + 2000])
    np.fill_diagonal(best, -np.inf)
    ind = np.argpartition(best, n_neighbors - 1, axis=1)[:, :n_neighbors]
    order = np.argsort(np.take_along_axis(best, ind, axis=1), axis=1, kind="stable")
    return np.take_along_axis(ind, order, axis=1)


def head_on_graph(ind, k, seed):
    """The default head's embedding and best-of-k consensus on a given kNN graph."""
    from sklearn_specclust.cluster._consensus import candidate_components, consensus_kmeans
    from sklearn_specclust.spectral import spectral_embedding
    from sklearn_specclust.spectral._graphs import knn_graph

    ms = candidate_components(k, "auto", len(ind))
    _, U = spectral_embedding(knn_graph(ind, ind.shape[1]), max(ms), random_state=seed)
    return consensus_kmeans(U, ms, k, n_init=10, random_state=seed)[1].labels_


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=sorted(SETS), default="train")
    parser.add_argument("--sets", nargs="+", default=None)
    parser.add_argument("--head-seeds", type=int, nargs="+", default=[0, 1, 2],
                        help="head seeds (--part train), network and head seeds (--part test)")
    parser.add_argument("--out", default=None)
    args = parser.parse_args(argv)
    train = args.part == "train"
    sets = args.sets or list(SETS[args.part])
    rep = Report(f"SA-Net: tolerance to small shifts in the image graph ({args.part})",
                 "one process, 2 threads; seconds are those of the extra work per data set")
    rows, extra = {}, {}
    for name in sets:
        X, y = images(name)
        X = np.asarray(X).reshape(len(X), *([28, 28] if X.ndim == 2 and X.shape[1] == 784
                                            else X.shape[1:]))
        k = len(np.unique(y))
        found = {}
        for seed in ([0] if train else args.head_seeds):
            head_seeds = args.head_seeds if train else [seed]
            for method, (labels, seconds) in methods(X, k, seed, head_seeds, train).items():
                old = found.get(method, ([], 0.0))
                found[method] = (old[0] + labels, old[1] + seconds)
        for method, (labels, seconds) in found.items():
            rows.setdefault(method, {})[name] = [clustering_scores(y, lab)[:2] for lab in labels]
            extra.setdefault(method, {})[name] = seconds
        print(f"  {name} done", flush=True)
    if train:
        rep.emit(f"ACC mean ± std (NMI mean in brackets) over head seeds "
                 f"{', '.join(map(str, args.head_seeds))}, on the features of one network per "
                 "data set (make_sanet(k, random_state=0)).")
    else:
        rep.emit(f"ACC mean ± std (NMI mean in brackets) over seeds "
                 f"{', '.join(map(str, args.head_seeds))}, each driving the network "
                 "(make_sanet(k, random_state=seed)), the copies and the head.")
    table(rep, rows, extra, sets)
    rep.save(args.out)


def methods(X, k, seed, head_seeds, orbits):
    """Labels per head seed and seconds of each method on one network."""
    from sklearn_specclust.datasets import make_shifted
    from sklearn_specclust.sanet import SpectralHead

    maps_part, pool, maps = network(X, k, seed)
    F = pool.transform(maps).reshape(len(maps), -1)
    found = {"default SpectralHead": (
        [SpectralHead(k, random_state=s).fit_predict(F) for s in head_seeds], 0.0)}
    for shift in ((0, 1, 2) if orbits else ()):
        t = time.perf_counter()
        moves = (0,) if shift == 0 else (-shift, 0, shift)
        views = [F] + [shifted_pool(maps, pool, dy, dx) for dy in moves for dx in moves
                       if (dy, dx) != (0, 0)]
        ind = orbit_neighbors(views, 10)
        labels = [head_on_graph(ind, k, s) for s in head_seeds]
        label = "orbit, no shift" if shift == 0 else f"shift orbit, moves of {shift}"
        found[label] = (labels, time.perf_counter() - t)
    copies, copy_s = [], []
    for n_copies in (1, 2):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            while len(copies) < n_copies:
                t = time.perf_counter()
                Xs = make_shifted(X, max_shift=1,
                                  random_state=10 + 100 * seed + len(copies))[0]
                copies.append(pool.transform(maps_part.transform(Xs)).reshape(len(X), -1))
                copy_s.append(time.perf_counter() - t)
        t = time.perf_counter()
        G = np.vstack([F] + copies[:n_copies])
        labels = [SpectralHead(k, random_state=s).fit_predict(G)[: len(X)]
                  for s in head_seeds]
        found[f"SpectralHead on the images and {n_copies} shifted "
              f"cop{'y' if n_copies == 1 else 'ies'}"] = (
            labels, time.perf_counter() - t + sum(copy_s[:n_copies]))
    return found


def table(rep, rows, extra, sets):
    """The ACC table and the seconds table."""
    rep.emit()
    for line in seed_spread_table("method", rows, sets, TITLES, digits=4):
        rep.emit(line)
    rep.emit()
    rep.emit("Seconds of the method's own work per data set (all head seeds; the copies' "
             "network transforms included):")
    rep.emit()
    own = {m: by_set for m, by_set in extra.items() if m != "default SpectralHead"}
    for line in mean_table("method", own, sets, TITLES, ".0f"):
        rep.emit(line)


if __name__ == "__main__":
    main()
