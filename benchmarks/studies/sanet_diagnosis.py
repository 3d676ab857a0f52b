"""Why SA-Net's first layer loses accuracy: one change at a time, small data.

Every row fits one first layer (``SpectralAnalysisLayer`` on 11x11 mean-removed
MNIST patches, padding 4) on the first ``--n`` MNIST test images, applies a
readout and clusters the flattened features two ways: k-means (10 clusters,
``n_init=10``) and the image-level spectral head of ``benchmarks.studies.sanet_stages``
(kNN k=10 spectral embedding of the images, 10 eigenvectors, rows
L2-normalised, k-means). ACC of both. Sections (``--sections``):

``procedures``
    each of the paper's 8 layer-1 procedures alone (stride 5, 64
    eigenvectors), raw coordinates vs. ``BlockNormalizer`` (unit length per
    patch) vs. normalised with blank patches zeroed.
``components``
    kNN k=9 with 8/16/32/64 eigenvectors, with and without the first.
``contrast``
    patches divided by their norm after mean removal (stroke shape only).
``readouts``
    on kNN k=9, stride 5 (6x6 map): average / abs-max pooling, sign
    binarization, PCANet-style histograms of the 8-bit codes, a bag of
    k-means "visual words" of the patch embeddings.
``stride``
    denser patch grids (stride 3: 9x9, stride 2: 13x13) with pooling grids
    down to 3x3 or 2x2.
``stride2``
    on stride 2 + abs-max 5x5/4: raw vs normalised, binarization, number of
    eigenvectors, the layer's node sample (random_state), other procedures
    (kNN 5, 17, eps 1, 2), concatenations.
``layer2``
    a second spectral layer on the normalised stride-2 maps.

Usage::

    OMP_NUM_THREADS=1 python -m benchmarks.studies.sanet_diagnosis --n 2000
"""

import argparse
import time
import warnings

import numpy as np
from sklearn.cluster import KMeans
from sklearn.preprocessing import normalize

from benchmarks._common import accuracy, load, print_and_save
from sklearn_specclust.sanet._normalize import block_normalize
from sklearn_specclust.sanet._patches import extract_patches
from sklearn_specclust.sanet._pooling import abs_max_pool
from sklearn_specclust.spectral import SpectralAnalysisLayer

PROCEDURES = {
    "kNN k=9": dict(n_neighbors=(9,), eps_scales=(), gaussian_scales=()),
    "kNN k=17": dict(n_neighbors=(17,), eps_scales=(), gaussian_scales=()),
    "eps 0.5": dict(n_neighbors=(), eps_scales=(0.5,), gaussian_scales=()),
    "eps 1": dict(n_neighbors=(), eps_scales=(1.0,), gaussian_scales=()),
    "eps 2": dict(n_neighbors=(), eps_scales=(2.0,), gaussian_scales=()),
    "self-tuning": dict(n_neighbors=(), eps_scales=(), gaussian_scales=("self-tuning",)),
    "sigma 0.1": dict(n_neighbors=(), eps_scales=(), gaussian_scales=(0.1,)),
    "sigma 0.01": dict(n_neighbors=(), eps_scales=(), gaussian_scales=(0.01,)),
}


class Diagnosis:
    def __init__(self, X, y):
        self.X, self.y, self.n = X, y, len(y)
        self.rows = []
        self._cache = {}

    def patches(self, step, contrast=False):
        P = extract_patches(self.X[..., None].astype(np.float32), (11, 11), step=step,
                            padding=4, remove_mean=True)
        if contrast:
            norm = np.linalg.norm(P, axis=-1, keepdims=True)
            P = np.where(norm > 1e-3 * norm.max(), P / np.maximum(norm, 1e-12), 0)
            P = P.astype(np.float32)
        return P

    def layer(self, proc, step=5, contrast=False, n_components=64, random_state=0):
        key = (proc, step, contrast, n_components, random_state)
        if key not in self._cache:
            t0 = time.perf_counter()
            L = SpectralAnalysisLayer(n_components=n_components, random_state=random_state,
                                      **PROCEDURES[proc])
            E = L.fit_transform(self.patches(step, contrast))
            info = L.procedures_[0]
            print(f"  [{proc}, stride {step}{', contrast' if contrast else ''}, "
                  f"rs {random_state}: {time.perf_counter() - t0:.0f} s, "
                  f"{info['n_connected_components']} component(s), first eigenvalues "
                  f"{np.round(L.eigenvalues_[0][:4], 4).tolist()}]", flush=True)
            self._cache[key] = E
        return self._cache[key]

    def km(self, F):
        return accuracy(self.y, KMeans(10, n_init=10, random_state=0).fit_predict(F))

    def head(self, F):
        emb = SpectralAnalysisLayer(n_neighbors=10, eps_scales=(), gaussian_scales=(),
                                    n_components=10,
                                    max_nodes=None, random_state=0).fit_transform(F)
        return self.km(normalize(emb))

    def row(self, section, what, F):
        F = np.ascontiguousarray(F.reshape(self.n, -1), dtype=np.float32)
        a, b = self.km(F), self.head(F)
        self.rows.append((section, what, F.shape[1], a, b))
        print(f"| {section} | {what} | {F.shape[1]} | {a:.3f} | {b:.3f} |", flush=True)


