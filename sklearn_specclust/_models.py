"""Registry of the models the CLI can run.

Each entry maps a model name to ``"module:factory"`` and a one-line
description. The factory is called as ``factory(n_clusters=..., random_state=...)``
and returns an estimator (usually a Pipeline) with ``fit_predict``. Factories
are imported only when the model is used, so the registry never imports torch.

A new model registers itself by adding one line to ``MODELS``.
"""

import importlib
import inspect

from sklearn.cluster import KMeans, SpectralClustering
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer


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


def make_sanet_for_images(n_clusters=10, *, random_state=None, image_shape=None):
    """SA-Net-2 with the preset that fits the images: ``"digits"`` up to 16x16, else ``"mnist"``."""
    from .sanet import make_sanet

    small = image_shape is not None and max(image_shape[:2]) <= 16
    preset = "digits" if small else "mnist"
    return make_sanet(n_clusters, preset=preset, random_state=random_state)


def make_sanet_plus_for_images(n_clusters=10, *, random_state=None, image_shape=None):
    """SA-Net with our improved one-layer presets and the spectral head.

    ``"digits-plus"`` for images up to 16x16, else ``"mnist-plus"``; the image
    level spectral head keeps ``round(1.5 * n_clusters)`` eigenvectors (15 for
    10 clusters, the setting measured in ``benchmarks/results/sanet_*``).
    """
    from .sanet import make_sanet

    small = image_shape is not None and max(image_shape[:2]) <= 16
    preset = "digits-plus" if small else "mnist-plus"
    return make_sanet(n_clusters, preset=preset, head="spectral",
                      embed__n_components=max(2, round(1.5 * n_clusters)),
                      random_state=random_state)


def make_rotinv_orbit(n_clusters=10, *, random_state=None):
    """Rotation-invariant AE latent with the measured reference and the orbit stage.

    ``make_rotinv_inr(preset="canonical", clusterer="orbit")`` with the MLP
    decoder: the best configuration measured on rotated MNIST without 9
    (ACC 0.861 on 3000 images, ``benchmarks/results/rotinv_mnist_canonical.md``).
    """
    from .inr import make_rotinv_inr

    return make_rotinv_inr(n_clusters, preset="canonical", clusterer="orbit",
                           encoder__decoder="mlp", random_state=random_state)


MODELS = {
    "kmeans": ("sklearn_specclust._models:make_kmeans", "k-means on pixels"),
    "spectral": (
        "sklearn_specclust._models:make_spectral",
        "scikit-learn SpectralClustering (kNN graph, k=10) on pixels",
    ),
    "sanet": (
        "sklearn_specclust._models:make_sanet_for_images",
        "SA-Net-2: the paper's MNIST preset, or the 8x8 'digits' preset for small images",
    ),
    "sanet-plus": (
        "sklearn_specclust._models:make_sanet_plus_for_images",
        "SA-Net, our one-layer 'mnist-plus' / 'digits-plus' presets + spectral head (not the paper)",
    ),
    "rotinv": ("sklearn_specclust.inr:make_rotinv_inr", "rotation-invariant INR + k-means (torch)"),
    "rotinv-orbit": (
        "sklearn_specclust._models:make_rotinv_orbit",
        "rotation-invariant AE latent, measured reference, orbit spectral stage (torch; not the thesis)",
    ),
}


def get_model(name, **kwargs):
    """Build the registered model ``name``.

    Parameters
    ----------
    name : str
        A key of ``MODELS``.
    **kwargs : dict
        Passed to the factory (``n_clusters``, ``random_state``).

    Returns
    -------
    estimator : estimator with ``fit_predict``
    """
    if name not in MODELS:
        raise ValueError(
            f"Unknown model {name!r}; choose one of: {', '.join(sorted(MODELS))}."
        )
    module, _, attr = MODELS[name][0].partition(":")
    factory = getattr(importlib.import_module(module), attr)
    if "image_shape" in kwargs and "image_shape" not in inspect.signature(factory).parameters:
        kwargs.pop("image_shape")
    return factory(**kwargs)
