"""Pickles that say which scikit-learn version wrote them."""

import warnings

import sklearn.base
from sklearn.exceptions import InconsistentVersionWarning


class VersionedPickleMixin:
    """Record the scikit-learn version in a pickle; warn when loaded under another.

    scikit-learn does this only for classes in ``sklearn.*``; this mixin (put
    before ``BaseEstimator`` among the bases) gives our estimators the same
    :class:`~sklearn.exceptions.InconsistentVersionWarning`, so a model saved
    with one version and loaded with another says so instead of loading
    silently.
    """

    def __getstate__(self):
        state = super().__getstate__()
        return dict(state.items(), _sklearn_version=sklearn.base.__version__)

    def __setstate__(self, state):
        state = dict(state)
        saved = state.pop("_sklearn_version", "unknown (saved before 0.1)")
        if saved != sklearn.base.__version__:
            warnings.warn(
                InconsistentVersionWarning(
                    estimator_name=type(self).__name__,
                    current_sklearn_version=sklearn.base.__version__,
                    original_sklearn_version=saved,
                ),
                stacklevel=2,
            )
        super().__setstate__(state)
