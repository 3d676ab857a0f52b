"""Rotation-invariant INR clustering (Kwon): encoder, DEC and the pipeline.

The estimators import torch only when they are fitted or used.
"""

from ._dec import DEC
from ._encoder import RotInvINREncoder
from ._factory import make_rotinv_inr
from ._orbit import CanonicalViews, OrbitSpectralClustering

__all__ = [
    "DEC",
    "CanonicalViews",
    "OrbitSpectralClustering",
    "RotInvINREncoder",
    "make_rotinv_inr",
]
