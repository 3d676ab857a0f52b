"""SANetPipeline: a Pipeline that derives the coupled stage parameters in fit."""

import time
from numbers import Integral

import numpy as np
from sklearn import get_config
from sklearn.pipeline import Pipeline
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import _num_samples, check_is_fitted

from ..spectral import SpectralAnalysisLayer
from ..utils._pipeline import CheckedPipeline
from ._streaming import fit_transform_per_image, per_image_steps, skipped, transform_per_image


class SANetPipeline(CheckedPipeline):
    """A :class:`~sklearn.pipeline.Pipeline` of SA-Net stages.

    It behaves as a plain ``Pipeline`` (same parameters, ``set_params``,
    ``GridSearchCV``, pickling) and adds two things to ``fit``,
    ``fit_transform`` and ``fit_predict``:

    - parameters that depend on an earlier step are derived from it: every
      :class:`BlockNormalizer` or :class:`BitCoder` with
      ``block_size="auto"`` receives, as the ``fit`` argument
      ``channel_blocks``, the ``n_components`` of the last
      :class:`~sklearn_specclust.spectral.SpectralAnalysisLayer` before it,
      so that a search over a layer's ``n_components`` keeps the blocks on
      the layer's procedures;
    - cheap checks run before any step is fitted: a last step with more
      ``n_clusters`` than samples is refused at once;
    - the leading steps that read one image at a time (patches, layers,
      normalisers, pooling) are fitted and applied to batches of images, so
      that memory grows with the pooled output, not with the patch maps of
      all images. A layer that samples its nodes is fitted on the sampled
      rows only. After the first batch, batches run side by side in as many
      threads as the layers' ``n_jobs`` give. The output is that of the
      plain ``Pipeline`` for any thread count (the layer's transform blocks
      hold whole images and every batch a multiple of them). This applies
      in ``fit``, ``fit_transform``, ``fit_predict``, ``transform`` and
      ``predict`` without ``memory`` or metadata routing.

    Parameters
    ----------
    steps : list of tuple
        ``(name, transformer)`` pairs, as for ``Pipeline``.
    memory, transform_input, verbose
        As for :class:`~sklearn.pipeline.Pipeline`.

    See Also
    --------
    make_sanet : Builds an ``SANetPipeline`` from a preset.
    """

    def _coupled_params(self):
        params, blocks = {}, None
        for name, step in self.steps:
            if isinstance(step, SpectralAnalysisLayer):
                blocks = step.n_components
            elif getattr(step, "block_size", None) == "auto" and blocks is not None:
                params[f"{name}__channel_blocks"] = blocks
        return params

    def _before_fit(self, X, params):
        last = self.steps[-1][1]
        k = getattr(last, "n_clusters", None)
        if isinstance(k, Integral) and not isinstance(k, bool):
            n = np.shape(X)[0] if np.ndim(X) else 0
            if n < k:
                raise ValueError(
                    f"n_samples={n} should be >= n_clusters={k} of the last step "
                    f"{self.steps[-1][0]!r}; give more images or fewer clusters."
                )
        return {**self._coupled_params(), **params}

    def _streamed(self, params=None):
        """How many leading steps run on batches of images (0: the plain Pipeline path)."""
        if self.memory is not None or get_config().get("enable_metadata_routing", False):
            return 0
        k = per_image_steps(self.steps)
        for name, step in self.steps[:k]:
            if isinstance(step, SpectralAnalysisLayer) and any(
                p.startswith(f"{name}__") for p in (params or {})
            ):
                return 0  # the plain path says what is wrong with the parameter
        return k

    def _fit(self, X, y=None, routed_params=None, raw_params=None, **kwargs):
        k = self._streamed(raw_params)
        if not k:
            return super()._fit(X, y, routed_params, raw_params, **kwargs)
        head = self.steps[:k]
        params = {}
        for key, value in (raw_params or {}).items():
            name, _, param = key.partition("__")
            params.setdefault(name, {})[param] = value
        started = time.perf_counter()
        Xt = fit_transform_per_image(head, X, _num_samples(X), params)
        if self.verbose:
            names = ", ".join(name for name, _ in head)
            print(f"[{type(self).__name__}] (steps 1-{k} of {len(self.steps)}) {names} in "
                  f"batches of images, total={time.perf_counter() - started:5.1f}s")
        # the later steps by the plain Pipeline, the batched ones as passthrough
        self.steps = [(name, "passthrough") for name, _ in head] + list(self.steps[k:])
        try:
            return super()._fit(Xt, y, routed_params, raw_params, **kwargs)
        finally:
            self.steps = head + list(self.steps[k:])

    def _transformed(self, X):
        """The output of the steps before the last on ``X`` (batched where possible)."""
        check_is_fitted(self)
        k = self._streamed()
        Xt = transform_per_image(self.steps[:k], X, _num_samples(X)) if k else X
        for index, _, step in self._iter(with_final=False):
            if index >= k:
                Xt = step.transform(Xt)
        return Xt

    @available_if(Pipeline._can_transform)
    def transform(self, X, **params):
        """Apply every step's ``transform`` (see :meth:`sklearn.pipeline.Pipeline.transform`).

        The per-image steps run on batches of images (see the class
        description); the output is that of the plain ``Pipeline``.
        """
        if params or not self._streamed():
            return super().transform(X, **params)
        Xt, last = self._transformed(X), self.steps[-1][1]
        return Xt if skipped(last) else last.transform(Xt)

    @available_if(lambda self: hasattr(self._final_estimator, "predict"))
    def predict(self, X, **params):
        """Transform ``X`` and predict with the last step (``Pipeline.predict``).

        The per-image steps run on batches of images (see the class
        description); the output is that of the plain ``Pipeline``.
        """
        if params or not self._streamed():
            return super().predict(X, **params)
        return self.steps[-1][1].predict(self._transformed(X))
