"""Warnings that point at the line of the user's code that caused them."""

import os
import sys
import warnings

import joblib
import sklearn

# this package, scikit-learn and joblib: the frames a warning must skip
_INTERNAL = tuple(
    os.path.dirname(os.path.abspath(path)) + os.sep
    for path in (os.path.dirname(__file__), sklearn.__file__, joblib.__file__)
)


def _user_stacklevel():
    """``stacklevel`` of the first caller outside this package, scikit-learn and joblib."""
    frame = sys._getframe(2)  # the caller of warn_user
    level = 2
    while frame is not None:
        filename = os.path.abspath(frame.f_code.co_filename)
        if not filename.startswith(_INTERNAL) and "importlib" not in filename:
            return level
        frame = frame.f_back
        level += 1
    return 2


def warn_user(message, category=UserWarning):
    """Warn with the location of the user's call (their ``fit``, ``Pipeline``...).

    A warning raised deep inside a pipeline would otherwise be attributed to
    scikit-learn's ``base.py``, and Python's default filter would show it
    once for all estimators instead of once per line of the user's code.

    Parameters
    ----------
    message : str
        The warning text.
    category : type, default=UserWarning
        The warning class.
    """
    warnings.warn(message, category, stacklevel=_user_stacklevel())


def renamed_parameter(estimator, old, new, *, since="0.1", removed="0.3"):
    """The value of a parameter renamed from ``old`` to ``new``, warning if ``old`` was set.

    The estimator keeps ``old`` as a parameter whose default is the string
    ``"deprecated"`` for one release (as scikit-learn does); a value given
    there wins over ``new`` and raises a ``FutureWarning`` that names the new
    parameter.

    Parameters
    ----------
    estimator : BaseEstimator
        The estimator holding both parameters.
    old, new : str
        The deprecated and the current parameter names.
    since, removed : str, default="0.1", "0.3"
        The release that renamed the parameter and the one that removes ``old``.

    Returns
    -------
    value : object
        The value to use.
    """
    value = getattr(estimator, old)
    if isinstance(value, str) and value == "deprecated":
        return getattr(estimator, new)
    warn_user(
        f"{type(estimator).__name__}'s parameter {old!r} was renamed {new!r} in "
        f"{since} and will be removed in {removed}; pass {new}={value!r} instead.",
        FutureWarning,
    )
    return value
