"""SA-Net presets on scikit-learn's bundled 8x8 digits (1797 images).

Side by side in one run: k-means and scikit-learn ``SpectralClustering`` on
pixels, the ``"digits"`` preset (the paper's network shrunk to 8x8), the
``"digits-plus"`` preset (``"mnist-plus"`` scaled to 8x8) with a k-means and a
spectral head, and four neighbouring settings of ``"digits-plus"`` (patch
size, eigenvectors, pooling) to show how sensitive it is.

    OMP_NUM_THREADS=1 python -m benchmarks.studies.sanet_digits \
        --out benchmarks/results/sanet_digits.md
"""

import argparse
import time

from sklearn.cluster import KMeans, SpectralClustering

from benchmarks._common import clustering_scores as scores
from benchmarks._common import clustering_table, print_and_save
from sklearn_specclust.datasets import load_digits_images
from sklearn_specclust.sanet import make_sanet

VARIANTS = {
    # name: make_sanet keyword arguments
    'preset "digits" (paper network shrunk), k-means': dict(preset="digits"),
    'preset "digits", spectral head (15)': dict(
        preset="digits", head="spectral", embed__n_components=15),
    'preset "digits-plus", k-means': dict(preset="digits-plus"),
    'preset "digits-plus", spectral head (10)': dict(preset="digits-plus", head="spectral"),
    'preset "digits-plus", spectral head (15)': dict(
        preset="digits-plus", head="spectral", embed__n_components=15),
    '"digits-plus" with 32 eigenvectors, k-means': dict(
        preset="digits-plus", layer1__n_components=32),
    '"digits-plus" with 3x3 patches, 32 eigenvectors, k-means': dict(
        preset="digits-plus", layer1__n_components=32, patches1__patch_size=3),
    '"digits-plus" with 32 eigenvectors, pooling 4x4/3, k-means': dict(
        preset="digits-plus", layer1__n_components=32, pool=(4, 3, "valid")),
    '"digits-plus" with 5x5 patches (padding 2), 32 eigenvectors, pooling 4x4/3, k-means': dict(
        preset="digits-plus", layer1__n_components=32, patches1__patch_size=5,
        patches1__padding=2, pool=(4, 3, "valid")),
}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", default=None)
    args = ap.parse_args(argv)
    X, y = load_digits_images(return_X_y=True)
    rows = []

    def run(name, make):
        t = time.perf_counter()
        labels = make().fit_predict(X if "pixels" not in name else X.reshape(len(X), -1))
        rows.append((name, *scores(y, labels), time.perf_counter() - t))
        print(f"{name}: ACC {rows[-1][1]:.3f}", flush=True)

    run("k-means (pixels)", lambda: KMeans(10, n_init=10, random_state=args.seed))
    run("SpectralClustering kNN k=10 (pixels)", lambda: SpectralClustering(
        10, affinity="nearest_neighbors", n_neighbors=10, random_state=args.seed))
    for name, kw in VARIANTS.items():
        run(name, lambda kw=kw: make_sanet(10, random_state=args.seed, **kw))

    text = [
        "# SA-Net presets on scikit-learn's 8x8 digits (1797 images)", "",
        "Times are only comparable within this table.", "",
        *clustering_table(rows),
    ]
    text += ["", "`\"digits-plus\"` is `\"mnist-plus\"` (see `sanet_diagnosis.md`) with its patch "
             "size, stride and pooling scaled from 28x28 to 8x8 images. An exploratory run of five "
             "settings preceded this table; the preset is the direct scaling of "
             "\"mnist-plus\" and it also scored best there, so its number is optimistic by "
             "that selection. The last four rows are neighbouring settings, shown for the "
             "spread."]
    print_and_save(text, args.out)


if __name__ == "__main__":
    main()
