"""Spectral embedding of MNIST: SpectralAnalysisLayer vs scikit-learn, side by side.

Measured in one run, each configuration in a fresh process (so that the peak
resident memory, ``ru_maxrss``, is its own):

* MNIST test (10k) and all of MNIST (70k), raw pixels / 255: wall time of
  ``fit_transform``, peak memory, and the accuracy (Hungarian-matched) of
  ``KMeans(10)`` on the embedding, for scikit-learn's
  ``SpectralEmbedding(affinity="nearest_neighbors", n_neighbors=10,
  eigen_solver="amg")`` and for ``SpectralAnalysisLayer`` with the same graph
  (kNN k=10, ``(A + A^T) / 2``, L_rw, first vector dropped, 10 vectors),
  Lanczos solver, on every node (``max_nodes=None``) and on a 20k node sample
  with out-of-sample extension to the rest, each with the exact neighbour
  search (``"brute"``) and the inverted file index (``"ivf"``), with the
  recall@10 of the search measured against exact search on 1000 nodes;
* out-of-sample: fit on the 60k training images, ``transform`` the 10k test
  images (vectors per second), ``KMeans.fit`` on the training embedding and
  ``predict`` on the test embedding, with each search;
* growth of the time from 10k to 70k nodes.

Usage::

    OMP_NUM_THREADS=1 \\
        python -m benchmarks.timing.spectral_embedding [--quick] [--no-exact-70k] [--out FILE]
"""

import argparse
import multiprocessing as mp
import resource
import time
import warnings
from concurrent.futures import ProcessPoolExecutor

import numpy as np

from benchmarks._common import Report, load


def _load(split):

    X, y = load("mnist", split)
    return X.reshape(len(X), -1).astype(np.float32) / 255.0, y


def _acc(y, E, seed=0):
    from sklearn.cluster import KMeans

    from sklearn_specclust.metrics import clustering_accuracy_score

    km = KMeans(10, n_init=10, random_state=seed).fit(E)
    return clustering_accuracy_score(y, km.labels_), km


def _ours(max_nodes, neighbors="brute"):
    from sklearn_specclust.spectral import SpectralAnalysisLayer

    return SpectralAnalysisLayer(
        n_neighbors=10, eps_scales=(), gaussian_scales=(), laplacians="rw",
        drop_first=True, n_components=10, sparse_solver="lanczos",
        max_nodes=max_nodes, neighbors_algorithm=neighbors, random_state=0,
    )


def _recall(layer, queries, seed=0, k=10, n=1000):
    """recall@k of the layer's neighbour search on ``n`` queries vs exact search."""
    from sklearn.neighbors import NearestNeighbors

    rng = np.random.RandomState(seed)
    Q = np.asarray(queries[rng.choice(len(queries), min(n, len(queries)), replace=False)],
                   dtype=np.float32)
    _, found = layer._index.query(Q, k)
    _, exact = NearestNeighbors(n_neighbors=k).fit(layer._nodes).kneighbors(Q)
    return float(np.mean([len(set(a) & set(b)) / k for a, b in zip(found, exact)]))


def _rss_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def job_embed(method, split, max_nodes=None, neighbors="brute"):
    """fit_transform on one split; returns time, peak RSS and k-means ACC."""
    warnings.simplefilter("ignore")
    X, y = _load(split)
    base = _rss_mib()
    t0 = time.perf_counter()
    if method == "sklearn":
        from sklearn.manifold import SpectralEmbedding

        E = SpectralEmbedding(
            n_components=10, affinity="nearest_neighbors", n_neighbors=10,
            eigen_solver="amg", random_state=0,
        ).fit_transform(X)
    else:
        layer = _ours(max_nodes, neighbors)
        E = layer.fit_transform(X)
    seconds = time.perf_counter() - t0
    peak = _rss_mib()
    acc, _ = _acc(y, E)
    # the fitted nodes' search (what built the graph), after the timing
    recall = 1.0 if method == "sklearn" else _recall(layer, layer._nodes)
    return dict(method=method, n=len(X), max_nodes=max_nodes, neighbors=neighbors,
                seconds=seconds, recall=recall,
                peak_mib=peak, data_mib=base, acc=acc)


def job_out_of_sample(max_nodes, neighbors):
    """Fit on train (60k), transform test (10k), KMeans fit/predict."""
    warnings.simplefilter("ignore")
    Xtr, ytr = _load("train")
    Xte, yte = _load("test")
    layer = _ours(max_nodes, neighbors)
    t0 = time.perf_counter()
    Etr = layer.fit_transform(Xtr)
    fit_s = time.perf_counter() - t0
    t0, c0 = time.perf_counter(), time.process_time()
    Ete = layer.transform(Xte)
    tr_s, tr_cpu = time.perf_counter() - t0, time.process_time() - c0
    acc_tr, km = _acc(ytr, Etr)
    from sklearn_specclust.metrics import clustering_accuracy_score

    acc_te = clustering_accuracy_score(yte, km.predict(Ete))
    return dict(max_nodes=max_nodes, neighbors=neighbors, fit_s=fit_s, transform_s=tr_s,
                per_s=len(Xte) / tr_s, per_cpu_s=len(Xte) / tr_cpu,
                acc_train=acc_tr, acc_test=acc_te,
                peak_mib=_rss_mib(), recall=_recall(layer, Xte))


