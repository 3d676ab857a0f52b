"""Does repeating k-means per number of eigenvectors steady SA-Net's spectral head?

On fixed SA-Net features the default :class:`~sklearn_specclust.sanet.SpectralHead`
(best-of-k of one k-means per ``m`` in ``n_clusters x (1, 1.25, 1.5, 1.75, 2)``)
swings by several ACC points with the head's seed alone: the eigenvectors are
the same for every seed, but k-means on more than ``n_clusters`` unit-row
eigenvectors has several good local optima and ``n_init=10`` restarts land on
different ones. ``n_repeats`` runs k-means that many times per ``m`` with
different seeds and lets every run's partition join the best-of-k consensus,
so that a partition found by several runs outweighs one found once
(:func:`repeated_best_of_k`; ``n_repeats=1`` is the default head itself).

``--part train`` chooses ``n_repeats``: the network (``make_sanet(k,
random_state=0)`` up to ``flatten``) is fitted once per data set (MNIST and
Fashion-MNIST train ``[0:3000]`` and ``[3000:6000]``, the bundled digits) and
the head alone runs with seeds ``--head-seeds`` for each ``n_repeats`` in
``--repeats``: the spread is the head's own. ``--part test`` reports the
choice against ``n_repeats=1`` on the test 10k and the digits, each seed
driving the network and the head (or, with ``--head-seeds``, each network with
those head seeds). Features are cached as in
:mod:`benchmarks.studies.sanet_head_consensus`.

Run::

    OMP_NUM_THREADS=1 python -m benchmarks.studies.sanet_head_repeats --part train \\
        --out benchmarks/results/sanet_head_repeats_train.md
    OMP_NUM_THREADS=1 python -m benchmarks.studies.sanet_head_repeats --part test \\
        --repeats 1 2 --out benchmarks/results/sanet_head_repeats.md
    OMP_NUM_THREADS=1 python -m benchmarks.studies.sanet_head_repeats --part test \\
        --repeats 1 2 --head-seeds 0 1 2 3 4 5 6 7 8 9 \\
        --out benchmarks/results/sanet_head_repeats_heads.md
"""

import argparse
import os
import tempfile
import time

import numpy as np

from benchmarks._common import Report, clustering_scores, mean_table, seed_spread_table
from benchmarks.studies.sanet_head_consensus import SETS, TITLES, features


def repeated_best_of_k(F, k, n_repeats, seed):
    """The default head's best-of-k over ``n_repeats`` k-means fits per ``m``.

    The embedding and the candidate ``m`` are :class:`SpectralHead`'s; each
    ``m`` is clustered ``n_repeats`` times (``n_init=10``, seeds drawn from
    ``seed``), and the partition with the largest mean NMI with all the
    others is kept (smaller ``m``, then earlier run, on a tie).
    """
    from sklearn.metrics import normalized_mutual_info_score
    from sklearn.preprocessing import normalize
    from sklearn.utils import check_random_state

    from sklearn_specclust.cluster._consensus import candidate_components, kmeans_single
    from sklearn_specclust.spectral import SpectralAnalysisLayer

    ms = candidate_components(k, "auto", len(F))
    U = SpectralAnalysisLayer(n_neighbors=(10,), eps_scales=(), gaussian_scales=(),
                              n_components=max(ms), max_nodes=None,
                              random_state=seed).fit_transform(F)
    seeds = check_random_state(seed).randint(np.iinfo(np.int32).max, size=n_repeats)
    keys = [(m, r) for m in ms for r in range(n_repeats)]
    labels = {(m, r): kmeans_single(normalize(U[:, :m]), k, 10, int(seeds[r])).labels_
              for m, r in keys}
    score = {key: np.mean([normalized_mutual_info_score(labels[key], labels[o])
                           for o in keys if o != key]) for key in keys}
    return labels[max(keys, key=lambda key: (score[key], -key[0], -key[1]))]


