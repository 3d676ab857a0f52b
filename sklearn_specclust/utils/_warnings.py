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
