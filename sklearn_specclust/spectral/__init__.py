"""The spectral engine: affinity graphs, normalised Laplacians, eigen-solvers,
out-of-sample extension and the :class:`SpectralAnalysisLayer` built on them.

No torch import anywhere in this subpackage.
"""

from ._layer import SpectralAnalysisLayer, spectral_analysis

__all__ = ["SpectralAnalysisLayer", "spectral_analysis"]
