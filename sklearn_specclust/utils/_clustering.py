"""Checks and final steps shared by clusterers: cluster counts, k-means, warnings."""

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from ._warnings import warn_user


def check_n_clusters(n_clusters, n_samples, estimator):
    """Refuse ``n_clusters > n_samples`` with a message that says what to do."""
    if n_clusters > n_samples:
        raise ValueError(
            f"{type(estimator).__name__}: n_clusters={n_clusters} is larger than "
            f"n_samples={n_samples}. Ask for at most {n_samples} clusters or pass "
            "more samples."
        )


def warn_fewer_clusters(labels, n_clusters, reason=""):
    """Warn as :class:`~sklearn.cluster.KMeans` does when labels use fewer clusters.

    Returns the number of distinct labels.
    """
    found = int(np.unique(labels).size)
    if found < n_clusters:
        warn_user(
            f"Number of distinct clusters ({found}) found smaller than n_clusters "
            f"({n_clusters}).{' ' + reason if reason else ''}",
            ConvergenceWarning,
        )
    return found


def distinct_rows(X):
    """Index of each row's distinct value, and the number of distinct rows."""
    X = np.ascontiguousarray(X)
    keys = X.view(np.dtype((np.void, X.dtype.itemsize * X.shape[1]))).ravel()
    _, inverse = np.unique(keys, return_inverse=True)
    inverse = inverse.ravel()
    return inverse, int(inverse.max()) + 1 if inverse.size else 0

