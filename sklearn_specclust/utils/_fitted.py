"""Estimators that count as fitted only once ``fit`` has returned."""

import functools


def completes_fit(fit):
    """Decorate ``fit`` so that the estimator counts as fitted only once it returns.

    ``check_is_fitted`` reads ``__sklearn_is_fitted__`` (see
    :class:`FitCompleteMixin`): a fit interrupted midway (``KeyboardInterrupt``,
    an error) leaves the estimator unfitted rather than half-fitted, even
    though validation has already set ``n_features_in_``.
    """

    @functools.wraps(fit)
    def wrapper(self, *args, **kwargs):
        self._fit_complete = False
        result = fit(self, *args, **kwargs)
        self._fit_complete = True
        return result

    return wrapper


class FitCompleteMixin:
    """``check_is_fitted`` is true once a :func:`completes_fit` ``fit`` returned."""

    def __sklearn_is_fitted__(self):
        return getattr(self, "_fit_complete", False)
