"""The default SA-Net against the two-layer k-means-head network, over seeds.

Question (issue 11): is ``make_sanet(k)`` the best network we ship on each
data set, or does ``make_sanet(k, depth=2, head="kmeans")`` beat it
somewhere by more than the seed spread? Both are run on the first ``--n``
test images of each data set for every seed, side by side in one process
(times are ratios only on a shared machine).

Usage::

    python -m benchmarks.studies.sanet_default_vs_depth2 --datasets fashion \\
        [--n 10000] [--seeds 0 1 2] [--out FILE]
"""

import argparse
import time
import warnings

import numpy as np

from benchmarks._common import Report, accuracy, load

CONFIGS = (("make_sanet(k) [default]", {}),
           ("make_sanet(k, depth=2, head='kmeans')", {"depth": 2, "head": "kmeans"}))


def main(argv=None):
    from sklearn_specclust.sanet import make_sanet

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", nargs="+", default=["fashion"], choices=("mnist", "fashion"))
    parser.add_argument("--n", type=int, default=10000)
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument("--out", default=None)
    args = parser.parse_args(argv)
    rep = Report("Default SA-Net against the two-layer k-means-head network",
                 "one process, the two networks alternating per seed")
    for name in args.datasets:
        X, y = load(name, "test")
        X, y = (X[: args.n] / 255.0).astype(np.float32), y[: args.n]
        accs = {label: [] for label, _ in CONFIGS}
        rep.emit(f"## {name} test, first {len(X)} images")
        rep.emit()
        rep.emit("| network | seed | ACC | fit_predict s |")
        rep.emit("| --- | --- | --- | --- |")
        for seed in args.seeds:
            for label, kw in CONFIGS:
                t0 = time.perf_counter()
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    labels = make_sanet(10, random_state=seed, **kw).fit_predict(X)
                accs[label].append(accuracy(y, labels))
                rep.emit(f"| {label} | {seed} | {accs[label][-1]:.4f} | "
                         f"{time.perf_counter() - t0:.1f} |")
        rep.emit()
        for label, values in accs.items():
            rep.emit(f"- {label}: ACC {np.mean(values):.4f} +- {np.std(values):.4f}")
        rep.emit()
    rep.save(args.out)


if __name__ == "__main__":
    main()
