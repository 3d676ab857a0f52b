"""Sign binarization of spectral feature maps."""


from ._base import MapTransformer


class SignBinarizer(MapTransformer):
    """Sign of every spectral feature: positive -> 1, otherwise 0 (SA-Net).

    The sign of an eigenvector coordinate says on which side of the
    eigenvector's nodal line a patch lies; SA-Net keeps only that bit before
    coding. Zero maps to 0.

    Attributes
    ----------
    n_features_in_ : int
        Number of features (2-D input) or map height (3-D/4-D input) seen in
        ``fit``.

    See Also
    --------
    BitCoder : Packs groups of these bits into decimal maps.
    sklearn.preprocessing.Binarizer : Thresholding of 2-D data.

    Notes
    -----
    The output keeps the input's floating dtype (values ``0.0`` and ``1.0``) so the
    next stage and any scikit-learn clusterer can use it directly. It is
    :class:`sklearn.preprocessing.Binarizer` with ``threshold=0`` extended to
    the 3-D and 4-D map layouts.

    References
    ----------
    .. [1] J. Wang and J. Jiang, "SA-Net: A deep spectral analysis network for
       image clustering", Neurocomputing, 2020.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_specclust.sanet import SignBinarizer
    >>> SignBinarizer().fit_transform(np.array([[-0.5, 0.0, 2.0]]))
    array([[0., 0., 1.]])
    """

    _parameter_constraints = {}

    def __init__(self):
        pass


    def _transform_maps(self, maps):
        return (maps > 0).astype(maps.dtype)
