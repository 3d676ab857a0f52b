"""The default SA-Net and the spectral layer's transform, before and after a change.

Measures, each in a fresh process, in this checkout ("after") and in a
baseline checkout given by ``--base`` ("before", e.g. ``git worktree add
../specclust-base main``), side by side in one run:

- ``make_sanet(10, random_state=0).fit_predict`` on the first ``--n`` MNIST
  test images: seconds, ACC, peak RSS, and whether the labels equal the
  baseline's;
- the out-of-sample ``transform`` of a :class:`SpectralAnalysisLayer` fitted
  on the 60,000 MNIST training rows (raw 784-pixel rows,
  ``n_neighbors=(10,)``, no eps or Gaussian procedure, ``n_components=10``),
  applied to the 10,000 test rows: rows per second (best of ``--repeats``)
  and whether the output equals the baseline's bit for bit.

Each measurement runs ``python -c`` in the checkout's root, so the library
(and ``benchmarks._common``) of that checkout is the one imported.

Usage::

    git worktree add ../specclust-base main
    OMP_NUM_THREADS=1 python -m benchmarks.timing.sanet_speed --base ../specclust-base \\
        [--n 10000] [--subset test|all] [--n-fit 60000] [--skip-sanet] [--out FILE] \\
        [--datasets mnist fashion --seeds 0 1 2]

``--datasets``/``--seeds`` add a table of the default network on each data
set and seed, before and after (the order alternates from one seed to the
next, so that a drift of the machine's load favours neither): seconds, ACC,
NMI and whether the labels are equal, then the mean ACC difference and the
mean time ratio per data set.
"""

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

from benchmarks._common import Report

_ROOT = Path(__file__).resolve().parents[2]


def measure_sanet(n, seed=0, subset="test", name="mnist"):
    """Fit the default SA-Net on the first ``n`` images of ``name`` in this process.

    ``subset="test"``: the test images; ``"all"``: the 60,000 training then the
    10,000 test images.
    """
    import hashlib
    import time
    import warnings

    import numpy as np

    from benchmarks._common import clustering_scores, load, peak_rss_gib
    from sklearn_specclust.sanet import make_sanet

    X, y = load(name, "test")
    if subset == "all":
        Xa, ya = load(name, "train")
        X, y = np.concatenate([Xa, X]), np.concatenate([ya, y])
    X = (X[:n] / 255.0).astype(np.float32)
    model = make_sanet(10, random_state=seed)
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        labels = model.fit_predict(X)
    seconds = time.perf_counter() - t0
    acc, nmi = clustering_scores(y[:n], labels)[:2]
    return dict(seconds=seconds, acc=acc, nmi=nmi, peak_gib=peak_rss_gib(),
                digest=hashlib.sha1(np.asarray(labels, dtype=np.int64).tobytes()).hexdigest())


def measure_transform(n_fit, repeats, seed=0):
    """Rows/s of the layer's out-of-sample transform (fit on ``n_fit`` training rows)."""
    import hashlib
    import time
    import warnings

    import numpy as np

    from benchmarks._common import load, peak_rss_gib
    from sklearn_specclust.spectral import SpectralAnalysisLayer

    X, _ = load("mnist", "train")
    Xt, _ = load("mnist", "test")
    X = (X[:n_fit].reshape(n_fit, -1) / 255.0).astype(np.float32)
    Xt = (Xt.reshape(len(Xt), -1) / 255.0).astype(np.float32)
    layer = SpectralAnalysisLayer(n_neighbors=(10,), eps_scales=(), gaussian_scales=(),
                                  n_components=10, random_state=seed)
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        layer.fit(X)
    fit_s = time.perf_counter() - t0
    best = np.inf
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = layer.transform(Xt)
        best = min(best, time.perf_counter() - t0)
    return dict(fit_s=fit_s, rows_per_s=len(Xt) / best, peak_gib=peak_rss_gib(),
                digest=hashlib.sha1(np.ascontiguousarray(out).tobytes()).hexdigest())


def profile_transform(n_fit, top, seed=0):
    """Hot calls (cProfile, by cumulative time) of one transform of the 10,000 test rows,
    its blocks in one thread."""
    import cProfile
    import io
    import pstats
    import warnings

    import numpy as np

    from benchmarks._common import load
    from sklearn_specclust.spectral import SpectralAnalysisLayer

    X, _ = load("mnist", "train")
    Xt, _ = load("mnist", "test")
    X = (X[:n_fit].reshape(n_fit, -1) / 255.0).astype(np.float32)
    Xt = (Xt.reshape(len(Xt), -1) / 255.0).astype(np.float32)
    layer = SpectralAnalysisLayer(n_neighbors=(10,), eps_scales=(), gaussian_scales=(),
                                  n_components=10, random_state=seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        layer.fit(X)
    layer.transform(Xt)  # warm-up, as the timed transforms
    layer.set_params(n_jobs=1)  # every block in this thread, where cProfile sees it
    prof = cProfile.Profile()
    prof.runcall(layer.transform, Xt)
    buf = io.StringIO()
    stats = pstats.Stats(prof, stream=buf)
    stats.strip_dirs().sort_stats("cumulative").print_stats(top)
    text = buf.getvalue()
    return dict(text=text[text.index("ncalls"):].rstrip())


def run_in(root, call):
    """Run ``call`` (source of a call of this module's functions) in checkout ``root``."""
    code = (f"import json, runpy; g = runpy.run_path({str(Path(__file__).resolve())!r}); "
            f"print('RESULT', json.dumps(eval({call!r}, g)))")
    proc = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True,
                          text=True, env=os.environ.copy())
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[len("RESULT "):])
    raise RuntimeError(f"measurement in {root} failed:\n{proc.stderr[-3000:]}")


