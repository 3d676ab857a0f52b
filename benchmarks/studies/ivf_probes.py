"""How many IVF cells should SA-Net's spectral layer probe per query?

The default SA-Net (``make_sanet(10)``) spends most of its fit in the
out-of-sample transform of every patch of every image (1.69 M patch nodes
for 10,000 MNIST images) through the layer's ``"ivf"`` neighbour index
(:class:`sklearn_specclust.spectral._neighbors.IVFIndex`). This study runs
``make_sanet(10, random_state=seed).fit_predict(X)`` with each search
setting, all in this one process and interleaved (the configurations of one
data set and seed run back to back, in an order rotated by the seed), and
reports ACC, NMI, the fit's wall and CPU seconds, and the layer-1 neighbour
recall@k (k = the layer's query size) of 2,000 distinct query patches
against exact brute force on the fitted nodes.

Settings (module constants of ``_neighbors``, set in this process):

- ``P``: ``IVF_PROBES = P``, no pruning (``IVF_PRUNE = None``): every one of
  the ``P`` nearest cells is scanned (the behaviour before pruning existed;
  ``P = 24`` was the default);
- ``P prune a``: ``IVF_PROBES = P``, ``IVF_PRUNE = a``: of the ``P`` nearest
  cells, those that cannot hold a node within ``a`` times the query's bound
  distance (Voronoi half-space test) are skipped; ``a = 1`` finds the same
  candidates as scanning all ``P``.

Phase 1 (choice) on the first ``--n`` TRAINING images of MNIST and
Fashion-MNIST, seeds ``--train-seeds``; the finalist is the setting of least
mean CPU time whose mean ACC is within ``0.003`` of ``24`` on both data sets
and no seed worse by more than ``0.01``. Phase 2 (report) compares ``24``
and the finalist on the first ``--n`` TEST images, seeds ``--test-seeds``.
Images are scaled by 1/255 to float32. Times are ratios only: the machine
is shared (load averages are printed per fit).

Run::

    OMP_NUM_THREADS=1 PYTHONPATH=. python -m benchmarks.studies.ivf_probes \\
        --out benchmarks/results/ivf_probes.md
"""

import argparse
import hashlib
import os
import time
import warnings

import numpy as np

from benchmarks._common import Report, clustering_scores, load

BASELINE = "24"
SETTINGS = {  # name: (IVF_PROBES, IVF_PRUNE)
    "24": (24, None),
    "16": (16, None),
    "12": (12, None),
    "8": (8, None),
    "24 prune 1": (24, 1.0),
    "24 prune 0.6": (24, 0.6),
}
N_RECALL = 2000


def query_sample(net, X, seed=0):
    """``N_RECALL`` distinct patches of ``X`` as layer 1 receives them."""
    rng = np.random.RandomState(seed)
    imgs = np.sort(rng.choice(len(X), min(len(X), 2000), replace=False))
    P = net[:1].transform(X[imgs])
    rows = P.reshape(-1, P.shape[-1])
    rows = np.unique(rows, axis=0)
    return rows[np.sort(rng.choice(len(rows), min(len(rows), N_RECALL), replace=False))]


def layer_recall(layer, rows):
    """recall@k of the fitted layer's index on ``rows`` against exact search."""
    from sklearn.neighbors import NearestNeighbors

    from sklearn_specclust.spectral._nodes import scaled_float32

    Y = scaled_float32(rows, layer._scale)
    k = layer._k_query
    _, ind = layer._index.query(Y, k)
    _, ref = NearestNeighbors(n_neighbors=k).fit(layer._nodes).kneighbors(Y)
    return float(np.mean([len(set(a) & set(b)) / k for a, b in zip(ind, ref)]))


def run_one(X, y, seed, setting, rows):
    """One fit of the default SA-Net with ``setting``: scores, times, recall."""
    from sklearn_specclust.sanet import make_sanet
    from sklearn_specclust.spectral import _neighbors

    probes, prune = SETTINGS[setting]
    old = _neighbors.IVF_PROBES, _neighbors.IVF_PRUNE
    _neighbors.IVF_PROBES, _neighbors.IVF_PRUNE = probes, prune
    try:
        net = make_sanet(10, random_state=seed)
        load_before = os.getloadavg()[0]
        t0, c0 = time.perf_counter(), time.process_time()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            labels = net.fit_predict(X)
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        if rows is None:
            rows = query_sample(net, X)
        recall = layer_recall(net.named_steps["layer1"], rows)
    finally:
        _neighbors.IVF_PROBES, _neighbors.IVF_PRUNE = old
    acc, nmi = clustering_scores(y, labels)[:2]
    digest = hashlib.sha1(np.asarray(labels, dtype=np.int64).tobytes()).hexdigest()[:10]
    return dict(acc=acc, nmi=nmi, wall=wall, cpu=cpu, recall=recall, digest=digest,
                load=(load_before, os.getloadavg()[0])), rows


