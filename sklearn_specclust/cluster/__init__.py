"""cluster subpackage."""

__all__ = []