def seeds_table(rep, trees, datasets, seeds, n):
    """Before and after on every data set and seed: a table and a summary per data set."""
    rep.emit(f"## make_sanet(n_clusters=10, random_state=seed) on the first {n} test images, "
             "per data set and seed")
    rep.emit()
    rep.emit("| data | seed | code | s | ACC | NMI | labels equal before |")
    rep.emit("| --- | --- | --- | --- | --- | --- | --- |")
    summary = []
    for name in datasets:
        diffs, ratios, equal = [], [], 0
        for i, seed in enumerate(seeds):
            order = trees if i % 2 == 0 else trees[::-1]
            res = {label: run_in(root, f"measure_sanet({n}, {seed}, name={name!r})")
                   for label, root in order}
            for label, _ in trees:
                r = res[label]
                same = r["digest"] == res["before"]["digest"]
                rep.emit(f"| {name} | {seed} | {label} | {r['seconds']:.1f} | {r['acc']:.4f} "
                         f"| {r['nmi']:.4f} | {same} |")
            diffs.append(res["after"]["acc"] - res["before"]["acc"])
            ratios.append(res["after"]["seconds"] / res["before"]["seconds"])
            equal += res["after"]["digest"] == res["before"]["digest"]
        acc = ", ".join(f"{d:+.4f}" for d in diffs)
        sec = ", ".join(f"{r:.2f}" for r in ratios)
        summary.append(f"| {name} | {sum(diffs) / len(diffs):+.4f} ({acc}) | "
                       f"{sum(ratios) / len(ratios):.2f} ({sec}) | {equal}/{len(seeds)} |")
    rep.emit()
    rep.emit("| data | ACC after - before, mean (per seed) | seconds after / before, mean "
             "(per seed) | same labels |")
    rep.emit("| --- | --- | --- | --- |")
    for line in summary:
        rep.emit(line)
    rep.emit()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", required=True, help="root of the baseline checkout")
    parser.add_argument("--n", type=int, default=10000, help="test images for make_sanet")
    parser.add_argument("--subset", choices=("test", "all"), default="test",
                        help="MNIST images for make_sanet: the test set or train+test")
    parser.add_argument("--n-fit", type=int, default=60000, help="training rows the layer fits")
    parser.add_argument("--repeats", type=int, default=3, help="transforms timed (best kept)")
    parser.add_argument("--skip-sanet", action="store_true")
    parser.add_argument("--skip-transform", action="store_true")
    parser.add_argument("--profile-transform", type=int, default=0, metavar="TOP",
                        help="also list the TOP hot calls of one transform (this checkout)")
    parser.add_argument("--datasets", nargs="*", default=[],
                        help="data sets of the per-seed table (mnist, fashion)")
    parser.add_argument("--seeds", type=int, nargs="*", default=[0, 1, 2])
    parser.add_argument("--out", default=None)
    args = parser.parse_args(argv)
    trees = (("before", Path(args.base).resolve()), ("after", _ROOT))
    rep = Report("SA-Net speed before and after",
                 f"each cell one fresh process, before then after; "
                 f"before = {trees[0][1]}, after = this checkout")
    sections = []
    if not args.skip_sanet:
        sections.append((
            f"make_sanet(10).fit_predict on {args.n} MNIST "
            f"{'test' if args.subset == 'test' else 'training + test'} images",
            f"measure_sanet({args.n}, subset={args.subset!r})",
            (("s", "seconds", "{:.1f}"), ("ACC", "acc", "{:.4f}"),
             ("peak RSS GiB", "peak_gib", "{:.2f}")),
            "seconds",
        ))
    if not args.skip_transform:
        sections.append((
            f"SpectralAnalysisLayer transform of the 10,000 test rows, fitted on "
            f"{args.n_fit} training rows (kNN k=10, 10 eigenvectors)",
            f"measure_transform({args.n_fit}, {args.repeats})",
            (("fit s", "fit_s", "{:.1f}"), ("transform rows/s", "rows_per_s", "{:,.0f}"),
             ("peak RSS GiB", "peak_gib", "{:.2f}")),
            "rows_per_s",
        ))
    for title, call, columns, ratio in sections:
        res = {name: run_in(root, call) for name, root in trees}
        rep.emit(f"## {title}")
        rep.emit()
        rep.emit("| code | " + " | ".join(c[0] for c in columns) + " | output equal before |")
        rep.emit("| --- " * (len(columns) + 2) + "|")
        for name, _ in trees:
            r = res[name]
            cells = [fmt.format(r[key]) for _, key, fmt in columns]
            same = r["digest"] == res["before"]["digest"]
            rep.emit(f"| {name} | " + " | ".join(cells) + f" | {same} |")
        rep.emit()
        rep.emit(f"Ratio after/before ({ratio}): {res['after'][ratio] / res['before'][ratio]:.2f}")
        rep.emit()
    if args.profile_transform:
        prof = run_in(_ROOT, f"profile_transform({args.n_fit}, {args.profile_transform})")
        rep.emit("## Profile of one transform (this checkout, one thread, cProfile, "
                 "by cumulative time)")
        rep.emit()
        rep.emit("```")
        rep.emit(prof["text"])
        rep.emit("```")
        rep.emit()
    if args.datasets:
        seeds_table(rep, trees, args.datasets, args.seeds, args.n)
    rep.save(args.out)


if __name__ == "__main__":
    main()