def _run(fn, *args):
    with ProcessPoolExecutor(1, mp_context=mp.get_context("spawn")) as ex:
        return ex.submit(fn, *args).result()


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="10k only, no out-of-sample")
    ap.add_argument("--max-nodes", type=int, default=20000)
    ap.add_argument("--no-exact-70k", action="store_true",
                    help="skip our exact (brute) search on all 70k nodes")
    ap.add_argument("--oos-only", action="store_true",
                    help="only the out-of-sample table")
    ap.add_argument("--out", default=None, help="also write the table to this .md file")
    args = ap.parse_args(argv)
    report = Report("Spectral embedding of MNIST: ours vs scikit-learn",
                    "absolute timings are inflated and noisy; the ratios are measured "
                    "side by side in the same run")
    emit = report.emit
    splits = [("test", 10000)] if args.quick else [("test", 10000), ("all", 70000)]
    results = {}
    if not args.oos_only:
        emit("| n | method | fit_transform s | time ratio (ours/sklearn) | recall@10 | "
             "peak RSS MiB | k-means ACC | ACC - sklearn |")
        emit("|---|---|---|---|---|---|---|---|")
    for split, n in [] if args.oos_only else splits:
        sk = _run(job_embed, "sklearn", split)
        results[(n, "sklearn")] = sk
        emit(f"| {n} | sklearn SpectralEmbedding (amg) | {sk['seconds']:.1f} | 1.00 | exact | "
             f"{sk['peak_mib']:.0f} | {sk['acc']:.4f} | 0 |")
        configs = [(None, "brute"), (None, "ivf")]
        if n > 10000 and args.no_exact_70k:
            configs = [(None, "ivf")]
        if n > args.max_nodes:
            configs += [(args.max_nodes, "brute"), (args.max_nodes, "ivf")]
        for mn, nb in configs:
            r = _run(job_embed, "ours", split, mn, nb)
            results[(n, mn, nb)] = r
            label = ("ours, all nodes" if mn is None
                     else f"ours, {mn} sampled nodes + extension") + f", {nb} kNN"
            emit(f"| {n} | {label} | {r['seconds']:.1f} | "
                 f"{r['seconds'] / sk['seconds']:.2f} | {r['recall']:.4f} | {r['peak_mib']:.0f} | "
                 f"{r['acc']:.4f} | {r['acc'] - sk['acc']:+.4f} |")
    if not args.quick and not args.oos_only:
        emit()
        emit("Growth of the time from 10k to 70k nodes (x7 nodes):")
        emit()
        emit("| method | t(70k) / t(10k) |")
        emit("|---|---|")
        for key, label in (("sklearn", "sklearn"),
                           ((None, "brute"), "ours, all nodes, brute kNN"),
                           ((None, "ivf"), "ours, all nodes, ivf kNN"),
                           ((args.max_nodes, "brute"),
                            f"ours, max_nodes={args.max_nodes}, brute kNN"),
                           ((args.max_nodes, "ivf"), f"ours, max_nodes={args.max_nodes}, ivf kNN")):
            k10 = key if key == "sklearn" else (None, key[1])  # 10k < max_nodes
            k70 = (70000,) + ((key,) if key == "sklearn" else key)
            if k70 not in results:
                continue
            t10 = results[(10000,) + ((k10,) if key == "sklearn" else k10)]["seconds"]
            emit(f"| {label} | {results[k70]['seconds'] / t10:.1f} |")
    if not args.quick:
        emit()
        emit("Out of sample: fit on the 60k training images, transform the 10k test "
             "images, KMeans fitted on the training embedding predicts the test set.")
        emit()
        emit("| max_nodes | search | fit_transform(train) s | transform(test) s | vectors/s | "
             "vectors per CPU-second | recall@10 (test queries) | ACC train | ACC test | "
             "peak RSS MiB |")
        emit("|---|---|---|---|---|---|---|---|---|---|")
        for nb in ("brute", "ivf"):
            r = _run(job_out_of_sample, args.max_nodes, nb)
            emit(f"| {args.max_nodes} | {nb} | {r['fit_s']:.1f} | {r['transform_s']:.2f} | "
                 f"{r['per_s']:.0f} | {r['per_cpu_s']:.0f} | {r['recall']:.4f} | "
                 f"{r['acc_train']:.4f} | {r['acc_test']:.4f} | {r['peak_mib']:.0f} |")
    report.save(args.out)


if __name__ == "__main__":
    main()
