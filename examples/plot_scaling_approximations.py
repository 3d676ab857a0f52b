"""
=====================================================
Memory planning and approximate spectral embeddings
=====================================================

SA-Net's first layer on all of MNIST has 2.5 million nodes (70,000 images x
36 patches). This example shows, first, how the memory of the exact and the
approximate graphs grows with the number of nodes, and how a
:class:`~sklearn_specclust.SpectralAnalysisLayer` refuses an allocation that
will not fit instead of starting it; then, on 2,000 MNIST test images (raw
pixels / 255, every image a node), what the approximations cost in accuracy
and save in time: Nystrom landmarks and mini-batch optimisation for a dense
Gaussian graph, node sampling with the out-of-sample extension for a kNN
graph.

Times are measured in this run, side by side, on whatever machine builds the
documentation; only their ratios mean something.
"""

# %%
# Memory of one affinity, by number of nodes
# ------------------------------------------
# A dense affinity holds n x n float64 values; a kNN graph keeps about
# ``n * k`` edges (value and column index, twice for the symmetrised graph);
# Nystrom keeps ``n x p`` affinities to ``p`` landmarks.
import os
import time
import warnings

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import NullFormatter
from sklearn.cluster import KMeans
from sklearn.preprocessing import normalize

from sklearn_specclust.datasets import load_mnist
from sklearn_specclust.metrics import clustering_accuracy_score
from sklearn_specclust.spectral import SpectralAnalysisLayer
from sklearn_specclust.utils import available_memory, dense_bytes, format_bytes

n = np.logspace(3, 6.5, 50)
fig, ax = plt.subplots(figsize=(7, 4))
ax.loglog(n, [dense_bytes((m, m)) for m in n], label="dense n x n float64 (exact Gaussian)")
ax.loglog(n, [dense_bytes((m, 1000)) for m in n], label="Nystrom, 1,000 landmarks")
ax.loglog(n, 2 * n * 10 * (8 + 4), label="kNN graph, k = 10")
budget = available_memory()
ax.axhline(budget, color="k", linestyle="--", linewidth=1)
ax.text(n[0], budget * 1.3, f"available here: {format_bytes(budget)}", fontsize=8)
for nodes, label in [(10_000, "10k images"), (70_000, "70k images"),
                     (70_000 * 36, "70k x 36 patches")]:
    ax.axvline(nodes, color="grey", linewidth=0.8)
    ax.text(nodes * 1.1, 1e13, label, rotation=90, fontsize=8, va="top")
ax.set_xlabel("nodes")
ax.set_ylabel("bytes")
ax.legend(fontsize=8, loc="upper left")
ax.set_title("Memory of one affinity")
fig.tight_layout()

# %%
# A refusal instead of a half-made allocation
# -------------------------------------------
# ``SPECCLUST_MAX_MEMORY`` caps the budget; with 20 MB, an exact dense
# Gaussian graph over 2,000 nodes is refused before it is built, and the
# message names the approximations.
images, digits = load_mnist("test", return_X_y=True)
X = images[:2000].reshape(2000, -1) / 255.0
y = digits[:2000]
os.environ["SPECCLUST_MAX_MEMORY"] = "20M"
try:
    SpectralAnalysisLayer(n_neighbors=(), eps_scales=(), gaussian_scales=("self-tuning",),
                          dense_solver="exact", n_components=10).fit(X)
except MemoryError as exc:
    print("MemoryError:", exc)
finally:
    del os.environ["SPECCLUST_MAX_MEMORY"]

# %%
# What the approximations cost and save
# -------------------------------------
# Each layer has one procedure and 10 eigenvectors; the rows are normalised
# and k-means clusters them (spectral clustering), and we score the clusters
# against the digits. The kNN layers with ``max_nodes`` build their graph on a
# random sample of the images and embed the others through it.
warnings.filterwarnings("ignore", category=UserWarning)  # graph-joining notes
gaussian = dict(n_neighbors=(), eps_scales=(), gaussian_scales=("self-tuning",))
knn = dict(n_neighbors=(10,), eps_scales=(), gaussian_scales=())
candidates = {
    "Gaussian, exact": dict(gaussian, dense_solver="exact"),
    "Gaussian, Nystrom p=100": dict(gaussian, dense_solver="nystrom", n_landmarks=100),
    "Gaussian, Nystrom p=300": dict(gaussian, dense_solver="nystrom", n_landmarks=300),
    "Gaussian, Nystrom p=1000": dict(gaussian, dense_solver="nystrom", n_landmarks=1000),
    "Gaussian, mini-batch": dict(gaussian, dense_solver="minibatch"),
    "kNN, all 2000 nodes": dict(knn, max_nodes=None),
    "kNN, 800 sampled nodes": dict(knn, max_nodes=800),
    "kNN, 300 sampled nodes": dict(knn, max_nodes=300),
}
rows = []
for name, params in candidates.items():
    layer = SpectralAnalysisLayer(n_components=10, random_state=0, **params)
    start = time.perf_counter()
    embedding = layer.fit_transform(X)
    seconds = time.perf_counter() - start
    labels = KMeans(10, n_init=10, random_state=0).fit_predict(normalize(embedding))
    rows.append((name, seconds, clustering_accuracy_score(y, labels)))
reference = rows[0][1]
print(f"{'layer':<26} {'time s':>7} {'time / exact':>12} {'ACC':>6}")
for name, seconds, acc in rows:
    print(f"{name:<26} {seconds:>7.2f} {seconds / reference:>12.2f} {acc:>6.3f}")

# %%
# Accuracy against time, measured in this run.
fig, ax = plt.subplots(figsize=(7, 4.2))
for name, seconds, acc in rows:
    ax.scatter(seconds, acc, color="tab:green" if name.startswith("Gaussian") else "tab:blue")
    ax.annotate(name, (seconds, acc), fontsize=8, xytext=(4, 3), textcoords="offset points")
ax.set_xscale("log")
ax.xaxis.set_minor_formatter(NullFormatter())
ax.set_xlabel("fit_transform time (s, this run)")
ax.set_ylabel("k-means ACC on the embedding")
ax.set_title("2,000 MNIST digits: exact and approximate embeddings")
fig.tight_layout()
plt.show()

# %%
# Reading the picture: on a graph this small, the exact dense solver is still
# affordable and mini-batch optimisation is slower than it; mini-batch and
# Nystrom matter where the dense matrix no longer fits (right of the dashed
# line above), where the exact solver is refused. A sparse kNN graph is both
# the cheapest and, on raw pixels, the most accurate here; sampling its nodes
# trades a few points of accuracy for time that grows with the sample, not
# with the data. ``benchmarks/timing/spectral_embedding.py`` measures the same
# trade on all 70,000 images (see :ref:`reproducing`).
