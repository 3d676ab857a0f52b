"""Utilities shared by the estimators: maps, memory planning, lazy imports, threads."""

from ._maps import from_maps, to_maps, validate_maps
from ._memory import (
    available_memory,
    check_memory,
    dense_bytes,
    format_bytes,
    rows_within,
)
from ._optional import import_optional, import_torch
from ._threads import reproducible_threads
from ._warnings import renamed_parameter, warn_user

__all__ = [
    "available_memory",
    "check_memory",
    "dense_bytes",
    "format_bytes",
    "from_maps",
    "import_optional",
    "import_torch",
    "renamed_parameter",
    "reproducible_threads",
    "rows_within",
    "to_maps",
    "validate_maps",
    "warn_user",
]
