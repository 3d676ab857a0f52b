"""make_rotinv_inr: default, presets, clusterers, early checks and the CLI registration."""

import os
import subprocess
import sys
import warnings

import numpy as np
import pytest
from sklearn.cluster import KMeans
from sklearn.exceptions import NotFittedError
from sklearn.utils.validation import check_is_fitted

pytest.importorskip("torch")

from sklearn_specclust._models import MODELS, get_model  # noqa: E402
from sklearn_specclust.cluster import SelfTuningSpectralClustering  # noqa: E402
from sklearn_specclust.datasets import load_digits_images, make_rotated  # noqa: E402
from sklearn_specclust.inr import (  # noqa: E402
    DEC,
    CanonicalViews,
    OrbitSpectralClustering,
    RotInvINREncoder,
    make_rotinv_inr,
)
from sklearn_specclust.inr._orbit import ORBIT_ANGLES  # noqa: E402
from sklearn_specclust.inr._presets import DEFAULT_PRESET, PRESETS, RENAMED  # noqa: E402

TINY = dict(latent_dim=3, hidden=(8,), hyper_hidden=(8,), fn_hidden=(8,),
            n_fourier=4, max_epochs=1)


@pytest.fixture(scope="module")
def rotated_digits():
    X, y = load_digits_images(return_X_y=True)
    X, y, _ = make_rotated(X[:400], y[:400], random_state=0)
    return X, y


def test_default_is_canonical_views_and_orbit(rotated_digits):
    pipe = make_rotinv_inr(10, random_state=0)
    views, cluster = pipe.named_steps["views"], pipe.named_steps["cluster"]
    assert isinstance(views, CanonicalViews) and views.reference == "axis"
    assert tuple(views.angles) == ORBIT_ANGLES
    assert isinstance(cluster, OrbitSpectralClustering)
    assert cluster.n_views == len(ORBIT_ANGLES) and cluster.n_clusters == 10
    X, _ = rotated_digits
    labels = pipe.fit_predict(X)
    assert labels.shape == (400,) and set(labels) <= set(range(10))
    # new images are labelled through the orbit clusterer's predict
    assert pipe.predict(X[:25]).shape == (25,)
    assert PRESETS[DEFAULT_PRESET].encoder is None
    assert PRESETS[DEFAULT_PRESET].source == "ours"


@pytest.mark.parametrize(
    "clusterer, cls",
    [
        ("kmeans", KMeans),
        ("dec", DEC),
        ("spectral", SelfTuningSpectralClustering),
        ("orbit", OrbitSpectralClustering),
    ],
)
def test_thesis_preset_with_each_clusterer(clusterer, cls, rng):
    pipe = make_rotinv_inr(3, preset="kwon-thesis", clusterer=clusterer, random_state=0,
                           **TINY, cluster__n_init=2)
    assert isinstance(pipe.named_steps["encoder"], RotInvINREncoder)
    assert isinstance(pipe.named_steps["cluster"], cls)
    assert pipe.get_params()["encoder__latent_dim"] == 3
    assert pipe.get_params()["cluster__n_init"] == 2
    if clusterer == "dec":
        assert pipe.get_params()["cluster__alpha"] == 1e-4
    X = rng.rand(20, 6, 6)
    labels = pipe.fit_predict(X)
    assert labels.shape == (20,) and set(labels) <= {0, 1, 2}
    if hasattr(pipe.named_steps["cluster"], "predict"):
        assert set(pipe.predict(X[:5])) <= {0, 1, 2}  # new images, inductively


@pytest.mark.parametrize("clusterer", ["kmeans", "spectral"])
def test_default_views_with_other_clusterers_use_one_view(clusterer, rng):
    pipe = make_rotinv_inr(3, clusterer=clusterer, random_state=0)
    assert tuple(pipe.named_steps["views"].angles) == (0.0,)
    assert pipe.fit_predict(rng.rand(30, 8, 8)).shape == (30,)


def test_presets_are_data_with_sources():
    assert "kwon-thesis" in PRESETS and DEFAULT_PRESET in PRESETS
    for name, spec in PRESETS.items():
        assert spec.name == name and spec.source and spec.description
    thesis = make_rotinv_inr(3, preset="kwon-thesis").named_steps["encoder"]
    expected = RotInvINREncoder().get_params()
    assert {k: v for k, v in thesis.get_params().items() if k != "random_state"} == {
        k: v for k, v in expected.items() if k != "random_state"
    }
    pipe = make_rotinv_inr(3, preset="inr-balanced", lr=5e-4)
    enc = pipe.named_steps["encoder"]
    assert enc.reconstruction_reduction == "sum" and enc.angle_target == "radial_com"
    assert enc.lr == 5e-4  # overrides win over the preset
    enc = make_rotinv_inr(3, preset="inr-canonical").named_steps["encoder"]
    assert enc.reference == "axis" and enc.reconstruction_reduction == "sum"
    pipe = make_rotinv_inr(3, clusterer="orbit", preset="inr-canonical")
    assert len(pipe.named_steps["encoder"].view_angles) == pipe.named_steps["cluster"].n_views


