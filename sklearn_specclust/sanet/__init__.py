"""sanet subpackage."""

__all__ = []
