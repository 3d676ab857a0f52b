"""
=====================================================
Choosing an affinity without labels
=====================================================

A spectral method is only as good as its graph, and every graph has a
parameter: ``k`` of a kNN graph, the scale of an epsilon-neighbourhood graph
(a multiple of the longest edge of the minimum spanning tree), ``sigma`` of a
Gaussian graph. We choose among them, and among numbers of clusters, on
1,500 MNIST test images (raw pixels / 255), each image one node of a
:class:`~sklearn_specclust.SpectralAnalysisLayer` with one procedure,
followed by row normalisation and k-means: spectral clustering as an
ordinary :class:`~sklearn.pipeline.Pipeline`.

:class:`~sklearn.model_selection.GridSearchCV` chooses with
:func:`~sklearn_specclust.make_label_free_scorer`, which needs no labels:
the graph is built on the training folds, the held-out images are embedded
through it (Nystrom extension) and labelled by the fitted k-means, and the
scorer rates that *partition* of the held-out fold, never the candidate's
own graph, so candidates that build different graphs are compared on one
scale. Its default criterion multiplies

* **stability** (Ben-Hur et al. [1]_, Lange et al. [2]_): do the held-out
  labels agree (adjusted Rand index) with those of the same candidate fitted
  on the held-out fold itself? A parameter whose clusters do not come back
  from another sample is not supported by the data;
* **modularity** (Newman & Girvan [3]_) of the partition on a fixed
  reference graph, the kNN graph of the held-out images themselves: a
  degenerate partition (one giant cluster and a few tiny ones) is stable
  but scores near zero there.

The digits are used only at the end, to grade the choice.

.. [1] A. Ben-Hur, A. Elisseeff and I. Guyon, "A stability based method for
   discovering structure in clustered data", Pacific Symposium on
   Biocomputing, 2002.
.. [2] T. Lange, V. Roth, M. Braun and J. Buhmann, "Stability-based
   validation of clustering solutions", Neural Computation 16(6), 2004.
.. [3] M. E. J. Newman and M. Girvan, "Finding and evaluating community
   structure in networks", Physical Review E 69, 2004.
"""

# %%
# The candidates
# --------------
# One procedure per candidate: the other two families are switched off with
# ``()``. A list of grids keeps the families apart; each graph is tried with
# 9, 10 and 11 clusters. The layer keeps 12 eigenvectors whatever the number
# of clusters, so a ``memory`` cache fits it once for the three counts (and
# again for nothing when the labels grade the same candidates below).
import tempfile
import warnings

import matplotlib.pyplot as plt
import numpy as np
from joblib import Memory
from sklearn.cluster import KMeans
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import Normalizer

from sklearn_specclust.datasets import load_mnist
from sklearn_specclust.metrics import make_clustering_scorer, make_label_free_scorer
from sklearn_specclust.spectral import SpectralAnalysisLayer

warnings.filterwarnings("ignore", category=UserWarning)  # graph-joining notes
images, digits = load_mnist("test", return_X_y=True)
X = images[:1500].reshape(1500, -1) / 255.0
y = digits[:1500]

pipe = Pipeline([
    ("embed", SpectralAnalysisLayer(n_components=12, max_nodes=None, random_state=0)),
    ("normalize", Normalizer()),
    ("cluster", KMeans(10, n_init=10, random_state=0)),
], memory=Memory(tempfile.mkdtemp(), verbose=0))
off = [()]
n_clusters = [9, 10, 11]
grid = [
    {"embed__n_neighbors": [(5,), (10,), (20,), (40,)],
     "embed__eps_scales": off, "embed__gaussian_scales": off, "cluster__n_clusters": n_clusters},
    {"embed__n_neighbors": off, "embed__eps_scales": [(0.5,), (1.0,), (2.0,)],
     "embed__gaussian_scales": off, "cluster__n_clusters": n_clusters},
    {"embed__n_neighbors": off, "embed__eps_scales": off,
     "embed__gaussian_scales": [(0.1,), (1.0,), ("self-tuning",)],
     "cluster__n_clusters": n_clusters},
]


