"""Registry of the models the CLI can run.

Each entry maps a model name to ``"module:factory"``, a one-line description
and its source (``"ours"``, a paper, or ``"baseline"``). The factory is called
as ``factory(n_clusters=..., random_state=...)`` (and ``image_shape=`` when it
takes it) and returns an estimator with ``fit_predict``. Factories are
imported only when the model is used, so the registry never imports torch.

The SA-Net models are the presets of :func:`~sklearn_specclust.sanet.make_sanet`
under their own names, read from ``sanet.PRESETS``: a new preset is a new
model without touching this file.
"""

import importlib
import inspect
import warnings
from functools import partial

from sklearn.cluster import KMeans, SpectralClustering
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer

from .inr._presets import PRESETS as ROTINV_PRESETS
from .sanet._presets import DEFAULT_PRESET, PRESETS


def _flatten(X):
    X = X.reshape(X.shape[0], -1).astype(float)
    scale = X.max() if X.size and X.max() > 1 else 1.0
    return X / scale


def make_kmeans(n_clusters=10, *, random_state=None):
    """k-means on flattened pixels scaled to [0, 1] (the papers' baseline)."""
    return make_pipeline(
        FunctionTransformer(_flatten),
        KMeans(n_clusters=n_clusters, n_init=10, random_state=random_state),
    )


def make_spectral(n_clusters=10, *, random_state=None):
    """scikit-learn spectral clustering on a kNN graph of flattened pixels."""
    return make_pipeline(
        FunctionTransformer(_flatten),
        SpectralClustering(
            n_clusters=n_clusters,
            affinity="nearest_neighbors",
            n_neighbors=10,
            assign_labels="kmeans",
            random_state=random_state,
        ),
    )


def make_sanet_preset(preset, n_clusters=10, *, random_state=None):
    """``make_sanet(n_clusters, preset=preset)``."""
    from .sanet import make_sanet

    return make_sanet(n_clusters, preset=preset, random_state=random_state)


def make_wang2020_for_images(n_clusters=10, *, random_state=None, image_shape=None):
    """The paper's MNIST network, or its 8x8 version for images up to 16x16."""
    small = image_shape is not None and max(image_shape[:2]) <= 16
    preset = "wang2020-mnist-8x8" if small else "wang2020-mnist"
    return make_sanet_preset(preset, n_clusters, random_state=random_state)


def make_rotinv_preset(preset, n_clusters=10, *, random_state=None):
    """``make_rotinv_inr(n_clusters, preset=preset)``."""
    from .inr import make_rotinv_inr

    return make_rotinv_inr(n_clusters, preset=preset, random_state=random_state)


def make_rotinv_orbit(n_clusters=10, *, random_state=None):
    """Rotation-invariant AE latent with the measured reference and the orbit stage."""
    from .inr import make_rotinv_inr

    return make_rotinv_inr(n_clusters, preset="inr-canonical", clusterer="orbit",
                           encoder__decoder="mlp", random_state=random_state)


def _preset_models():
    from .inr._presets import DEFAULT_PRESET as ROTINV_DEFAULT

    models = {}
    for name, spec in PRESETS.items():
        factory = f"sklearn_specclust._models:make_sanet_preset:{name}"
        default = " (the default)" if name == DEFAULT_PRESET else ""
        models[name] = (factory, f"SA-Net {spec.summary}{default}", spec.source)
    for name, spec in ROTINV_PRESETS.items():
        factory = f"sklearn_specclust._models:make_rotinv_preset:{name}"
        default = " (make_rotinv_inr's default)" if name == ROTINV_DEFAULT else ""
        torch = "" if spec.encoder is None else " (torch)"
        models[name] = (factory, f"rotation-invariant: {spec.description}{torch}{default}",
                        spec.source.split(":")[0])
    return models


#: name -> ("module:factory[:preset]", description, source)
MODELS = {
    "kmeans": ("sklearn_specclust._models:make_kmeans", "k-means on pixels", "baseline"),
    "spectral": (
        "sklearn_specclust._models:make_spectral",
        "scikit-learn SpectralClustering (kNN graph, k=10) on pixels",
        "baseline",
    ),
    **_preset_models(),
    "wang2020": (
        "sklearn_specclust._models:make_wang2020_for_images",
        "SA-Net: 'wang2020-mnist', or 'wang2020-mnist-8x8' for images up to 16x16",
        "Wang & Jiang 2020, Sec. 4.1",
    ),
    "rotinv-orbit": (
        "sklearn_specclust._models:make_rotinv_orbit",
        "rotation-invariant AE latent, measured reference, orbit spectral stage (torch)",
        "ours",
    ),
}

#: The model ``specclust run`` uses without ``--model``.
DEFAULT_MODEL = DEFAULT_PRESET

#: Names of the previous release -> the model they now are.
DEPRECATED_MODELS = {"sanet": "wang2020", "sanet-plus": DEFAULT_PRESET, "rotinv": "kwon-thesis"}


def describe(name):
    """One line for ``specclust list-models``: description, source, default."""
    _, desc, source = MODELS[name]
    tags = ["default"] if name == DEFAULT_MODEL else []
    if source == "baseline" or source.startswith("ours"):
        tags.append(source.split(" ")[0])
    else:
        tags.append("reproduces " + source)
    return f"{desc} [{'; '.join(tags)}]"


def get_model(name, **kwargs):
    """Build the registered model ``name``.

    Parameters
    ----------
    name : str
        A key of ``MODELS`` (or a deprecated name, with a ``FutureWarning``).
    **kwargs : dict
        Passed to the factory (``n_clusters``, ``random_state``, and
        ``image_shape`` where the factory takes it).

    Returns
    -------
    estimator : estimator with ``fit_predict``
    """
    if name in DEPRECATED_MODELS:
        new = DEPRECATED_MODELS[name]
        warnings.warn(
            f"model {name!r} is renamed {new!r}; the old name will be removed in the "
            "next release.",
            FutureWarning,
            stacklevel=2,
        )
        name = new
    if name not in MODELS:
        raise ValueError(
            f"Unknown model {name!r}; choose one of: {', '.join(sorted(MODELS))}."
        )
    module, _, attr = MODELS[name][0].partition(":")
    attr, _, preset = attr.partition(":")
    factory = getattr(importlib.import_module(module), attr)
    if preset:
        factory = partial(factory, preset)
    if "image_shape" in kwargs and "image_shape" not in inspect.signature(factory).parameters:
        kwargs.pop("image_shape")
    return factory(**kwargs)
