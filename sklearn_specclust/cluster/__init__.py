"""Baseline clusterers the papers compare against that scikit-learn lacks.

* :class:`SelfTuningSpectralClustering` (SC-ST, Zelnik-Manor & Perona 2004);
* :class:`LandmarkSpectralClustering` (SC-LS, Chen & Cai 2011).
"""

from ._landmark import LandmarkSpectralClustering
from ._self_tuning import SelfTuningSpectralClustering

__all__ = ["LandmarkSpectralClustering", "SelfTuningSpectralClustering"]
