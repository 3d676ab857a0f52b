"""make_rotinv_inr and the CLI registration."""

import pytest
from sklearn.cluster import KMeans

pytest.importorskip("torch")

from sklearn_specclust._models import MODELS, get_model  # noqa: E402
from sklearn_specclust.cluster import SelfTuningSpectralClustering  # noqa: E402
from sklearn_specclust.inr import (  # noqa: E402
    DEC,
    OrbitSpectralClustering,
    RotInvINREncoder,
    make_rotinv_inr,
)

TINY = dict(latent_dim=3, hidden=(8,), hyper_hidden=(8,), fn_hidden=(8,),
            n_fourier=4, max_epochs=1)


@pytest.mark.parametrize(
    "clusterer, cls",
    [
        ("kmeans", KMeans),
        ("dec", DEC),
        ("spectral", SelfTuningSpectralClustering),
        ("orbit", OrbitSpectralClustering),
    ],
)
def test_factory(clusterer, cls, rng):
    pipe = make_rotinv_inr(3, clusterer=clusterer, random_state=0, **TINY,
                           cluster__n_init=2)
    assert isinstance(pipe.named_steps["encoder"], RotInvINREncoder)
    assert isinstance(pipe.named_steps["cluster"], cls)
    assert pipe.get_params()["encoder__latent_dim"] == 3
    assert pipe.get_params()["cluster__n_init"] == 2
    if clusterer == "dec":
        assert pipe.get_params()["cluster__alpha"] == 1e-4
    labels = pipe.fit_predict(rng.rand(20, 6, 6))
    assert labels.shape == (20,) and set(labels) <= {0, 1, 2}


def test_presets():
    thesis = make_rotinv_inr(3).named_steps["encoder"]
    assert thesis.get_params() == RotInvINREncoder().get_params()
    pipe = make_rotinv_inr(3, preset="balanced", lr=5e-4)
    enc = pipe.named_steps["encoder"]
    assert enc.reconstruction_reduction == "sum" and enc.angle_target == "radial_com"
    assert enc.lr == 5e-4  # overrides win over the preset
    enc = make_rotinv_inr(3, preset="canonical").named_steps["encoder"]
    assert enc.reference == "axis" and enc.reconstruction_reduction == "sum"
    pipe = make_rotinv_inr(3, clusterer="orbit", preset="canonical")
    assert len(pipe.named_steps["encoder"].view_angles) == pipe.named_steps["cluster"].n_views
    with pytest.raises(ValueError, match="preset must be one of"):
        make_rotinv_inr(3, preset="fast")


def test_factory_errors():
    with pytest.raises(ValueError, match="clusterer must be"):
        make_rotinv_inr(3, clusterer="agglomerative")


def test_cli_registry():
    assert "rotinv" in MODELS
    pipe = get_model("rotinv", n_clusters=4, random_state=0)
    assert pipe.named_steps["cluster"].n_clusters == 4


def test_cli_registry_orbit_model():
    from sklearn_specclust.inr import OrbitSpectralClustering

    pipe = get_model("rotinv-orbit", n_clusters=4, random_state=0)
    enc = pipe.named_steps["encoder"]
    assert enc.decoder == "mlp" and enc.reference == "axis"
    assert isinstance(pipe.named_steps["cluster"], OrbitSpectralClustering)
    assert pipe.named_steps["cluster"].n_clusters == 4
