"""SA-Net deep networks on Fashion-MNIST, fitted once per shared prefix.

Side by side in one run on ``--n`` Fashion-MNIST images (pixels / 255;
``--subset test`` or ``train``, from ``--start``): k-means and scikit-learn
``SpectralClustering`` (kNN) on pixels, ``"mnist-plus"`` with the spectral
head, and SA-Net networks of several depths -- the paper's ``"natural"``
preset (``--depths``) and our ``"natural-plus"`` (``--plus-depths``) -- each
with the k-means head and the spectral head (15 eigenvectors).

Networks of one preset share their first steps (``patches1``, ``layer1``,
``patches2``, ``layer2`` ...): every step is fitted once, on the output of the
steps before it, and its output is reused by every deeper network and by
both heads. The table gives, per network, the time of all the steps it
needs (shared ones included, i.e. what fitting it alone would take) and the
peak memory traced by ``tracemalloc`` during those steps (numpy buffers,
including the cached outputs of other branches held at that moment).

    OMP_NUM_THREADS=1 python -m benchmarks.reproduce.sanet_fashion_10k \
        --n 10000 --out benchmarks/results/sanet_fashion_10k.md
"""

import argparse
import time
import tracemalloc
import warnings

import numpy as np
from sklearn.cluster import KMeans, SpectralClustering
from sklearn.pipeline import Pipeline

from benchmarks._common import clustering_scores as scores
from benchmarks._common import print_and_save
from sklearn_specclust.datasets import load_fashion_mnist
from sklearn_specclust.sanet import make_sanet

HEADS = {"k-means": {}, "spectral head (15)": dict(head="spectral", embed__n_components=15)}


class StepCache:
    """Fit pipeline steps once per (preset, step-name prefix); keep time and memory.

    Only the outputs of spectral layers, normalisers and ``flatten`` are kept
    (the patch maps in between are large and cheap to recompute).
    """

    def __init__(self):
        self.outputs = {}
        self.cost = {}  # key -> (seconds, peak GiB)

    def run(self, tag, steps, X):
        """Output of ``steps`` on ``X`` and the keys of the steps used."""
        keys = [(tag, *[name for name, _ in steps[: i + 1]]) for i in range(len(steps))]
        kept = [i for i, key in enumerate(keys) if key in self.outputs]
        first = kept[-1] + 1 if kept else 0
        Z = self.outputs[keys[first - 1]] if kept else X
        for key, (name, est) in zip(keys[first:], steps[first:]):
            if est == "passthrough":
                continue
            tracemalloc.reset_peak()
            t0 = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)
                Z = est.fit_transform(Z)
            sec = time.perf_counter() - t0
            if key not in self.cost:
                self.cost[key] = (sec, tracemalloc.get_traced_memory()[1] / 2**30)
                print(f"   {_step_name(key)}: {sec:.1f} s, {self.cost[key][1]:.2f} GiB", flush=True)
            if name.startswith(("layer", "norm", "flatten")):
                self.outputs[key] = Z
        return Z, keys

    def total(self, keys):
        secs = [self.cost[k][0] for k in keys if k in self.cost]
        mems = [self.cost[k][1] for k in keys if k in self.cost]
        return sum(secs), max(mems, default=0.0)


def _step_name(key):
    """``preset: layerN > step``: a step named after the last layer before it."""
    layers = [i for i, name in enumerate(key) if name.startswith("layer")]
    return f"{key[0]}: " + " > ".join(key[layers[-1] if layers else 1:])


