"""
=====================================================
Self-tuning vs landmark spectral clustering on MNIST
=====================================================

The two spectral baselines that the SA-Net paper compares against and that
scikit-learn lacks, on 2,000 MNIST test images (raw pixels / 255):

* :class:`~sklearn_specclust.SelfTuningSpectralClustering` (SC-ST,
  Zelnik-Manor & Perona): a dense affinity with a local scale per image;
* :class:`~sklearn_specclust.LandmarkSpectralClustering` (SC-LS, Chen & Cai):
  each image written on its 5 nearest of a few hundred landmarks, linear in
  the number of images.

We show a few members of every cluster, then the confusion matrices with the
clusters matched to the digits.
"""

# %%
# Load 2,000 test images
# ----------------------
import time

import matplotlib.pyplot as plt
import numpy as np

from sklearn_specclust import (
    LandmarkSpectralClustering,
    SelfTuningSpectralClustering,
    clustering_accuracy_score,
    load_mnist,
    matched_confusion_matrix,
)

images, digits = load_mnist("test", return_X_y=True)
images, digits = images[:2000], digits[:2000]
X = images.reshape(len(images), -1) / 255.0

# %%
# Cluster with both baselines
# ---------------------------
# Both are ordinary scikit-learn clusterers; both can also ``predict`` new
# images (SC-LS exactly through its landmarks, SC-ST through the Nystrom
# extension of its eigenvectors).
models = {
    "SC-ST (self-tuning, K=7)": SelfTuningSpectralClustering(
        n_clusters=10, random_state=0
    ),
    "SC-LS (300 landmarks, r=5)": LandmarkSpectralClustering(
        n_clusters=10, n_landmarks=300, random_state=0
    ),
}
labels = {}
for name, model in models.items():
    start = time.perf_counter()
    labels[name] = model.fit_predict(X)
    seconds = time.perf_counter() - start
    acc = clustering_accuracy_score(digits, labels[name])
    print(f"{name:<28} ACC {acc:.3f}  ({seconds:.1f} s)")

# %%
# What the clusters hold
# ----------------------
# Each row is one cluster, ordered by the digit it is matched to; the label on
# the left is that digit and the share of the cluster that is that digit.
rng = np.random.RandomState(0)
fig, axes = plt.subplots(1, 2, figsize=(10, 6.5))
for ax, (name, lab) in zip(axes, labels.items()):
    match = matched_confusion_matrix(digits, lab)
    rows = []
    purities = []
    for digit, cluster in zip(match.classes, match.clusters):
        members = np.flatnonzero(lab == cluster)
        pick = rng.choice(members, size=min(8, len(members)), replace=False)
        row = np.zeros((28, 28 * 8))
        for j, i in enumerate(pick):
            row[:, 28 * j : 28 * (j + 1)] = images[i]
        rows.append(row)
        purities.append((digit, np.mean(digits[members] == digit)))
    ax.imshow(np.vstack(rows), cmap="gray_r")
    ax.set_yticks(14 + 28 * np.arange(len(rows)))
    ax.set_yticklabels([f"{d}: {p:.0%}" for d, p in purities])
    ax.set_xticks([])
    acc = clustering_accuracy_score(digits, lab)
    ax.set_title(f"{name}\nACC {acc:.3f}")
fig.tight_layout()

# %%
# Matched confusion matrices
# --------------------------
# Columns are clusters in the order of the digit they are matched to, so the
# diagonal holds the correctly clustered images; the off-diagonal cells show
# which digits share a cluster in raw pixel space, the confusions SA-Net's
# spectral features are meant to resolve.
fig, axes = plt.subplots(1, 2, figsize=(10, 4.5))
for ax, (name, lab) in zip(axes, labels.items()):
    match = matched_confusion_matrix(digits, lab)
    ax.imshow(match.matrix, cmap="Blues")
    ax.set_xticks(range(len(match.clusters)))
    ax.set_xticklabels(match.clusters)
    ax.set_yticks(range(len(match.classes)))
    ax.set_yticklabels(match.classes)
    ax.set_xlabel("cluster")
    ax.set_ylabel("digit")
    ax.set_title(name)
fig.tight_layout()
plt.show()
