"""Rotation-invariant INR clustering (Kwon): encoder, DEC and the pipeline.

The estimators import torch only when they are fitted or used.
"""

from ._dec import DEC
from ._encoder import RotInvINREncoder
from ._factory import make_rotinv_inr

__all__ = ["DEC", "RotInvINREncoder", "make_rotinv_inr"]
