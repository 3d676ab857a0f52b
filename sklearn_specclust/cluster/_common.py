"""Helpers shared by the baseline clusterers: input checks, signs, k-means."""

import numpy as np
from sklearn.cluster import KMeans


def check_n_clusters(n_clusters, n_samples, estimator):
    """Refuse ``n_clusters > n_samples`` with a message that says what to do."""
    if n_clusters > n_samples:
        raise ValueError(
            f"{type(estimator).__name__}: n_clusters={n_clusters} is larger than "
            f"n_samples={n_samples}. Ask for at most {n_samples} clusters or pass "
            "more samples."
        )


def deterministic_sign(vectors):
    """Flip each column so that its entry of largest magnitude is positive.

    Eigenvectors are defined up to sign; fixing it makes ``embedding_`` the
    same from run to run (k-means on the rows does not depend on it).
    """
    vectors = np.asarray(vectors)
    rows = np.argmax(np.abs(vectors), axis=0)
    signs = np.sign(vectors[rows, np.arange(vectors.shape[1])])
    signs[signs == 0] = 1.0
    return vectors * signs


def kmeans_on_embedding(embedding, n_clusters, n_init, random_state):
    """k-means on the rows of a spectral embedding.

    Returns
    -------
    centers : ndarray of shape (n_clusters, n_components)
    labels : ndarray of shape (n_samples,), dtype int64
    """
    km = KMeans(n_clusters=n_clusters, n_init=n_init, random_state=random_state)
    labels = km.fit_predict(embedding)
    return km.cluster_centers_, labels.astype(np.int64, copy=False)


def nearest_center(embedding, centers):
    """Index of the nearest centre for each row (squared Euclidean distance)."""
    d2 = (
        np.einsum("ij,ij->i", embedding, embedding)[:, None]
        - 2.0 * embedding @ centers.T
        + np.einsum("ij,ij->i", centers, centers)[None, :]
    )
    return np.argmin(d2, axis=1).astype(np.int64)
