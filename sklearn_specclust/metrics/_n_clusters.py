"""Choosing the number of clusters of one representation without labels."""

from numbers import Integral

import numpy as np
from sklearn.cluster import KMeans

from ._graph_scores import as_rows, modularity, normalized_association, reference_graph
from ._label_free import label_free_score

# What "auto" stands for; chosen by benchmarks/bench_label_free.py
# (benchmarks/results/label_free.md), as for make_label_free_scorer.
AUTO_N_CLUSTERS_CRITERION = "modularity"
_GRAPH_CRITERIA = {"modularity": modularity, "ncut": normalized_association}
_POINT_CRITERIA = ("silhouette", "calinski_harabasz", "davies_bouldin")


def select_n_clusters(X, n_clusters_range, *, cluster=None, criterion="auto",
                      graph=None, eigenvalues=None, n_neighbors=None,
                      random_state=None):
    """Choose the number of clusters of ``X`` without labels.

    Each candidate number ``k`` of ``n_clusters_range`` is clustered (by
    ``cluster(k)``, by default k-means on ``X``), each partition is scored by
    one criterion on a graph that does not change with ``k``, and the best
    ``k`` is returned with the whole curve. This is the function behind
    ``n_clusters="auto"`` of the spectral clusterers of
    :mod:`sklearn_specclust.cluster`, and any head that clusters an embedding
    can call it. Read more in the :ref:`User Guide <choosing_affinities>`.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features) or a stack of images
        The samples the partitions are of. Used for the reference graph
        (when ``graph`` is None), for the point criteria and for the default
        k-means.
    n_clusters_range : iterable of int
        Candidate numbers of clusters, each at least 2 and at most
        ``n_samples``.
    cluster : callable, default=None
        ``cluster(k) -> labels`` of shape ``(n_samples,)``. ``None`` runs
        ``KMeans(k, n_init=10)`` on ``X``. A spectral clusterer passes
        k-means on its ``k`` leading eigenvectors.
    criterion : {"auto", "modularity", "ncut", "silhouette", \
"calinski_harabasz", "davies_bouldin", "eigengap"}, default="auto"
        ``"modularity"`` and ``"ncut"``: see :func:`make_label_free_scorer`;
        they are computed on ``graph``. ``"eigengap"``: the gap
        ``lambda_k - lambda_{k+1}`` between the ``k``-th and ``k+1``-th
        largest eigenvalues of the normalised affinity (von Luxburg [1]_,
        section 8.3); it needs ``eigenvalues`` and clusters only the chosen
        ``k``. The point criteria score ``X`` itself. ``"auto"`` is
        ``"modularity"``, the criterion measured best in
        ``benchmarks/bench_label_free.py``.
    graph : sparse matrix, ndarray or LinearOperator of shape (n_samples, n_samples), \
default=None
        The fixed graph the graph criteria score every partition on (anything
        with ``graph @ dense``). ``None`` builds the symmetric unweighted
        ``k``-nearest-neighbour graph of ``X`` with ``k = ceil(log n)``.
    eigenvalues : array-like, default=None
        Descending eigenvalues of the normalised affinity
        (``D^-1/2 A D^-1/2``), at least ``max(n_clusters_range) + 1`` of them;
        only for ``criterion="eigengap"``.
    n_neighbors : int, default=None
        ``k`` of the reference graph when ``graph`` is None.
    random_state : int, RandomState instance or None, default=None
        Seed of the default k-means.

    Returns
    -------
    n_clusters : int
        The candidate with the greatest score (the smallest one on ties).
    scores : ndarray of shape (n_candidates,)
        Score of each candidate, in the sorted order of ``n_clusters_range``
        (greater is better).
    labels : ndarray of shape (n_samples,)
        ``cluster(n_clusters)``.

    See Also
    --------
    make_label_free_scorer : Compare candidates that build different graphs.

    References
    ----------
    .. [1] U. von Luxburg, "A tutorial on spectral clustering", Statistics
       and Computing 17(4), 2007.
    .. [2] M. E. J. Newman and M. Girvan, "Finding and evaluating community
       structure in networks", Physical Review E 69, 2004.

    Examples
    --------
    >>> from sklearn.datasets import make_blobs
    >>> from sklearn_specclust.metrics import select_n_clusters
    >>> X, _ = make_blobs(n_samples=300, centers=5, random_state=1)
    >>> n_clusters, scores, labels = select_n_clusters(X, range(2, 9), random_state=0)
    >>> n_clusters
    5
    """
    rows = as_rows(X)
    n = rows.shape[0]
    candidates = sorted({int(k) for k in n_clusters_range})
    if not candidates or any(not isinstance(k, Integral) for k in n_clusters_range) or \
            candidates[0] < 2 or candidates[-1] > n:
        raise ValueError(
            f"n_clusters_range must hold integers between 2 and n_samples={n}, got "
            f"{list(n_clusters_range)!r}."
        )
    if criterion == "auto":
        criterion = AUTO_N_CLUSTERS_CRITERION
    valid = set(_GRAPH_CRITERIA) | set(_POINT_CRITERIA) | {"eigengap"}
    if criterion not in valid:
        raise ValueError(f"criterion must be 'auto' or one of {sorted(valid)}, "
                         f"got {criterion!r}.")
    if cluster is None:
        def cluster(k):
            return KMeans(k, n_init=10, random_state=random_state).fit_predict(rows)

    if criterion == "eigengap":
        if eigenvalues is None or len(eigenvalues) < candidates[-1] + 1:
            raise ValueError(
                "criterion='eigengap' needs the eigenvalues of the normalised "
                f"affinity, at least max(n_clusters_range) + 1 = {candidates[-1] + 1} "
                "of them, in descending order."
            )
        lam = np.sort(np.asarray(eigenvalues, dtype=np.float64))[::-1]
        scores = np.array([lam[k - 1] - lam[k] for k in candidates])
        best = candidates[int(np.argmax(scores))]
        return best, scores, np.asarray(cluster(best))

    if criterion in _GRAPH_CRITERIA and graph is None:
        graph = reference_graph(rows, n_neighbors)
    partitions, scores = {}, []
    for k in candidates:
        labels = partitions[k] = np.asarray(cluster(k))
        if criterion in _GRAPH_CRITERIA:
            scores.append(_GRAPH_CRITERIA[criterion](graph, labels))
        else:
            scores.append(label_free_score(rows, labels, criterion=criterion))
    scores = np.asarray(scores)
    best = candidates[int(np.argmax(scores))]
    return best, scores, partitions[best]
