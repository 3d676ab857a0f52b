"""BaseSpectralClustering: what the spectral clusterers share."""

from numbers import Integral

import numpy as np
from sklearn.base import BaseEstimator, ClusterMixin
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data

from ..utils._fitted import FitCompleteMixin
from ..utils._persistence import VersionedPickleMixin
from ._common import nearest_center


class BaseSpectralClustering(VersionedPickleMixin, FitCompleteMixin, ClusterMixin, BaseEstimator):
    """Base of the spectral clusterers, as ``_BaseKMeans`` is of scikit-learn's k-means.

    It holds the constraints every one of them has (``n_clusters``, an int or
    ``"auto"`` up to ``max_n_clusters``; ``n_init``; ``random_state``) and
    ``predict``: new samples are embedded by the estimator's out-of-sample
    extension (``_extend``), row-normalised as in ``fit`` (``_normalize``),
    and given the nearest of the ``cluster_centers_``. A ``fit`` decorated
    with :func:`~sklearn_specclust.utils._fitted.completes_fit` counts as
    fitted only once it returns.
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
        return nearest_center(self._normalize(self._extend(X)), self.cluster_centers_)
