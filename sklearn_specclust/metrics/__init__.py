"""Clustering metrics against known classes, a report, and GridSearchCV scorers."""

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
    "make_clustering_scorer",
    "matched_confusion_matrix",
    "pairwise_f_score",
]
