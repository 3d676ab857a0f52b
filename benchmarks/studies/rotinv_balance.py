"""Loss balance of the rotation-invariant INR: which settings stop the collapse?

Trains the AE baseline (``decoder="mlp"``, fast) or the hypernetwork model on
rotated MNIST without 9 (same protocol as ``benchmarks.reproduce.rotinv``) under several
loss settings and prints, side by side, one row per setting: the final angle,
consistency and reconstruction losses, the invariant latent's mean
per-dimension standard deviation, the invariance ratio (mean latent distance
between an image and its rotations over that between different images; 0 is
perfectly invariant, 1 is no better than chance), and the ACC of k-means on
the latent and of self-tuning spectral clustering on its kNN graph.

    OMP_NUM_THREADS=1 python -m benchmarks.studies.rotinv_balance \\
        --decoder mlp --n-train 2000 --epochs 30 --settings "faithful;recon x784, radial"
"""

import argparse
import time

import numpy as np
from sklearn.cluster import KMeans

from benchmarks._common import accuracy, invariance, load_rotated, save
from sklearn_specclust.cluster import SelfTuningSpectralClustering
from sklearn_specclust.inr import RotInvINREncoder

# name -> parameters on top of the thesis's loss (15 / 1 / 1, lr from --lr)
_FLOOR = dict(consistency_norm="variance", variance_weight=1.0)
SETTINGS = {
    "faithful": {},
    "no angle, no consistency": dict(angle_weight=0.0, consistency_weight=0.0),
    "no consistency": dict(consistency_weight=0.0),
    "noise off": dict(noise_scale=0.0),
    "recon x784 (per-image sum)": dict(reconstruction_weight=784.0),
    "normalized": dict(consistency_norm="variance"),
    "normalized, noise off": dict(consistency_norm="variance", noise_scale=0.0),
    "normalized + floor": _FLOOR,
    "normalized + floor, noise off": dict(_FLOOR, noise_scale=0.0),
    "normalized + floor, angle 1": dict(_FLOOR, angle_weight=1.0),
    "normalized + floor, angle 0": dict(_FLOOR, angle_weight=0.0),
    "normalized + floor, recon 30": dict(_FLOOR, reconstruction_weight=30.0),
    "normalized + floor, recon 30, angle 1": dict(
        _FLOOR, reconstruction_weight=30.0, angle_weight=1.0
    ),
    "recon x784, consistency 10": dict(reconstruction_weight=784.0, consistency_weight=10.0),
    "recon x784, consistency 100": dict(reconstruction_weight=784.0, consistency_weight=100.0),
    "recon x784, normalized x10": dict(
        reconstruction_weight=784.0, consistency_weight=10.0, consistency_norm="variance"
    ),
    "recon x784, normalized x100": dict(
        reconstruction_weight=784.0, consistency_weight=100.0, consistency_norm="variance"
    ),
    "recon x784, angle 0": dict(reconstruction_weight=784.0, angle_weight=0.0),
    "recon x784, radial": dict(reconstruction_weight=784.0, angle_target="radial_com"),
    "recon x784, radial, consistency 10": dict(
        reconstruction_weight=784.0, angle_target="radial_com", consistency_weight=10.0
    ),
    "recon x784, radial, normalized x10": dict(
        reconstruction_weight=784.0, angle_target="radial_com", consistency_weight=10.0,
        consistency_norm="variance",
    ),
    "recon x784, angle 100": dict(reconstruction_weight=784.0, angle_weight=100.0),
    "normalized + floor, recon 30, angle 1, radial": dict(
        _FLOOR, reconstruction_weight=30.0, angle_weight=1.0, angle_target="radial_com"
    ),
}


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--decoder", default="mlp")
    p.add_argument("--encoder", default="mlp")
    p.add_argument("--n-train", type=int, default=2000)
    p.add_argument("--n-eval", type=int, default=300)
    p.add_argument("--epochs", type=int, default=8)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--n-coords", type=int, default=None)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--settings", default=";".join(SETTINGS), help="names separated by ;")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", default=None, help="also write the table to this file")
    args = p.parse_args(argv)
    import torch

    torch.set_num_threads(1)
    X, y = load_rotated("mnist", args.n_train, args.seed)
    k = len(np.unique(y))
    lines = [
        "# Loss balance of the rotation-invariant INR", "",
        f"rotated MNIST without 9, {args.n_train} images, decoder={args.decoder}, "
        f"encoder={args.encoder}, lr {args.lr:g}, batch {args.batch_size}, {args.epochs} epochs, "
        f"n_coords={args.n_coords}, seed {args.seed}", "",
        "| setting | angle | consistency | reconstruction | latent std | "
        "invariance ratio | ACC (k-means) | ACC (spectral kNN) | train s |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    print("\n".join(lines), flush=True)
    for name in args.settings.split(";"):
        params = dict(
            decoder=args.decoder, encoder=args.encoder, lr=args.lr,
            max_epochs=args.epochs, n_iter_no_change=1000, random_state=args.seed,
            n_coords=args.n_coords, batch_size=args.batch_size,
        )
        params.update(SETTINGS[name])
        t = time.perf_counter()
        enc = RotInvINREncoder(**params).fit(X)
        secs = time.perf_counter() - t
        Z = enc.transform(X)
        labels = KMeans(k, n_init=10, random_state=args.seed).fit_predict(Z)
        spectral = SelfTuningSpectralClustering(
            k, affinity="knn", random_state=args.seed
        ).fit_predict(Z)
        same, diff = invariance(enc, X[: args.n_eval], args.seed + 2)
        last = enc.loss_curve_[-1]
        lines.append(
            f"| {name} | {last['angle']:.4f} | {last['consistency']:.4f} | "
            f"{last['reconstruction']:.4f} | {Z.std(axis=0).mean():.4f} | "
            f"{same / diff:.3f} | {accuracy(y, labels):.3f} | {accuracy(y, spectral):.3f} | "
            f"{secs:.0f} |"
        )
        print(lines[-1], flush=True)
    save(args.out, "\n".join(lines))


if __name__ == "__main__":
    main()
