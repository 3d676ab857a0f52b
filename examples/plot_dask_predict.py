"""
Fit on a sample, predict a Dask array of images on a cluster
============================================================

A clustering pipeline is fitted in memory on a few hundred images; it then
labels a much larger set that is never held in one place: a Dask array
whose blocks of images are made on the workers when needed, and labelled
there block by block with :func:`~sklearn_specclust.utils.predict_blocks`.
Last, ``GridSearchCV`` chooses parameters without labels with its fits run
as tasks of the same cluster, under joblib's ``"dask"`` backend.

The cluster is a ``LocalCluster`` of two workers on this machine; the same
code runs on any ``dask.distributed`` cluster. See :ref:`scaling`.
"""

# %%
# Fit on a sample
# ---------------
# SA-Net's default network (:func:`~sklearn_specclust.make_sanet`), fitted on
# 300 of scikit-learn's 8x8 digits.
import warnings

import dask.array as da
import joblib
import matplotlib.pyplot as plt
import numpy as np
from distributed import Client, LocalCluster, get_task_stream
from scipy.optimize import linear_sum_assignment
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer

from sklearn_specclust import LandmarkSpectralClustering, make_sanet
from sklearn_specclust.datasets import load_digits_images, make_shifted_dask
from sklearn_specclust.metrics import clustering_accuracy_score, make_label_free_scorer
from sklearn_specclust.utils import predict_blocks

warnings.filterwarnings("ignore", category=UserWarning)  # graph-joining notes
X, y = load_digits_images(return_X_y=True)
X = X.astype(np.float32) / 16.0
model = make_sanet(10, random_state=0).fit(X[:300])

# %%
# A larger set, made block by block
# ---------------------------------
# 8,000 copies of the digits, each shifted by up to one pixel each way
# (:func:`~sklearn_specclust.datasets.make_shifted_dask`). Block ``b`` is made
# from the seed and ``b`` alone, on whichever worker computes it: nothing of
# this size exists until a block is asked for, and a million images would
# cost the same memory. Blocks hold whole images (chunked along the sample
# axis only), which is what ``predict_blocks`` needs.
X_big, y_big = make_shifted_dask(X, y, n_samples=8_000, chunk_size=2_000,
                                 max_shift=1, random_state=0)
print(X_big)

# %%
# Predict on the cluster
# ----------------------
# ``predict_blocks(model, X_big)`` is a lazy Dask array of labels with the
# blocks of ``X_big``; the fitted model is one key of the task graph, sent to
# each worker once. Each block's labels are reduced where they were made to
# a 10 x 10 table of cluster against digit, so only 10 tables travel back.
# (Two in-process workers keep this page quick to build;
# ``LocalCluster(n_workers=2, threads_per_worker=1)`` starts worker
# processes instead.)


def contingency(labels, digits):
    table = np.zeros((1, 10, 10), dtype=np.int64)
    np.add.at(table[0], (labels, digits), 1)
    return table


with LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                  dashboard_address=None) as cluster, Client(cluster) as client:
    labels = predict_blocks(model, X_big)
    tables = da.map_blocks(contingency, labels, y_big, new_axis=[1, 2],
                           chunks=((1,) * labels.numblocks[0], (10,), (10,)),
                           dtype=np.int64)
    with get_task_stream(client) as stream:
        table, first_labels, first_images = da.compute(
            tables.sum(axis=0), labels[:2000], X_big[:2000])
per_worker = {}
for task in stream.data:
    if "predict-blocks" in str(task["key"]):
        per_worker[task["worker"]] = per_worker.get(task["worker"], 0) + 1
print(f"{table.sum()} images labelled; blocks per worker: {sorted(per_worker.values())}")
print("first block, identical to predict in memory:",
      np.array_equal(first_labels, model.predict(first_images)))

# %%
# The table gives the clustering accuracy over all 8,000 images (clusters
# matched to digits), with no labels ever gathered in one place.
rows, cols = linear_sum_assignment(-table)
print(f"accuracy on the generated images: {table[rows, cols].sum() / table.sum():.3f}")
print(f"accuracy of the first block in memory: "
      f"{clustering_accuracy_score(y_big[:2000].compute(), first_labels):.3f}")

fig, axes = plt.subplots(10, 12, figsize=(7, 6))
for cluster in range(10):
    members = first_images[first_labels == cluster][:12]
    for j, ax in enumerate(axes[cluster]):
        if j < len(members):
            ax.imshow(members[j], cmap="gray_r")
        ax.set_axis_off()
fig.suptitle("Generated digits, one row per cluster (first block)")
plt.show()

# %%
# Choosing parameters without labels, fits on the cluster
# -------------------------------------------------------
# ``GridSearchCV`` fits its candidates through joblib; under the ``"dask"``
# backend every fit is a task of the cluster. The scorer needs no ``y``
# (:func:`~sklearn_specclust.metrics.make_label_free_scorer`): the number
# of clusters and the landmark graph's neighbours of SC-LS are chosen on
# the pixels of 900 digits.
pixels = make_pipeline(FunctionTransformer(lambda a: a.reshape(len(a), -1)),
                       LandmarkSpectralClustering(n_landmarks=200, random_state=0))
search = GridSearchCV(
    pixels,
    {"landmarkspectralclustering__n_clusters": [6, 8, 10, 12, 14],
     "landmarkspectralclustering__n_neighbors": [3, 5, 10]},
    scoring=make_label_free_scorer(), cv=KFold(3, shuffle=True, random_state=0), n_jobs=-1,
)
with LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                  dashboard_address=None) as cluster, Client(cluster):
    with joblib.parallel_backend("dask"):
        search.fit(X[:900])
best = search.best_params_
print("chosen without labels:", best)
print(f"its accuracy against the digits: "
      f"{clustering_accuracy_score(y[:900], search.best_estimator_.predict(X[:900])):.3f}")

scores = search.cv_results_["mean_test_score"].reshape(5, 3)
fig, ax = plt.subplots(figsize=(4.5, 3))
for j, k in enumerate([3, 5, 10]):
    ax.plot([6, 8, 10, 12, 14], scores[:, j], marker="o", label=f"{k} neighbours")
ax.set_xlabel("n_clusters")
ax.set_ylabel("label-free score (held-out folds)")
ax.legend(fontsize=8)
fig.tight_layout()
plt.show()
