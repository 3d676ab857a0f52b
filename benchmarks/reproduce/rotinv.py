"""Rotated MNIST (without 9) and rotated Fashion-MNIST: clustering with the
rotation-invariant INR beside pixel baselines and the thesis's Table 4.1.

Prints one markdown table per dataset, measured side by side in one run:
ACC / NMI / ARI and fit time of k-means on pixels, DEC on pixels, the AE
baseline (``decoder="mlp"``), Ours (k-means) and Ours + DEC; then the angle
error of ``predict_angle``, the invariance of ``transform``, training
throughput (images/s and as a fraction of this CPU's measured matmul FLOP
rate) and ACC against training time.

The loss options of ``RotInvINREncoder`` are flags (defaults: the thesis's);
the committed ``*_balanced.md`` tables came from::

    OMP_NUM_THREADS=1 \\
        python -m benchmarks.reproduce.rotinv --dataset mnist --n-train 3000 \\
        --n-eval 500 --epochs 15 --eval-every 3 --ae-epochs 100 \\
        --ae-eval-every 25 --lr 1e-3 --batch-size 32 --n-coords 128 \\
        --reconstruction-weight 784 --angle-target radial_com --threads 1 \\
        --out benchmarks/results/rotinv_mnist_balanced.md

and the ``*_faithful_loss.md`` ones from the same command without
``--reconstruction-weight`` and ``--angle-target``. The ``*_canonical.md``
tables (measured reference orientation, ``preset="canonical"``, and the orbit
clustering stage) came from::

    OMP_NUM_THREADS=1 \\
        python -m benchmarks.reproduce.rotinv --dataset mnist --n-train 3000 \\
        --n-eval 500 --epochs 15 --eval-every 5 --ae-epochs 100 \\
        --ae-eval-every 25 --lr 1e-3 --batch-size 32 --n-coords 128 \\
        --reconstruction-reduction sum --reference axis --orbit --threads 1 \\
        --out benchmarks/results/rotinv_mnist_canonical.md
"""

import argparse
import time

import numpy as np
from sklearn.cluster import KMeans

from benchmarks._common import (
    accuracy,
    canonical_pixels,
    clustering_scores,
    invariance,
    load_rotated,
    save,
)
from sklearn_specclust.cluster import SelfTuningSpectralClustering
from sklearn_specclust.datasets import make_rotated
from sklearn_specclust.inr import (
    DEC,
    CanonicalViews,
    OrbitSpectralClustering,
    RotInvINREncoder,
)
from sklearn_specclust.inr._orbit import ORBIT_ANGLES

THESIS = {  # Table 4.1 of the thesis: ACC (%) on rotated MNIST / rotated Fashion-MNIST
    "k-means (pixels)": (26.7, 25.6),
    "AE baseline": (53.9, 46.8),
    "Ours (k-means)": (79.3, 49.3),
    "Ours + DEC": (81.1, 50.2),
}


def scores(y, labels):
    """ACC, NMI and ARI (the thesis's columns)."""
    return clustering_scores(y, labels)[:3]


def matmul_gflops():
    import torch

    a, b = torch.randn(2048, 2048), torch.randn(2048, 2048)
    a @ b
    best = 0.0
    for _ in range(5):  # best of 5: the CPU is shared
        t = time.perf_counter()
        a @ b
        best = max(best, 2 * 2048**3 / (time.perf_counter() - t) / 1e9)
    return best


def train_flops_per_image(enc):
    """Multiply-adds x 2 x 3 (forward + backward) of one training image."""
    m = enc.module_
    h, w, c = enc._map_shape
    enc_macs = sum(p.numel() for n, p in m.encoder.named_parameters() if "weight" in n)
    if enc.encoder == "conv":
        enc_macs = sum(
            p.numel() for n, p in m.encoder.head.named_parameters() if "weight" in n
        ) + 64 * h * w * (9 * c * 32 + 9 * 32 * 64 / 4 + 9 * 64 * 64 / 16) / 64
    dec = m.decoder
    if enc.decoder == "hyper":
        hyper = sum(p.numel() for n, p in dec.named_parameters() if "weight" in n)
        pixels = enc.n_coords or h * w
        fn = sum(a * b for a, b in dec.shapes) * pixels
        dec_macs = hyper + fn
    else:
        dec_macs = sum(p.numel() for n, p in dec.named_parameters() if "weight" in n)
    return 6 * (enc_macs * (1 + enc.n_rotations) + dec_macs)


