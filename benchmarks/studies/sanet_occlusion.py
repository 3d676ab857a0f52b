"""Does a location-wise robust image distance make SA-Net robust to occlusion?

The paper's occlusion protocol (:func:`sklearn_specclust.datasets.make_occluded`,
20 % of each image replaced by the same block of an image of another class).
For each data set, condition (clean, occluded) and seed, the default network
(``make_sanet(k)`` up to its pooling) is fitted once and its maps are reused
by every head, so a variant costs only its head: the default
:class:`~sklearn_specclust.sanet.SpectralHead` on the flattened features, and
:class:`~sklearn_specclust.sanet.RobustSpectralHead` with each aggregation of
per-location distances, on the pooled 3x3 maps and on the unpooled maps.
k-means on pixels is the baseline. The seed drives the network, the
occlusion and the head. Settings are chosen with ``--split train`` (a slice
of the training images) and reported with ``--split test``.

A diagnostic section (``--diagnose``) asks how much any location-wise rule
can gain: the purity of each image's 9 nearest neighbours when the pixels of
*both* images' occluded blocks are left out of the distance (an oracle that
knows where the blocks are), beside clean and occluded pixels.

Run::

    OMP_NUM_THREADS=1 python -m benchmarks.studies.sanet_occlusion --split train \
        --n 3000 --diagnose --out benchmarks/results/sanet_occlusion_train.md
    OMP_NUM_THREADS=1 python -m benchmarks.studies.sanet_occlusion --split test \
        --n 10000 --heads default clip --out benchmarks/results/sanet_occlusion.md
"""

import argparse
import time
import tracemalloc
import warnings

import numpy as np

from benchmarks._common import Report, accuracy, load, peak_rss_gib

#: head name -> (description, RobustSpectralHead parameters or None, maps)
HEADS = {
    "default": ("make_sanet default (SpectralHead, flattened 3x3 pooled maps)", None, "pooled"),
    "mean": ("RobustSpectralHead mean (Euclidean re-ranking), pooled", dict(aggregate="mean"),
             "pooled"),
    "clip": ("RobustSpectralHead clip (Tukey fence), pooled", dict(aggregate="clip"), "pooled"),
    "trim": ("RobustSpectralHead trim (best half of locations), pooled",
             dict(aggregate="trim", keep_fraction=0.5), "pooled"),
    "median": ("RobustSpectralHead median, pooled", dict(aggregate="median"), "pooled"),
    "clip-maps": ("RobustSpectralHead clip, unpooled maps", dict(aggregate="clip"), "maps"),
    "trim-maps": ("RobustSpectralHead trim (best half), unpooled maps",
                  dict(aggregate="trim", keep_fraction=0.5), "maps"),
    # accuracy directions, each one change to the default head
    "selftrain": ("default, then logistic regression on its confident half (self-training)",
                  "selftrain", "pooled"),
    "spread": ("default, then label spreading from its confident half", "spread", "pooled"),
    "multiscale": ("SpectralHead on 2x2 + 3x3 + 4x4 pooled maps", "multiscale", "pooled"),
}


