"""Image-shape and rotation-angle helpers shared by the image estimators."""

import math

import numpy as np
from sklearn.utils.validation import check_array, validate_data

from ._maps import to_maps


def default_image_shape(n_features):
    """``(height, width)`` of a flat row: ``s x s`` for ``s * s`` features, else ``1 x n``."""
    side = round(math.sqrt(n_features))
    if side * side == n_features:
        return (side, side)
    return (1, n_features)


def check_angles(angles, name):
    """Angles (radians) as a tuple of floats; None passes through.

    Raises
    ------
    ValueError
        When ``angles`` is empty or holds a non-finite value.
    """
    if angles is None:
        return None
    angles = tuple(float(a) for a in np.ravel(angles))
    if len(angles) == 0 or not all(np.isfinite(angles)):
        raise ValueError(
            f"{name} must be a non-empty sequence of finite angles, got {angles!r}."
        )
    return angles


def validate_images(estimator, X, *, reset, image_shape=None):
    """Validate images for an estimator and return them as 4-D maps.

    2-D rows are read as images of ``image_shape`` (or of
    :func:`default_image_shape`) when fitting, and of the fitted shape
    afterwards; 3-D ``(n, h, w)`` and 4-D ``(n, h, w, c)`` arrays are images.
    With ``reset=True`` the estimator's ``_map_shape`` and
    ``n_features_in_`` (values per image) are set; otherwise the images must
    have the fitted shape.

    Returns
    -------
    maps : ndarray of shape (n, h, w, c)
    """
    check = {"dtype": (np.float64, np.float32), "allow_nd": True, "ensure_min_samples": 1}
    if reset:
        X = validate_data(estimator, X, reset=True, **check)
    else:
        arr = check_array(X, **check)
        # 2-D rows after fit: n_features_in_ is pixels x channels
        X = validate_data(estimator, X, reset=False, **check) if arr.ndim == 2 else arr
    if X.ndim > 4:
        raise ValueError(
            "Expected 2-D (n_samples, n_features), 3-D (n_samples, height, "
            f"width) or 4-D (n_samples, height, width, channels) data, got "
            f"shape {X.shape}."
        )
    if X.ndim == 2:
        if not reset:
            shape = estimator._map_shape
        elif image_shape is not None:
            shape = image_shape
        else:
            shape = default_image_shape(X.shape[1])
        maps = to_maps(X, image_shape=shape)
    else:
        maps = to_maps(X)
    shape = tuple(int(s) for s in maps.shape[1:])
    if reset:
        estimator._map_shape = shape
        estimator.n_features_in_ = int(np.prod(shape))
    elif shape != estimator._map_shape:
        raise ValueError(
            f"X has images of shape (height, width, channels)={shape}, but "
            f"{type(estimator).__name__} was fitted on images of shape "
            f"{estimator._map_shape}. Resize the images to the fitted size, or fit "
            "again on data of this size."
        )
    return maps
