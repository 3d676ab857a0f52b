"""Helpers shared by the spectral clusterers: cluster counts and k-means on embeddings."""

import numpy as np
from sklearn.base import clone

from ..metrics import select_n_clusters
from ..spectral._embedding import kmeans_on_embedding
from ..utils._clustering import check_n_clusters as _check_int_n_clusters


def n_vectors_needed(estimator, n_samples):
    """Leading eigenvectors to compute: ``n_clusters``, or the largest candidate."""
    if estimator.n_clusters == "auto":
        return max(2, min(estimator.max_n_clusters, n_samples - 1))
    return estimator.n_clusters


def cluster_leading_vectors(estimator, X, vectors, normalize, seed, graph=None):
    """k-means on the leading columns of a spectral embedding.

    With ``n_clusters="auto"``, every ``k`` from 2 to ``vectors.shape[1]`` is
    clustered on the ``k`` leading columns and :func:`select_n_clusters`
    chooses; ``n_clusters_candidates_`` and ``n_clusters_scores_`` are set on
    the estimator. For the stability part of the criterion, a clone is fitted
    on each random half of the samples (eigenvectors included, so that a
    split that only reflects the sample is not found again) and embeds all
    samples through its out-of-sample extension ``_extend``: two fits on half
    the data, whatever the number of candidates.

    Returns
    -------
    n_clusters : int
    centers : ndarray of shape (n_clusters, n_clusters)
    labels : ndarray of shape (n_samples,)
    """
    if estimator.n_clusters != "auto":
        k = estimator.n_clusters
        return (k, *kmeans_on_embedding(normalize(vectors[:, :k]), k,
                                        estimator.n_init, seed))
    n_vectors = vectors.shape[1]
    fits, half_embeddings = {}, {}

    def cluster(k, fit_on):
        if fit_on is None:
            fits[k] = kmeans_on_embedding(normalize(vectors[:, :k]), k,
                                          estimator.n_init, seed)
            return fits[k][1]
        key = np.asarray(fit_on).tobytes()
        if key not in half_embeddings:
            half = clone(estimator).set_params(n_clusters=n_vectors, random_state=seed)
            half_embeddings[key] = half.fit(X[fit_on])._extend(X)
        rows = normalize(half_embeddings[key][:, :k])
        centers, _ = kmeans_on_embedding(rows[fit_on], k, estimator.n_init, seed)
        return nearest_center(rows, centers)

    candidates = np.arange(2, n_vectors + 1)
    k, scores, _ = select_n_clusters(X, candidates, cluster=cluster, graph=graph,
                                     random_state=seed)
    estimator.n_clusters_candidates_ = candidates
    estimator.n_clusters_scores_ = scores
    return (k, *fits[k])


def check_n_clusters(n_clusters, n_samples, estimator):
    """Refuse ``n_clusters > n_samples`` (``"auto"``: fewer than 3 samples)."""
    if n_clusters != "auto":
        return _check_int_n_clusters(n_clusters, n_samples, estimator)
    if n_samples < 3:
        raise ValueError(
            f"{type(estimator).__name__}: n_clusters='auto' compares 2 or more "
            f"clusters and needs at least 3 samples, got n_samples={n_samples}."
        )


def nearest_center(embedding, centers):
    """Index of the nearest centre for each row (squared Euclidean distance)."""
    d2 = (
        np.einsum("ij,ij->i", embedding, embedding)[:, None]
        - 2.0 * embedding @ centers.T
        + np.einsum("ij,ij->i", centers, centers)[None, :]
    )
    return np.argmin(d2, axis=1).astype(np.int64)
