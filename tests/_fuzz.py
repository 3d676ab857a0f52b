"""Shared pieces of the property and fault tests: the public estimators with
small fast parameters, the factories with tiny settings, how to run one of
them on an input, and what counts as an acceptable refusal.

Not a test module (no ``test_`` prefix); ``tests/`` is on ``sys.path`` under
pytest's default import mode, as for ``test_common``.
"""

import contextlib
import signal
import traceback
from pathlib import Path

import numpy as np
from sklearn.base import is_clusterer
from test_common import FAST_PARAMS, HAVE_TORCH, _public_estimators

import sklearn_specclust

# the clusterers default to 8 or 10 clusters: 2 lets the tiny inputs reach the fit
_SMALL = {"n_clusters": 2}

TINY_INR = {"latent_dim": 2, "hidden": (8,), "hyper_hidden": (8,), "fn_hidden": (8,),
            "n_fourier": 4, "max_epochs": 2}


def estimators():
    """``{name: factory}`` of fresh, fast instances of every public estimator
    and the two factories, found automatically."""
    found = {}
    for cls in _public_estimators():
        params = dict(FAST_PARAMS.get(cls.__name__, {}))
        defaults = cls().get_params()
        params.update({k: v for k, v in _SMALL.items() if k in defaults})
        if "random_state" in defaults:
            params["random_state"] = 0
        found[cls.__name__] = _bind(cls, params)
    sanet = {"n_clusters": 2, "random_state": 0}
    found["make_sanet"] = _bind(sklearn_specclust.make_sanet, sanet)
    found["make_sanet-digits"] = _bind(
        sklearn_specclust.make_sanet, {**sanet, "preset": "wang2020-mnist-8x8"}
    )
    found["make_rotinv_inr"] = _bind(
        sklearn_specclust.make_rotinv_inr, {"n_clusters": 2, "random_state": 0})
    if HAVE_TORCH:
        found["make_rotinv_inr-thesis"] = _bind(
            sklearn_specclust.make_rotinv_inr,
            {"n_clusters": 2, "random_state": 0, "preset": "kwon-thesis", **TINY_INR})
    return found


def _bind(factory, params):
    def make():
        return factory(**params)

    make.__qualname__ = getattr(factory, "__name__", str(factory))
    return make


def run(estimator, X):
    """Fit ``estimator`` on ``X`` the way a user would; return its output.

    A clusterer (or a pipeline ending in one) gives ``fit_predict`` labels,
    a transformer ``fit_transform`` output.
    """
    if is_clusterer(estimator) or (hasattr(estimator, "fit_predict")
                                   and not hasattr(estimator, "transform")):
        return np.asarray(estimator.fit_predict(X))
    return estimator.fit_transform(X)


def check_output(estimator, X, out):
    """The documented contract: one row per sample; labels are integers;
    2-D in gives 2-D out; maps are 2-D or 4-D; finite input gives finite output."""
    assert isinstance(out, np.ndarray), type(out)
    n = X.shape[0]
    assert out.shape[0] == n, (out.shape, X.shape)
    if is_clusterer(estimator) or out.ndim == 1:
        assert out.shape == (n,), out.shape
        assert out.dtype.kind in "iu", out.dtype
        assert out.min() >= -1, out
        return
    assert out.dtype.kind in "fiub", out.dtype
    assert out.ndim in (2, 4), out.shape
    if X.ndim == 2:
        assert out.ndim == 2, (X.shape, out.shape)
    if np.isfinite(X.astype(float, copy=False)).all():
        assert np.isfinite(out).all(), "finite input gave non-finite output"


_OURS = (f"{Path(sklearn_specclust.__file__).parent}", "/sklearn/")


def check_refusal(exc):
    """A ``ValueError``/``TypeError`` is acceptable when it is raised by this
    library or by scikit-learn's own checks (not deep in numpy, scipy or
    torch) and its message says something (not a bare value)."""
    frames = traceback.extract_tb(exc.__traceback__)
    where = frames[-1].filename if frames else "?"
    assert any(part in where for part in _OURS), (
        f"{type(exc).__name__} raised in {where}, not by our checks: {exc}")
    message = str(exc)
    assert len(message) >= 20 and " " in message, f"unhelpful message: {message!r}"


class Hang(Exception):
    """Raised in the main thread when a call runs past its time limit."""


@contextlib.contextmanager
def time_limit(seconds):
    """Raise :class:`Hang` when the block runs longer than ``seconds``
    (SIGALRM: Unix, main thread)."""
    if not hasattr(signal, "setitimer"):
        yield
        return

    def handler(signum, frame):
        raise Hang(f"still running after {seconds} s")

    old = signal.signal(signal.SIGALRM, handler)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
