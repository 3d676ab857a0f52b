"""BaseSpectralClustering: what the spectral clusterers share."""

from numbers import Integral

import numpy as np
from sklearn.base import BaseEstimator, ClusterMixin
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data

from ..utils._fitted import FitCompleteMixin
from ..utils._persistence import VersionedPickleMixin
from ._common import check_n_clusters, nearest_center


class BaseSpectralClustering(VersionedPickleMixin, FitCompleteMixin, ClusterMixin, BaseEstimator):
    """Base of the spectral clusterers, as ``_BaseKMeans`` is of scikit-learn's k-means.

    It holds the constraints every one of them has (``n_clusters``, an int or
    ``"auto"`` up to ``max_n_clusters``; ``n_init``; ``random_state``) and
    ``predict``: new samples are embedded by the estimator's out-of-sample
    extension (``_extend``, built on
    :func:`~sklearn_specclust.spectral.nystrom_extension` or the landmark
    representation), row-normalised as in ``fit`` (``_normalize``), and given
    the nearest of the ``cluster_centers_`` (``_assign``). ``fit`` checks
    the number of clusters against the samples with ``_check_n_clusters``.
    A ``fit`` decorated with
    :func:`~sklearn_specclust.utils._fitted.completes_fit` counts as fitted
    only once it returns.
    """

    _parameter_constraints: dict = {
        "n_clusters": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
        "max_n_clusters": [Interval(Integral, 2, None, closed="left")],
        "n_init": [Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
    }

    def _extend(self, X):  # pragma: no cover - every clusterer has one
        raise NotImplementedError

    def _normalize(self, embedding):  # pragma: no cover - every clusterer has one
        raise NotImplementedError

    def _assign(self, embedding):
        """Index of the nearest of the ``cluster_centers_``."""
        return nearest_center(embedding, self.cluster_centers_)

    def _check_n_clusters(self, n_samples):
        """Refuse more clusters than samples (or ``"auto"`` on fewer than 3)."""
        check_n_clusters(self.n_clusters, n_samples, self)

    def predict(self, X):
        """Assign new samples to the nearest cluster centre in the embedding.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            New data.

        Returns
        -------
        labels : ndarray of shape (n_samples,)
            Index of the cluster each sample belongs to.
        """
        check_is_fitted(self)
        X = validate_data(self, X, dtype=[np.float64, np.float32], reset=False)
        return self._assign(self._normalize(self._extend(X)))
