"""The rotation-invariant pipelines of :func:`make_rotinv_inr`, as data."""

from dataclasses import dataclass


@dataclass(frozen=True)
class RotInvPreset:
    """One rotation-invariant pipeline: its first step, its clusterer, its source.

    Attributes
    ----------
    name : str
        The ``preset=`` name.
    source : str
        Where it comes from: a section of Kwon's thesis, or ``"ours"``.
    description : str
        One line for listings.
    encoder : dict or None
        Parameters of :class:`RotInvINREncoder`; None: no encoder, the
        pipeline starts with :class:`CanonicalViews` of the pixels (nothing
        is learned).
    clusterer : str
        The clusterer used when ``make_rotinv_inr(clusterer=None)``.
    """

    name: str
    source: str
    description: str
    encoder: dict = None
    clusterer: str = "orbit"


PRESETS = {
    p.name: p
    for p in (
        RotInvPreset(
            "canonical-orbit",
            "ours",
            "pixels rotated to the measured major axis, six canonical views, "
            "spectral clustering on the min-over-views kNN graph (no training)",
        ),
        RotInvPreset(
            "kwon-thesis",
            "Kwon, thesis: the INR encoder, its loss weights (15 angle, 1 consistency, "
            "1 reconstruction) and k-means on the invariant latent",
            "the thesis's hypernetwork INR encoder + k-means (trains for hours on a CPU)",
            encoder={},
            clusterer="kmeans",
        ),
        RotInvPreset(
            "inr-balanced",
            "ours (the thesis's encoder with a per-image-sum reconstruction loss)",
            "INR encoder, per-image-sum reconstruction, radial centre-of-mass angle, lr=1e-3",
            encoder={"reconstruction_reduction": "sum", "angle_target": "radial_com", "lr": 1e-3},
            clusterer="kmeans",
        ),
        RotInvPreset(
            "inr-canonical",
            "ours (the thesis's encoder on images rotated to a measured reference)",
            "INR encoder on images rotated to the measured major axis, per-image-sum "
            "reconstruction, lr=1e-3",
            encoder={"reconstruction_reduction": "sum", "reference": "axis", "lr": 1e-3},
            clusterer="kmeans",
        ),
    )
}

#: The preset ``make_rotinv_inr`` uses when none is given.
DEFAULT_PRESET = "canonical-orbit"

#: Names of the previous release, kept for one release with a FutureWarning.
RENAMED = {"thesis": "kwon-thesis", "balanced": "inr-balanced", "canonical": "inr-canonical"}
