"""Self-tuning local scales (Zelnik-Manor & Perona 2004).

The one implementation of the local scale ``sigma_i``, the distance of a
sample to its ``K``-th nearest neighbour, for every self-tuning affinity of
the clusterers (:func:`~._graphs.self_tuning_affinity`,
:func:`~._graphs.self_tuning_knn_graph` and their out-of-sample rows).
"""

import numpy as np


def self_tuning_scales(sorted_dist, k, *, floor=None, all_zero=None):
    """Local scale of every row: its distance to the ``k``-th neighbour.

    Parameters
    ----------
    sorted_dist : ndarray of shape (n_samples, n_columns)
        Distances of each sample to its nearest neighbours (itself
        excluded), nearest first; column ``k - 1`` must hold the ``k``-th
        (only that column is read, so a partition is enough). With fewer
        than ``k`` columns the last one is used.
    k : int
        ``K`` of the paper.
    floor : float or None, default=None
        Scale given to samples whose ``k``-th distance is zero (``k`` or
        more exact duplicates). None: the smallest positive scale of these
        rows; out-of-sample rows pass the smallest fitted scale, so that the
        scale of a query does not depend on the others in its batch.
    all_zero : float or None, default=None
        Scale of every sample when all of them are zero (every sample has
        ``k`` duplicates). None: raise a ``ValueError``.

    Returns
    -------
    sigma : ndarray of shape (n_samples,), float64
        Positive local scales.

    References
    ----------
    .. [1] L. Zelnik-Manor and P. Perona, "Self-Tuning Spectral Clustering",
       NIPS 17, 2004.
    """
    sigma = np.asarray(sorted_dist[:, min(k, sorted_dist.shape[1]) - 1], dtype=np.float64)
    positive = sigma > 0
    if positive.all():
        return sigma
    if floor is None:
        if not positive.any():
            if all_zero is None:
                raise ValueError(
                    "Every sample has at least k exact duplicates, so every "
                    "local scale is zero. Remove the duplicates or raise k."
                )
            return np.full_like(sigma, all_zero)
        floor = sigma[positive].min()
    return np.where(positive, sigma, floor)
