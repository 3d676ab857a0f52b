"""
========================================================
SA-Net on MNIST: first-layer visual patterns, confusions
========================================================

SA-Net [1]_ cuts each image into dense 11x11 patches and embeds every patch
with several spectral procedures. Grouping the patches by their layer-1
spectral features (k-means on the 6x6x512 maps, one point per patch) and
averaging the pixels of each group shows the *typical visual patterns* the
first layer responds to: strokes at various orientations, ends, curves and
blank background (the paper's Fig. 5). The network is then clustered and its
confusion matrix drawn.

To run in a few minutes (about 2.5 on an idle 2-core CPU) this example uses 1,000 MNIST test images and a
lighter first layer (kNN and self-tuning procedures on 5,000 sampled
patches) than the paper's preset.

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

net = make_sanet(
    10,
    random_state=0,
    layer1__eps_scales=(),
    layer1__sigmas=("self-tuning",),
    layer1__max_nodes=5000,
    layer2__sigmas=("self-tuning",),
    layer2__max_nodes=3000,
)
labels = net.fit_predict(X)
print(clustering_report(y, labels).text)

# %%
# Typical visual patterns of the first layer
# ------------------------------------------
# Every patch is a point with 512 spectral coordinates; 64 k-means groups,
# each shown as the mean of its (mean-removed) pixel patches.
patches = net.named_steps["patches1"].transform(X).reshape(-1, 11, 11)
feats = net.named_steps["layer1"].transform(net.named_steps["patches1"].transform(X))
feats = feats.reshape(len(patches), -1)
groups = KMeans(64, n_init=3, random_state=0).fit_predict(feats)
fig, axes = plt.subplots(8, 8, figsize=(6, 6))
for g, ax in enumerate(axes.ravel()):
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
ax.set_title("SA-Net-2 on 1,000 MNIST test images")
plt.show()
