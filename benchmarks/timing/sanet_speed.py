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
        [--n 10000] [--n-fit 60000] [--skip-sanet] [--out FILE]
"""

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

from benchmarks._common import Report

_ROOT = Path(__file__).resolve().parents[2]


def measure_sanet(n, seed=0):
    """Fit the default SA-Net on ``n`` MNIST test images in this process."""
    import hashlib
    import time
    import warnings

    import numpy as np

    from benchmarks._common import accuracy, load, peak_rss_gib
    from sklearn_specclust.sanet import make_sanet

    X, y = load("mnist", "test")
    X = (X[:n] / 255.0).astype(np.float32)
    model = make_sanet(10, random_state=seed)
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        labels = model.fit_predict(X)
    seconds = time.perf_counter() - t0
    return dict(seconds=seconds, acc=accuracy(y[:n], labels), peak_gib=peak_rss_gib(),
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


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", required=True, help="root of the baseline checkout")
    parser.add_argument("--n", type=int, default=10000, help="test images for make_sanet")
    parser.add_argument("--n-fit", type=int, default=60000, help="training rows the layer fits")
    parser.add_argument("--repeats", type=int, default=3, help="transforms timed (best kept)")
    parser.add_argument("--skip-sanet", action="store_true")
    parser.add_argument("--skip-transform", action="store_true")
    parser.add_argument("--out", default=None)
    args = parser.parse_args(argv)
    trees = (("before", Path(args.base).resolve()), ("after", _ROOT))
    rep = Report("SA-Net speed before and after",
                 f"each cell one fresh process, before then after; "
                 f"before = {trees[0][1]}, after = this checkout")
    if not args.skip_sanet:
        res = {name: run_in(root, f"measure_sanet({args.n})") for name, root in trees}
        rep.emit(f"## make_sanet(10).fit_predict on {args.n} MNIST test images")
        rep.emit()
        rep.emit("| code | s | ACC | peak RSS GiB | labels equal before |")
        rep.emit("| --- | --- | --- | --- | --- |")
        for name, _ in trees:
            r = res[name]
            same = r["digest"] == res["before"]["digest"]
            rep.emit(f"| {name} | {r['seconds']:.1f} | {r['acc']:.4f} | {r['peak_gib']:.2f} "
                     f"| {same} |")
        rep.emit(f"\nRatio after/before: "
                 f"{res['after']['seconds'] / res['before']['seconds']:.2f}")
        rep.emit()
    if not args.skip_transform:
        res = {name: run_in(root, f"measure_transform({args.n_fit}, {args.repeats})")
               for name, root in trees}
        rep.emit(f"## SpectralAnalysisLayer transform of the 10,000 test rows, "
                 f"fitted on {args.n_fit} training rows (kNN k=10, 10 eigenvectors)")
        rep.emit()
        rep.emit("| code | fit s | transform rows/s | peak RSS GiB | output equal before |")
        rep.emit("| --- | --- | --- | --- | --- |")
        for name, _ in trees:
            r = res[name]
            same = r["digest"] == res["before"]["digest"]
            rep.emit(f"| {name} | {r['fit_s']:.1f} | {r['rows_per_s']:,.0f} | "
                     f"{r['peak_gib']:.2f} | {same} |")
        rep.emit(f"\nRatio after/before (rows/s): "
                 f"{res['after']['rows_per_s'] / res['before']['rows_per_s']:.2f}")
    rep.save(args.out)


if __name__ == "__main__":
    main()