def describe(params):
    """Short name of a candidate: its one non-empty affinity parameter."""
    for key, family in [("embed__n_neighbors", "kNN k="), ("embed__eps_scales", "eps x"),
                        ("embed__gaussian_scales", "sigma=")]:
        if params[key]:
            return f"{family}{params[key][0]}"


# %%
# Choosing without labels
# -----------------------
# Three folds of 500 images. ``fit(X)``: no ``y``. Next to the label-free
# scorer we record, for comparison, the silhouette of the held-out images
# (pixels) and scikit-learn's default score of the pipeline, minus the
# k-means inertia, which is measured in each candidate's own embedding.
search = GridSearchCV(
    pipe,
    grid,
    scoring={"label_free": make_label_free_scorer(),
             "silhouette": make_label_free_scorer("silhouette"),
             "inertia": lambda estimator, X, y=None: estimator.score(X)},
    refit="label_free",
    cv=KFold(3, shuffle=True, random_state=0),
)
search.fit(X)
print("chosen without labels:", describe(search.best_params_),
      search.best_params_["cluster__n_clusters"], "clusters")

# %%
# Grading the choice with the labels
# ----------------------------------
# Now, and only now, the digits: the held-out accuracy (Hungarian-matched) of
# every candidate on the same folds, and what each criterion would have
# picked.
graded = GridSearchCV(pipe, grid, scoring=make_clustering_scorer("acc"),
                      cv=KFold(3, shuffle=True, random_state=0)).fit(X, y)
params = search.cv_results_["params"]
names = [f"{describe(p)}, {p['cluster__n_clusters']}" for p in params]
acc = graded.cv_results_["mean_test_score"]
print(f"{'criterion':<12} {'picks':<22} {'its ACC':>7} {'regret':>7}")
for crit in ("label_free", "silhouette", "inertia"):
    pick = int(np.argmax(search.cv_results_[f"mean_test_{crit}"]))
    print(f"{crit:<12} {names[pick]:<22} {acc[pick]:>7.3f} {acc.max() - acc[pick]:>7.3f}")
print(f"{'labels':<12} {names[int(np.argmax(acc))]:<22} {acc.max():>7.3f}")

# %%
# The criteria against the accuracy
# ---------------------------------
# Each point is a candidate (colour: affinity family). Where the points rise
# together, the criterion picks what the labels would have picked; the star
# marks its choice.
palette = {"kNN": "tab:blue", "eps": "tab:orange", "sigma": "tab:green"}
colors = np.array([palette[n.split(" ")[0].split("=")[0]] for n in names])
fig, axes = plt.subplots(1, 3, figsize=(13, 4), sharey=True)
for ax, crit in zip(axes, ("label_free", "silhouette", "inertia")):
    score = search.cv_results_[f"mean_test_{crit}"]
    ax.scatter(score, acc, c=colors, s=18)
    pick = int(np.argmax(score))
    ax.scatter(score[pick], acc[pick], marker="*", s=250, c="k")
    ax.set_xlabel(crit)
    ax.set_title(f"{crit}: picks {names[pick]}", fontsize=9)
axes[0].set_ylabel("held-out ACC (graded afterwards)")
for family, color in palette.items():
    axes[0].scatter([], [], c=color, label=family)
axes[0].legend(loc="lower right")
fig.tight_layout()
plt.show()

# %%
# What to take from it
# --------------------
# The inertia is smallest where the embedding is most concentrated, which
# says nothing about the images: compared across graphs it rewards the
# wrong ones. The silhouette of raw pixels assumes round clusters in pixel
# space. The label-free scorer rates every candidate's partition on the same
# reference graph and asks that it come back from another sample; the
# measured regret of each criterion on four image collections is in
# ``benchmarks/results/label_free.md``. The same ``GridSearchCV`` call works
# unchanged for any estimator with ``predict``, such as a whole
# :func:`~sklearn_specclust.make_sanet` pipeline, at a higher cost; for
# clusterers without ``predict`` the scorer refits on the scored fold.