@pytest.mark.parametrize("old", sorted(RENAMED))
def test_old_preset_names_warn_and_work(old):
    with pytest.warns(FutureWarning, match=f"renamed '{RENAMED[old]}'"):
        pipe = make_rotinv_inr(3, preset=old)
    new = make_rotinv_inr(3, preset=RENAMED[old])
    assert pipe.get_params(deep=False)["steps"][0][0] == "encoder"
    assert pipe.named_steps["encoder"].get_params() == new.named_steps["encoder"].get_params()


def test_factory_errors_come_first():
    with pytest.raises(ValueError, match="clusterer must be one of .* got 'agglomerative'"):
        make_rotinv_inr(3, clusterer="agglomerative")
    with pytest.raises(ValueError, match="preset must be one of"):
        make_rotinv_inr(3, preset="fast")


def test_too_many_clusters_refused_before_the_encoder_trains(monkeypatch):
    def no_training(self, X, y=None):
        raise AssertionError("the encoder trained before n_clusters was checked")

    monkeypatch.setattr(RotInvINREncoder, "fit", no_training)
    pipe = make_rotinv_inr(5, preset="kwon-thesis", **TINY)
    with pytest.raises(ValueError, match="n_clusters=5 is larger than n_samples=3"):
        pipe.fit_predict(np.random.RandomState(0).rand(3, 6, 6))
    with pytest.raises(ValueError, match="n_clusters=5 is larger than n_samples=3"):
        make_rotinv_inr(5).fit(np.random.RandomState(0).rand(3, 6, 6))
    with pytest.raises(NotFittedError):
        check_is_fitted(pipe.named_steps["encoder"])


def test_verbose_reports_epochs_and_steps(rng, capsys):
    make_rotinv_inr(2, preset="kwon-thesis", clusterer="dec", verbose=1, random_state=0,
                    **TINY, cluster__update_interval=5, cluster__max_iter=20).fit(
        rng.rand(20, 6, 6))
    out = capsys.readouterr().out
    assert "epoch   1" in out and "images/s" in out
    assert "DEC step" in out and "points/s" in out
    assert "(step 1 of 2) Processing encoder" in out
    make_rotinv_inr(2, verbose=1, random_state=0).fit(rng.rand(20, 6, 6))
    assert "Processing views" in capsys.readouterr().out


_THREAD_SCRIPT = """
import sys
from sklearn_specclust.datasets import load_digits_images, make_rotated
from sklearn_specclust.inr import make_rotinv_inr
X, y = load_digits_images(return_X_y=True)
X, y, _ = make_rotated(X[:600], y[:600], random_state=0)
labels = make_rotinv_inr(10, random_state=0, cluster__n_jobs=int(sys.argv[1])).fit_predict(X)
print(",".join(map(str, labels)))
"""


def test_default_labels_do_not_depend_on_threads_or_n_jobs():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    outputs = []
    for threads, n_jobs in ((1, 1), (2, 2), (4, 1)):
        env = dict(os.environ, OMP_NUM_THREADS=str(threads),
                   OPENBLAS_NUM_THREADS=str(threads), MKL_NUM_THREADS=str(threads),
                   PYTHONPATH=root)
        out = subprocess.run(
            [sys.executable, "-c", _THREAD_SCRIPT, str(n_jobs)],
            env=env, capture_output=True, text=True, check=True, timeout=120, cwd=root,
        ).stdout.strip().splitlines()[-1]
        outputs.append(np.array(out.split(","), dtype=int))
    assert outputs[0].shape == (600,) and len(set(outputs[0])) == 10
    for other in outputs[1:]:
        np.testing.assert_array_equal(outputs[0], other)


def test_cli_registry():
    assert {"canonical-orbit", "kwon-thesis"} <= set(MODELS)
    pipe = get_model("kwon-thesis", n_clusters=4, random_state=0)
    assert pipe.named_steps["cluster"].n_clusters == 4
    with pytest.warns(FutureWarning, match="model 'rotinv' is renamed 'kwon-thesis'"):
        get_model("rotinv", n_clusters=4, random_state=0)


def test_cli_registry_orbit_model():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        pipe = get_model("rotinv-orbit", n_clusters=4, random_state=0)
    enc = pipe.named_steps["encoder"]
    assert enc.decoder == "mlp" and enc.reference == "axis"
    assert isinstance(pipe.named_steps["cluster"], OrbitSpectralClustering)
    assert pipe.named_steps["cluster"].n_clusters == 4
