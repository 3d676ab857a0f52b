"""Scores of a partition that need no labels: on a fixed graph, by cluster sizes."""

import math

import numpy as np
from sklearn.neighbors import NearestNeighbors


def as_rows(X):
    """``(n_samples, n_features)`` float view of 2-D data or of image stacks."""
    X = np.asarray(X)
    if X.ndim < 2:
        raise ValueError(
            f"Expected samples as rows of a 2-D array or a stack of images, got an "
            f"array of shape {X.shape}."
        )
    return X.reshape(X.shape[0], -1).astype(np.float64, copy=False)


def default_graph_neighbors(n_samples):
    """``round(sqrt(n))`` neighbours (at least 2, at most ``n - 1``).

    The usual rule of thumb for kNN methods. It grows with ``n`` faster than
    the ``log n`` that merely keeps a kNN graph connected (von Luxburg 2007,
    section 8.1): on a sparse geometric graph, cutting a compact cluster in
    two costs so few edges that modularity keeps rising with the number of
    clusters (the resolution limit of Fortunato & Barthelemy 2007).
    """
    return int(max(1, min(n_samples - 1, max(2, round(math.sqrt(n_samples))))))


def reference_graph(X, n_neighbors=None):
    """Symmetric 0/1 kNN graph of the rows of ``X`` (sparse CSR, no self loops).

    Unweighted on purpose: it has no scale parameter, so it does not favour
    the candidate whose ``sigma`` or ``eps`` happens to match its own.
    """
    X = as_rows(X)
    n = X.shape[0]
    if n < 3:
        raise ValueError(
            f"A label-free score needs at least 3 samples to build its reference "
            f"graph, got {n}. Score larger folds (fewer cv splits)."
        )
    k = default_graph_neighbors(n) if n_neighbors is None else min(int(n_neighbors), n - 1)
    graph = NearestNeighbors(n_neighbors=k).fit(X).kneighbors_graph(mode="connectivity")
    graph = graph.maximum(graph.T).tocsr()
    graph.setdiag(0)
    graph.eliminate_zeros()
    return graph


def _block_sums(graph, labels):
    """Within-cluster edge weight and volume (sum of degrees) of each cluster.

    ``graph`` is anything with ``graph @ dense`` (sparse or dense matrix, or a
    :class:`~scipy.sparse.linalg.LinearOperator` such as a landmark graph
    ``Z Z^T`` that is never formed).
    """
    _, labels = np.unique(labels, return_inverse=True)
    onehot = np.zeros((labels.size, labels.max() + 1))
    onehot[np.arange(labels.size), labels] = 1.0
    between = onehot.T @ np.asarray(graph @ onehot)
    return np.diag(between).copy(), between.sum(axis=1)


def modularity(graph, labels):
    """Newman-Girvan modularity ``sum_c [w_cc / W - (vol_c / W)^2]`` of ``labels``.

    ``W`` is the total degree. A partition scores its within-cluster weight
    minus what cluster volumes of the same sizes would get at random, so
    neither one giant cluster nor many tiny ones score well.
    """
    within, volume = _block_sums(graph, labels)
    total = volume.sum()
    if total <= 0:
        return 0.0
    return float(np.sum(within / total - (volume / total) ** 2))


def normalized_association(graph, labels):
    """``1 - Ncut / k``: the mean share of each cluster's volume kept inside it.

    ``Ncut = sum_c cut(c) / vol(c)`` is the normalised cut of Shi & Malik
    (2000); dividing by the number of clusters ``k`` puts partitions with
    different ``k`` on one scale (1 is a perfect split into components).
    """
    within, volume = _block_sums(graph, labels)
    share = np.divide(within, volume, out=np.zeros_like(within), where=volume > 0)
    return float(share.mean())


def size_balance(labels):
    """Entropy of the cluster sizes over its maximum ``log k`` (1: equal sizes;
    0: one cluster holds everything, or there is only one cluster)."""
    counts = np.unique(labels, return_counts=True)[1]
    if counts.size < 2:
        return 0.0
    p = counts / counts.sum()
    return float(-(p * np.log(p)).sum() / math.log(counts.size))
