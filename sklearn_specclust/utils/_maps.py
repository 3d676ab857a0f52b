"""The data-shape contract: 2-D rows <-> 4-D maps ``(n, height, width, channels)``.

Every stage accepts 2-D ``(n_samples, n_features)`` data (1x1 maps with
``n_features`` channels), 3-D ``(n_samples, height, width)`` images (one
channel) and 4-D ``(n_samples, height, width, channels)`` maps. 2-D in gives
2-D out; the sample axis never changes.
"""

import numpy as np
from sklearn.utils.validation import validate_data


def border_level(maps):
    """The median of each image's outermost pixels, per channel: ``(n, channels)``.

    The level of an image's background where it meets the frame (zero for
    MNIST, one for dark strokes on white paper).
    """
    ring = np.concatenate(
        [maps[:, 0], maps[:, -1], maps[:, 1:-1, 0], maps[:, 1:-1, -1]], axis=1
    )
    return np.median(ring, axis=1).astype(maps.dtype, copy=False)


def to_maps(X, image_shape=None):
    """View validated data as 4-D maps.

    Parameters
    ----------
    X : ndarray of shape (n, f), (n, h, w) or (n, h, w, c)
        Validated data.
    image_shape : tuple of int, default=None
        ``(h, w)`` or ``(h, w, c)``: read 2-D rows as images of that shape
        instead of as 1x1 maps.

    Returns
    -------
    maps : ndarray of shape (n, h, w, c)
        A view of ``X`` (no copy).
    """
    X = np.asarray(X)
    if X.ndim == 2:
        if image_shape is None:
            return X.reshape(X.shape[0], 1, 1, X.shape[1])
        shape = tuple(int(s) for s in image_shape)
        if len(shape) == 2:
            shape = shape + (1,)
        if len(shape) != 3 or int(np.prod(shape)) != X.shape[1]:
            raise ValueError(
                f"image_shape={tuple(image_shape)} does not match rows of "
                f"{X.shape[1]} features; give (height, width) or "
                "(height, width, channels) whose product is n_features."
            )
        return X.reshape((X.shape[0],) + shape)
    if X.ndim == 3:
        return X[..., np.newaxis]
    if X.ndim == 4:
        return X
    raise ValueError(
        f"Expected 2-D (n_samples, n_features), 3-D (n_samples, height, width) or "
        f"4-D (n_samples, height, width, channels) data, got {X.ndim}-D with "
        f"shape {X.shape}."
    )


def from_maps(maps, was_2d):
    """Return 4-D maps as the caller's layout: flat 2-D rows when input was 2-D."""
    if was_2d:
        return maps.reshape(maps.shape[0], -1)
    return maps


def validate_maps(
    estimator,
    X,
    *,
    reset,
    image_shape=None,
    dtype=(np.float64, np.float32),
    ensure_min_samples=1,
    copy=False,
):
    """Validate ``X`` as rows, images or maps and return ``(maps, was_2d)``.

    On ``reset=True`` the map shape is stored in ``estimator._map_shape``
    (and ``n_features_in_`` by scikit-learn); with ``reset=False`` data whose
    maps have another shape are refused with a message naming both shapes.

    Parameters
    ----------
    estimator : BaseEstimator
        The estimator validating its input.
    X : array-like
        Input data.
    reset : bool
        True in ``fit``, False in ``transform``/``predict``.
    image_shape : tuple of int, default=None
        See :func:`to_maps`.
    dtype : dtype or tuple of dtypes, default=(float64, float32)
        Accepted dtypes, as in :func:`sklearn.utils.check_array`.
    ensure_min_samples : int, default=1
        Minimum number of samples.
    copy : bool, default=False
        Force a copy (the input is never modified either way).

    Returns
    -------
    maps : ndarray of shape (n, h, w, c)
    was_2d : bool
    """
    if not reset:
        _check_map_shape_early(estimator, X, image_shape)
    X = validate_data(
        estimator,
        X,
        reset=reset,
        accept_sparse=False,
        dtype=dtype,
        ensure_2d=True,
        allow_nd=True,
        ensure_min_samples=ensure_min_samples,
        copy=copy,
    )
    if X.ndim > 4:
        raise ValueError(
            f"Expected at most 4-D (n_samples, height, width, channels) data, got "
            f"shape {X.shape}."
        )
    was_2d = X.ndim == 2
    maps = to_maps(X, image_shape=image_shape)
    shape = tuple(int(s) for s in maps.shape[1:])
    if reset:
        estimator._map_shape = shape
        estimator._input_ndim = X.ndim
    else:
        _check_same_map_shape(estimator, shape)
    return maps, was_2d


def _check_map_shape_early(estimator, X, image_shape):
    """Refuse images of another size with the map-shape message.

    scikit-learn's ``n_features_in_`` check would otherwise reject a 3-D or
    4-D array of another height first, with a message about "features".
    """
    fitted = getattr(estimator, "_map_shape", None)
    shape = getattr(X, "shape", None)
    if fitted is None or shape is None or len(shape) not in (3, 4):
        return
    maps_shape = tuple(int(s) for s in shape[1:]) + ((1,) if len(shape) == 3 else ())
    _check_same_map_shape(estimator, maps_shape)


def _check_same_map_shape(estimator, shape):
    """Refuse maps whose (height, width, channels) differ from the fitted ones."""
    fitted = getattr(estimator, "_map_shape", None)
    if fitted is not None and fitted != shape:
        raise ValueError(
            f"X has maps of shape (height, width, channels)={shape}, but "
            f"{type(estimator).__name__} was fitted on maps of shape {fitted}. "
            "Resize the images to the fitted size, or fit again on data of "
            "this size."
        )
