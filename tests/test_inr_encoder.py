"""RotInvINREncoder: shapes, errors, persistence, determinism, geometry."""

import math
import pickle
import sys

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from sklearn_specclust.inr import RotInvINREncoder  # noqa: E402
from sklearn_specclust.inr._torch_model import (  # noqa: E402
    RotInvINR,
    centre_of_mass,
    rotate_images,
    unit,
)

TINY = dict(
    latent_dim=3,
    hidden=(16,),
    hyper_hidden=(16,),
    fn_hidden=(16,),
    n_fourier=8,
    max_epochs=2,
    batch_size=16,
)


@pytest.fixture
def images(rng):
    return rng.rand(24, 8, 8)


def test_shapes_2d_3d_4d(images):
    enc = RotInvINREncoder(random_state=0, **TINY)
    Z3 = enc.fit(images).transform(images)
    assert Z3.shape == (24, 3) and Z3.dtype == np.float64
    assert enc._map_shape == (8, 8, 1)
    Z2 = enc.fit(images.reshape(24, -1)).transform(images.reshape(24, -1))
    assert enc._map_shape == (8, 8, 1)
    np.testing.assert_allclose(Z2, Z3, rtol=1e-5, atol=1e-6)
    enc.fit(images[..., None])
    assert enc._map_shape == (8, 8, 1)
    rgb = np.repeat(images[..., None], 3, axis=3)
    assert enc.fit(rgb).render(rgb[:2]).shape == (2, 8, 8, 3)


def test_non_square_rows_and_image_shape(rng):
    X = rng.rand(10, 5)
    enc = RotInvINREncoder(random_state=0, **TINY).fit(X)
    assert enc._map_shape == (1, 5, 1)
    assert enc.transform(X).shape == (10, 3)
    X = rng.rand(10, 12)
    enc = RotInvINREncoder(image_shape=(3, 4), random_state=0, **TINY).fit(X)
    assert enc._map_shape == (3, 4, 1)
    with pytest.raises(ValueError, match="does not match rows of 12 features"):
        RotInvINREncoder(image_shape=(5, 5), **TINY).fit(X)


def test_other_size_at_transform_refused(images, rng):
    enc = RotInvINREncoder(random_state=0, **TINY).fit(images)
    with pytest.raises(ValueError, match="fitted on images of shape"):
        enc.transform(rng.rand(3, 4, 16))
    with pytest.raises(ValueError, match="X has 60 features, but RotInvINREncoder is expecting 64"):
        enc.transform(rng.rand(3, 60))
    # flat rows of the fitted size are read as fitted images
    np.testing.assert_array_equal(
        enc.transform(images.reshape(24, -1)), enc.transform(images)
    )


