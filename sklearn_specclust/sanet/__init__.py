"""SA-Net stages: patches, patch PCA, block normalisation, abs-max pooling, sign binarization, bit coding."""

from ._binarize import SignBinarizer
from ._coding import BitCoder
from ._factory import make_sanet
from ._presets import PRESETS, LayerSpec, Preset
from ._normalize import BlockNormalizer
from ._patches import PatchExtractor
from ._pipeline import SANetPipeline
from ._pooling import AbsMaxPool
from ._reduce import PatchPCA

__all__ = [
    "AbsMaxPool",
    "BitCoder",
    "BlockNormalizer",
    "PatchExtractor",
    "PatchPCA",
    "LayerSpec",
    "Preset",
    "SignBinarizer",
    "make_sanet",
]
