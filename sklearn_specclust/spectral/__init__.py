"""The spectral engine: affinity graphs, normalised Laplacians, eigen-solvers,
out-of-sample extension, the :class:`SpectralAnalysisLayer` built on them, and
the functions every spectral clusterer of the library is built on
(:func:`spectral_embedding`, :func:`landmark_embedding`,
:func:`nystrom_extension`, :func:`self_tuning_scales`).

No torch import anywhere in this subpackage.
"""

from ._embedding import (
    landmark_embedding,
    nystrom_extension,
    nystrom_vectors,
    row_normalize,
    spectral_embedding,
)
from ._layer import SpectralAnalysisLayer, spectral_analysis
from ._scales import self_tuning_scales

__all__ = [
    "SpectralAnalysisLayer",
    "landmark_embedding",
    "nystrom_extension",
    "nystrom_vectors",
    "row_normalize",
    "self_tuning_scales",
    "spectral_analysis",
    "spectral_embedding",
]
