"""SA-Net: the stages, the image-level head, the presets and make_sanet."""

from ._binarize import SignBinarizer
from ._coding import BitCoder
from ._factory import make_sanet
from ._head import SpectralHead
from ._normalize import BlockNormalizer
from ._patches import PatchExtractor as PatchExtractor  # deprecated name
from ._patches import PatchFeatures
from ._pipeline import SANetPipeline as SANetPipeline
from ._pooling import AbsMaxPool
from ._presets import PRESETS as PRESETS
from ._presets import LayerSpec, Preset
from ._reduce import PatchPCA

__all__ = [
    "AbsMaxPool",
    "BitCoder",
    "BlockNormalizer",
    "PatchFeatures",
    "PatchPCA",
    "LayerSpec",
    "Preset",
    "SpectralHead",
    "SignBinarizer",
    "make_sanet",
]
