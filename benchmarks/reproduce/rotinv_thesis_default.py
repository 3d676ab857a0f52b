"""The default rotation-invariant pipeline on the thesis's test images.

``rotinv_thesis_training`` trains the thesis's INR model on all rotated
MNIST-without-9 training images and scores it on the 8,991 rotated MNIST
test images without a 9 (rotated with seed ``seed + 1``). This module scores,
on exactly those test images, what ``make_rotinv_inr(9)`` gives with its
default parameters (canonical views of the pixels + orbit spectral
clustering, no training) and k-means on the pixels, per seed, so the
trained encoder's curve can be read against the default.

Usage::

    python -m benchmarks.reproduce.rotinv_thesis_default --seeds 0 1 2 \\
        --out benchmarks/results/rotinv_thesis_default.md
"""

import argparse

import numpy as np

from benchmarks._common import clustering_scores, peak_rss_gib, save, timed_fit_predict
from benchmarks.reproduce.rotinv_thesis_training import THESIS_ACC, load_rotated_test


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seed", type=int, default=0,
                   help="the training script's --seed (the test images use seed + 1)")
    p.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2],
                   help="random_state of the estimators")
    p.add_argument("--out", default=None)
    args = p.parse_args(argv)

    from sklearn.cluster import KMeans

    from sklearn_specclust import make_rotinv_inr

    Xt, yt = load_rotated_test(args.seed + 1)
    X2 = Xt.reshape(len(Xt), -1)
    rows = []
    for s in args.seeds:
        for name, est, data in (
            ("make_rotinv_inr(9) (default)", make_rotinv_inr(9, random_state=s), Xt),
            ("KMeans(9, n_init=10) on pixels", KMeans(9, n_init=10, random_state=s), X2),
        ):
            labels, dt = timed_fit_predict(est, data)
            acc, nmi, ari, _ = clustering_scores(yt, labels)
            rows.append((name, s, acc, nmi, ari, dt))
            print(rows[-1], flush=True)

    lines = [
        "# The default rotation-invariant pipeline on the thesis's rotated MNIST test images",
        "",
        f"Test images: {len(Xt)} (MNIST test without 9, rotated, seed {args.seed + 1}: the "
        "images `rotinv_thesis_training` scores); k = 9; thesis (INR + k-means, Table 4.1): "
        f"{THESIS_ACC}.",
        "",
        "| method | random_state | ACC | NMI | ARI | fit_predict s |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    lines += [f"| {n} | {s} | {a:.4f} | {m:.4f} | {r:.4f} | {t:.1f} |"
              for n, s, a, m, r, t in rows]
    lines += ["", "| method | ACC mean | ACC min | ACC max |", "| --- | --- | --- | --- |"]
    for name in dict.fromkeys(r[0] for r in rows):
        accs = np.array([r[2] for r in rows if r[0] == name])
        lines.append(f"| {name} | {accs.mean():.4f} | {accs.min():.4f} | {accs.max():.4f} |")
    lines += ["", f"Peak RSS of the process: {peak_rss_gib():.2f} GiB"]
    save(args.out, "\n".join(lines))


if __name__ == "__main__":
    main()
