"""The faithful SA-Net's second layer with and without PatchPCA, side by side.

``make_sanet(10)`` (the paper's MNIST preset) is fitted up to ``patches2``
once on the first ``--n`` MNIST test images; layer 2 (4x4x512 = 8192-dim
feature patches) is then fitted from that same input with the preset's
``reduce2="passthrough"`` (exact features) and with ``reduce2=PatchPCA(k)``
for each ``--dims`` value. Per variant: time of reduce2 + layer2
``fit_transform``, the fraction of variance PatchPCA keeps, and the ACC / NMI
of the paper's tail (pool, binarize, code, k-means) and of the pooled real
maps with k-means.

Usage::

    OMP_NUM_THREADS=1 python -m benchmarks.studies.sanet_layer2 --n 2000 --seeds 0 1 2 \\
        --out benchmarks/results/sanet_mnist_layer2_pca.md
"""

import argparse
import time
import warnings

import numpy as np

from benchmarks._common import FS_NAME, Report, load, peak_rss_gib, scores
from sklearn_specclust.sanet import PatchPCA, make_sanet

TAILS = {
    "paper tail": {},  # pool, binarize, code, k-means
    "pooled real maps": dict(binarize=False, code=False),
}


def layer2_variants(dims, seed):
    out = {"exact 8192-dim patches (paper)": "passthrough"}
    for k in dims:
        out[f"PatchPCA({k})"] = PatchPCA(k, random_state=seed)
    return out


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--dims", type=int, nargs="*", default=[64, 128, 256])
    ap.add_argument("--seeds", type=int, nargs="*", default=[0])
    ap.add_argument("--out", default=None)
    args = ap.parse_args(argv)
    warnings.filterwarnings("ignore", category=UserWarning)
    X, y = load("mnist", "test")
    X, y = X[: args.n], y[: args.n]
    rep = Report(f"Faithful SA-Net layer 2 with and without PatchPCA, first {len(X)} "
                 "MNIST test images", "times only comparable within this table")
    rep.emit(f"Scores: clustering_report (FS = {FS_NAME}). Per random_state, "
             "patches1 + layer1 + patches2 are fitted once and shared by every row.")
    rep.emit()
    head = "| layer-2 input | random_state | variance kept | reduce2 + layer2 s | "
    head += " | ".join(f"{t} ACC | {t} NMI" for t in TAILS)
    lines = [head + " |", "| --- " * (4 + 2 * len(TAILS)) + "|"]
    summary = {}
    for seed in args.seeds:
        net = make_sanet(10, random_state=seed)
        names = [name for name, _ in net.steps]
        front, back = names.index("reduce2"), names.index("pool")
        t0 = time.perf_counter()
        Z = net[:front].fit_transform(X)
        print(f"seed {seed}: shared layers {time.perf_counter() - t0:.0f} s, {Z.shape}",
              flush=True)
        for label, reducer in layer2_variants(args.dims, seed).items():
            trial = make_sanet(10, random_state=seed, reduce2=reducer)
            t0 = time.perf_counter()
            L = trial[front:back].fit_transform(Z)
            sec = time.perf_counter() - t0
            kept = "-" if reducer == "passthrough" else (
                f"{trial.named_steps['reduce2'].explained_variance_ratio_.sum():.3f}")
            cells, accs = [], []
            for kw in TAILS.values():
                labels = make_sanet(10, random_state=seed, **kw)[back:].fit_predict(L)
                s = scores(y, labels)
                cells.append(f"{s['ACC']:.3f} | {s['NMI']:.3f}")
                accs.append(s["ACC"])
            summary.setdefault(label, []).append([sec] + accs)
            lines.append(f"| {label} | {seed} | {kept} | {sec:.1f} | " + " | ".join(cells) + " |")
            print(lines[-1], flush=True)
    rep.emit(f"## Mean over random_state {args.seeds}")
    rep.emit()
    rep.emit("| layer-2 input | reduce2 + layer2 s | time / exact | "
             + " | ".join(f"{t} ACC" for t in TAILS) + " |")
    rep.emit("| --- " * (3 + len(TAILS)) + "|")
    exact = np.mean([r[0] for r in next(iter(summary.values()))])
    for label, runs in summary.items():
        m = np.mean(runs, axis=0)
        rep.emit(f"| {label} | {m[0]:.1f} | {m[0] / exact:.2f} | "
                 + " | ".join(f"{a:.3f}" for a in m[1:]) + " |")
    rep.emit()
    rep.emit("## Every run")
    rep.emit()
    for line in lines:
        rep.emit(line)
    rep.emit()
    rep.emit(f"Peak RSS: {peak_rss_gib():.2f} GiB.")
    rep.save(args.out)


if __name__ == "__main__":
    main()
