"""SA-Net-2 on MNIST beside scikit-learn and the engine's baselines, one run.

Prints (and with ``--out`` writes) a Markdown table: ACC, NMI, ARI, FS (the
library's pairwise F-score, not Fowlkes-Mallows) and fit time of every method
on the same images, with the
paper's Table 2 row (ACC 0.970) for reference, plus time and peak traced
memory of every SA-Net stage.

``--occlude 0.2`` runs everything on ``make_occluded`` images (20 % block
occlusion, SA-Net Sec. 4.2) as well as on the clean ones and reports the drop.
``--train N`` adds the out-of-sample measurement: fit SA-Net on the first N
MNIST train images and ``predict`` the test images.

Usage::

    python -m benchmarks.reproduce.sanet_mnist --n 10000 --out benchmarks/results/sanet_mnist.md
"""

import argparse
import os
import time
import tracemalloc
import warnings

from sklearn.cluster import KMeans, SpectralClustering
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import Normalizer

from benchmarks._common import FS_NAME, load, peak_rss_gib, print_and_save, scores
from benchmarks.reproduce.sanet_table3 import tail_switches
from sklearn_specclust.sanet import PatchPCA, make_sanet
from sklearn_specclust.spectral import SpectralAnalysisLayer

PAPER = "| SA-Net-2, paper Table 2 (not run here) | 0.970 | - | - | - | - |"


def sanet_staged(net, X):
    """fit_predict step by step; returns labels and (step, seconds, GiB) rows."""
    rows = []
    Z = X
    tracemalloc.start()
    for name, est in net.steps:
        if est == "passthrough":
            continue
        tracemalloc.reset_peak()
        t0, c0 = time.perf_counter(), time.process_time()
        Z = est.fit_predict(Z) if name == "cluster" else est.fit_transform(Z)
        rows.append((name, time.perf_counter() - t0, time.process_time() - c0,
                     tracemalloc.get_traced_memory()[1] / 2**30))
        print(f"   {name:10s} {rows[-1][1]:7.1f} s {rows[-1][2]:7.1f} cpu s "
              f"{rows[-1][3]:6.2f} GiB", flush=True)
    tracemalloc.stop()
    return Z, rows


TAILS_PLUS = {
    "SA-Net mnist-plus (pool 5x5/4, no binarize/code, k-means)": {},
    "SA-Net mnist-plus + spectral head": dict(head="spectral"),
    "SA-Net mnist-plus + spectral head, 15 eigenvectors": dict(
        head="spectral", embed__n_components=15),
    "SA-Net mnist-plus + spectral head, 20 eigenvectors": dict(
        head="spectral", embed__n_components=20),
    "SA-Net mnist-plus + binarize + code (paper tail, 72 features)": dict(
        binarize=True, code=True),
}

TAILS = {
    "SA-Net-2 (paper preset: pool, binarize, code, k-means)": {},
    "SA-Net-2 codes + spectral head": dict(head="spectral"),
    "SA-Net-2 pooled real maps + spectral head": dict(
        head="spectral", binarize=False, code=False),
    "SA-Net-2 pooled real maps + k-means": dict(binarize=False, code=False),
}


def baselines():
    out = {}
    out["KMeans (pixels)"] = lambda: KMeans(10, n_init=10, random_state=0)
    out["SpectralClustering kNN k=10, amg (pixels)"] = lambda: SpectralClustering(
        10, affinity="nearest_neighbors", n_neighbors=10, eigen_solver="amg",
        assign_labels="kmeans", random_state=0)
    try:
        from sklearn_specclust.cluster import (
            LandmarkSpectralClustering,
            SelfTuningSpectralClustering,
        )
    except ImportError:
        return out
    for c in (10, 15, 20):
        # the make_sanet(head="spectral") head on raw pixels
        out[f"spectral head on pixels, {c} eigenvectors"] = lambda c=c: make_pipeline(
            SpectralAnalysisLayer(n_neighbors=(10,), eps_scales=(), gaussian_scales=(),
                                  n_components=c,
                                  max_nodes=None, random_state=0),
            Normalizer(), KMeans(10, n_init=10, random_state=0))
    out["SC-ST (engine, kNN self-tuning)"] = lambda: SelfTuningSpectralClustering(
        10, affinity="knn", random_state=0)
    out["SC-LS (engine, 1000 landmarks)"] = lambda: LandmarkSpectralClustering(
        10, random_state=0)
    return out


def _row(name, y, labels, sec):
    s = scores(y, labels)
    line = (f"| {name} | {s['ACC']:.3f} | {s['NMI']:.3f} | {s['ARI']:.3f} "
            f"| {s['FS']:.3f} | {sec:.0f} |")
    print(line, flush=True)
    return line


def ablation_tails(preset):
    """The paper's Table 3 switches: pool, binarize, code each on or off."""
    return {f"ablation {preset}: {label}": kw for label, kw in tail_switches().items()}


def tails(args):
    base = TAILS_PLUS if args.preset == "mnist-plus" else TAILS
    return {**base, **(ablation_tails(args.preset) if args.ablation else {})}


def split_index(net):
    """Index of the first step after the spectral layers (the ``pool`` step)."""
    return [n for n, _ in net.steps].index("pool")


