"""
============================================================
SA-Net on MNIST: the default network, patterns, confusions
============================================================

``make_sanet(10)`` with no other argument builds our default SA-Net [1]_: the
patch size, stride and pooling follow from the 28x28 images (11x11 patches at
stride 2, a 13x13 map per image), one kNN spectral procedure embeds every
patch, each patch's coordinates are scaled to unit length, abs-max pooling
keeps a 3x3 grid, and an image-level spectral head clusters the images. The
user guide's defaults table (:ref:`sanet-defaults`) measures it on 10,000
images against k-means, scikit-learn's ``SpectralClustering`` and the paper's
network; here it runs on 1,000 MNIST test images.

Grouping the patches by their layer-1 spectral features (k-means, one point
per patch) and averaging the pixels of each group shows the *typical visual
patterns* the layer responds to: strokes at various orientations, ends and
curves (the paper's Fig. 5). The paper's own network is reproduced in
:ref:`sphx_glr_auto_examples_plot_sanet_stages.py`.

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
X, y = X[:1000], y[:1000]

net = make_sanet(10, random_state=0)
labels = net.fit_predict(X)
print(clustering_report(y, labels).text)

# %%
# Typical visual patterns of the first layer
# ------------------------------------------
# Every patch is a point with one coordinate per eigenvector. Blank patches
# (background, mostly at the padded borders) are left out; the others fall
# into 64 k-means groups, each shown as the mean of its (mean-removed) pixel
# patches, largest group first.
patches = net.named_steps["patches1"].transform(X)
feats = net.named_steps["layer1"].transform(patches)
patches = patches.reshape(-1, *net.named_steps["patches1"].patch_size_)
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
ax.set_title("Default SA-Net on 1,000 MNIST test images")
plt.show()