def head_runs(F, k, repeats, seed):
    """Labels and fit seconds of the default head (``r = 1``) and of the repeats."""
    from sklearn_specclust.sanet import SpectralHead

    out = {}
    for r in repeats:
        t0 = time.perf_counter()
        if r == 1:
            labels = SpectralHead(k, random_state=seed).fit(F).labels_
        else:
            labels = repeated_best_of_k(F, k, r, seed)
        out[r] = (labels, time.perf_counter() - t0)
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=sorted(SETS), default="train")
    parser.add_argument("--repeats", type=int, nargs="+", default=[1, 2, 3, 4])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2],
                        help="network and head seeds (--part test)")
    parser.add_argument("--head-seeds", type=int, nargs="+", default=None,
                        help="head seeds on each network (default: 0 to 9 with --part "
                        "train, the network's seed with --part test)")
    parser.add_argument("--cache", default=os.path.join(tempfile.gettempdir(),
                                                        "sanet_head_features"))
    parser.add_argument("--out", default=None)
    args = parser.parse_args(argv)
    names = SETS[args.part]
    train = args.part == "train"
    if train and args.head_seeds is None:
        args.head_seeds = list(range(10))
    rep = Report(f"SA-Net spectral head: k-means repeats per number of eigenvectors "
                 f"({args.part})", "shared 2-core machine, one thread; head times are "
                 "indicative only")
    scores, times = {}, {}
    for name in names:
        for seed in ([0] if train else args.seeds):
            F, y, _ = features(name, seed, args.cache)
            F = F.astype(np.float64)
            k = len(np.unique(y))
            for head_seed in (args.head_seeds or [seed]):
                for r, (labels, seconds) in head_runs(F, k, args.repeats, head_seed).items():
                    scores.setdefault(r, {}).setdefault(name, []).append(
                        clustering_scores(y, labels)[:2])
                    times.setdefault(r, {}).setdefault(name, []).append(seconds)
            print(f"  {name} seed {seed} done", flush=True)
    if train:
        seeds = ", ".join(map(str, args.head_seeds))
        rep.emit(f"ACC mean ± std (NMI mean in brackets) over head seeds {seeds}, all on the "
                 "features of one network (make_sanet(k, random_state=0) up to flatten).")
    elif args.head_seeds:
        seeds = ", ".join(map(str, args.seeds))
        rep.emit(f"ACC mean ± std (NMI mean in brackets) over networks "
                 f"make_sanet(k, random_state=s) up to flatten, s = {seeds}, each with head "
                 f"seeds {', '.join(map(str, args.head_seeds))}.")
    else:
        seeds = ", ".join(map(str, args.seeds))
        rep.emit(f"ACC mean ± std (NMI mean in brackets) over seeds {seeds}; each seed drives "
                 "the network (make_sanet(k) up to flatten) and the head.")
    rep.emit()
    for line in seed_spread_table("n_repeats", scores, names, TITLES, digits=4):
        rep.emit(line)
    rep.emit()
    rep.emit("Head fit seconds (mean, features given):")
    rep.emit()
    for line in mean_table("n_repeats", times, names, TITLES, ".2f"):
        rep.emit(line)
    if not train and not args.head_seeds:
        rep.emit()
        rep.emit("ACC per seed (" + seeds + "):")
        rep.emit()
        rep.emit("| n_repeats | " + " | ".join(TITLES[n] for n in names) + " |")
        rep.emit("| --- | " + " | ".join("---" for _ in names) + " |")
        for r, by_set in scores.items():
            rep.emit(f"| {r} | " + " | ".join(
                " / ".join(f"{a:.4f}" for a, _ in by_set[n]) for n in names) + " |")
    base = min(scores)
    rep.emit()
    for r in scores:
        if r == base:
            continue
        diffs = [np.mean(np.array(scores[r][n])[:, 0]) - np.mean(np.array(scores[base][n])[:, 0])
                 for n in names]
        spread = [np.std(np.array(scores[r][n])[:, 0]) - np.std(np.array(scores[base][n])[:, 0])
                  for n in names]
        rep.emit(f"- n_repeats={r} minus {base}: mean ACC "
                 + ", ".join(f"{d:+.4f}" for d in diffs) + "; ACC std "
                 + ", ".join(f"{d:+.4f}" for d in spread) + f" ({', '.join(names)}); "
                 f"better in mean ACC on every data set: {'yes' if min(diffs) > 0 else 'no'}.")
    rep.save(args.out)


if __name__ == "__main__":
    main()
