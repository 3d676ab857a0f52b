"""The faithful SA-Net on all 70,000 MNIST images, within a bounded memory.

The paper's network cannot hold its layer-2 input for 70k images at once
(70,000 x 3 x 3 x 8192 float32 feature patches = 20.6 GB). Here the spectral
layers (``make_sanet(10)`` up to ``layer2``) are fitted on ``--fit`` images
drawn at random from all 70k -- each layer builds its graphs on at most
``max_nodes`` = 20,000 sampled nodes whatever the number of images, and
embeds every other node by the Nystrom extension, so this changes only the
pool the nodes are sampled from -- then every image is embedded in batches
of ``--batch`` images, and the tails (pool / binarize / code, k-means) are
fitted on all 70,000 layer-2 outputs.

Usage::

    OMP_NUM_THREADS=1 python -m benchmarks.reproduce.sanet_mnist_70k --reduce2 128 \\
        --out benchmarks/results/sanet_mnist_70k.md
"""

import argparse
import time
import warnings

import numpy as np

from benchmarks._common import FS_NAME, Report, load, peak_rss_gib, scores
from benchmarks.reproduce.sanet_mnist import TAILS
from sklearn_specclust.sanet import PatchPCA, make_sanet


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=70000, help="images used (of all 70k)")
    ap.add_argument("--fit", type=int, default=10000, help="images the layers are fitted on")
    ap.add_argument("--batch", type=int, default=5000)
    ap.add_argument("--reduce2", type=int, default=0, metavar="K",
                    help="PatchPCA(K) before layer 2 (0: the paper's 8192-dim patches)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", default=None)
    args = ap.parse_args(argv)
    warnings.filterwarnings("ignore", category=UserWarning)
    X, y = load("mnist", "all")
    X, y = X[: args.n], y[: args.n]
    over = {}
    if args.reduce2:
        over["reduce2"] = PatchPCA(args.reduce2, random_state=args.seed)
    rep = Report(f"Faithful SA-Net-2 on {len(X)} MNIST images (train + test)",
                 "times inflated by the other jobs")
    rep.emit(f"make_sanet(10, random_state={args.seed}"
             + (f", reduce2=PatchPCA({args.reduce2})" if args.reduce2 else "")
             + f"); layers fitted on {args.fit} random images, all {len(X)} embedded in "
             f"batches of {args.batch}. Scores: clustering_report (FS = {FS_NAME}).")
    rep.emit()
    net = make_sanet(10, random_state=args.seed, **over)
    split = [name for name, _ in net.steps].index("pool")
    layers = net[:split]
    fit_idx = np.random.RandomState(args.seed).choice(len(X), args.fit, replace=False)
    t0 = time.perf_counter()
    layers.fit(X[np.sort(fit_idx)])
    t_fit = time.perf_counter() - t0
    print(f"layers fitted on {args.fit}: {t_fit:.0f} s, peak {peak_rss_gib():.2f} GiB",
          flush=True)
    t0 = time.perf_counter()
    Z = np.concatenate([layers.transform(X[a : a + args.batch])
                        for a in range(0, len(X), args.batch)])
    t_emb = time.perf_counter() - t0
    print(f"embedded {len(X)}: {t_emb:.0f} s, peak {peak_rss_gib():.2f} GiB", flush=True)
    rep.emit("| tail | ACC | NMI | ARI | FS | tail s |")
    rep.emit("| --- | --- | --- | --- | --- | --- |")
    for name, kw in TAILS.items():
        if "spectral" in name:
            continue  # an image-level graph on 70k images: not this script's question
        tail = make_sanet(10, random_state=args.seed, **kw)[split:]
        t0 = time.perf_counter()
        labels = tail.fit_predict(Z)
        s = scores(y, labels)
        rep.emit(f"| {name} | {s['ACC']:.3f} | {s['NMI']:.3f} | {s['ARI']:.3f} | {s['FS']:.3f} "
                 f"| {time.perf_counter() - t0:.0f} |")
    rep.emit()
    rep.emit(f"Layers: fit {t_fit:.0f} s, embedding of all {len(X)} images {t_emb:.0f} s; "
             f"peak RSS of the whole run {peak_rss_gib():.2f} GiB.")
    rep.save(args.out)


if __name__ == "__main__":
    main()