def test_bad_input_messages(images):
    bad = images.copy()
    bad[0, 0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        RotInvINREncoder(**TINY).fit(bad)
    with pytest.raises(ValueError, match=r"got shape \(24, 2, 4, 8, 1\)"):
        RotInvINREncoder(**TINY).fit(images.reshape(24, 2, 4, 8, 1))
    with pytest.raises(ValueError, match="hidden must be a non-empty tuple"):
        RotInvINREncoder(**{**TINY, "hidden": ()}).fit(images)
    original = images.copy()
    RotInvINREncoder(**TINY).fit(images)
    np.testing.assert_array_equal(images, original)


def test_pickle_round_trip_identical(images):
    enc = RotInvINREncoder(random_state=0, **TINY).fit(images)
    clone = pickle.loads(pickle.dumps(enc))
    np.testing.assert_array_equal(clone.transform(images), enc.transform(images))
    np.testing.assert_array_equal(clone.predict_angle(images), enc.predict_angle(images))
    np.testing.assert_array_equal(clone.render(images, size=11), enc.render(images, size=11))
    state = enc.__getstate__()
    assert "module_" not in state and "_optimizer" not in state
    assert all(v.device.type == "cpu" for v in state["_module_state"].values())


@pytest.mark.parametrize("decoder", ["hyper", "mlp"])
def test_deterministic_under_random_state(images, decoder):
    a = RotInvINREncoder(random_state=3, decoder=decoder, **TINY).fit(images)
    b = RotInvINREncoder(random_state=3, decoder=decoder, **TINY).fit(images)
    np.testing.assert_array_equal(a.transform(images), b.transform(images))
    c = RotInvINREncoder(random_state=4, decoder=decoder, **TINY).fit(images)
    assert not np.allclose(a.transform(images), c.transform(images))


def test_fit_does_not_change_global_torch_rng(images):
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    RotInvINREncoder(random_state=0, **TINY).fit(images)
    np.testing.assert_array_equal(torch.rand(3).numpy(), expected.numpy())


def test_warm_start_and_verbose(images, capsys):
    enc = RotInvINREncoder(random_state=0, warm_start=True, verbose=1, **TINY)
    enc.fit(images)
    first = [line for line in capsys.readouterr().out.splitlines() if "epoch" in line]
    assert len(first) == 2 and "images/s" in first[0] and "reconstruction" in first[0]
    weights = enc.module_.encoder.net[0].weight.detach().clone()
    enc.fit(images)
    assert enc.n_epochs_ == 4 and len(enc.loss_curve_) == 4
    assert not torch.equal(weights, enc.module_.encoder.net[0].weight)
    # cold start rebuilds
    enc.set_params(warm_start=False, verbose=0).fit(images)
    assert enc.n_epochs_ == 2


def test_training_reduces_loss(rng):
    # blobs at random positions: learnable angle and reconstruction
    X = np.zeros((64, 12, 12))
    for img in X:
        i, j = rng.randint(2, 10, size=2)
        img[i - 2 : i + 2, j - 2 : j + 2] = 1.0
    enc = RotInvINREncoder(
        random_state=0, **{**TINY, "max_epochs": 15, "lr": 3e-3, "hidden": (32,)}
    ).fit(X)
    curve = enc.loss_curve_
    assert curve[-1]["total"] < 0.7 * curve[0]["total"]
    assert curve[-1]["angle"] < curve[0]["angle"]


def test_early_stopping(images):
    enc = RotInvINREncoder(
        random_state=0, **{**TINY, "max_epochs": 50, "lr": 1e-12, "n_iter_no_change": 2}
    ).fit(images)
    assert enc.n_epochs_ < 50


def test_render_and_angles(images):
    enc = RotInvINREncoder(random_state=0, **TINY).fit(images)
    assert enc.render(images[:3]).shape == (3, 8, 8)
    assert enc.render(images[:3], size=20).shape == (3, 20, 20)
    assert enc.render(images[:3], size=(5, 9), rotate=False).shape == (3, 5, 9)
    ref = enc.render(images[:3], rotate=False)
    np.testing.assert_allclose(enc.render(images[:3], rotate=math.pi / 2), ref, atol=1e-6)
    with pytest.raises(ValueError, match="size must be"):
        enc.render(images[:3], size=(0, 4))
    angles = enc.predict_angle(images)
    assert angles.shape == (24,) and np.all(np.abs(angles) <= math.pi)


def test_missing_torch_names_the_extra(images, monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)
    with pytest.raises(ImportError, match=r"sklearn-specclust\[torch\]"):
        RotInvINREncoder(**TINY).fit(images)


# ---------------------------------------------------------------- geometry
def test_rotate_images_matches_rot90(rng):
    x = torch.from_numpy(rng.rand(2, 1, 6, 6).astype(np.float32))
    out = rotate_images(x, torch.full((2,), math.pi / 2))
    expected = np.rot90(x.numpy(), k=1, axes=(2, 3))  # counter-clockwise
    np.testing.assert_allclose(out.numpy(), expected, atol=1e-5)


def test_centre_of_mass_direction():
    img = torch.zeros(2, 1, 7, 7)
    img[0, 0, 0, 3] = 1.0  # top centre -> +y
    img[1, 0, 3, 6] = 1.0  # right centre -> +x
    np.testing.assert_allclose(centre_of_mass(img).numpy(), [[0, 1], [1, 0]], atol=1e-6)
    np.testing.assert_allclose(centre_of_mass(torch.zeros(1, 1, 4, 4)).numpy(), [[0, 0]])


@pytest.mark.parametrize("decoder", ["hyper", "mlp"])
def test_rendering_is_equivariant(decoder):
    torch.manual_seed(0)
    model = RotInvINR(
        shape=(1, 6, 6), encoder="mlp", decoder=decoder, hidden=(8,), latent_dim=3,
        hyper_hidden=(8,), fn_hidden=(8,), n_fourier=4, fourier_scale=1.0,
    )
    z = torch.randn(2, 3)
    u = unit(torch.randn(2, 2))
    quarter = torch.stack([-u[:, 1], u[:, 0]], dim=1)  # u turned by +90 degrees
    with torch.no_grad():
        a = model.decode(z, u).numpy()
        b = model.decode(z, quarter).numpy()
    np.testing.assert_allclose(b, np.rot90(a, k=1, axes=(2, 3)), atol=1e-5)


def _interrupt_at_batch(monkeypatch, batch):
    """Make the ``batch``-th training step (1-based) raise KeyboardInterrupt."""
    from sklearn_specclust.inr import _torch_model

    real, calls = _torch_model.training_losses, []

    def losses(*args, **kwargs):
        calls.append(1)
        if len(calls) == batch:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(_torch_model, "training_losses", losses)
    return calls


def test_interrupted_fit_leaves_the_encoder_unfitted(images, monkeypatch):
    from sklearn.exceptions import NotFittedError
    from sklearn.utils.validation import check_is_fitted

    # 24 images in batches of 16: the 3rd step is in the middle of epoch 2
    calls = _interrupt_at_batch(monkeypatch, 3)
    enc = RotInvINREncoder(random_state=0, **TINY)
    with pytest.raises(KeyboardInterrupt):
        enc.fit(images)
    assert len(calls) == 3
    assert not [k for k in vars(enc) if k.endswith("_") or k.startswith("_")]
    with pytest.raises(NotFittedError):
        check_is_fitted(enc)
    with pytest.raises(NotFittedError):
        enc.transform(images)


def test_interrupted_warm_start_keeps_the_previous_fit(images, monkeypatch):
    enc = RotInvINREncoder(random_state=0, warm_start=True, **TINY).fit(images)
    before = {k: v.clone() for k, v in enc.module_.state_dict().items()}
    Z, curve = enc.transform(images), list(enc.loss_curve_)
    _interrupt_at_batch(monkeypatch, 3)
    with pytest.raises(KeyboardInterrupt):
        enc.fit(images)
    assert enc.n_epochs_ == 2 and enc.loss_curve_ == curve
    for k, v in enc.module_.state_dict().items():
        assert torch.equal(v, before[k]), k
    np.testing.assert_array_equal(enc.transform(images), Z)