def blank_mask(P):
    return np.linalg.norm(P, axis=-1) < 1e-6


def avg_pool(F, size, stride):
    n, h, w, c = F.shape
    o = (h - size) // stride + 1
    out = np.empty((n, o, o, c), np.float32)
    for i in range(o):
        for j in range(o):
            out[:, i, j] = F[:, i * stride:i * stride + size,
                             j * stride:j * stride + size].mean((1, 2))
    return out


def code_histograms(F, blocks):
    """8-bit codes of the signs (groups in eigenvalue order), histograms per block."""
    n, h, w, c = F.shape
    bits = (F > 0).reshape(n, h, w, c // 8, 8)
    codes = (bits * 2 ** np.arange(7, -1, -1)).sum(-1).astype(int)
    s = int(np.ceil(h / blocks))
    H = np.zeros((n, blocks, blocks, c // 8, 256), np.float32)
    idx = np.arange(n)
    for i in range(h):
        for j in range(w):
            for g in range(c // 8):
                np.add.at(H, (idx, i // s, j // s, g, codes[:, i, j, g]), 1)
    return np.sqrt(H)


def visual_words(F, blank, n_words):
    nodes = F.reshape(-1, F.shape[-1])
    keep = ~blank.ravel()
    km = KMeans(n_words, n_init=1, random_state=0).fit(nodes[keep][::4])
    words = km.predict(nodes)
    onehot = np.zeros((len(words), n_words), np.float32)
    onehot[np.arange(len(words)), words] = 1.0
    onehot[~keep] = 0.0
    return onehot.reshape(F.shape[:3] + (n_words,))


def pool54(F):
    return abs_max_pool(F, 5, stride=4, padding="valid")


def section_procedures(d):
    blank = blank_mask(d.patches(5))
    for proc in PROCEDURES:
        E = d.layer(proc)
        d.row("procedures", f"{proc}, raw", E)
        N = block_normalize(E, 64)
        d.row("procedures", f"{proc}, normalised", N)
        N[blank] = 0
        d.row("procedures", f"{proc}, normalised, blanks zeroed", N)
    E = np.concatenate([d.layer(p) for p in PROCEDURES], -1)
    d.row("procedures", "all 8 (the paper's layer 1), raw", E)
    d.row("procedures", "all 8, normalised per procedure", block_normalize(E, 64))
    good = ["kNN k=9", "kNN k=17", "eps 1", "eps 2"]
    E = np.concatenate([d.layer(p) for p in good], -1)
    d.row("procedures", "kNN 9, 17, eps 1, 2, normalised per procedure", block_normalize(E, 64))


def section_components(d):
    E = d.layer("kNN k=9")
    for m in (8, 16, 32, 64):
        for first in (0, 1):
            d.row("components", f"kNN k=9, eigenvectors {first + 1}..{m}, normalised",
                  block_normalize(np.ascontiguousarray(E[..., first:m]), None))


def section_contrast(d):
    for proc in ("kNN k=9", "eps 1"):
        E = d.layer(proc, contrast=True)
        d.row("contrast", f"{proc}, contrast-normalised patches, raw", E)
        d.row("contrast", f"{proc}, contrast-normalised patches, normalised",
              block_normalize(E, 64))


def section_readouts(d):
    F = block_normalize(d.layer("kNN k=9"), 64)
    blank = blank_mask(d.patches(5))
    d.row("readouts", "kNN 9 stride 5, normalised, average pool 2x2/2 (3x3)", avg_pool(F, 2, 2))
    d.row("readouts", "... average pool 3x3/3 (2x2)", avg_pool(F, 3, 3))
    d.row("readouts", "... abs-max pool 3x3/1 'same' (the paper's, 6x6)",
          abs_max_pool(F, 3, stride=1))
    d.row("readouts", "... abs-max pool 2x2/2 (3x3)", abs_max_pool(F, 2, stride=2, padding="valid"))
    d.row("readouts", "... sign binarization (no pooling)", (F > 0).astype(np.float32))
    for b in (1, 2, 3):
        d.row("readouts", f"... sqrt histograms of 8-bit codes, {b}x{b} blocks",
              code_histograms(F, b))
    for k in (32, 128):
        W = visual_words(F, blank, k)
        d.row("readouts", f"... {k} visual words (k-means of patch embeddings), per location", W)
        d.row("readouts", f"... {k} visual words, average pool 2x2/2", avg_pool(W, 2, 2))


def section_stride(d):
    for step, pools in ((3, [(3, 3), (5, 4)]), (2, [(4, 4), (5, 4), (7, 5), (6, 3)])):
        F = block_normalize(d.layer("kNN k=9", step=step), 64)
        for size, stride in pools:
            A = avg_pool(F, size, stride)
            grid = f"{A.shape[1]}x{A.shape[2]}"
            d.row("stride", f"stride {step}, average pool {size}x{size}/{stride} ({grid})", A)
            d.row("stride", f"stride {step}, abs-max pool {size}x{size}/{stride} ({grid})",
                  abs_max_pool(F, size, stride=stride, padding="valid"))


def section_stride2(d):
    E = d.layer("kNN k=9", step=2)
    d.row("stride2", "kNN 9, raw coordinates, abs-max 5x5/4", pool54(E))
    F = block_normalize(E, 64)
    M = pool54(F)
    d.row("stride2", "kNN 9, normalised, abs-max 5x5/4 (mnist-plus)", M)
    blank = blank_mask(d.patches(2))
    Fm = F.copy()
    Fm[blank] = 0
    d.row("stride2", "... blanks zeroed", pool54(Fm))
    d.row("stride2", "... + sign binarization", (M > 0).astype(np.float32))
    for m in (16, 32):
        d.row("stride2", f"... {m} eigenvectors", pool54(block_normalize(
            np.ascontiguousarray(E[..., :m]), None)))
    d.row("stride2", "... eigenvectors 2..64", pool54(block_normalize(
        np.ascontiguousarray(E[..., 1:]), None)))
    for rs in (1, 2):
        d.row("stride2", f"... layer random_state={rs} (another node sample)",
              pool54(block_normalize(d.layer("kNN k=9", step=2, random_state=rs), 64)))
    for proc in ("kNN k=17", "eps 1", "eps 2"):
        d.row("stride2", f"{proc}, normalised, abs-max 5x5/4",
              pool54(block_normalize(d.layer(proc, step=2), 64)))
    E = np.concatenate([d.layer(p, step=2) for p in ("kNN k=9", "kNN k=17")], -1)
    d.row("stride2", "kNN 9 + 17, normalised per procedure", pool54(block_normalize(E, 64)))
    E = np.concatenate([d.layer(p, step=2) for p in ("kNN k=9", "kNN k=17", "eps 1", "eps 2")], -1)
    d.row("stride2", "kNN 9, 17, eps 1, 2, normalised per procedure",
          pool54(block_normalize(E, 64)))


def section_layer2(d):
    F = block_normalize(d.layer("kNN k=9", step=2), 64)

    def layer2(G):
        L = SpectralAnalysisLayer(n_components=64, random_state=0, **PROCEDURES["kNN k=9"])
        return block_normalize(L.fit_transform(G), 64)

    Z = layer2(extract_patches(abs_max_pool(F, 3, stride=2, padding="valid"), (3, 3)))
    d.row("layer2", "abs-max 3x3/2 (6x6), 3x3 patches, kNN 9 x 64, normalised, "
          "abs-max 2x2/2 (2x2)", abs_max_pool(Z, 2, stride=2, padding="valid"))
    d.row("layer2", "... abs-max 3x3/1 (2x2)", abs_max_pool(Z, 3, stride=1, padding="valid"))
    Z = layer2(extract_patches(F, (3, 3), step=2))
    d.row("layer2", "3x3 patches stride 2 (6x6), kNN 9 x 64, normalised, abs-max 3x3/2 (2x2)",
          abs_max_pool(Z, 3, stride=2, padding="valid"))


SECTIONS = {
    "procedures": section_procedures,
    "components": section_components,
    "contrast": section_contrast,
    "readouts": section_readouts,
    "stride": section_stride,
    "stride2": section_stride2,
    "layer2": section_layer2,
}


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--sections", nargs="*", default=list(SECTIONS), choices=list(SECTIONS))
    ap.add_argument("--out", default=None)
    args = ap.parse_args(argv)
    warnings.filterwarnings("ignore", category=UserWarning)
    X, y = load("mnist", "test")
    d = Diagnosis(X[: args.n], y[: args.n])
    print("| section | features | n features | k-means ACC | spectral head ACC |")
    print("| --- | --- | --- | --- | --- |")
    d.row("baseline", "pixels", X[: args.n] / 255.0)
    for name in args.sections:
        SECTIONS[name](d)
    text = [f"# SA-Net layer-1 diagnosis, MNIST test (first {args.n} images)", "",
            "| section | features | n features | k-means ACC | spectral head ACC |",
            "| --- | --- | --- | --- | --- |"]
    text += [f"| {s} | {w} | {m} | {a:.3f} | {b:.3f} |" for s, w, m, a, b in d.rows]
    print_and_save(text, args.out)


if __name__ == "__main__":
    main()
