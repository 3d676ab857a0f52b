"""Which canonical views the orbit stage needs, on pixels and on learned latents.

Trains one :class:`RotInvINREncoder` (measured ``reference="axis"``) on rotated
training images and clusters, in-sample, with :class:`OrbitSpectralClustering`
on subsets of the six ``ORBIT_ANGLES`` views: of the pixels
(:class:`CanonicalViews`) and of the encoder's latent (``view_angles``).
Prints one markdown table.

Example::

    OMP_NUM_THREADS=1 \\
        python -m benchmarks.studies.rotinv_views --decoder mlp --epochs 60
"""

import argparse
import math
import time

import numpy as np

from benchmarks._common import accuracy, load_rotated, save
from sklearn_specclust.inr import (
    CanonicalViews,
    OrbitSpectralClustering,
    RotInvINREncoder,
)

SUBSETS = {
    "canonical only": (0,),
    "+ half turn": (0, 180),
    "+ +-20 deg": (0, 20, -20),
    "six (ORBIT_ANGLES)": (0, 180, 20, -20, 200, 160),
    "eight, every 45 deg": (0, 45, 90, 135, 180, 225, 270, 315),
}


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--dataset", choices=["mnist", "fashion"], default="mnist")
    p.add_argument("--n-train", type=int, default=3000)
    p.add_argument("--decoder", choices=["mlp", "hyper"], default="mlp")
    p.add_argument("--epochs", type=int, default=60)
    p.add_argument("--pixels-only", action="store_true", help="no encoder")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", default=None, help="also write the table to this file")
    args = p.parse_args(argv)
    import torch

    torch.set_num_threads(1)
    X, y = load_rotated(args.dataset, args.n_train, args.seed)
    k = len(np.unique(y))
    flat = X.reshape(len(X), -1)
    enc = None if args.pixels_only else RotInvINREncoder(
        decoder=args.decoder, reference="axis", reconstruction_reduction="sum",
        lr=1e-3, batch_size=32, n_coords=128, max_epochs=args.epochs,
        n_iter_no_change=1000, random_state=args.seed,
    )
    t = time.perf_counter()
    if enc is not None:
        enc.fit(X)
    secs = time.perf_counter() - t
    what = "no encoder" if enc is None else (
        f"encoder decoder={args.decoder!r}, {args.epochs} epochs ({secs:.0f} s)"
    )
    rows = [
        "# Which canonical views the orbit stage needs",
        "",
        f"{args.dataset}, {args.n_train} images, {what}; ACC of OrbitSpectralClustering "
        "(15 eigenvectors), in-sample",
        "",
        "| views (degrees) | pixels | latent |",
        "| --- | --- | --- |",
    ]
    for name, degrees in SUBSETS.items():
        angles = tuple(math.radians(a) for a in degrees)
        orbit = OrbitSpectralClustering(
            k, n_views=len(angles), n_components=15, random_state=args.seed
        )
        views = CanonicalViews(angles=angles, contrast=None).fit_transform(flat)
        a = accuracy(y, orbit.fit_predict(views))
        if enc is None:
            b = float("nan")
        else:
            enc.set_params(view_angles=angles)
            b = accuracy(y, orbit.fit_predict(enc.transform(X)))
        latent = "-" if np.isnan(b) else f"{b:.3f}"
        rows.append(f"| {name} {degrees} | {a:.3f} | {latent} |")
        print(rows[-1], flush=True)
    save(args.out, "\n".join(rows))


if __name__ == "__main__":
    main()
