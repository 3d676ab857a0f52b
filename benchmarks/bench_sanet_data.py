"""Shared helpers of the SA-Net benchmarks: a thin layer over the library.

Images come from :func:`sklearn_specclust.datasets.load_mnist` /
:func:`~sklearn_specclust.datasets.load_fashion_mnist` (local folders first:
``$SPECCLUST_DATA/{mnist,fashion-mnist}``, defaulting here to the shared data
folder beside the worktrees), scores from
:func:`sklearn_specclust.metrics.clustering_report`. FS is the library's
*pairwise F-score* (harmonic mean of pair precision and recall, what the
SA-Net paper reports), not scikit-learn's Fowlkes-Mallows index (their
geometric mean); tables made before 2026-11-24 used Fowlkes-Mallows.
"""

import os
import resource
from pathlib import Path

from sklearn_specclust.datasets import load_fashion_mnist, load_mnist
from _report import clustering_scores
from sklearn_specclust.metrics import clustering_accuracy_score

_LOADERS = {"mnist": load_mnist, "fashion-mnist": load_fashion_mnist}
FS_NAME = "pairwise F-score"


def load(name="mnist", subset="test"):
    """Images (n, 28, 28) uint8 and int64 labels; ``subset`` is the loader's ``split``."""
    if name not in _LOADERS:
        raise ValueError(f"name must be one of {list(_LOADERS)}, got {name!r}.")
    os.environ.setdefault(
        "SPECCLUST_DATA", str(Path(__file__).resolve().parents[2] / "shared" / "data")
    )
    return _LOADERS[name](split=subset, download=False, return_X_y=True)


def accuracy(y, labels):
    """Clustering accuracy (Hungarian matching of clusters to classes)."""
    return clustering_accuracy_score(y, labels)


def scores(y, labels):
    """ACC, NMI, ARI and FS (pairwise F-score) as a dict."""
    return dict(zip(("ACC", "NMI", "ARI", "FS"), clustering_scores(y, labels)))


def peak_rss_gib():
    """Peak resident memory of this process so far, GiB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20

