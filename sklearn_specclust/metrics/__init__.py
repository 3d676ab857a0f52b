"""Clustering metrics: against known classes, and label-free scorers for choosing
parameters without labels."""

from ._label_free import label_free_score, make_label_free_scorer
from ._n_clusters import select_n_clusters
from ._report import clustering_report
from ._scorers import make_clustering_scorer
from ._supervised import (
    clustering_accuracy_score,
    matched_confusion_matrix,
    pairwise_f_score,
)

__all__ = [
    "clustering_accuracy_score",
    "clustering_report",
    "label_free_score",
    "make_clustering_scorer",
    "make_label_free_scorer",
    "matched_confusion_matrix",
    "pairwise_f_score",
    "select_n_clusters",
]
