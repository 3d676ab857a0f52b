"""Choosing the number of clusters of one representation without labels."""

from numbers import Integral

import numpy as np
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_rand_score
from sklearn.utils import check_random_state

from ._graph_scores import as_rows, modularity, normalized_association, reference_graph
from ._label_free import label_free_score

# What "auto" stands for; chosen by benchmarks/studies/label_free.py
# (benchmarks/results/label_free.md), as for make_label_free_scorer.
AUTO_N_CLUSTERS_CRITERION = "stability_modularity"
_GRAPH_CRITERIA = {
    "modularity": modularity,
    "ncut": normalized_association,
    "modularity_ncut": lambda graph, labels: (max(modularity(graph, labels), 0.0)
                                              * normalized_association(graph, labels)),
}
_POINT_CRITERIA = ("silhouette", "calinski_harabasz", "davies_bouldin")
_STABILITY_CRITERIA = ("stability", "stability_modularity")
_VALID = (set(_GRAPH_CRITERIA) | set(_POINT_CRITERIA) | set(_STABILITY_CRITERIA)
          | {"eigengap"})


def select_n_clusters(X, n_clusters_range, *, cluster=None, criterion="auto",
                      graph=None, eigenvalues=None, n_neighbors=None,
                      random_state=None):
    """Choose the number of clusters of ``X`` without labels.

    Each candidate number ``k`` of ``n_clusters_range`` is clustered (by
    ``cluster``, by default k-means on ``X``), each partition is scored by
    one criterion that does not change with ``k``, and the best ``k`` is
    returned with the whole curve. This is the function behind
    ``n_clusters="auto"`` of the spectral clusterers of
    :mod:`sklearn_specclust.cluster`; any head that clusters an embedding can
    call it. Read more in the :ref:`User Guide <choosing_affinities>`.

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
        ``cluster(k, fit_on) -> labels`` of shape ``(n_samples,)``: the
        labels of *all* samples by a ``k``-clustering fitted on the samples
        indexed by ``fit_on`` (``None``: on all of them). ``None`` uses
        ``KMeans(k, n_init=10)`` on ``X`` and its ``predict``. A spectral
        clusterer passes k-means on its ``k`` leading eigenvectors.
    criterion : {"auto", "stability_modularity", "stability", "modularity", \
"ncut", "modularity_ncut", "silhouette", "calinski_harabasz", "davies_bouldin", \
"eigengap"}, default="auto"
        As in :func:`make_label_free_scorer`. ``"stability"`` splits the
        samples at random into two halves ``A`` and ``B``, fits
        ``cluster(k, A)`` and ``cluster(k, B)``, and averages the adjusted
        Rand index of the two labelings on ``A`` and on ``B`` (the transfer
        test of Lange et al. [2]_); it costs two extra clusterings per ``k``
        and penalises splitting a cluster at random. ``"modularity"`` [3]_
        penalises merging clusters but, on a few well-separated clusters,
        also rewards splitting them (its resolution limit [4]_), so
        ``"stability_modularity"``, their product (negative factors count as
        0), is ``"auto"``: it is also the criterion that chose the number
        of clusters best in ``benchmarks/studies/label_free.py``.
        ``"eigengap"``: the gap ``lambda_k - lambda_{k+1}`` between the
        ``k``-th and ``k+1``-th largest eigenvalues of the normalised
        affinity (von Luxburg [1]_, section 8.3); it needs ``eigenvalues``.
    graph : sparse matrix, ndarray or LinearOperator of shape (n_samples, n_samples), \
default=None
        The fixed graph the graph criteria score every partition on (anything
        with ``graph @ dense``). ``None`` builds the symmetric unweighted
        ``k``-nearest-neighbour graph of ``X`` with ``k = round(sqrt(n))``.
    eigenvalues : array-like, default=None
        Eigenvalues of the normalised affinity (``D^-1/2 A D^-1/2``), at
        least ``max(n_clusters_range) + 1`` of them; only for
        ``criterion="eigengap"``.
    n_neighbors : int, default=None
        ``k`` of the reference graph when ``graph`` is None.
    random_state : int, RandomState instance or None, default=None
        Seed of the halves of ``"stability"`` and of the default k-means.

    Returns
    -------
    n_clusters : int
        The candidate with the greatest score (the smallest one on ties).
    scores : ndarray of shape (n_candidates,)
        Score of each candidate, in the sorted order of ``n_clusters_range``
        (greater is better).
    labels : ndarray of shape (n_samples,)
        ``cluster(n_clusters, None)``.

    See Also
    --------
    make_label_free_scorer : Compare candidates that build different graphs.

    References
    ----------
    .. [1] U. von Luxburg, "A tutorial on spectral clustering", Statistics
       and Computing 17(4), 2007.
    .. [2] T. Lange, V. Roth, M. L. Braun and J. M. Buhmann,
       "Stability-based validation of clustering solutions", Neural
       Computation 16(6), 2004.
    .. [3] M. E. J. Newman and M. Girvan, "Finding and evaluating community
       structure in networks", Physical Review E 69, 2004.
    .. [4] S. Fortunato and M. Barthelemy, "Resolution limit in community
       detection", PNAS 104(1), 2007.

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
    given = list(n_clusters_range)
    if not given or any(not isinstance(k, Integral) for k in given) or \
            min(given) < 2 or max(given) > n:
        raise ValueError(
            f"n_clusters_range must hold integers between 2 and n_samples={n}, got "
            f"{given!r}."
        )
    candidates = sorted({int(k) for k in given})
    if criterion == "auto":
        criterion = AUTO_N_CLUSTERS_CRITERION
    if criterion not in _VALID:
        raise ValueError(f"criterion must be 'auto' or one of {sorted(_VALID)}, "
                         f"got {criterion!r}.")
    rng = check_random_state(random_state)
    if cluster is None:
        seed = rng.randint(np.iinfo(np.int32).max)

        def cluster(k, fit_on):
            fit_rows = rows if fit_on is None else rows[fit_on]
            return KMeans(k, n_init=10, random_state=seed).fit(fit_rows).predict(rows)

    if criterion == "eigengap":
        if eigenvalues is None or len(eigenvalues) < candidates[-1] + 1:
            raise ValueError(
                "criterion='eigengap' needs the eigenvalues of the normalised "
                f"affinity, at least max(n_clusters_range) + 1 = {candidates[-1] + 1} "
                "of them."
            )
        lam = np.sort(np.asarray(eigenvalues, dtype=np.float64))[::-1]
        scores = np.array([lam[k - 1] - lam[k] for k in candidates])
        best = candidates[int(np.argmax(scores))]
        return best, scores, np.asarray(cluster(best, None))

    if (criterion in _GRAPH_CRITERIA or criterion == "stability_modularity") and \
            graph is None:
        graph = reference_graph(rows, n_neighbors)
    halves = np.array_split(rng.permutation(n), 2)
    partitions, scores = {}, []
    for k in candidates:
        labels = partitions[k] = np.asarray(cluster(k, None))
        if criterion in _STABILITY_CRITERIA:
            score = _half_stability(cluster, k, halves)
            if criterion == "stability_modularity":
                score = max(score, 0.0) * max(modularity(graph, labels), 0.0)
        elif criterion in _GRAPH_CRITERIA:
            score = _GRAPH_CRITERIA[criterion](graph, labels)
        else:
            score = label_free_score(rows, labels, criterion=criterion)
        scores.append(score)
    scores = np.asarray(scores, dtype=np.float64)
    best = candidates[int(np.argmax(scores))]
    return best, scores, partitions[best]


def _half_stability(cluster, k, halves):
    """Mean ARI, on each half, of the fits on the two halves (Lange et al.)."""
    a, b = (np.asarray(cluster(k, half)) for half in halves)
    return 0.5 * sum(adjusted_rand_score(a[half], b[half]) for half in halves)
