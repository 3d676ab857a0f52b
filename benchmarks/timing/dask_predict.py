"""A fitted pipeline predicting generated images over a Dask cluster: 1 vs 2 workers.

Fit on a sample, predict everything: a pipeline is fitted in this process on
``--fit`` MNIST training images, then predicts ``--n`` images that are never
stored whole -- shifted copies of the 10,000 MNIST test images
(:func:`sklearn_specclust.datasets.make_shifted_dask`, up to ``--max-shift``
pixels each way), generated block by block on the workers from a seed and
the block index -- through :func:`sklearn_specclust.utils.predict_blocks`
on a ``LocalCluster`` of 1 and one of 2 worker processes with one thread
each, in one run. Both clusters are started first; each configuration's
images are split into ``--rounds`` rounds and the configurations take turns
round by round, so that the load of the shared machine, which changes by
the minute, falls on both. Each block's labels are reduced on its worker
to a 10 x 10 contingency table against the source digits, so the result is
an accuracy over all images, and nothing of size ``n`` is ever gathered.

Per configuration: images/s (all rounds, and round by round with the load
average), the CPU time each worker got (on a shared machine, what limits
the throughput; Linux shares the cores between sessions first, so all the
workers of one benchmark share one session's part of a busy machine), and
every worker's peak resident memory (``VmHWM``) after its
first, middle and last round (flat memory: the same peak after the first
round and after the last).

The predict cost is measured first in this process on one block; a
configuration whose ``--n`` images would take longer than ``--budget-s``
seconds at that rate (times its number of workers) runs the largest
whole number of blocks that fits instead, and the table says so.

``--model sanet`` is ``make_sanet(10)``; ``--model landmark`` is SC-LS
(:class:`~sklearn_specclust.LandmarkSpectralClustering`, 1000 landmarks) on
the pixels, a cheap predict with which a million images fit the budget.
Before the timed runs, the first ``--check`` images are predicted through
Dask and in this process (one call on all of them) and the agreement is
reported.

Usage::

    OMP_NUM_THREADS=1 nice -n 5 python -m benchmarks.timing.dask_predict \\
        --model sanet --n 1000000 --budget-s 480 \\
        --out benchmarks/results/dask_predict_sanet.md
    OMP_NUM_THREADS=1 nice -n 5 python -m benchmarks.timing.dask_predict \\
        --model landmark --n 1000000 --out benchmarks/results/dask_predict_landmark.md
"""

import argparse
import os
import resource
import time
import warnings

import numpy as np

from benchmarks._common import Report, load


def _peak_rss_mib():
    """Peak resident memory of the calling process (a worker, with client.run), MiB.

    ``VmHWM``, the high-water mark of this process's own memory map:
    ``ru_maxrss`` would also count the parent's peak, which a spawned worker
    inherits through fork and exec.
    """
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _rss_mib():
    import psutil

    return psutil.Process().memory_info().rss / 2**20


def _cpu_s():
    """CPU seconds (user + system) the calling process has used so far."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _contingency(labels, truth):
    table = np.zeros((10, 10), dtype=np.int64)
    np.add.at(table, (np.asarray(labels) % 10, np.asarray(truth)), 1)
    return table


def _flatten(X):
    return np.asarray(X, dtype=np.float32).reshape(len(X), -1)


def make_model(name, X, seed):
    """The fitted pipeline: ``make_sanet(10)`` or SC-LS on the pixels."""
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import FunctionTransformer

    from sklearn_specclust import LandmarkSpectralClustering, make_sanet

    if name == "sanet":
        model = make_sanet(10, random_state=seed)
    else:
        model = make_pipeline(FunctionTransformer(_flatten),
                              LandmarkSpectralClustering(10, random_state=seed))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # graph-joining notes
        return model.fit(X)


def _start(n_workers):
    from distributed import Client, LocalCluster

    cluster = LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True,
                           protocol="tcp", host="127.0.0.1", dashboard_address=None,
                           memory_limit="6GiB")
    return cluster, Client(cluster, set_as_default=False)


def run_round(client, model, Xd, yd):
    """Predict ``Xd`` on ``client``'s workers; rows, seconds and the contingency table."""
    import dask

    from sklearn_specclust.utils import predict_blocks

    t0 = time.perf_counter()
    pred = predict_blocks(model, Xd)
    tables = [dask.delayed(_contingency)(p, t)
              for p, t in zip(pred.to_delayed().ravel(), yd.to_delayed().ravel())]
    total = sum(client.gather(client.compute(tables)))
    return int(total.sum()), time.perf_counter() - t0, total