def confident_half(F, labels, k):
    """Per cluster, the half of its images whose 10 nearest neighbours agree most."""
    from sklearn.neighbors import NearestNeighbors

    nb = NearestNeighbors(n_neighbors=10).fit(F).kneighbors(None, 10, return_distance=False)
    agree = (labels[nb] == labels[:, None]).mean(1)
    keep = np.zeros(len(F), bool)
    for c in range(k):
        idx = np.flatnonzero(labels == c)
        keep[idx[np.argsort(-agree[idx], kind="stable")[: max(1, len(idx) // 2)]]] = True
    return keep


def refined(kind, k, maps, pooled, seed):
    """Labels of one accuracy direction built on the default head."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.semi_supervised import LabelSpreading

    from sklearn_specclust.sanet import AbsMaxPool, SpectralHead

    F = pooled.reshape(len(pooled), -1)
    if kind == "multiscale":
        grids = [AbsMaxPool(output_size=g).fit_transform(maps).reshape(len(maps), -1) / g
                 for g in (2, 3, 4)]
        return SpectralHead(k, random_state=seed).fit_predict(np.hstack(grids))
    labels = SpectralHead(k, random_state=seed).fit_predict(F)
    keep = confident_half(F, labels, k)
    if kind == "selftrain":
        return LogisticRegression(max_iter=300).fit(F[keep], labels[keep]).predict(F)
    seeds = np.where(keep, labels, -1)
    return LabelSpreading(kernel="knn", n_neighbors=10, alpha=0.2, max_iter=100).fit(
        F, seeds).transduction_


def images(name, split, n):
    X, y = load(name, split)
    return X[:n], y[:n].astype(int)


def features(X, k, seed):
    """Unpooled and pooled maps of the default network, and the seconds they took."""
    from sklearn_specclust.sanet import make_sanet

    net = make_sanet(k, random_state=seed)
    names = [s for s, _ in net.steps]
    t = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        maps = net[: names.index("pool")].fit_transform(X)
        pooled = net.named_steps["pool"].fit_transform(maps)
    return maps, pooled, time.perf_counter() - t


def run_head(key, k, maps, pooled, seed):
    """Labels, seconds and peak traced GiB of one head on cached maps."""
    from sklearn_specclust.sanet import RobustSpectralHead, SpectralHead

    _, params, which = HEADS[key]
    tracemalloc.start()
    t = time.perf_counter()
    if params is None:
        labels = SpectralHead(k, random_state=seed).fit_predict(pooled.reshape(len(pooled), -1))
    elif isinstance(params, str):
        labels = refined(params, k, maps, pooled, seed)
    else:
        head = RobustSpectralHead(k, random_state=seed, **params)
        labels = head.fit_predict(maps if which == "maps" else pooled)
    seconds = time.perf_counter() - t
    peak = tracemalloc.get_traced_memory()[1] / 2**30
    tracemalloc.stop()
    return labels, seconds, peak


def purity(y, ind):
    return float((y[ind[:, :9]] == y[:, None]).mean())


def diagnose(rep, name, split, n, seed):
    """kNN purity on pixels: clean, occluded, occluded with both blocks masked."""
    from sklearn.neighbors import NearestNeighbors

    from sklearn_specclust.datasets import make_occluded
    from sklearn_specclust.sanet._robust import location_distances

    X, y = images(name, split, n)
    Xo, b = make_occluded(X, 0.2, y=y, random_state=seed, return_blocks=True)
    clean = X.reshape(n, -1).astype(np.float32) / 255
    occ = Xo.reshape(n, -1).astype(np.float32) / 255
    ind = NearestNeighbors(n_neighbors=100).fit(occ).kneighbors(None, 100,
                                                                 return_distance=False)
    r = np.arange(X.shape[1])
    rows = (r >= b.top[:, None]) & (r < b.top[:, None] + b.height)
    cols = (r >= b.left[:, None]) & (r < b.left[:, None] + b.width)
    hidden = (rows[:, :, None] & cols[:, None, :]).reshape(n, -1)
    visible = ~(hidden[:, None] | hidden[ind])

    def best(D, keep=None):
        R = D.sum(2) if keep is None else np.where(keep, D, 0).sum(2) / keep.sum(2)
        return np.take_along_axis(ind, np.argsort(R, axis=1, kind="stable"), axis=1)

    D_occ = location_distances(occ[:, :, None], occ[:, :, None], ind)
    D_clean = location_distances(clean[:, :, None], clean[:, :, None], ind)
    clean_ind = NearestNeighbors(n_neighbors=10).fit(clean).kneighbors(
        None, 10, return_distance=False)
    rep.emit(f"| {name} {split} [:{n}] | {purity(y, clean_ind):.3f} | "
             f"{purity(y, best(D_occ)):.3f} | {purity(y, best(D_occ, visible)):.3f} | "
             f"{purity(y, best(D_clean)):.3f} | {visible.mean():.2f} |")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--split", choices=["train", "test"], default="train")
    ap.add_argument("--n", type=int, default=3000, help="first n images of the split")
    ap.add_argument("--datasets", nargs="+", default=["mnist", "fashion"])
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--heads", nargs="+", choices=list(HEADS),
                    default=["default", "mean", "clip", "trim", "median", "clip-maps"])
    ap.add_argument("--diagnose", action="store_true",
                    help="also the oracle-mask kNN purity on pixels")
    ap.add_argument("--out", default=None)
    args = ap.parse_args(argv)
    from sklearn.cluster import KMeans

    from sklearn_specclust.datasets import make_occluded

    rep = Report(f"SA-Net under occlusion: robust image-level heads ({args.split}, "
                 f"first {args.n} images)",
                 "shared 2-core machine; head seconds exclude the network, which "
                 "is fitted once per data set, condition and seed")
    rep.emit("ACC mean ± std over seeds " + ", ".join(map(str, args.seeds))
             + " (each seed: network, occlusion and head). 'fit s' is the network "
             "plus the head (mean over seeds); 'peak GiB' the head's peak traced memory.")
    rep.emit()
    for name in args.datasets:
        X, y = images(name, args.split, args.n)
        k = len(np.unique(y))
        rep.emit(f"## {name} ({args.split}, first {args.n})")
        rep.emit()
        rep.emit("| method | clean ACC | occluded ACC | drop | clean fit s | occluded fit s "
                 "| peak GiB |")
        rep.emit("| --- | --- | --- | --- | --- | --- | --- |")
        acc = {}
        secs = {}
        peaks = {}
        for occluded in (False, True):
            for seed in args.seeds:
                Xs = make_occluded(X, 0.2, y=y, random_state=seed) if occluded else X
                t = time.perf_counter()
                km = KMeans(k, n_init=10, random_state=seed).fit_predict(
                    Xs.reshape(len(Xs), -1).astype(np.float64))
                key = ("k-means (pixels)", occluded)
                acc.setdefault(key, []).append(accuracy(y, km))
                secs.setdefault(key, []).append(time.perf_counter() - t)
                maps, pooled, net_s = features(Xs, k, seed)
                for head in args.heads:
                    labels, s, peak = run_head(head, k, maps, pooled, seed)
                    key = (HEADS[head][0], occluded)
                    acc.setdefault(key, []).append(accuracy(y, labels))
                    secs.setdefault(key, []).append(net_s + s)
                    peaks[key[0]] = max(peaks.get(key[0], 0.0), peak)
                    print(f"{name} occluded={occluded} seed={seed} {head}: "
                          f"{acc[key][-1]:.3f} ({s:.0f} s)", flush=True)
                del maps, pooled
        methods = ["k-means (pixels)"] + [HEADS[h][0] for h in args.heads]
        for m in methods:
            c, o = np.array(acc[(m, False)]), np.array(acc[(m, True)])
            peak = f"{peaks[m]:.3f}" if m in peaks else "-"
            rep.emit(f"| {m} | {c.mean():.3f} ± {c.std():.3f} | {o.mean():.3f} ± {o.std():.3f} "
                     f"| {c.mean() - o.mean():.3f} | {np.mean(secs[(m, False)]):.0f} "
                     f"| {np.mean(secs[(m, True)]):.0f} | {peak} |")
        rep.emit()
    if args.diagnose:
        rep.emit("## How much can ignoring the occluded region gain? (pixels, seed "
                 f"{args.seeds[0]})")
        rep.emit()
        rep.emit("Purity of the 9 nearest neighbours (fraction of the same class). "
                 "Neighbours re-ranked among 100 Euclidean candidates of the occluded "
                 "pixels. 'oracle mask': the pixels of both images' occluded blocks left "
                 "out; 'clean pixels': the same candidates ranked on the unoccluded images.")
        rep.emit()
        rep.emit("| data | clean pixels, own kNN | occluded | occluded, oracle mask "
                 "| clean pixels, same candidates | visible fraction of a pair |")
        rep.emit("| --- | --- | --- | --- | --- | --- |")
        for name in args.datasets:
            diagnose(rep, name, args.split, args.n, args.seeds[0])
        rep.emit()
    rep.emit(f"Peak RSS of the whole run: {peak_rss_gib():.2f} GiB.")
    rep.save(args.out)


if __name__ == "__main__":
    main()
