"""A Pipeline that runs a cheap check (and may add fit arguments) before fitting."""

from sklearn.pipeline import Pipeline


class CheckedPipeline(Pipeline):
    """:class:`~sklearn.pipeline.Pipeline` whose fits call ``_before_fit`` first.

    ``fit``, ``fit_transform`` and ``fit_predict`` pass ``X`` and the fit
    arguments to ``_before_fit``, which refuses what the steps cannot serve
    before any of them runs and returns the fit arguments to use. The
    factories' pipelines (``SANetPipeline``, ``RotInvPipeline``) derive from
    it; everything else is a plain ``Pipeline``.
    """

    def _before_fit(self, X, params):
        return params

    def fit(self, X, y=None, **params):
        """Check, then fit every step in turn (see :meth:`sklearn.pipeline.Pipeline.fit`)."""
        return super().fit(X, y, **self._before_fit(X, params))

    def fit_transform(self, X, y=None, **params):
        """Check, then fit every step and transform ``X`` (``Pipeline.fit_transform``)."""
        return super().fit_transform(X, y, **self._before_fit(X, params))

    def fit_predict(self, X, y=None, **params):
        """Check, then fit every step and predict ``X`` (``Pipeline.fit_predict``)."""
        return super().fit_predict(X, y, **self._before_fit(X, params))
