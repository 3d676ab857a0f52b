"""The default layer's neighbour search: where it stands and what else would do.

The first spectral layer of ``make_sanet(10)`` spends most of a fit in
``transform``: for every distinct 11x11 patch, its 9 nearest fitted nodes
(about 16,400 nodes, 121 features, not projected) by the IVF search of
:mod:`sklearn_specclust.spectral._neighbors`. This script fits that layer on
the first ``--n`` MNIST test images, takes the first ``--queries`` distinct
patches of the same images as queries, and measures, single-threaded:

1. the search as shipped: rows/s of ``IVFIndex.candidates`` and of the whole
   query (with the exact re-ranking), and its tie-aware recall@9 against
   exact search (a returned neighbour counts when it is no farther than the
   exact 9th);
2. how many nodes the probed cells of a query hold (before the half-space
   pruning, which skips about a fifth of them) and how many survive its
   bound, for the bound the search uses (the ``4 k`` nodes nearest to the
   query's nearest centre) and for tighter ones: that cell's members with
   those nodes, the two nearest cells with them, and the exact 9th distance
   (no search can do better);
3. an exact filter in fewer dimensions: the squared distance in the first
   ``d`` principal components plus the squared difference of the residual
   norms is a lower bound of the squared distance, so the nodes above the
   bound can be dropped before any full distance is computed; the table
   gives the nodes left per query, each of which would then need a full
   121-feature distance (the search re-ranks 9);
4. pynndescent's graph search (when installed) at three ``epsilon``: build
   time, rows/s and tie-aware recall@9, beside the IVF search.

Usage::

    OMP_NUM_THREADS=1 NUMBA_NUM_THREADS=1 python -m benchmarks.timing.ivf_alternatives \\
        [--n 3000] [--queries 65536] [--out FILE]
"""

import argparse
import time
import warnings

import numpy as np

from benchmarks._common import Report, load

BLOCK = 16384


def fitted_layer(n, seed=0):
    """The default network's first layer fitted on ``n`` MNIST test images, and its input."""
    from sklearn_specclust.sanet import make_sanet

    X, _ = load("mnist", "test")
    net = make_sanet(10, random_state=seed)
    cut = [name for name, _ in net.steps].index("layer1")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        P = net[:cut].fit(X[:n]).transform(X[:n])
        layer = net.steps[cut][1].fit(P)
    return layer, P


def distinct_queries(layer, P, n_queries):
    from sklearn_specclust.spectral._nodes import distinct_rows, scaled_float32

    rows = np.ascontiguousarray(scaled_float32(P.reshape(-1, P.shape[-1]), layer._scale))
    first, _ = distinct_rows(rows)
    return rows[np.sort(first)][:n_queries]


def _best_of(func, repeats=3):
    best = np.inf
    for _ in range(repeats):
        t0 = time.perf_counter()
        func()
        best = min(best, time.perf_counter() - t0)
    return best


def tie_aware_recall(dist, exact_kth):
    return float(np.mean(dist <= exact_kth[:, None] * (1 + 1e-6) + 1e-7))


def _members(ivf, cells):
    return np.concatenate([np.arange(ivf.offsets[c], ivf.offsets[c + 1]) for c in cells])


def bound_table(rep, ivf, Zq, k, exact_kth, n_rows):
    """Scored nodes and survivors per query, for bounds of growing tightness."""
    from sklearn_specclust.spectral._neighbors import _sq_norms

    probes, _ = ivf._probes(Zq[:n_rows])
    halo = ivf._halo(4 * k)
    q_sq = _sq_norms(Zq[:n_rows])
    sets = {
        "the 4k nodes nearest the nearest centre (shipped)": lambda i: halo[probes[i, 0]],
        "+ the nearest cell's members": lambda i: np.union1d(
            halo[probes[i, 0]], _members(ivf, probes[i, :1])),
        "+ the two nearest cells' members": lambda i: np.union1d(
            halo[probes[i, 0]], _members(ivf, probes[i, :2])),
    }
    scored, out = [], {name: [] for name in sets}
    out["the exact 9th distance"] = []
    for i in range(n_rows):
        mem = _members(ivf, probes[i])
        scored.append(len(mem))
        s_all = ivf.z_sq[mem] - 2 * ivf.Z[mem] @ Zq[i]
        for name, nodes in sets.items():
            s = ivf.z_sq[nodes(i)] - 2 * ivf.Z[nodes(i)] @ Zq[i]
            b = np.partition(s, k - 1)[k - 1]
            out[name].append(np.sum(s_all <= b + 1e-5 * (abs(b) + q_sq[i])))
        b = exact_kth[i] ** 2 - q_sq[i]
        out["the exact 9th distance"].append(np.sum(s_all <= b + 1e-5 * (abs(b) + q_sq[i])))
    rep.emit(f"Nodes in the {ivf.n_probes} probed cells of a query: {np.mean(scored):.0f} "
             f"(mean over {n_rows} queries).")
    rep.emit()
    rep.emit("| bound from | survivors per query, mean | 90th percentile |")
    rep.emit("| --- | --- | --- |")
    for name, v in out.items():
        rep.emit(f"| {name} | {np.mean(v):.1f} | {np.percentile(v, 90):.0f} |")
    rep.emit()


