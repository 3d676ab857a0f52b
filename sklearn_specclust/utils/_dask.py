"""Apply a fitted estimator to a Dask array of images, one block at a time."""

import string

import numpy as np
from sklearn.utils.validation import check_is_fitted

from ._optional import import_optional

_METHODS = ("predict", "transform", "predict_proba", "decision_function", "score_samples")


def _check_blocks(X, da):
    """Refuse what cannot be split by samples: not a Dask array, bad shape or chunks."""
    if not isinstance(X, da.Array):
        raise TypeError(
            f"predict_blocks needs a dask.array.Array, got {type(X).__name__}. Wrap "
            "in-memory images with dask.array.from_array(X, chunks=(1000, -1, -1)), or call "
            "the estimator's method on them directly."
        )
    if X.ndim not in (2, 3, 4):
        raise ValueError(
            "predict_blocks needs images of shape (n_samples, height, width) or "
            "(n_samples, height, width, channels), or rows (n_samples, n_features); got a "
            f"Dask array of shape {X.shape}."
        )
    split = [axis for axis in range(1, X.ndim) if X.numblocks[axis] > 1]
    if split:
        per_axis = ", ".join(f"axis {a} in {X.numblocks[a]} chunks" for a in split)
        rechunk = "{" + ", ".join(f"{a}: -1" for a in range(1, X.ndim)) + "}"
        raise ValueError(
            f"predict_blocks splits X by samples only, but X is chunked along {per_axis} "
            f"(chunks {X.chunksize}). Each block must hold whole images: chunk along the "
            f"first axis only, e.g. X.rechunk({rechunk})."
        )
    if any(np.isnan(c) for c in X.chunks[0]):
        raise ValueError(
            "X has blocks of unknown size; call X.compute_chunk_sizes() first."
        )
    if X.shape[0] == 0:
        raise ValueError("predict_blocks got a Dask array with 0 samples.")


def _apply(block, estimator, method, trailing):
    """The estimator's ``method`` on one block; its rows and trailing shape checked."""
    out = np.asarray(getattr(estimator, method)(block))
    if out.shape[:1] != block.shape[:1] or out.shape[1:] != trailing:
        raise ValueError(
            f"{type(estimator).__name__}.{method} returned shape {out.shape} for a block of "
            f"{block.shape[0]} samples; predict_blocks expects ({block.shape[0]}, "
            f"{', '.join(map(str, trailing))}) (one output row per sample, the same shape "
            "for every block)."
        )
    return out


