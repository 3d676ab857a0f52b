"""Exploring a normalised deep SA-Net ("natural-plus") on Fashion-MNIST *train* images.

The variants are chosen here, on ``--n`` Fashion-MNIST training images, so
that the preset can be reported on test images it was not chosen on
(``benchmarks.reproduce.sanet_fashion_10k``). Every variant starts from one of two
first layers (fitted once and reused):

- ``L1``: the ``"mnist-plus"`` layer -- 11x11 mean-removed patches, stride 2,
  zero padding 4 (13x13 per image), one kNN k=9 procedure, 64 eigenvectors,
  :class:`BlockNormalizer`;
- ``L1-paper-procs``: the same patches with the paper's 16 ``"natural"``
  procedures (kNN 9, 17, 21; eps x3; self-tuning, sigma=0.1; L_sym and
  L_rw; 16 eigenvectors each), block-normalised per procedure;

then optional deeper layers on the normalised maps, abs-max pooling, and the
k-means or the spectral head (15 eigenvectors). Prints ACC per head.

    OMP_NUM_THREADS=1 python -m benchmarks.studies.sanet_fashion_plus_explore \
        --n 2000 --out benchmarks/results/sanet_fashion_plus_explore.md
"""

import argparse
import time
import warnings

import numpy as np
from sklearn.cluster import KMeans
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import Normalizer

from benchmarks._common import print_and_save
from sklearn_specclust.datasets import load_fashion_mnist
from sklearn_specclust.metrics import clustering_accuracy_score
from sklearn_specclust.sanet import AbsMaxPool, BlockNormalizer, PatchFeatures
from sklearn_specclust.spectral import SpectralAnalysisLayer

SEED = 0


def knn_layer(k=(9,), n_components=64):
    return SpectralAnalysisLayer(n_neighbors=k, eps_scales=(), gaussian_scales=(),
                                 n_components=n_components, random_state=SEED)


PAPER_L2 = dict(n_neighbors=(9, 17), eps_scales=(), gaussian_scales=("self-tuning", 0.1),
                laplacians=("sym",), n_components=8)

FIRST = {
    "L1": lambda: [PatchFeatures(11, step=2, padding=4, remove_mean=True, output="maps"),
                   knn_layer(), BlockNormalizer(block_size=64)],
    "L1-paper-procs": lambda: [
        PatchFeatures(11, step=2, padding=4, remove_mean=True, output="maps"),
        SpectralAnalysisLayer(n_neighbors=(9, 17, 21), eps_scales=(0.5, 1.0, 2.0),
                              gaussian_scales=("self-tuning", 0.1), laplacians=("sym", "rw"),
                              n_components=16, random_state=SEED),
        BlockNormalizer(block_size=16)],
}

