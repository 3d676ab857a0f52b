"""A fitted pipeline predicting generated images over a Dask cluster: 1 vs 2 workers.

Fit on a sample, predict everything: a pipeline is fitted in this process on
``--fit`` MNIST training images, then predicts ``--n`` images that are never
stored whole -- shifted copies of the 10,000 MNIST test images
(:func:`sklearn_specclust.datasets.make_shifted_dask`, up to ``--max-shift``
pixels each way), generated block by block on the workers from a seed and
the block index -- through :func:`sklearn_specclust.utils.predict_blocks`
on a ``LocalCluster`` of 1 and then 2 worker processes with one thread each,
in one run. Each block's labels are reduced on its worker to a 10 x 10
contingency table against the source digits, so the result is an accuracy
over all images, and nothing of size ``n`` is ever gathered.

Per configuration: images/s over the whole run and over its last 90 % of
blocks (after the estimator and the source images reached the workers),
and every worker's peak resident memory after 10 %, 50 % and 100 % of the
blocks (flat memory: the same peak after 10 % and 100 %).

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


def run_config(model, source, labels, n, chunk, n_workers, seed, max_shift):
    """Predict ``n`` generated images on ``n_workers`` processes; time, memory, ACC."""
    import dask
    from distributed import Client, LocalCluster, as_completed

    from sklearn_specclust.datasets import make_shifted_dask
    from sklearn_specclust.utils import predict_blocks

    Xd, yd = make_shifted_dask(source, labels, n_samples=n, chunk_size=chunk,
                               max_shift=max_shift, random_state=seed)
    with LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True,
                      protocol="tcp", host="127.0.0.1", dashboard_address=None,
                      memory_limit="6GiB") as cluster, Client(cluster) as client:
        start_rss = client.run(_rss_mib)
        t0 = time.perf_counter()
        pred = predict_blocks(model, Xd)
        tables = [dask.delayed(_contingency)(p, t)
                  for p, t in zip(pred.to_delayed().ravel(), yd.to_delayed().ravel())]
        futures = client.compute(tables)
        n_blocks = len(futures)
        marks = {max(1, round(f * n_blocks)): f for f in (0.1, 0.5, 1.0)}
        total = np.zeros((10, 10), dtype=np.int64)
        peaks, done, t10 = {}, 0, None
        rows_done = 0
        for future in as_completed(futures):
            total += future.result()
            done += 1
            rows_done = int(total.sum())
            if done in marks:
                peaks[marks[done]] = client.run(_peak_rss_mib)
                if marks[done] == 0.1:
                    t10, rows10 = time.perf_counter(), rows_done
        t_end = time.perf_counter()
        wall = t_end - t0
        workers = sorted(peaks[1.0])
    steady = (rows_done - rows10) / (t_end - t10) if t10 and t_end > t10 else float("nan")
    return dict(
        n=rows_done, wall=wall, rate=rows_done / wall, steady=steady, acc=_acc(total),
        start=[start_rss[w] for w in workers],
        peaks={f: [peaks[f][w] for w in workers] for f in peaks}, n_blocks=n_blocks,
    )


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

    rows = []
    for n_workers in args.workers:
        fits = int(rate * n_workers * args.budget_s) // args.chunk * args.chunk
        n = min(args.n, max(args.chunk, fits))
        r = run_config(model, source, labels, n, args.chunk, n_workers, args.seed,
                       args.max_shift)
        r["workers"], r["asked"] = n_workers, args.n
        rows.append(r)
        print(r, flush=True)
    emit("| workers | images | blocks | wall s | images/s | images/s after 10 % | "
         "ACC (all images) | worker RSS at start MiB | peak RSS MiB after 10 % / 50 % / 100 % "
         "of the blocks, per worker |")
    emit("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        peaks = "; ".join(" / ".join(f"{r['peaks'][f][w]:.0f}" for f in (0.1, 0.5, 1.0))
                          for w in range(r["workers"]))
        start = "; ".join(f"{v:.0f}" for v in r["start"])
        note = "" if r["n"] >= r["asked"] else " (budget)"
        emit(f"| {r['workers']} | {r['n']:,}{note} | {r['n_blocks']} | {r['wall']:.0f} | "
             f"{r['rate']:.0f} | {r['steady']:.0f} | {r['acc']:.4f} | {start} | {peaks} |")
    if len(rows) > 1:
        a, b = rows[0], rows[-1]
        emit()
        emit(f"Throughput {b['workers']} workers / {a['workers']} worker: "
             f"x{b['rate'] / a['rate']:.2f} overall, x{b['steady'] / a['steady']:.2f} "
             f"after the first 10 % of blocks. Largest growth of a worker's peak memory "
             "from 10 % to 100 % of the blocks: "
             f"{max(max(np.subtract(r['peaks'][1.0], r['peaks'][0.1])) for r in rows):.0f} "
             "MiB.")
    if any(r["n"] < r["asked"] for r in rows):
        emit()
        emit("(budget): the asked number of images would have taken longer than the "
             "budget at the measured predict cost; the configuration ran the largest whole "
             "number of blocks that fits.")
    report.save(args.out)


if __name__ == "__main__":
    main()