def projection_table(rep, ivf, Zq, k, n_rows):
    """Nodes left per query by the lower bound in ``d`` principal components."""
    from sklearn_specclust.spectral._neighbors import _sq_norms

    X = ivf.Z
    mean = X.mean(axis=0, dtype=np.float64)
    C = X.astype(np.float64) - mean
    var, V = np.linalg.eigh(C.T @ C)
    var, V = var[::-1], V[:, ::-1]
    probes, _ = ivf._probes(Zq[:n_rows])
    halo = ivf._halo(4 * k)
    q_sq = _sq_norms(Zq[:n_rows])
    rep.emit("| dimensions d | variance kept | nodes left per query, mean | 90th percentile |")
    rep.emit("| --- | --- | --- | --- |")
    Xc = (X - mean) @ V
    Yc = (Zq[:n_rows] - mean) @ V
    for d in (16, 32, 48, 64):
        Xp, Xr = Xc[:, :d], np.linalg.norm(Xc[:, d:], axis=1)
        Yp, Yr = Yc[:, :d], np.linalg.norm(Yc[:, d:], axis=1)
        left = []
        for i in range(n_rows):
            nodes = halo[probes[i, 0]]
            s = ivf.z_sq[nodes] - 2 * ivf.Z[nodes] @ Zq[i]
            r2 = np.partition(s, k - 1)[k - 1] + q_sq[i]
            mem = _members(ivf, probes[i])
            lb = np.sum((Xp[mem] - Yp[i]) ** 2, axis=1) + (Xr[mem] - Yr[i]) ** 2
            left.append(np.sum(lb <= r2 * (1 + 1e-4)))
        rep.emit(f"| {d} | {var[:d].sum() / var.sum():.3f} | {np.mean(left):.1f} | "
                 f"{np.percentile(left, 90):.0f} |")
    rep.emit()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=3000, help="MNIST test images")
    parser.add_argument("--queries", type=int, default=4 * BLOCK, help="distinct patches queried")
    parser.add_argument("--rows", type=int, default=2048,
                        help="queries of the per-query tables (sections 2 and 3)")
    parser.add_argument("--out", default=None)
    args = parser.parse_args(argv)
    from sklearn.neighbors import NearestNeighbors

    rep = Report("The default layer's neighbour search and its alternatives",
                 "single-threaded; rows/s of one process, best of 3; compare as ratios")
    layer, P = fitted_layer(args.n)
    index = layer._index
    ivf = index._index
    Y = distinct_queries(layer, P, args.queries)
    k = layer._k_query
    rep.emit(f"Layer 1 of make_sanet(10) fitted on the first {args.n} MNIST test images: "
             f"{index.X.shape[0]} nodes of {index.X.shape[1]} features, {len(ivf.centers)} "
             f"cells, {ivf.n_probes} probes, k = {k}; {len(Y)} distinct patches as queries.")
    rep.emit()
    exact_d, _ = NearestNeighbors(n_neighbors=k).fit(index.X).kneighbors(Y)
    exact_kth = exact_d[:, -1].astype(np.float32)

    rep.emit("## 1. The IVF search as shipped")
    rep.emit()
    blocks = [Y[a : a + BLOCK] for a in range(0, len(Y), BLOCK)]
    t_cand = _best_of(lambda: [ivf.candidates(b, k) for b in blocks])
    t_query = _best_of(lambda: index.query(Y, k))
    dist, _ = index.query(Y, k)
    rep.emit("| step | rows/s | tie-aware recall@9 |")
    rep.emit("| --- | --- | --- |")
    rep.emit(f"| candidates (probes, bound, cell scan, selection) | {len(Y) / t_cand:,.0f} | |")
    rep.emit(f"| whole query (with the exact re-ranking) | {len(Y) / t_query:,.0f} | "
             f"{tie_aware_recall(dist, exact_kth):.4f} |")
    rep.emit()

    rep.emit("## 2. Survivors of the bound")
    rep.emit()
    bound_table(rep, ivf, Y, k, exact_kth, args.rows)

    rep.emit("## 3. An exact filter in d principal components (lower bound)")
    rep.emit()
    projection_table(rep, ivf, Y, k, args.rows)

    rep.emit("## 4. pynndescent's graph search")
    rep.emit()
    try:
        from pynndescent import NNDescent
    except ImportError:
        rep.emit("pynndescent is not installed: section skipped.")
        rep.save(args.out)
        return
    t0 = time.perf_counter()
    nnd = NNDescent(index.X, n_neighbors=30, random_state=0, n_jobs=1, compressed=False)
    nnd.prepare()
    build = time.perf_counter() - t0
    rep.emit(f"Index build (with numba's compilation): {build:.0f} s.")
    rep.emit()
    rep.emit("| search | rows/s | tie-aware recall@9 |")
    rep.emit("| --- | --- | --- |")
    rep.emit(f"| IVF (shipped) | {len(Y) / t_query:,.0f} | "
             f"{tie_aware_recall(dist, exact_kth):.4f} |")
    nnd.query(Y[:100], k=k)
    for eps in (0.05, 0.1, 0.2):
        t = _best_of(lambda eps=eps: nnd.query(Y, k=k, epsilon=eps), repeats=1)
        _, d = nnd.query(Y, k=k, epsilon=eps)
        rep.emit(f"| pynndescent, epsilon={eps} | {len(Y) / t:,.0f} | "
                 f"{tie_aware_recall(np.sort(d, axis=1), exact_kth):.4f} |")
    rep.emit()
    rep.save(args.out)


if __name__ == "__main__":
    main()
