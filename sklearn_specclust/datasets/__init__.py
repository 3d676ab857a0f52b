"""datasets subpackage."""

__all__ = []
