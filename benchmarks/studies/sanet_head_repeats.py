"""Does repeating k-means per number of eigenvectors steady SA-Net's spectral head?

On fixed SA-Net features the default :class:`~sklearn_specclust.sanet.SpectralHead`
(best-of-k of one k-means per ``m`` in ``n_clusters x (1, 1.25, 1.5, 1.75, 2)``)
swings by several ACC points with the head's seed alone: the eigenvectors are
the same for every seed, but k-means on more than ``n_clusters`` unit-row
eigenvectors has several good local optima and ``n_init=10`` restarts land on
different ones. ``n_repeats`` runs k-means that many times per ``m`` with
different seeds and lets every run's partition join the best-of-k consensus,
so that a partition found by several runs outweighs one found once.

``--part train`` chooses ``n_repeats``: the network (``make_sanet(k,
random_state=0)`` up to ``flatten``) is fitted once per data set (MNIST and
Fashion-MNIST train ``[0:3000]`` and ``[3000:6000]``, the bundled digits) and
the head alone runs with seeds ``--head-seeds`` for each ``n_repeats`` in
``--repeats``: the spread is the head's own. ``--part test`` reports the
choice against ``n_repeats=1`` on the test 10k and the digits, each seed
driving the network and the head. Features are cached as in
:mod:`benchmarks.studies.sanet_head_consensus`.

Run::

    OMP_NUM_THREADS=1 python -m benchmarks.studies.sanet_head_repeats --part train \\
        --out benchmarks/results/sanet_head_repeats_train.md
    OMP_NUM_THREADS=1 python -m benchmarks.studies.sanet_head_repeats --part test \\
        --repeats 1 2 --out benchmarks/results/sanet_head_repeats.md
"""

import argparse
import os
import tempfile
import time

import numpy as np

from benchmarks._common import Report, clustering_scores
from benchmarks.studies.sanet_head_consensus import SETS, TITLES, features


def head_runs(F, k, repeats, seed):
    """Labels and fit seconds of ``SpectralHead(k, n_repeats=r)`` for each ``r``."""
    from sklearn_specclust.sanet import SpectralHead

    out = {}
    for r in repeats:
        t0 = time.perf_counter()
        labels = SpectralHead(k, n_repeats=r, random_state=seed).fit(F).labels_
        out[r] = (labels, time.perf_counter() - t0)
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=sorted(SETS), default="train")
    parser.add_argument("--repeats", type=int, nargs="+", default=[1, 2, 3, 4])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2],
                        help="network and head seeds (--part test)")
    parser.add_argument("--head-seeds", type=int, nargs="+", default=list(range(10)),
                        help="head seeds on the seed-0 network (--part train)")
    parser.add_argument("--cache", default=os.path.join(tempfile.gettempdir(),
                                                        "sanet_head_features"))
    parser.add_argument("--out", default=None)
    args = parser.parse_args(argv)
    names = SETS[args.part]
    train = args.part == "train"
    rep = Report(f"SA-Net spectral head: k-means repeats per number of eigenvectors "
                 f"({args.part})", "shared 2-core machine, one thread; head times are "
                 "indicative only")
    scores, times = {}, {}
    for name in names:
        for seed in ([0] if train else args.seeds):
            F, y, _ = features(name, seed, args.cache)
            F = F.astype(np.float64)
            k = len(np.unique(y))
            for head_seed in (args.head_seeds if train else [seed]):
                for r, (labels, seconds) in head_runs(F, k, args.repeats, head_seed).items():
                    scores.setdefault(r, {}).setdefault(name, []).append(
                        clustering_scores(y, labels)[:2])
                    times.setdefault(r, {}).setdefault(name, []).append(seconds)
            print(f"  {name} seed {seed} done", flush=True)
    if train:
        seeds = ", ".join(map(str, args.head_seeds))
        rep.emit(f"ACC mean ± std (NMI mean in brackets) over head seeds {seeds}, all on the "
                 "features of one network (make_sanet(k, random_state=0) up to flatten).")
    else:
        seeds = ", ".join(map(str, args.seeds))
        rep.emit(f"ACC mean ± std (NMI mean in brackets) over seeds {seeds}; each seed drives "
                 "the network (make_sanet(k) up to flatten) and the head.")
    rep.emit()
    rep.emit("| n_repeats | " + " | ".join(TITLES[n] for n in names) + " | mean ACC |")
    rep.emit("| --- | " + " | ".join("---" for _ in names) + " | --- |")
    for r, by_set in scores.items():
        cells = []
        for n in names:
            a = np.array(by_set[n])
            cells.append(f"{a[:, 0].mean():.4f} ± {a[:, 0].std():.4f} ({a[:, 1].mean():.4f})")
        mean = np.mean([np.mean(np.array(by_set[n])[:, 0]) for n in names])
        rep.emit(f"| {r} | " + " | ".join(cells) + f" | {mean:.4f} |")
    rep.emit()
    rep.emit("Head fit seconds (mean, features given):")
    rep.emit()
    rep.emit("| n_repeats | " + " | ".join(TITLES[n] for n in names) + " |")
    rep.emit("| --- | " + " | ".join("---" for _ in names) + " |")
    for r, by_set in times.items():
        rep.emit(f"| {r} | " + " | ".join(f"{np.mean(by_set[n]):.2f}" for n in names) + " |")
    if not train:
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
                 + ", ".join(f"{d:+.4f}" for d in spread) + f" ({', '.join(names)}).")
    rep.save(args.out)


if __name__ == "__main__":
    main()
