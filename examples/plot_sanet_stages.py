"""
=====================================================
The paper's SA-Net, stage by stage, on MNIST digits
=====================================================

A reproduction of the paper's MNIST network (``preset="wang2020-mnist"``):
what each stage of SA-Net [1]_ does to real MNIST digits: the dense patch map,
the eigenvalue spectrum of every spectral procedure, the eigenvector maps of
one image, and the binary maps and decimal codes the network ends with.

This is not the default network (see
:ref:`sphx_glr_auto_examples_plot_sanet_mnist.py`), but the paper's as we
rebuilt it. Every step of :func:`~sklearn_specclust.make_sanet` is an ordinary
transformer, so we fit them one after the other and keep what each returns.
To run in about a minute on a 2-core machine this is a **reduced network**:
500 test images, five first-layer procedures instead of the paper's eight,
and graphs built on a sample of the patches (``max_nodes``). The full
network on 10,000 images is measured in ``benchmarks/reproduce/sanet_mnist.py``
and ``benchmarks/studies/sanet_stages.py`` (see :ref:`reproducing`).

.. [1] J. Wang and J. Jiang, "SA-Net: A deep spectral analysis network for
   image clustering", Neurocomputing 383, 2020.
"""

# %%
# A reduced SA-Net, fitted stage by stage
# ---------------------------------------
import warnings

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Rectangle

from sklearn_specclust.datasets import load_mnist
from sklearn_specclust.sanet import make_sanet

warnings.filterwarnings("ignore", category=UserWarning)  # graph-joining notes
images, digits = load_mnist("test", return_X_y=True)
X, y = images[:500], digits[:500]

net = make_sanet(
    10,
    preset="wang2020-mnist",
    random_state=0,
    layer1__eps_scales=(1.0,),
    layer1__gaussian_scales=("self-tuning", 0.1),
    layer1__max_nodes=3000,
    layer2__max_nodes=2000,
)
outputs = {"input": X}
Xt = X
for name, step in net.steps[:-1]:
    if step == "passthrough":  # an option left off (reduce2)
        continue
    Xt = step.fit_transform(Xt)
    outputs[name] = Xt
    print(f"{name:<9} -> {Xt.shape}")
labels = net.steps[-1][1].fit_predict(Xt)

# %%
# Stage 1: the patch map
# ----------------------
# ``patches1`` pads each 28x28 image with 4 zero pixels and cuts an 11x11
# patch every 5 pixels: a 6x6 map whose every location holds a
# 121-dimensional patch with its mean removed. Each patch of all 500 images is
# a node of the first layer's graphs. Left: the windows of the top-left, the
# centre and the bottom-right locations; right: the 36 patches of the map.
patch_map = outputs["patches1"][0].reshape(6, 6, 11, 11)
fig, (ax_img, ax_map) = plt.subplots(1, 2, figsize=(9, 4.4))
ax_img.imshow(np.pad(X[0], 4), cmap="gray_r")
for (i, j), color in zip([(0, 0), (2, 3), (5, 5)], ["tab:red", "tab:green", "tab:blue"]):
    ax_img.add_patch(Rectangle((5 * j - 0.5, 5 * i - 0.5), 11, 11, fill=False,
                               edgecolor=color, linewidth=2))
ax_img.set_title("padded image (36 x 36) and three windows")
mosaic = np.full((6 * 12, 6 * 12), np.nan)
for i in range(6):
    for j in range(6):
        mosaic[12 * i : 12 * i + 11, 12 * j : 12 * j + 11] = patch_map[i, j]
ax_map.imshow(mosaic, cmap="gray_r")
ax_map.set_title("its 6 x 6 patch map (means removed)")
for ax in (ax_img, ax_map):
    ax.set_axis_off()
fig.tight_layout()

# %%
# Stage 2: the eigenvalue spectrum of each procedure
# --------------------------------------------------
# Each procedure is one graph over the patches (kNN, epsilon-neighbourhood,
# Gaussian) and one normalised Laplacian; the layer keeps the eigenvectors of
# its smallest eigenvalues, in ascending order. The number of eigenvalues
# near 0 counts the nearly separate groups of patches a graph sees: a sparse
# kNN graph rises slowly, the narrow ``sigma = 0.1`` Gaussian (weight
# ``e^-10`` at the median distance) falls apart into many pieces and all its
# eigenvalues stay near 0, while the self-tuning graph of layer 2 has a gap
# after a few eigenvalues. The spectra are fitted attributes
# (``eigenvalues_``), one array per procedure.
fig, axes = plt.subplots(1, 2, figsize=(10, 3.8), sharey=True)
for ax, name in zip(axes, ["layer1", "layer2"]):
    layer = net.named_steps[name]
    for proc, values in zip(layer.procedures_, layer.eigenvalues_):
        ax.plot(values, marker=".", markersize=3,
                label=f"{proc['family']} {proc['parameter']}")
    ax.set_title(f"{name}: {layer.n_nodes_fit_} graph nodes")
    ax.set_xlabel("eigenvector index")
    ax.legend(fontsize=8)