def run_configs(model, source, labels, sizes, chunk, rounds, seed, max_shift):
    """Alternate rounds of every configuration, each on its own running cluster.

    ``sizes`` maps a number of workers to its number of images, split into
    ``rounds`` rounds; round ``r`` of every configuration runs right after
    round ``r`` of the others, so that a change of the machine's load falls
    on all of them.
    """
    from sklearn_specclust.datasets import make_shifted_dask

    clusters = {w: _start(w) for w in sizes}
    try:
        res = {w: dict(n=0, wall=0.0, table=0, rounds=[], peaks=[],
                       start=clusters[w][1].run(_rss_mib)) for w in sizes}
        for w, (_, client) in clusters.items():  # untimed: one block per worker
            Xd, yd = make_shifted_dask(source, labels, n_samples=w * chunk, chunk_size=chunk,
                                       max_shift=max_shift, random_state=seed + rounds)
            run_round(client, model, Xd, yd)
            res[w]["cpu0"] = client.run(_cpu_s)
        for r in range(rounds):
            for w, n in sizes.items():
                per_round = max(chunk, n // rounds // chunk * chunk)
                Xd, yd = make_shifted_dask(source, labels, n_samples=per_round,
                                           chunk_size=chunk, max_shift=max_shift,
                                           random_state=seed + r)
                client = clusters[w][1]
                rows, wall, table = run_round(client, model, Xd, yd)
                out = res[w]
                out["n"] += rows
                out["wall"] += wall
                out["table"] = out["table"] + table
                out["rounds"].append((rows / wall, os.getloadavg()[0]))
                peaks = client.run(_peak_rss_mib)
                out["cpu"] = client.run(_cpu_s)
                out["peaks"].append([peaks[k] for k in sorted(peaks)])
                print(w, "workers, round", r, rows, f"{wall:.1f} s", out["peaks"][-1],
                      flush=True)
        for out in res.values():
            out["start"] = [out["start"][k] for k in sorted(out["start"])]
            out["cpu"] = [out["cpu"][k] - out["cpu0"][k] for k in sorted(out["cpu"])]
            out["acc"] = _acc(out["table"])
        return res
    finally:
        for cluster, client in clusters.values():
            client.close()
            cluster.close()


def _acc(table):
    from scipy.optimize import linear_sum_assignment

    r, c = linear_sum_assignment(-table)
    return table[r, c].sum() / table.sum()


def check_agreement(model, source, labels, n, chunk, seed, max_shift):
    """Labels of the first ``n`` generated images through Dask vs one in-memory call."""
    from distributed import Client, LocalCluster

    from sklearn_specclust.datasets import make_shifted_dask
    from sklearn_specclust.utils import predict_blocks

    Xd, _ = make_shifted_dask(source, labels, n_samples=n, chunk_size=chunk,
                              max_shift=max_shift, random_state=seed)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, protocol="tcp",
                      host="127.0.0.1", dashboard_address=None) as cluster, Client(cluster):
        through_dask = predict_blocks(model, Xd).compute()
    images = Xd.compute(scheduler="sync")
    whole = model.predict(images)
    by_block = np.concatenate([model.predict(images[a : a + chunk])
                               for a in range(0, n, chunk)])
    return float(np.mean(through_dask == whole)), bool(np.array_equal(through_dask, by_block))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", choices=["sanet", "landmark"], default="sanet")
    ap.add_argument("--n", type=int, default=1_000_000, help="images to predict")
    ap.add_argument("--chunk", type=int, default=2000, help="images per block")
    ap.add_argument("--fit", type=int, default=2000, help="training images to fit on")
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--budget-s", type=float, default=600.0,
                    help="most seconds a configuration may take at the measured rate")
    ap.add_argument("--rounds", type=int, default=4,
                    help="rounds per configuration, the configurations taking turns")
    ap.add_argument("--max-shift", type=int, default=2)
    ap.add_argument("--check", type=int, default=2000,
                    help="images compared with one in-memory predict (0: skip)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", default=None)
    args = ap.parse_args(argv)

    from sklearn_specclust.datasets import make_shifted

    X_train, _ = load("mnist", "train")
    rng = np.random.RandomState(args.seed)
    fit_images = X_train[rng.choice(len(X_train), args.fit, replace=False)]
    source, labels = load("mnist", "test")
    source = source.astype(np.float32) / 255.0
    labels = labels.astype(np.int64)

    # the source images and the fitted model enter the graph once each (one key)
    warnings.filterwarnings("ignore", message="Sending large graph")
    warnings.filterwarnings("ignore", message="Port 8787 is already in use")
    report = Report(
        f"Dask predict of generated images: {args.model}, 1 vs 2 workers",
        "2 shared cores, loaded by other jobs; compare the configurations of this run "
        "with each other (ratios), not with other runs",
    )
    emit = report.emit
    t0 = time.perf_counter()
    model = make_model(args.model, fit_images.astype(np.float32) / 255.0, args.seed)
    fit_s = time.perf_counter() - t0
    block, _ = make_shifted(source, n_samples=args.chunk, max_shift=args.max_shift,
                            random_state=args.seed)
    t0 = time.perf_counter()
    model.predict(block)
    rate = args.chunk / (time.perf_counter() - t0)
    emit(f"Model: `{args.model}` fitted on {args.fit} MNIST training images in {fit_s:.1f} s; "
         f"Predict cost in this process, one block of {args.chunk} shifted images: "
         f"{1e3 / rate:.2f} ms per image ({rate:.0f} images/s).")
    emit()
    emit(f"Images: shifted copies (up to {args.max_shift} pixels each way) of the MNIST "
         f"test images, generated on the workers in blocks of {args.chunk}; asked for "
         f"{args.n:,}; time budget per configuration {args.budget_s:.0f} s.")
    emit()
    if args.check:
        agree, exact = check_agreement(model, source, labels, args.check, args.chunk,
                                       args.seed + 1, args.max_shift)
        emit(f"Agreement on the first {args.check} generated images (2 workers): labels "
             f"through Dask equal one in-memory `predict` of all of them for "
             f"{100 * agree:.2f} % of the images, and equal in-memory `predict` block by "
             f"block {'exactly' if exact else 'NOT exactly'}.")
        emit()

    sizes = {}
    for w in args.workers:
        fits = int(rate * w * args.budget_s) // args.chunk * args.chunk
        sizes[w] = min(args.n, max(args.chunk * args.rounds, fits))
    res = run_configs(model, source, labels, sizes, args.chunk, args.rounds, args.seed,
                      args.max_shift)
    emit(f"Each configuration runs on its own cluster, started and warmed up (one untimed "
         f"block per worker: the model and the source images reach every worker) before "
         f"the first round; its images are split into {args.rounds} rounds, and the "
         "configurations take turns round by round (so that a change of the machine's "
         "load falls on all).")
    emit()
    emit("| workers | images | wall s | images/s | CPU s per worker (share of the wall time) "
         "| images per worker CPU s | ACC (all images) | worker RSS at start MiB "
         "| peak RSS MiB per worker after the first / middle / last round |")
    emit("|---|---|---|---|---|---|---|---|---|")
    mid = (args.rounds - 1) // 2
    for w, r in res.items():
        peaks = "; ".join(" / ".join(f"{r['peaks'][i][k]:.0f}" for i in (0, mid, -1))
                          for k in range(w))
        start = "; ".join(f"{v:.0f}" for v in r["start"])
        note = "" if r["n"] >= args.n else " (budget)"
        cpu = "; ".join(f"{c:.0f} ({c / r['wall']:.0%})" for c in r["cpu"])
        emit(f"| {w} | {r['n']:,}{note} | {r['wall']:.0f} | {r['n'] / r['wall']:.0f} | "
             f"{cpu} | {r['n'] / sum(r['cpu']):.0f} | {r['acc']:.4f} | {start} | {peaks} |")
    emit()
    emit("By round (images/s, and the machine's 1-minute load average after the round):")
    emit()
    emit("| round | " + " | ".join(f"{w} worker{'s' * (w > 1)}" for w in res) + " |")
    emit("|---|" + "---|" * len(res))
    for i in range(args.rounds):
        emit(f"| {i + 1} | " + " | ".join(
            f"{r['rounds'][i][0]:.0f} (load {r['rounds'][i][1]:.1f})" for r in res.values())
            + " |")
    if len(res) > 1:
        lo, hi = min(res), max(res)
        a, b = res[lo], res[hi]
        growth = max(max(np.subtract(r["peaks"][-1], r["peaks"][0])) for r in res.values())
        emit()
        emit(f"Throughput {hi} workers / {lo} worker: "
             f"x{(b['n'] / b['wall']) / (a['n'] / a['wall']):.2f}. Largest growth of a "
             f"worker's peak memory from the first to the last round: {growth:.0f} MiB.")
    if any(r["n"] < args.n for r in res.values()):
        emit()
        emit("(budget): the asked number of images would have taken longer than the "
             "budget at the measured predict cost; the configuration ran the largest whole "
             "number of blocks that fits.")
    report.save(args.out)


if __name__ == "__main__":
    main()
