"""The nodes a spectral layer fits and embeds: scaled, float32, distinct.

A layer divides its nodes by a power of two near their largest magnitude
(exact, and every procedure is invariant to the scale), converts them to
float32, and fits or embeds each distinct row once.
"""

import numpy as np


def power_of_two_scale(X):
    """The power of two nearest to ``max |X|`` (1.0 for all-zero ``X``).

    Every procedure is invariant to a global scale of the nodes (kNN, eps as
    a multiple of the longest MST edge, Gaussian scales relative to the median squared
    distance, self-tuning local scales), so the nodes are divided by this
    scale: exactly (only the exponent changes), and values too large or too
    small for float32 distances (``1e19`` or ``1e-40``) land near 1.
    """
    top = float(np.max(np.abs(X))) if X.size else 0.0
    if not np.isfinite(top) or top <= 0:
        return 1.0
    return float(2.0 ** np.round(np.log2(top)))


def scaled_float32(X, scale):
    """``X / scale`` in float32 (divided in its own dtype first, so no float32 overflow)."""
    X = np.asarray(X)
    if scale != 1.0:
        X = X / np.asarray(scale, dtype=X.dtype)
    return np.asarray(X, dtype=np.float32)


def distinct_rows(X):
    """Index of one copy of each distinct row of contiguous ``X``, and each row's copy."""
    view = X.view(np.dtype((np.void, X.dtype.itemsize * X.shape[1]))).ravel()
    _, first, inverse = np.unique(view, return_index=True, return_inverse=True)
    return first, inverse.ravel()


def unique_rows(X):
    """Distinct rows of a float32 array in first-seen order, and each row's index."""
    X = np.ascontiguousarray(X)
    first, inverse = distinct_rows(X)
    order = np.argsort(first)
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    return X[first[order]], rank[inverse]
