"""Where does SA-Net lose accuracy? Every stage's features, clustered two ways.

One SA-Net-2 (``make_sanet(10)``, the paper's MNIST preset) is fitted on the
first ``--n`` MNIST test images; the features after every stage (pixels,
layer-1 maps, layer-2 maps, pooled, binarized, coded) are clustered by
k-means and by an image-level spectral head (kNN spectral embedding of the
images, row-normalised, then k-means: ``make_sanet(..., head="spectral")``).
Per stage: time and peak traced memory of ``fit_transform``.

Usage::

    python -m benchmarks.studies.sanet_stages --n 2000
"""

import argparse
import time
import tracemalloc
import warnings

import numpy as np
from sklearn.cluster import KMeans
from sklearn.preprocessing import normalize

from benchmarks._common import accuracy, load, save
from sklearn_specclust.sanet import make_sanet
from sklearn_specclust.spectral import SpectralAnalysisLayer


def km(F, y, seed=0):
    return accuracy(y, KMeans(10, n_init=10, random_state=seed).fit_predict(F))


def spectral_head(F, y, k=10, seed=0):
    emb = SpectralAnalysisLayer(n_neighbors=k, eps_scales=(), gaussian_scales=(), n_components=10,
                                max_nodes=None, random_state=seed).fit_transform(F)
    return km(normalize(emb), y, seed)


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--dataset", default="mnist")
    ap.add_argument("--out", default=None)
    args = ap.parse_args(argv)
    warnings.filterwarnings("ignore", category=UserWarning)
    X, y = load(args.dataset, "test")
    X, y = X[: args.n], y[: args.n]
    net = make_sanet(10, random_state=0)
    rows = []
    feats = {"pixels": X.reshape(len(X), -1) / 255.0}
    Z = X
    tracemalloc.start()
    for name, est in net.steps[:-1]:
        if est == "passthrough":
            continue
        tracemalloc.reset_peak()
        t0 = time.perf_counter()
        Z = est.fit_transform(Z)
        sec = time.perf_counter() - t0
        peak = tracemalloc.get_traced_memory()[1] / 2**30
        print(f"{name:9s} {str(Z.shape):22s} {sec:7.1f} s {peak:6.2f} GiB", flush=True)
        rows.append((name, Z.shape, sec, peak))
        if name in ("layer1", "layer2", "pool", "binarize", "code"):
            feats[name] = Z.reshape(len(Z), -1)
    tracemalloc.stop()
    lines = [f"# Features after every SA-Net-2 stage ({args.dataset} test, first {args.n} images)",
             "", "Network: make_sanet(10, random_state=0), the paper's preset, unchanged.", "",
             "| stage | output shape | fit_transform s | peak traced GiB |",
             "| --- | --- | --- | --- |"]
    lines += [f"| {n} | {s} | {t:.1f} | {m:.2f} |" for n, s, t, m in rows]
    lines += ["", "| features after | k-means ACC | spectral head ACC |", "| --- | --- | --- |"]
    for name, F in feats.items():
        a = km(F, y)
        b = spectral_head(F.astype(np.float32), y)
        lines.append(f"| {name} ({F.shape[1]} features) | {a:.3f} | {b:.3f} |")
        print(lines[-1], flush=True)
    save(args.out, "\n".join(lines))


if __name__ == "__main__":
    main()
