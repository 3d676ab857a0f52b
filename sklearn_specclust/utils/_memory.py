"""Memory planning: refuse allocations that will not fit, before making them."""

import os

import numpy as np

_ENV = "SPECCLUST_MAX_MEMORY"


def _parse_bytes(text):
    text = str(text).strip().upper()
    units = {"K": 2**10, "M": 2**20, "G": 2**30, "T": 2**40}
    for suffix in ("IB", "B"):
        if text.endswith(suffix) and len(text) > len(suffix):
            text = text[: -len(suffix)]
            break
    if text and text[-1] in units:
        return int(float(text[:-1]) * units[text[-1]])
    return int(float(text))


def available_memory():
    """Bytes of memory this process may plan to use.

    ``SPECCLUST_MAX_MEMORY`` (e.g. ``"4G"``) caps the figure; otherwise the
    ``MemAvailable`` line of ``/proc/meminfo`` is used, falling back to the
    physical memory size, then to 8 GiB where neither can be read.

    Returns
    -------
    n_bytes : int
        Available memory in bytes.
    """
    env = os.environ.get(_ENV)
    if env:
        return _parse_bytes(env)
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return 8 * 2**30


def format_bytes(n_bytes):
    """Human-readable size, e.g. ``'1.5 GiB'``."""
    n = float(n_bytes)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if abs(n) < 1024 or unit == "TiB":
            return f"{n:.1f} {unit}" if unit != "B" else f"{int(n)} B"
        n /= 1024
    return f"{n:.1f} TiB"  # pragma: no cover


def check_memory(n_bytes, *, what, advice, fraction=0.8):
    """Raise ``MemoryError`` before allocating ``n_bytes`` that will not fit.

    Parameters
    ----------
    n_bytes : int
        Planned allocation size in bytes.
    what : str
        What would be allocated, e.g. ``"a dense 70000 x 70000 affinity"``.
    advice : str
        What to do instead, e.g. ``"use dense_solver='nystrom'"``.
    fraction : float, default=0.8
        Fraction of :func:`available_memory` one allocation may take.

    Returns
    -------
    n_bytes : int
        The planned size, when it fits.
    """
    limit = int(available_memory() * fraction)
    if n_bytes > limit:
        raise MemoryError(
            f"{what} needs {format_bytes(n_bytes)}, more than the "
            f"{format_bytes(limit)} this process may use ({_ENV} or the free "
            f"memory). {advice}"
        )
    return int(n_bytes)


def dense_bytes(shape, dtype=np.float64):
    """Size in bytes of a dense array of ``shape`` and ``dtype``."""
    return int(np.prod(shape, dtype=np.float64)) * np.dtype(dtype).itemsize


def rows_within(bytes_per_row, *, fraction=0.125):
    """How many rows of ``bytes_per_row`` a working set may hold.

    The planning counterpart of :func:`check_memory` for methods that can
    sample their input: they use every row up to this count and sample
    beyond it.

    Parameters
    ----------
    bytes_per_row : float
        Planned bytes per row of the working set.
    fraction : float, default=0.125
        Fraction of :func:`available_memory` the working set may take
        (leaving room for the data, the outputs and other steps of a
        pipeline).

    Returns
    -------
    n_rows : int
        At least 2.
    """
    return int(max(2, available_memory() * fraction // max(1.0, float(bytes_per_row))))