def run_phase(rep, subset, names, seeds, n, out_path=None):
    """Every setting in ``names`` on both data sets and ``seeds``; rows per run."""
    out = {}
    rep.emit("| data | seed | setting | ACC | NMI | fit wall s | fit CPU s | recall@k "
             "| labels | load 1 min (before, after) |")
    rep.emit("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for data in ("mnist", "fashion"):
        X, y = load(data, subset)
        X, y = (X[:n] / 255.0).astype(np.float32), y[:n]
        rows = None
        for seed in seeds:
            order = names[seed % len(names):] + names[: seed % len(names)]
            for name in order:
                r, rows = run_one(X, y, seed, name, rows)
                out[data, seed, name] = r
                rep.emit(f"| {data} {subset} | {seed} | {name} | {r['acc']:.4f} | {r['nmi']:.4f} "
                         f"| {r['wall']:.1f} | {r['cpu']:.1f} | {r['recall']:.4f} "
                         f"| {r['digest']} | {r['load'][0]:.1f}, {r['load'][1]:.1f} |")
                rep.save(out_path)  # partial results survive an interrupted run
    return out


def summary(rep, res, names, seeds):
    """Mean over seeds per data set and setting, differences to the baseline."""
    rep.emit("| data | setting | mean ACC | ACC - 24 (per seed) | mean NMI | mean recall@k "
             "| CPU s / 24's (per seed) | same labels as 24 |")
    rep.emit("| --- | --- | --- | --- | --- | --- | --- | --- |")
    table = {}
    for data in ("mnist", "fashion"):
        for name in names:
            rs = [res[data, s, name] for s in seeds]
            bs = [res[data, s, BASELINE] for s in seeds]
            d_acc = [r["acc"] - b["acc"] for r, b in zip(rs, bs)]
            ratio = [r["cpu"] / b["cpu"] for r, b in zip(rs, bs)]
            same = sum(r["digest"] == b["digest"] for r, b in zip(rs, bs))
            table[data, name] = dict(d_mean=float(np.mean(d_acc)), d_min=float(np.min(d_acc)),
                                     ratio=float(np.mean(ratio)))
            rep.emit(f"| {data} | {name} | {np.mean([r['acc'] for r in rs]):.4f} "
                     f"| {np.mean(d_acc):+.4f} ({', '.join(f'{d:+.4f}' for d in d_acc)}) "
                     f"| {np.mean([r['nmi'] for r in rs]):.4f} "
                     f"| {np.mean([r['recall'] for r in rs]):.4f} "
                     f"| {np.mean(ratio):.3f} ({', '.join(f'{v:.2f}' for v in ratio)}) "
                     f"| {same}/{len(seeds)} |")
    return table


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10000, help="images per data set")
    parser.add_argument("--settings", nargs="+", default=list(SETTINGS))
    parser.add_argument("--train-seeds", type=int, nargs="+", default=[0, 1])
    parser.add_argument("--test-seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--finalist", default=None,
                        help="skip phase 1 and report this setting on the test images")
    parser.add_argument("--skip-test", action="store_true",
                        help="phase 1 only (e.g. more training seeds)")
    parser.add_argument("--out", default=None)
    args = parser.parse_args(argv)
    names = [BASELINE] + [s for s in args.settings if s != BASELINE]
    rep = Report("IVF probes of SA-Net's spectral layer (default make_sanet(10))",
                 "one process, settings interleaved per data set and seed, "
                 "OMP_NUM_THREADS=1 on a shared machine (load averages per fit); "
                 "compare times as ratios to `24` of the same data set and seed")
    finalist = args.finalist
    if finalist is None:
        rep.emit(f"## Phase 1: choice on the first {args.n} training images, "
                 f"seeds {args.train_seeds}")
        rep.emit()
        res = run_phase(rep, "train", names, args.train_seeds, args.n, args.out)
        rep.emit()
        table = summary(rep, res, names, args.train_seeds)
        ok = [name for name in names[1:]
              if all(abs(table[d, name]["d_mean"]) <= 0.003 and table[d, name]["d_min"] >= -0.01
                     for d in ("mnist", "fashion"))]
        rep.emit()
        rep.emit("Within the ACC rule (|mean diff| <= 0.003, no seed worse by > 0.01, both "
                 f"data sets): {', '.join(ok) if ok else 'none'}.")
        if ok:
            finalist = min(ok, key=lambda s: np.mean([table[d, s]["ratio"]
                                                       for d in ("mnist", "fashion")]))
        rep.emit(f"Finalist (least mean CPU time among those): {finalist}.")
        rep.emit()
        rep.save(args.out)
    if finalist is not None and not args.skip_test:
        rep.emit(f"## Phase 2: {BASELINE} vs {finalist} on the first {args.n} test images, "
                 f"seeds {args.test_seeds}")
        rep.emit()
        res = run_phase(rep, "test", [BASELINE, finalist], args.test_seeds, args.n, args.out)
        rep.emit()
        summary(rep, res, [BASELINE, finalist], args.test_seeds)
    rep.save(args.out)


if __name__ == "__main__":
    main()