def run(X, y, args, tag):
    """The layers are fitted once; every SA-Net tail reuses their output."""
    lines = []
    net = make_sanet(10, preset=args.preset, random_state=args.seed, **args.overrides)
    n_layers = split_index(net)
    print(f"{tag}: SA-Net layers", flush=True)
    t0 = time.perf_counter()
    Z, rows = sanet_staged(net[:n_layers], X)
    layers_sec = time.perf_counter() - t0
    for name, kw in tails(args).items():
        tail = make_sanet(10, preset=args.preset, random_state=args.seed, **kw)
        tail = tail[n_layers:]
        t0 = time.perf_counter()
        labels = tail.fit_predict(Z)
        lines.append(_row(name, y, labels, layers_sec + time.perf_counter() - t0))
    stage_tables = [(f"SA-Net {args.preset} layers", rows)]
    if not args.no_baselines:
        for name, make in baselines().items():
            print(f"{tag}: {name}", flush=True)
            t0 = time.perf_counter()
            labels = make().fit_predict(X.reshape(len(X), -1) / 255.0)
            lines.append(_row(name, y, labels, time.perf_counter() - t0))
    return lines, stage_tables


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=10000)
    ap.add_argument("--seed", type=int, default=0, help="random_state of the SA-Net pipelines")
    ap.add_argument("--preset", default="mnist", choices=["mnist", "mnist-plus"])
    ap.add_argument("--ablation", action="store_true",
                    help="add the Table 3 tails (pool / binarize / code on and off)")
    ap.add_argument("--subset", default="test", choices=["test", "all"])
    ap.add_argument("--occlude", type=float, default=0.0)
    ap.add_argument("--train", type=int, default=0)
    ap.add_argument("--set", nargs="*", default=[], metavar="STEP__PARAM=VALUE",
                    help="make_sanet overrides (Python literals), e.g. layer2__max_nodes=5000")
    ap.add_argument("--reduce2", type=int, default=0, metavar="K",
                    help="preset 'mnist': PatchPCA(K) before layer 2 (reduce2 step)")
    ap.add_argument("--skip-clean", "--occluded-only", dest="skip_clean", action="store_true",
                    help="skip the clean run (with --occlude or --train: compare with a "
                    "clean table made separately)")
    ap.add_argument("--no-baselines", action="store_true")
    ap.add_argument("--out", default=None)
    args = ap.parse_args(argv)
    import ast

    args.overrides = {k: ast.literal_eval(v) for k, v in (o.split("=", 1) for o in args.set)}
    if args.reduce2:
        args.overrides["reduce2"] = PatchPCA(args.reduce2, random_state=args.seed)
    warnings.filterwarnings("ignore", category=UserWarning)
    X, y = load("mnist", args.subset)
    X, y = X[: args.n], y[: args.n]
    head = ["| method | ACC | NMI | ARI | FS | fit s |", "| --- | --- | --- | --- | --- | --- |"]
    text = [f"# SA-Net ({args.preset}) on MNIST {args.subset} (first {len(X)} images)", "",
            "Times are inflated when the load average is high; compare them only within "
            "this table.", "",
            f"Threads: OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', 'unset')}. "
            f"Scores: sklearn_specclust.metrics.clustering_report (FS = {FS_NAME}).", ""]
    stages = []
    if not args.skip_clean:
        lines, stages = run(X, y, args, "clean")
        text += ["## Clustering", ""] + head + [PAPER] + lines + [""]
    if args.occlude:
        from sklearn_specclust.datasets import make_occluded

        # the block comes from an image of another class (y only picks the source)
        Xo = make_occluded(X, args.occlude, y=y, random_state=0)
        lo, stages_o = run(Xo, y, args, "occluded")
        text += [f"## Occluded ({args.occlude:.0%} block from an image of another class, "
                 "make_occluded)", ""] + head + lo
    if args.occlude and args.skip_clean:
        stages = stages_o
    elif args.occlude:
        text += ["", "Drop (clean ACC - occluded ACC):", ""]
        for a, b in zip(lines, lo):
            name = a.split("|")[1].strip()
            text.append(f"- {name}: {float(a.split('|')[2]) - float(b.split('|')[2]):+.3f}")
        text.append("")
    if args.train:
        Xtr, ytr = load("mnist", "train")
        Xtr, ytr = Xtr[: args.train], ytr[: args.train]
        text += [f"## Out-of-sample: fit on {len(Xtr)} train images, predict the {len(X)} "
                 "test images", "", "| method | train ACC | test ACC (held out) | fit s "
                 "| predict s | predict images/s |", "| --- | --- | --- | --- | --- | --- |"]
        net = make_sanet(10, preset=args.preset, random_state=args.seed, **args.overrides)
        n_layers = split_index(net)
        layers = net[:n_layers]
        t0 = time.perf_counter()
        Ztr = layers.fit_transform(Xtr)
        t1 = time.perf_counter()
        Zte = layers.transform(X)
        t2 = time.perf_counter()
        for name, kw in tails(args).items():
            tail = make_sanet(10, preset=args.preset, random_state=args.seed, **kw)[n_layers:]
            t3 = time.perf_counter()
            lab_tr = tail.fit_predict(Ztr)
            t4 = time.perf_counter()
            lab_te = tail.predict(Zte)
            t5 = time.perf_counter()
            pred = (t2 - t1) + (t5 - t4)
            text.append(f"| {name} | {scores(ytr, lab_tr)['ACC']:.3f} | "
                        f"{scores(y, lab_te)['ACC']:.3f} | {(t1 - t0) + (t4 - t3):.0f} "
                        f"| {pred:.0f} | {len(X) / pred:.0f} |")
            print(text[-1], flush=True)
        text.append("")
    for name, rows in stages:
        text += [f"## Stages of {name} (clean; the tails above reuse them)", "",
                 "| step | wall s | CPU s (this process) | peak traced GiB |",
                 "| --- | --- | --- | --- |"]
        text += [f"| {s} | {t:.1f} | {c:.1f} | {m:.2f} |" for s, t, c, m in rows] + [""]
    text.append(f"Peak RSS of the whole run: {peak_rss_gib():.2f} GiB.")
    print_and_save(text, args.out)


if __name__ == "__main__":
    main()
