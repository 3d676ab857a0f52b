"""check_estimator on every public estimator, found automatically.

A new public estimator (any class in ``sklearn_specclust.__all__`` deriving
from ``BaseEstimator``) is tested here without being listed, twice: with its
default parameters (what a user gets) and, where its defaults are slow, with
``FAST_PARAMS``. ``EXPECTED_FAILED`` holds the checks an estimator is known
to fail, each with the reason.
"""

import importlib.util
import inspect
import os

from sklearn.base import BaseEstimator
from sklearn.pipeline import Pipeline
from sklearn.utils.estimator_checks import parametrize_with_checks

import sklearn_specclust

HAVE_TORCH = importlib.util.find_spec("torch") is not None

# Parameters that keep check_estimator fast (its data sets have 15-50 samples).
FAST_PARAMS = {
    # 2-D rows are 1x1 maps: pad to 3x3 so patches and mean removal do real work
    "PatchFeatures": dict(patch_size=3, padding=1, remove_mean=True),
    "SpectralAnalysisLayer": dict(
        n_neighbors=(5,), eps_scales=(1.0,), gaussian_scales=("self-tuning",), n_components=2
    ),
    "RotInvINREncoder": dict(
        latent_dim=2, hidden=(8,), hyper_hidden=(8,), fn_hidden=(8,), n_fourier=4, max_epochs=2
    ),
    "DEC": dict(max_iter=200, n_init=2),
}

# {(class name, "defaults" or "fast"): {check name: reason}}
EXPECTED_FAILED = {}


def _public_estimators():
    found = []
    for name in sorted(sklearn_specclust.__all__):
        obj = getattr(sklearn_specclust, name)
        # a Pipeline needs its steps (scikit-learn does not check Pipeline()
        # either); SANetPipeline is tested through make_sanet
        if inspect.isclass(obj) and issubclass(obj, BaseEstimator) and not issubclass(
            obj, Pipeline
        ):
            if getattr(obj, "_needs_torch", False) and not HAVE_TORCH:
                continue
            found.append(obj)
    return found


# Defaults checked only when SPECCLUST_SLOW_TESTS=1: {class name: why}.
SLOW_DEFAULTS = {
    "RotInvINREncoder": "trains 50 epochs per fit (over 10 minutes for all checks on "
    "2 cores); FAST_PARAMS runs the same checks on a smaller network",
}
_RUN_SLOW = os.environ.get("SPECCLUST_SLOW_TESTS") == "1"


def _instances():
    """Every public estimator with its defaults, and with FAST_PARAMS where given."""
    found = []
    for cls in _public_estimators():
        if cls.__name__ not in SLOW_DEFAULTS or _RUN_SLOW:
            found.append(cls())
        if cls.__name__ in FAST_PARAMS:
            found.append(cls(**FAST_PARAMS[cls.__name__]))
    return found


def _expected_failed(estimator):
    name = type(estimator).__name__
    fast = FAST_PARAMS.get(name)
    kind = "fast" if fast and all(
        estimator.get_params()[key] == value for key, value in fast.items()
    ) else "defaults"
    return EXPECTED_FAILED.get((name, kind), {})


def test_defaults_are_checked():
    # every public estimator is checked with the parameters a user gets
    names = [type(est).__name__ for est in _instances()
             if repr(est.get_params(deep=False)) == repr(type(est)().get_params(deep=False))]
    expected = [cls.__name__ for cls in _public_estimators()
                if cls.__name__ not in SLOW_DEFAULTS or _RUN_SLOW]
    assert sorted(names) == sorted(expected)
    assert set(SLOW_DEFAULTS) <= set(FAST_PARAMS)


def test_every_estimator_found():
    # Every class in a subpackage's __all__ reaches the top-level namespace.
    names = {cls.__name__ for cls in _public_estimators()}
    for key in FAST_PARAMS:
        assert key in names or not HAVE_TORCH, f"FAST_PARAMS names unknown {key}"


if _instances():

    @parametrize_with_checks(_instances(), expected_failed_checks=_expected_failed)
    def test_sklearn_compatible_estimator(estimator, check):
        check(estimator)