def predict_blocks(estimator, X, *, method="predict"):
    """Apply a fitted estimator to a Dask array, one block of samples at a time.

    The scale-out half of "fit on a sample, predict everything": ``estimator``
    (a fitted pipeline such as :func:`~sklearn_specclust.make_sanet`'s, or any
    fitted scikit-learn estimator) is applied to each block of samples of
    ``X`` as one Dask task, so that the images are read or generated, processed
    and dropped block by block on the workers of a ``dask.distributed``
    cluster; no worker ever holds more than the blocks it is working on. The
    result is a lazy Dask array chunked like ``X`` along the sample axis.

    This is the idea of dask-ml's ``ParallelPostFit`` [1]_, written on
    :func:`dask.array.blockwise` for images: dask-ml's wrapper assumes 2-D
    rows (it drops axis 1 of the input for ``predict`` and keeps the input's
    shape for ``transform``), which is wrong for ``(n, height, width)`` images
    and feature maps. See :ref:`scaling` for the comparison.

    Parameters
    ----------
    estimator : estimator instance
        A fitted estimator or pipeline whose ``method`` maps every sample to
        one output row independently of the other samples (as every
        ``predict`` and ``transform`` of this library does once fitted), so
        that the blocks give the same result as one call on all samples.
    X : dask.array.Array of shape (n_samples, height, width), \
            (n_samples, height, width, channels) or (n_samples, n_features)
        Images (or rows), chunked along the sample axis only: every block
        holds whole images. Other chunkings are refused (rechunk first).
    method : {"predict", "transform", "predict_proba", "decision_function", \
            "score_samples"}, default="predict"
        Method of ``estimator`` applied to every block.

    Returns
    -------
    result : dask.array.Array of shape (n_samples, ...)
        Lazy result with the chunks of ``X`` along the sample axis; the other
        axes are those of ``method``'s output (e.g. ``(n_samples,)`` labels for
        ``predict``). Call ``.compute()`` or reduce it block by block.

    Raises
    ------
    ImportError
        If Dask is not installed (``pip install 'sklearn-specclust[dask]'``).
    TypeError
        If ``X`` is not a Dask array.
    ValueError
        If ``X`` is chunked along any axis but the first, or ``method`` returns
        a block whose rows do not match the block's samples.

    See Also
    --------
    sklearn_specclust.datasets.make_shifted_dask : Dask arrays of shifted
        images generated block by block.

    Notes
    -----
    The shape and dtype of the output are read from ``method`` applied to
    the first sample of ``X``, which computes that sample (and with it the
    first block of a generated array) once, in the calling process. The
    estimator enters the task graph once, as one Dask key that every task
    depends on: each worker receives it once, not once per block. A
    ``dask.distributed`` nanny starts its worker processes with one BLAS
    thread (``OMP_NUM_THREADS=1``, its ``pre-spawn-environ`` default), so a
    block is processed as in a single-threaded process.

    References
    ----------
    .. [1] dask-ml, ``dask_ml.wrappers.ParallelPostFit``: "meta-estimator for
       parallel predict and transform",
       https://ml.dask.org/modules/generated/dask_ml.wrappers.ParallelPostFit.html

    Examples
    --------
    >>> import dask.array as da
    >>> from sklearn.cluster import KMeans
    >>> from sklearn_specclust.datasets import load_digits_images
    >>> from sklearn_specclust.utils import predict_blocks
    >>> X, _ = load_digits_images(return_X_y=True)
    >>> km = KMeans(n_clusters=10, n_init=1, random_state=0).fit(X.reshape(len(X), -1))
    >>> rows = da.from_array(X.reshape(len(X), -1), chunks=(500, -1))
    >>> labels = predict_blocks(km, rows)
    >>> labels.shape, labels.numblocks
    ((1797,), (4,))
    >>> bool((labels.compute() == km.predict(X.reshape(len(X), -1))).all())
    True
    """
    da = import_optional("dask.array", purpose="predict_blocks")
    dask = import_optional("dask", purpose="predict_blocks")
    if method not in _METHODS:
        raise ValueError(f"method must be one of {list(_METHODS)}, got {method!r}.")
    if not hasattr(estimator, method):
        raise AttributeError(f"{type(estimator).__name__} has no method {method!r}.")
    check_is_fitted(estimator)
    _check_blocks(X, da)

    probe = np.asarray(getattr(estimator, method)(np.asarray(X[:1].compute())))
    if probe.ndim == 0 or probe.shape[0] != 1:
        raise ValueError(
            f"{type(estimator).__name__}.{method} returned shape {probe.shape} for one "
            "sample; predict_blocks needs one output row per sample."
        )
    trailing = probe.shape[1:]
    letters = string.ascii_lowercase
    in_index = letters[: X.ndim]
    new = letters[X.ndim : X.ndim + len(trailing)]
    shared = dask.delayed(estimator, pure=False, traverse=False)
    return da.blockwise(
        _apply, "a" + new,
        X, in_index,
        shared, None,
        method, None,
        trailing, None,
        new_axes=dict(zip(new, trailing)),
        concatenate=True,
        dtype=probe.dtype,
        meta=np.empty((0,) * (1 + len(trailing)), dtype=probe.dtype),
        token=f"{method}-blocks",
    )