def angle_errors(enc, X, seed):
    """Degrees: |predicted - target direction| and equivariance.

    The target is the centre-of-mass direction the angle head was trained on,
    or, for a measured ``reference``, that reference (error 0 by
    construction). Equivariance: |angle(rotated by phi) - angle - phi|.
    """
    import torch

    from sklearn_specclust.inr._torch_model import centre_of_mass, reference_direction

    t = torch.from_numpy(X[:, None].astype(np.float32))
    if enc.reference is None:  # learned: against the training target
        target = centre_of_mass(t, enc.angle_target).numpy()
    else:  # measured: 0 by construction; the equivariance error is the news
        target = reference_direction(t, enc.reference).numpy()
    true = np.arctan2(target[:, 1], target[:, 0])
    pred = enc.predict_angle(X)
    err = np.degrees(np.abs(np.angle(np.exp(1j * (pred - true)))))
    rng = np.random.RandomState(seed)
    Xr, phi = make_rotated(X, random_state=rng)
    pred_r = enc.predict_angle(Xr)
    eq = np.degrees(np.abs(np.angle(np.exp(1j * (pred_r - pred - phi)))))
    return np.median(err), np.mean(err), np.median(eq), np.mean(eq)


def fit_encoder(X, y, n_clusters, *, epochs, eval_every, seed, log, **params):
    """Train with warm starts, recording (epochs, seconds, ACC of k-means)."""
    enc = RotInvINREncoder(random_state=seed, warm_start=True, verbose=1, **params)
    curve, elapsed, rates = [], 0.0, []
    done = 0
    while done < epochs:
        step = min(eval_every, epochs - done)
        enc.set_params(max_epochs=step, random_state=seed + done)
        t = time.perf_counter()
        enc.fit(X)
        elapsed += time.perf_counter() - t
        rates.append(enc.throughput_)
        done += step
        labels = KMeans(n_clusters, n_init=10, random_state=seed).fit_predict(
            enc.transform(X)
        )
        curve.append((done, elapsed, accuracy(y, labels)))
        log(f"    epochs {done:3d}  train {elapsed:7.1f} s  ACC(k-means) {curve[-1][2]:.3f}")
    return enc, curve, elapsed, float(np.mean(rates))


def orbit_clusterer(k, seed):
    return OrbitSpectralClustering(
        k, n_views=len(ORBIT_ANGLES), n_components=15, random_state=seed
    )


def orbit_row(label, enc, X, y, k, seed, fit_time):
    """Orbit spectral clustering on the latents of the encoder's canonical views."""
    t = time.perf_counter()
    tta = enc.n_test_rotations
    enc.set_params(view_angles=ORBIT_ANGLES, n_test_rotations=0)
    lab = orbit_clusterer(k, seed).fit_predict(enc.transform(X))
    enc.set_params(view_angles=None, n_test_rotations=tta)
    return label, scores(y, lab), fit_time + time.perf_counter() - t