# (name, first layer, steps after it); a name ending in ">" is a prefix kept for deeper rows
VARIANTS = [
    ("d1: pool 5x5/4 (= mnist-plus)", "L1", lambda: [AbsMaxPool(5, stride=4, padding="valid")]),
    ("d1: pool 3x3/2 (6x6x64)", "L1", lambda: [AbsMaxPool(3, stride=2, padding="valid")]),
    ("d1, paper's 16 procedures x 16: pool 5x5/4", "L1-paper-procs",
     lambda: [AbsMaxPool(5, stride=4, padding="valid")]),
    ("d2a: 5x5/2 patches, kNN 9 x 64, norm, pool 3x3/2", "L1", lambda: [
        PatchFeatures(5, step=2), knn_layer(), BlockNormalizer(block_size=64),
        AbsMaxPool(3, stride=2, padding="valid")]),
    ("d2a without norm2", "L1", lambda: [
        PatchFeatures(5, step=2), knn_layer(), AbsMaxPool(3, stride=2, padding="valid")]),
    ("d2a with the paper's layer-2 procedures (kNN 9, 17, self-tuning, 0.1; x8), norm", "L1",
     lambda: [PatchFeatures(5, step=2), SpectralAnalysisLayer(random_state=SEED, **PAPER_L2),
              BlockNormalizer(block_size=8), AbsMaxPool(3, stride=2, padding="valid")]),
    ("d2b: pool 3x3/2, 3x3/1 patches, kNN 9 x 64, norm, pool 2x2/2", "L1", lambda: [
        AbsMaxPool(3, stride=2, padding="valid"), PatchFeatures(3, step=1), knn_layer(),
        BlockNormalizer(block_size=64), AbsMaxPool(2, stride=2, padding="valid")]),
    ("d2c: 3x3/1 patches pad 1, kNN 9 x 64, norm, pool 5x5/4", "L1", lambda: [
        PatchFeatures(3, step=1, padding=1), knn_layer(), BlockNormalizer(block_size=64),
        AbsMaxPool(5, stride=4, padding="valid")]),
    ("d3: d2a + 3x3/1 patches pad 1, kNN 9 x 64, norm, pool 3x3/2", "L1", lambda: [
        PatchFeatures(5, step=2), knn_layer(), BlockNormalizer(block_size=64),
        PatchFeatures(3, step=1, padding=1), knn_layer(), BlockNormalizer(block_size=64),
        AbsMaxPool(3, stride=2, padding="valid")]),
    # second round, after the rows above: deeper and wider versions of d2b
    ("d2b, final pool 2x2/1 (3x3x64)", "L1", lambda: _d2b()[:-1] + [
        AbsMaxPool(2, stride=1, padding="valid")]),
    ("d2b, layer 2 with 32 eigenvectors", "L1", lambda: [
        AbsMaxPool(3, stride=2, padding="valid"), PatchFeatures(3, step=1),
        knn_layer(n_components=32), BlockNormalizer(block_size=32),
        AbsMaxPool(2, stride=2, padding="valid")]),
    ("d3b: d2b + 3x3/1 patches pad 1, kNN 9 x 64, norm, pool 2x2/2", "L1", lambda: _d2b()[:-1] + [
        PatchFeatures(3, step=1, padding=1), knn_layer(), BlockNormalizer(block_size=64),
        AbsMaxPool(2, stride=2, padding="valid")]),
    ("d3c: d2b + pool 2x2/1, 2x2/1 patches, kNN 9 x 64, norm (2x2x64)", "L1",
     lambda: _d2b()[:-1] + [
         AbsMaxPool(2, stride=1, padding="valid"), PatchFeatures(2, step=1), knn_layer(),
         BlockNormalizer(block_size=64)]),
    ("d3b, final pool 2x2/1 (3x3x64)", "L1", lambda: _d2b()[:-1] + [
        PatchFeatures(3, step=1, padding=1), knn_layer(), BlockNormalizer(block_size=64),
        AbsMaxPool(2, stride=1, padding="valid")]),
]


def _d2b():
    return [AbsMaxPool(3, stride=2, padding="valid"), PatchFeatures(3, step=1), knn_layer(),
            BlockNormalizer(block_size=64), AbsMaxPool(2, stride=2, padding="valid")]


def heads(F, y):
    F = F.reshape(len(F), -1)
    km = KMeans(10, n_init=10, random_state=SEED).fit_predict(F)
    sp = make_pipeline(
        SpectralAnalysisLayer(n_neighbors=(10,), eps_scales=(), gaussian_scales=(), n_components=15,
                              max_nodes=None, random_state=SEED),
        Normalizer(), KMeans(10, n_init=10, random_state=SEED)).fit_predict(F)
    return clustering_accuracy_score(y, km), clustering_accuracy_score(y, sp)


def fit_steps(steps, Z):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        for step in steps:
            Z = step.fit_transform(Z)
    return Z


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--start", type=int, default=0, help="index of the first image")
    ap.add_argument("--only", type=int, nargs="*", default=None, help="variant indices")
    ap.add_argument("--out", default=None)
    args = ap.parse_args(argv)
    X, y = load_fashion_mnist("train", return_X_y=True)
    X = X[args.start: args.start + args.n].astype(np.float32) / 255.0
    y = np.asarray(y[args.start: args.start + args.n])
    rows, first = [], {}
    pixels = heads(X, y)
    rows.append(("pixels", *pixels, 0.0))
    print(f"pixels: {pixels}", flush=True)
    for i in range(len(VARIANTS)) if args.only is None else args.only:
        name, base, make = VARIANTS[i]
        name = f"{i}. {name}"
        t0 = time.perf_counter()
        if base not in first:
            first[base] = (fit_steps(FIRST[base](), X), time.perf_counter() - t0)
            t0 = time.perf_counter()
        F = fit_steps(make(), first[base][0])
        sec = first[base][1] + time.perf_counter() - t0
        acc = heads(F, y)
        rows.append((name, *acc, sec))
        print(f"{name}: k-means {acc[0]:.3f}, spectral {acc[1]:.3f} ({sec:.0f} s, "
              f"{F.shape[1:]})", flush=True)
    text = [
        f"# Exploring \"natural-plus\" on Fashion-MNIST train (images {args.start}-"
        f"{args.start + args.n - 1})", "",
        "Times: the first layer is counted in every row.", "",
        "| features | k-means ACC | spectral head (15) ACC | fit s |",
        "| --- | --- | --- | --- |",
        *(f"| {r[0]} | {r[1]:.3f} | {r[2]:.3f} | {r[3]:.0f} |" for r in rows),
    ]
    print_and_save(text, args.out)


if __name__ == "__main__":
    main()
