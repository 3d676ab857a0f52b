"""SANetPipeline: a Pipeline that derives the coupled stage parameters in fit."""

from numbers import Integral

import numpy as np

from ..spectral import SpectralAnalysisLayer
from ..utils._pipeline import CheckedPipeline


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
      ``n_clusters`` than samples is refused at once.

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
