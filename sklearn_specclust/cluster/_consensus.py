"""Candidate numbers of eigenvectors and the partitions of k-means on them, joined by consensus.

Shared by the spectral heads of SA-Net (:class:`~sklearn_specclust.sanet.SpectralHead`,
:class:`~sklearn_specclust.sanet.RobustSpectralHead`) and by
:class:`~sklearn_specclust.inr.OrbitSpectralClustering`.
"""

import numpy as np
from joblib import Parallel, delayed
from sklearn.cluster import KMeans
from sklearn.metrics import normalized_mutual_info_score
from sklearn.preprocessing import normalize

from ..utils import reproducible_threads
from ..utils._threads import block_threads

#: Eigenvectors tried by ``n_components="auto"``, as multiples of n_clusters.
AUTO_FACTORS = (1.0, 1.25, 1.5, 1.75, 2.0)


def candidate_components(n_clusters, n_components, n_samples, consensus="best"):
    """Numbers of eigenvectors to cluster for ``n_components``.

    An int gives itself; ``"auto"`` gives ``n_clusters`` times each of
    ``AUTO_FACTORS`` (``consensus="best"``) or every number from
    ``n_clusters`` to ``2 * n_clusters`` (``"hbgf"``), those below
    ``n_samples``.
    """
    if n_components != "auto":
        return [int(n_components)]
    if consensus == "hbgf":
        ms = range(n_clusters, 2 * n_clusters + 1)
    else:
        ms = sorted({max(n_clusters, int(round(f * n_clusters))) for f in AUTO_FACTORS})
    return [m for m in ms if m < n_samples] or [min(n_clusters, n_samples - 1)]


def kmeans_each(inputs, n_clusters, n_init, random_state):
    """One k-means per array of ``inputs``, fitted side by side in threads.

    Each fit is single-threaded (the limit is set once, around all of them,
    so that no thread restores another's), hence the same for any number
    of threads; scikit-learn's Lloyd iterations release the GIL.
    """
    def fit(X):
        return KMeans(n_clusters, n_init=n_init, random_state=random_state).fit(X)

    with reproducible_threads():
        return Parallel(n_jobs=min(len(inputs), block_threads(None)), backend="threading")(
            delayed(fit)(X) for X in inputs
        )


def kmeans_single(X, n_clusters, n_init, random_state):
    """One single-threaded k-means on ``X`` (see :func:`kmeans_each`)."""
    return kmeans_each([X], n_clusters, n_init, random_state)[0]


def consensus_kmeans(U, ms, n_clusters, *, n_init, random_state):
    """k-means on the first ``m`` row-normalised columns of ``U`` for each ``m`` in ``ms``.

    Keeps the partition that agrees best with the others (largest mean
    normalised mutual information, the "best-of-k" consensus of Strehl &
    Ghosh), the rule of :class:`~sklearn_specclust.sanet.SpectralHead`'s ``n_components="auto"``.

    Returns
    -------
    m : int
        The chosen number of columns.
    kmeans : KMeans
        Its fitted k-means.
    scores : dict
        ``{m: mean NMI with the others}`` (empty for a single ``m``).
    """
    fits = dict(zip(ms, kmeans_each([normalize(U[:, :m]) for m in ms], n_clusters,
                                    n_init, random_state)))
    scores = {}
    if len(ms) > 1:
        for m in ms:
            scores[m] = float(np.mean([
                normalized_mutual_info_score(fits[m].labels_, fits[o].labels_)
                for o in ms if o != m
            ]))
    best = max(ms, key=lambda m: (scores.get(m, 0.0), -m))
    return best, fits[best], scores
