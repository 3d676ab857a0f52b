"""MapTransformer: the skeleton every SA-Net stage shares."""

from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.utils.validation import check_is_fitted

from ..utils import from_maps, validate_maps
from ..utils._fitted import FitCompleteMixin, completes_fit
from ..utils._persistence import VersionedPickleMixin


class MapTransformer(VersionedPickleMixin, FitCompleteMixin, TransformerMixin, BaseEstimator):
    """Base class of the SA-Net stages: maps in, maps out, one row per image.

    ``fit`` validates the data (2-D rows, 3-D images or 4-D maps, see the
    data-shape contract) and hands the 4-D maps to ``_fit_maps``;
    ``transform`` checks that the stage is fitted, validates the data against
    what ``fit`` saw, applies ``_transform_maps`` and returns the caller's
    layout (2-D rows for 2-D input). A stage implements those two methods,
    and ``_validate`` when it reads its input differently.

    A stage whose ``fit`` reads only the shape of the maps (not their values)
    and whose ``transform`` maps each image on its own keeps
    ``_fit_reads_shape_only = True``: :class:`SANetPipeline` then runs it on
    batches of images. A stage that learns from the values sets it False.
    """

    _fit_reads_shape_only = True

    def _validate(self, X, *, reset):
        """4-D maps of ``X`` and whether ``X`` came as 2-D rows."""
        return validate_maps(self, X, reset=reset)

    def _fit_maps(self, maps, **fit_params):
        """Set the fitted attributes from the maps seen in ``fit``."""

    def _transform_maps(self, maps):  # pragma: no cover - every stage has one
        raise NotImplementedError

    @_fit_context(prefer_skip_nested_validation=True)
    @completes_fit
    def fit(self, X, y=None, **fit_params):
        """Fit the stage on images or feature maps.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), (n_samples, height, width) \
                or (n_samples, height, width, channels)
            Images or feature maps; 2-D rows are 1x1 maps.
        y : None
            Ignored.
        **fit_params : dict
            Stage-specific values derived by a pipeline (see each stage).

        Returns
        -------
        self : object
            Fitted transformer.
        """
        maps, _ = self._validate(X, reset=True)
        self._fit_maps(maps, **fit_params)
        return self

    def transform(self, X):
        """Apply the stage to images or feature maps of the fitted shape.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), (n_samples, height, width) \
                or (n_samples, height, width, channels)
            Data laid out as in ``fit``.

        Returns
        -------
        X_new : ndarray of shape (n_samples, out_height, out_width, out_channels) \
                or (n_samples, n_output_features)
            The stage's output maps, as 2-D rows for 2-D input.
        """
        check_is_fitted(self)
        maps, was_2d = self._validate(X, reset=False)
        return from_maps(self._transform_maps(maps), was_2d)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags
