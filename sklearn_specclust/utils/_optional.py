"""Lazy imports of optional heavy dependencies (torch, matplotlib, dask)."""

import importlib

_EXTRAS = {
    "torch": "torch",
    "matplotlib": "doc",
    "dask": "dask",
    "distributed": "dask",
}


def import_optional(name, *, purpose=None):
    """Import an optional dependency, or raise an ImportError saying what to install.

    Parameters
    ----------
    name : str
        Module name, e.g. ``"torch"``.
    purpose : str, default=None
        What needs the module, quoted in the error message.

    Returns
    -------
    module : module
        The imported module.
    """
    try:
        return importlib.import_module(name)
    except ImportError as exc:  # pragma: no cover - exercised with a monkeypatch
        top = name.split(".")[0]
        extra = _EXTRAS.get(top, top)
        what = f"{purpose} needs" if purpose else "This feature needs"
        raise ImportError(
            f"{what} the optional dependency {top!r}, which is not installed. "
            f"Install it with: pip install 'sklearn-specclust[{extra}]'"
        ) from exc


def import_torch(purpose=None):
    """Import torch lazily with a clear error naming the ``[torch]`` extra."""
    return import_optional("torch", purpose=purpose)
