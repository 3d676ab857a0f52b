"""Where the default SA-Net spends its time and memory, stage by stage.

Fits ``make_sanet(10, random_state=0)`` (the ``"normalized-knn"`` preset) on
the first ``n`` MNIST images (``--subset test``: the 10,000 test images;
``--subset all``: all 70,000). ``--batched``: by the network's own
``fit_predict`` (the per-image steps run on batches of images), with the
time spent in each step's methods summed over the batches (a step's own
time: what it spends in the steps it calls is theirs). Otherwise one
pipeline step at a time, on all images at once, reporting for
every step its time, the resident memory after it and the peak so far, and
the size of the array it hands on. The first layer is split further: its
``fit`` (node sampling, neighbour index, graph, Lanczos) and its
``transform`` of every patch node (neighbour queries against the fitted
nodes, the Nystrom extension). The whole run is profiled with cProfile and
the hot calls (by own time and by cumulative time) are listed.

Usage::

    OMP_NUM_THREADS=1 python -m benchmarks.timing.sanet_profile --n 10000 \\
        [--subset test|all] [--batched] [--top 25] [--out FILE]
"""

import argparse
import cProfile
import io
import pstats
import time
import warnings

import numpy as np

from benchmarks._common import Report, accuracy, load, peak_rss_gib


def _rss_gib():
    import psutil

    return psutil.Process().memory_info().rss / 2**30


def _nbytes(a):
    return getattr(a, "nbytes", 0) / 2**20


def profile_fit(X, seed=0):
    """Fit the default SA-Net step by step; return rows, labels and the pipeline."""
    from sklearn_specclust.sanet import make_sanet

    pipe = make_sanet(10, random_state=seed)
    params = pipe._before_fit(X, {})
    rows = []
    data = X
    t_all = time.perf_counter()
    for name, step in pipe.steps:
        if step == "passthrough":
            continue
        fit_params = {k.split("__", 1)[1]: v for k, v in params.items()
                      if k.startswith(name + "__")}
        t0 = time.perf_counter()
        if name == pipe.steps[-1][0]:
            labels = step.fit(data, **fit_params).labels_
            out = labels
        elif name.startswith("layer"):
            step.fit(data, **fit_params)
            t1 = time.perf_counter()
            rows.append((f"{name}.fit ({step.n_nodes_fit_} of {step.n_nodes_seen_} nodes)",
                         t1 - t0, _rss_gib(), peak_rss_gib(), 0.0))
            t0 = time.perf_counter()
            out = step.transform(data)
            name = f"{name}.transform"
        else:
            out = step.fit_transform(data, **fit_params) if fit_params else \
                step.fit_transform(data)
        dt = time.perf_counter() - t0
        shape = "x".join(map(str, np.shape(out)))
        rows.append((f"{name} -> {shape} {getattr(out, 'dtype', '')}", dt, _rss_gib(),
                     peak_rss_gib(), _nbytes(out)))
        data = out
    return rows, labels, time.perf_counter() - t_all


class _StepTimer:
    """Own time of each step's methods, summed over calls (nested calls excluded)."""

    METHODS = ("fit", "transform", "fit_transform", "fit_predict", "predict",
               "_fit_from_rows")

    def __init__(self):
        self.own, self.stack = {}, []

    def wrap(self, name, step):
        for method in self.METHODS:
            if hasattr(step, method):
                setattr(step, method, self._timed(f"{name}.{method.lstrip('_')}",
                                                  getattr(step, method)))

    def unwrap(self, step):
        for method in self.METHODS:
            step.__dict__.pop(method, None)

    def _timed(self, key, func):
        def timed(*args, **kwargs):
            self.stack.append(0.0)
            t0 = time.perf_counter()
            try:
                return func(*args, **kwargs)
            finally:
                dt = time.perf_counter() - t0
                children = self.stack.pop()
                self.own[key] = self.own.get(key, 0.0) + dt - children
                if self.stack:
                    self.stack[-1] += dt
        return timed


def profile_batched(X, seed=0):
    """The network's own ``fit_predict``; own seconds of every step's methods."""
    from sklearn_specclust.sanet import make_sanet

    pipe = make_sanet(10, random_state=seed)
    timer = _StepTimer()
    for name, step in pipe.steps:
        if step != "passthrough":
            timer.wrap(name, step)
    t0 = time.perf_counter()
    labels = pipe.fit_predict(X)
    total = time.perf_counter() - t0
    for _, step in pipe.steps:
        if step != "passthrough":
            timer.unwrap(step)
    rows = [(key, dt, float("nan"), float("nan"), float("nan"))
            for key, dt in timer.own.items()]
    rows.append(("pipeline (batching, routing, checks)", total - sum(timer.own.values()),
                 float("nan"), float("nan"), float("nan")))
    return rows, labels, total


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10000, help="images")
    parser.add_argument("--subset", default="test", choices=("test", "train", "all"))
    parser.add_argument("--top", type=int, default=25, help="hot calls listed")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--batched", action="store_true",
                        help="profile the network's own fit_predict (batched steps)")
    parser.add_argument("--out", default=None)
    args = parser.parse_args(argv)
    X, y = load("mnist", args.subset)
    X = (X[: args.n] / 255.0).astype(np.float32)
    y = y[: args.n]
    how = ("the network's own fit_predict (per-image steps in batches of images), own "
           "time of each step's methods summed over the batches"
           if args.batched else
           "one fit, step by step, RSS after each step and the peak so far")
    rep = Report(f"Profile of the default SA-Net on {len(X)} MNIST images ({args.subset})",
                 f"{how}; under cProfile (its overhead included; it sees the main "
                 "thread only: run with OMP_NUM_THREADS=1 for complete hot-call lists)")
    prof = cProfile.Profile()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        prof.enable()
        rows, labels, total = (profile_batched if args.batched else profile_fit)(X, args.seed)
        prof.disable()
    rep.emit(f"ACC {accuracy(y, labels):.4f}; total {total:.1f} s; "
             f"peak RSS {peak_rss_gib():.2f} GiB")
    rep.emit()
    rep.emit("| step -> output | s | share | RSS after GiB | peak GiB | output MiB |")
    rep.emit("| --- | --- | --- | --- | --- | --- |")
    for name, dt, rss, peak, mib in rows:
        cells = " | ".join("" if v != v else f"{v:{f}}" for v, f in
                           ((rss, ".2f"), (peak, ".2f"), (mib, ".0f")))
        rep.emit(f"| {name} | {dt:.1f} | {dt / total:.0%} | {cells} |")
    for key, title in (("tottime", "own time"), ("cumulative", "cumulative time")):
        rep.emit()
        rep.emit(f"## Hot calls by {title} (top {args.top})")
        rep.emit()
        buf = io.StringIO()
        pstats.Stats(prof, stream=buf).strip_dirs().sort_stats(key).print_stats(args.top)
        body = buf.getvalue()
        start = body.find("ncalls")
        rep.emit("```")
        for line in body[start:].rstrip().splitlines():
            rep.emit(line)
        rep.emit("```")
    rep.save(args.out)


if __name__ == "__main__":
    main()
