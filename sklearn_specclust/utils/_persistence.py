"""Pickles that say which versions wrote them."""

import warnings

import numpy as np
import sklearn.base
from sklearn.exceptions import InconsistentVersionWarning


def _saved_versions():
    from .. import __version__

    return {"numpy": np.__version__, "sklearn_specclust": __version__}


class VersionedPickleMixin:
    """Record the library versions in a pickle; warn when loaded under others.

    scikit-learn records its version only for classes in ``sklearn.*``; this
    mixin (put before ``BaseEstimator`` among the bases) gives our estimators
    the same :class:`~sklearn.exceptions.InconsistentVersionWarning`, and a
    ``UserWarning`` naming both versions when numpy or sklearn-specclust
    differ, so a model saved with one version and loaded with another says so
    instead of loading silently.
    """

    def __getstate__(self):
        state = super().__getstate__()
        return dict(state.items(), _sklearn_version=sklearn.base.__version__,
                    _saved_versions=_saved_versions())

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
        others = state.pop("_saved_versions", {})
        for name, now in _saved_versions().items():
            then = others.get(name, now)
            if then != now:
                warnings.warn(
                    f"{type(self).__name__} was saved with {name} {then} and is loaded "
                    f"with {name} {now}; it may not work or give other results. Refit "
                    f"it, or load it with {name} {then}.",
                    UserWarning,
                    stacklevel=2,
                )
        super().__setstate__(state)
