"""sklearn-specclust: unsupervised image clustering as scikit-learn estimators.

Two published methods rebuilt as estimators that compose into plain
:class:`~sklearn.pipeline.Pipeline` objects:

* SA-Net, a deep spectral analysis network (Wang & Jiang);
* rotation-invariant clustering with implicit neural representations (Kwon).

``import sklearn_specclust`` never imports torch; the torch estimators load it
when they are fitted.
"""

from . import cluster, datasets, inr, metrics, sanet, spectral
from .cluster import *  # noqa: F401,F403
from .datasets import *  # noqa: F401,F403
from .inr import *  # noqa: F401,F403
from .metrics import *  # noqa: F401,F403
from .sanet import *  # noqa: F401,F403
from .sanet import PatchExtractor as PatchExtractor  # deprecated name of PatchFeatures
from .spectral import *  # noqa: F401,F403

__version__ = "0.1.0.dev0"

__all__ = sorted(
    set(cluster.__all__)
    | set(datasets.__all__)
    | set(inr.__all__)
    | set(metrics.__all__)
    | set(sanet.__all__)
    | set(spectral.__all__)
)