def network_rows(cache, tag, preset, depth, X, y, seed):
    """Both heads on one network's features; returns table rows."""
    rows = []
    for head, kw in HEADS.items():
        net = make_sanet(10, preset=preset, depth=depth, random_state=seed, **kw)
        cut = [name for name, _ in net.steps].index("flatten") + 1
        F, used = cache.run(tag, net.steps[:cut], X)
        tracemalloc.reset_peak()
        t0 = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            labels = Pipeline(net.steps[cut:]).fit_predict(F)
        head_sec = time.perf_counter() - t0
        head_mem = tracemalloc.get_traced_memory()[1] / 2**30
        sec, mem = cache.total(used)
        name = f'SA-Net-{depth}, "{preset}", {head}'
        rows.append((name, *scores(y, labels), sec + head_sec, max(mem, head_mem)))
        print(f"{name}: ACC {rows[-1][1]:.3f} ({rows[-1][5]:.0f} s, {rows[-1][6]:.2f} GiB)",
              flush=True)
    return rows


def baseline_rows(X, y, seed):
    flat = X.reshape(len(X), -1)
    runs = {
        "k-means (pixels)": lambda: KMeans(10, n_init=10, random_state=seed).fit_predict(flat),
        "SpectralClustering kNN k=10 (pixels)": lambda: SpectralClustering(
            10, affinity="nearest_neighbors", n_neighbors=10,
            random_state=seed).fit_predict(flat),
        "spectral head (15) on pixels": lambda: make_sanet(
            10, head="spectral", embed__n_components=15, random_state=seed)[-3:].fit_predict(flat),
        'SA-Net-1, "mnist-plus", spectral head (15)': lambda: make_sanet(
            10, preset="mnist-plus", head="spectral", embed__n_components=15,
            random_state=seed).fit_predict(X),
    }
    rows = []
    for name, fit_predict in runs.items():
        tracemalloc.reset_peak()
        t0 = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            labels = fit_predict()
        rows.append((name, *scores(y, labels), time.perf_counter() - t0,
                     tracemalloc.get_traced_memory()[1] / 2**30))
        print(f"{name}: ACC {rows[-1][1]:.3f} ({rows[-1][5]:.0f} s)", flush=True)
    return rows


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--subset", default="test", choices=["test", "train"])
    ap.add_argument("--start", type=int, default=0, help="index of the first image")
    ap.add_argument("--depths", type=int, nargs="*", default=[2, 3, 5],
                    help='depths of the paper\'s "natural" preset')
    ap.add_argument("--plus-depths", type=int, nargs="*", default=[],
                    help='depths of our "natural-plus" preset')
    ap.add_argument("--no-baselines", action="store_true")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", default=None)
    args = ap.parse_args(argv)
    X, y = load_fashion_mnist(args.subset, return_X_y=True)
    X = X[args.start: args.start + args.n].astype(np.float32) / 255.0
    y = np.asarray(y[args.start: args.start + args.n])
    tracemalloc.start()
    rows = [] if args.no_baselines else baseline_rows(X, y, args.seed)
    cache = StepCache()
    for preset, depths in (("natural", args.depths), ("natural-plus", args.plus_depths)):
        for d in sorted(depths):
            rows += network_rows(cache, preset, preset, d, X, y, args.seed)
        cache.outputs.clear()
    tracemalloc.stop()

    text = [
        f"# SA-Net on Fashion-MNIST {args.subset} (images {args.start}-"
        f"{args.start + len(X) - 1}): deep networks and baselines", "",
        "Times are inflated when the load average is high; compare them only within this "
        "table.", "",
        "| method | ACC | NMI | ARI | FS | time s | peak traced GiB |",
        "| --- | --- | --- | --- | --- | --- | --- |",
        *(f"| {r[0]} | {r[1]:.3f} | {r[2]:.3f} | {r[3]:.3f} | {r[4]:.3f} | {r[5]:.0f} "
          f"| {r[6]:.2f} |" for r in rows),
        "",
        "Time: every step the network needs, shared prefix included (what fitting it alone "
        "would take), plus its head. Step times:", "",
        "| step | s | peak traced GiB |", "| --- | --- | --- |",
        *(f"| {_step_name(k)} | {v[0]:.1f} | {v[1]:.2f} |" for k, v in cache.cost.items()),
    ]
    print_and_save(text, args.out)


if __name__ == "__main__":
    main()