axes[0].set_ylabel("eigenvalue of $L_{sym}$")
fig.tight_layout()

# %%
# The eigenvector maps of one image
# ---------------------------------
# Every output channel of ``layer1`` is one eigenvector evaluated at the 36
# patches of an image (channel 0, the near-constant first eigenvector, is left
# out). Blank background patches are all the same node, so they take one
# value in every image and the borders of the maps share a colour; the
# locations on the strokes change from digit to digit. Red and blue are the
# two signs, the sides of each graph cut.
layer1 = net.named_steps["layer1"]
first = layer1.procedures_[0]
fig, axes = plt.subplots(3, 9, figsize=(10, 3.6))
for row, index in enumerate([0, 1, 2]):
    axes[row, 0].imshow(X[index], cmap="gray_r")
    maps = outputs["layer1"][index]
    for col in range(1, 9):
        channel = col  # channel 0 is the near-constant first eigenvector
        values = maps[..., channel]
        limit = np.abs(values).max() or 1.0
        axes[row, col].imshow(values, cmap="RdBu_r", vmin=-limit, vmax=limit)
        if row == 0:
            axes[row, col].set_title(f"u{channel}", fontsize=9)
for ax in axes.ravel():
    ax.set_axis_off()
fig.suptitle(f"layer 1, {first['family']} {first['parameter']}: eigenvectors 1-8 on 6 x 6")
fig.tight_layout()

# %%
# Stages 4-6: pooling, binary maps and codes
# ------------------------------------------
# Layer 2 embeds 4x4 windows of the layer-1 maps (3x3 locations), abs-max
# pooling keeps the largest-magnitude value around each location, the
# binarizer keeps the sign, and the bit coder turns each group of 8 binary
# maps (ascending eigenvalue) into one map of integers 0-255, the map of the
# smoothest eigenvector weighing 128. Each row: a digit, the 8 binary maps of
# the first group of its first layer-2 procedure, and the resulting code map.
binary, codes = outputs["binarize"], outputs["code"]
fig, axes = plt.subplots(4, 10, figsize=(10, 4.4))
for row, index in enumerate([0, 1, 2, 3]):
    axes[row, 0].imshow(X[index], cmap="gray_r")
    for bit in range(8):
        axes[row, bit + 1].imshow(binary[index, :, :, bit], cmap="gray_r", vmin=0, vmax=1)
        if row == 0:
            axes[row, bit + 1].set_title(f"x{2 ** (7 - bit)}", fontsize=9)
    axes[row, 9].imshow(codes[index, :, :, 0], cmap="viridis", vmin=0, vmax=255)
    for i, j in np.ndindex(codes.shape[1:3]):
        axes[row, 9].text(j, i, int(codes[index, i, j, 0]), ha="center",
                          va="center", fontsize=7)
axes[0, 9].set_title("code", fontsize=9)
for ax in axes.ravel():
    ax.set_axis_off()
fig.tight_layout()

# %%
# The codes of a few images of every digit
# ----------------------------------------
# The network's output is the flattened code maps, 3 x 3 x 8 = 72 integers per
# image, which k-means clusters. Rows are images grouped by digit: images of
# one digit should share columns of similar codes. Code maps that never change
# (a constant colour down a whole block) carry little information for
# k-means; the table below counts the distinct codes of each map over all
# images and locations.
picks = np.concatenate([np.flatnonzero(y == d)[:5] for d in range(10)])
# columns grouped by code map: the 9 locations of map 0, then of map 1 ...
grouped = codes[picks].transpose(0, 3, 1, 2).reshape(len(picks), -1)
fig, ax = plt.subplots(figsize=(10, 5))
ax.imshow(grouped, aspect="auto", cmap="viridis", interpolation="nearest")
for edge in range(9, grouped.shape[1], 9):
    ax.axvline(edge - 0.5, color="w", linewidth=1)
ax.set_yticks(2 + 5 * np.arange(10))
ax.set_yticklabels([f"digit {d}" for d in range(10)])
ax.set_xlabel("code feature: 8 code maps x 9 locations")
ax.set_title("72 code features of 5 images per digit")
fig.tight_layout()
plt.show()

layer2 = net.named_steps["layer2"]
per_block = layer2.n_components // 8  # code maps per layer-2 procedure
print("code map  layer-2 procedure     distinct codes  most common code's share")
for m in range(codes.shape[-1]):
    proc = layer2.procedures_[m // per_block]
    values, counts = np.unique(codes[..., m], return_counts=True)
    print(f"{m:>8}  {proc['family'] + ' ' + str(proc['parameter']):<22}"
          f"{len(values):>14}  {counts.max() / counts.sum():>24.0%}")

# %%
# The k-means clusters of this reduced network are printed below for
# completeness; they are far from the paper's accuracy, and the
# :ref:`reproducing` page shows, stage by stage, where the full network loses
# it on 2,000 and 10,000 images.
from sklearn_specclust.metrics import clustering_accuracy_score  # noqa: E402

print(f"ACC of the reduced network on 500 images: {clustering_accuracy_score(y, labels):.3f}")
