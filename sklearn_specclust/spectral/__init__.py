"""spectral subpackage."""

__all__ = []
