"""inr subpackage."""

__all__ = []
