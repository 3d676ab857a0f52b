"""Does the per-pixel-mean reconstruction loss let the latent collapse?

The consistency loss is a sum over the latent's dimensions, the
reconstruction loss (as implemented, ``reconstruction_weight=1``) a mean over
pixels, so consistency can win by shrinking the invariant latent to a constant.
This trains the AE baseline (fast) on rotated MNIST (no 9) with
``reconstruction_weight`` 1 (mean over pixels) and 784 (sum over pixels) and
prints, side by side: final losses, the latent's spread and k-means ACC.

    OMP_NUM_THREADS=1 PYTHONPATH=. python benchmarks/bench_rotinv_collapse.py
"""

import sys
import time
from pathlib import Path

import numpy as np
from sklearn.cluster import KMeans

sys.path.insert(0, str(Path(__file__).parent))
from bench_rotinv import acc, load_rotated  # noqa: E402

from sklearn_specclust.inr import RotInvINREncoder  # noqa: E402


def main(n=2000, epochs=8, seed=0):
    import torch

    torch.set_num_threads(1)
    X, y = load_rotated("mnist", n, seed)
    print(f"rotated MNIST without 9, {n} images, AE baseline, lr 1e-3, {epochs} epochs")
    print("| reconstruction_weight | angle | consistency | reconstruction | "
          "latent std | ACC (k-means) | train s |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for rw in (1.0, 784.0):
        t = time.perf_counter()
        enc = RotInvINREncoder(
            decoder="mlp", lr=1e-3, max_epochs=epochs, reconstruction_weight=rw,
            n_iter_no_change=1000, random_state=seed,
        ).fit(X)
        secs = time.perf_counter() - t
        Z = enc.transform(X)
        labels = KMeans(9, n_init=10, random_state=seed).fit_predict(Z)
        last = enc.loss_curve_[-1]
        print(f"| {rw:g} | {last['angle']:.4f} | {last['consistency']:.4f} | "
              f"{last['reconstruction']:.4f} | {Z.std(axis=0).mean():.4f} | "
              f"{acc(y, labels):.3f} | {secs:.0f} |", flush=True)


if __name__ == "__main__":
    main()