def run(name, args, log):
    X, y = load_rotated(name, args.n_train, args.seed)
    k = len(np.unique(y))
    flat = X.reshape(len(X), -1)
    rows, extra = [], []
    gflops = matmul_gflops()

    t = time.perf_counter()
    lab = KMeans(k, n_init=10, random_state=args.seed).fit_predict(flat)
    rows.append(("k-means (pixels)", scores(y, lab), time.perf_counter() - t))
    log(f"  k-means pixels {rows[-1][1][0]:.3f}")
    t = time.perf_counter()
    lab = DEC(k, random_state=args.seed).fit_predict(flat)
    rows.append(("DEC (pixels)", scores(y, lab), time.perf_counter() - t))
    log(f"  DEC pixels {rows[-1][1][0]:.3f}")
    t = time.perf_counter()
    lab = SelfTuningSpectralClustering(k, affinity="knn", random_state=args.seed).fit_predict(flat)
    rows.append(("spectral (pixels, kNN, self-tuning)", scores(y, lab), time.perf_counter() - t))
    log(f"  spectral pixels {rows[-1][1][0]:.3f}")
    if args.reference:
        canon = canonical_pixels(X, args.reference)
        t = time.perf_counter()
        lab = KMeans(k, n_init=10, random_state=args.seed).fit_predict(canon)
        rows.append(
            (f"k-means (pixels, reference {args.reference})", scores(y, lab),
             time.perf_counter() - t)
        )
        t = time.perf_counter()
        lab = SelfTuningSpectralClustering(
            k, affinity="knn", random_state=args.seed
        ).fit_predict(canon)
        rows.append(
            (f"spectral (pixels, reference {args.reference})", scores(y, lab),
             time.perf_counter() - t)
        )
        log(f"  canonical pixels {rows[-2][1][0]:.3f} / {rows[-1][1][0]:.3f}")
    if args.orbit:
        t = time.perf_counter()
        views = CanonicalViews(args.orbit_reference, angles=ORBIT_ANGLES,
                               contrast=None).fit_transform(flat)
        lab = orbit_clusterer(k, args.seed).fit_predict(views)
        rows.append(
            (f"orbit spectral (pixels, {len(ORBIT_ANGLES)} canonical views, "
             f"reference {args.orbit_reference}; no learning)", scores(y, lab),
             time.perf_counter() - t)
        )
        log(f"  orbit pixels {rows[-1][1][0]:.3f}")

    common = dict(
        lr=args.lr,
        batch_size=args.batch_size,
        angle_target=args.angle_target,
        encoder=args.encoder,
        angle_weight=args.angle_weight,
        consistency_weight=args.consistency_weight,
        reconstruction_weight=args.reconstruction_weight,
        variance_weight=args.variance_weight,
        consistency_norm=args.consistency_norm,
        noise_scale=args.noise_scale,
        reconstruction_reduction=args.reconstruction_reduction,
        reference=args.reference,
        n_iter_no_change=1000,
    )
    log("  AE baseline")
    ae, ae_curve, ae_time, ae_rate = fit_encoder(
        X, y, k, epochs=args.ae_epochs or args.epochs,
        eval_every=args.ae_eval_every or args.eval_every, seed=args.seed,
        log=log, decoder="mlp", **common,
    )
    t = time.perf_counter()
    lab = KMeans(k, n_init=10, random_state=args.seed).fit_predict(ae.transform(X))
    rows.append(("AE baseline", scores(y, lab), ae_time + time.perf_counter() - t))
    if args.orbit:
        rows.append(orbit_row("AE baseline + orbit spectral", ae, X, y, k, args.seed, ae_time))
    if args.skip_hyper:
        enc, curve, ours_time, rate = ae, ae_curve, ae_time, ae_rate

    else:
        log("  Ours")
        enc, curve, ours_time, rate = fit_encoder(
            X, y, k, epochs=args.epochs, eval_every=args.eval_every, seed=args.seed,
            log=log, decoder="hyper", n_coords=args.n_coords, **common,
        )
    if args.n_test_rotations:
        enc.set_params(n_test_rotations=args.n_test_rotations)
    Z = enc.transform(X)
    t = time.perf_counter()
    lab = KMeans(k, n_init=10, random_state=args.seed).fit_predict(Z)
    rows.append(("Ours (k-means)", scores(y, lab), ours_time + time.perf_counter() - t))
    t = time.perf_counter()
    lab = DEC(k, alpha=1e-4, random_state=args.seed).fit_predict(Z)
    rows.append(("Ours + DEC", scores(y, lab), ours_time + time.perf_counter() - t))
    t = time.perf_counter()
    lab = SelfTuningSpectralClustering(
        k, affinity="knn", random_state=args.seed
    ).fit_predict(Z)
    rows.append(
        ("Ours + spectral (kNN, self-tuning)", scores(y, lab), ours_time + time.perf_counter() - t)
    )
    t = time.perf_counter()
    means = np.stack([Z[lab == j].mean(axis=0) for j in range(k)])
    lab = DEC(k, alpha=1e-4, init=means, random_state=args.seed).fit_predict(Z)
    rows.append(
        ("Ours + spectral + DEC", scores(y, lab), ours_time + time.perf_counter() - t)
    )
    if args.orbit:
        rows.append(orbit_row("Ours + orbit spectral", enc, X, y, k, args.seed, ours_time))
    if args.skip_hyper:
        rows = [(r[0].replace("Ours", "AE"), *r[1:]) if r[0].startswith("Ours") else r
                for r in rows]

    gflops = max(gflops, matmul_gflops())
    sub = X[: args.n_eval]
    for label, model in (("AE baseline", ae), ("Ours", enc)):
        a = angle_errors(model, sub, args.seed + 1)
        same, diff = invariance(model, sub, args.seed + 2)
        extra.append((label, a, same, diff))
    col = 0 if name == "mnist" else 1
    out = [
        f"### Rotated {'MNIST without 9' if name == 'mnist' else 'Fashion-MNIST'}: "
        f"{args.n_train} training images, k = {k}, clustered in-sample",
        "",
        "| method | ACC | NMI | ARI | thesis ACC | time (s) |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for label, (a, nmi, ari), secs in rows:
        ref = THESIS.get(label, (None, None))[col]
        ref = f"{ref / 100:.3f}" if ref is not None else "-"
        out.append(f"| {label} | {a:.3f} | {nmi:.3f} | {ari:.3f} | {ref} | {secs:.0f} |")
    out += [
        "",
        f"Angle and invariance on {len(sub)} training images (rotations by scipy, bilinear):",
        "",
        "| model | angle err. vs its target (median / mean deg) | equivariance err. "
        "(median / mean deg) | latent dist. image vs its rotations | between images | ratio |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for label, (m1, a1, m2, a2), same, diff in extra:
        out.append(
            f"| {label} | {m1:.1f} / {a1:.1f} | {m2:.1f} / {a2:.1f} | {same:.4f} | "
            f"{diff:.4f} | {same / diff:.3f} |"
        )
    flops_ours = train_flops_per_image(enc)
    flops_ae = train_flops_per_image(ae)
    out += [
        "",
        f"Throughput (measured matmul rate of this CPU in this run: {gflops:.1f} GFLOP/s, "
        f"torch threads {_threads()}):",
        "",
        "| model | train images/s | GFLOP per image (est.) | achieved GFLOP/s "
        "| fraction of matmul rate |",
        "| --- | --- | --- | --- | --- |",
    ]
    for label, r, f in (("AE baseline", ae_rate, flops_ae), ("Ours", rate, flops_ours)):
        out.append(
            f"| {label} | {r:.1f} | {f / 1e9:.3f} | {r * f / 1e9:.1f} | "
            f"{r * f / 1e9 / gflops:.2f} |"
        )
    out += ["", "ACC (k-means on the latent) against training time:", ""]
    out += ["| model | epochs | train time (s) | ACC |", "| --- | --- | --- | --- |"]
    for label, cv in (("AE baseline", ae_curve), ("Ours", curve)):
        for e, s, a in cv:
            out.append(f"| {label} | {e} | {s:.0f} | {a:.3f} |")
    return "\n".join(out)


def _threads():
    import torch

    return torch.get_num_threads()


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--dataset", choices=["mnist", "fashion", "both"], default="both")
    p.add_argument("--n-train", type=int, default=5000)
    p.add_argument("--n-eval", type=int, default=500)
    p.add_argument("--epochs", type=int, default=8)
    p.add_argument("--eval-every", type=int, default=2)
    p.add_argument("--ae-epochs", type=int, default=None, help="default: --epochs")
    p.add_argument("--ae-eval-every", type=int, default=None, help="default: --eval-every")
    p.add_argument("--lr", type=float, default=1e-4)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--n-coords", type=int, default=None)
    p.add_argument("--angle-target", default="com")
    p.add_argument("--encoder", default="mlp")
    p.add_argument("--angle-weight", type=float, default=15.0)
    p.add_argument("--consistency-weight", type=float, default=1.0)
    p.add_argument("--reconstruction-weight", type=float, default=1.0)
    p.add_argument("--variance-weight", type=float, default=0.0)
    p.add_argument("--consistency-norm", default="none")
    p.add_argument("--noise-scale", type=float, default=1.0)
    p.add_argument("--reconstruction-reduction", default="mean")
    p.add_argument("--reference", default=None,
                   help="measured reference orientation (com, radial_com, axis, axis_com)")
    p.add_argument("--orbit", action="store_true",
                   help="also orbit spectral clustering (6 canonical views, 15 eigenvectors)"
                   " on pixels and on the AE's and Ours' latents")
    p.add_argument("--orbit-reference", default="axis",
                   help="reference of the pixel views of --orbit")
    p.add_argument("--n-test-rotations", type=int, default=0,
                   help="test-time averaging of Ours' latent over this many rotations")
    p.add_argument("--skip-hyper", action="store_true",
                   help="only the AE baseline (its latent also fills the 'Ours' rows, renamed AE)")
    p.add_argument("--threads", type=int, default=None)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", default=None)
    args = p.parse_args(argv)
    if args.threads:
        import torch

        torch.set_num_threads(args.threads)

    def log(msg):
        print(msg, flush=True)

    names = ["mnist", "fashion"] if args.dataset == "both" else [args.dataset]
    parts = [
        "# Rotation-invariant INR clustering benchmark",
        "",
        "Timings: CPU only, on the machine below (shared with other jobs when the load "
        "average says so).",
        "",
    ]
    for name in names:
        log(f"== {name}")
        parts.append(run(name, args, log))
        parts.append("")
    save(args.out, "\n".join(parts))


if __name__ == "__main__":
    main()
