"""
========================================================
SA-Net on MNIST: first-layer visual patterns, confusions
========================================================

SA-Net [1]_ cuts each image into dense 11x11 patches and embeds every patch
with several spectral procedures. Grouping the patches by their layer-1
spectral features (k-means on the 6x6 maps of spectral features, one point
per patch) and averaging the pixels of each group shows the *typical visual
patterns* the first layer responds to: strokes at various orientations, ends
and curves (the paper's Fig. 5). The network is then clustered and its
confusion matrix drawn.

This is a **reduced network**, so that the example runs in well under a
minute on an idle 2-core CPU: 600 MNIST test images, a first layer of four
procedures (kNN k = 9, 17 and self-tuning and sigma = 0.1 Gaussians, no
epsilon graphs) instead of the paper's eight, a second layer without its
sigma = 0.1 graph, and graphs built on 3,000 sampled patches (layer 1) and
2,000 (layer 2). Its accuracy says little about
the paper's network: ``benchmarks/reproduce/sanet_mnist.py`` measures the full
preset on 10,000 images beside the baselines (see :ref:`reproducing`), and
:ref:`sphx_glr_auto_examples_plot_sanet_stages.py` shows each stage.

.. [1] J. Wang and J. Jiang, "SA-Net: A deep spectral analysis network for
   image clustering", Neurocomputing 383, 2020.
"""

# %%
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.cluster import KMeans

from sklearn_specclust.datasets import load_mnist
from sklearn_specclust.metrics import clustering_report, matched_confusion_matrix
from sklearn_specclust.sanet import make_sanet

warnings.filterwarnings("ignore", category=UserWarning)  # graph-joining notes
X, y = load_mnist("test", return_X_y=True)
X, y = X[:600], y[:600]

net = make_sanet(
    10,
    random_state=0,
    layer1__eps_scales=(),
    layer1__sigmas=("self-tuning", 0.1),
    layer1__max_nodes=3000,
    layer2__sigmas=("self-tuning",),
    layer2__max_nodes=2000,
)
labels = net.fit_predict(X)
print(clustering_report(y, labels).text)

# %%
# Typical visual patterns of the first layer
# ------------------------------------------
# Every patch is a point with one coordinate per eigenvector of every
# procedure. Blank patches (background, mostly at the padded borders) are
# left out; the others fall into 64 k-means groups, each shown as the mean of its
# (mean-removed) pixel patches, largest group first.
patches = net.named_steps["patches1"].transform(X)
feats = net.named_steps["layer1"].transform(patches)
patches = patches.reshape(-1, 11, 11)
feats = feats.reshape(len(patches), -1)
inked = np.abs(patches).reshape(len(patches), -1).max(axis=1) > 0
patches, feats = patches[inked], feats[inked]
print(f"{inked.mean():.0%} of the patches hold ink")
groups = KMeans(64, n_init=1, random_state=0).fit_predict(feats)
by_size = np.argsort(-np.bincount(groups, minlength=64))
fig, axes = plt.subplots(8, 8, figsize=(6, 6))
for g, ax in zip(by_size, axes.ravel()):
    ax.imshow(patches[groups == g].mean(axis=0), cmap="gray")
    ax.set_axis_off()
fig.suptitle("Layer-1 patterns: mean patch of each k-means group")

# %%
# Confusion matrix
# ----------------
# Clusters matched to classes by the Hungarian assignment (rows: true digit).
C = matched_confusion_matrix(y, labels).matrix
fig, ax = plt.subplots(figsize=(5, 4.5))
ax.imshow(C, cmap="Blues")
for (i, j), v in np.ndenumerate(C):
    ax.text(j, i, int(v), ha="center", va="center", fontsize=7)
ax.set_xlabel("matched cluster")
ax.set_ylabel("true digit")
ax.set_title("Reduced SA-Net-2 on 600 MNIST test images")
plt.show()
