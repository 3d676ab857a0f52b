"""Measured reference orientation and test-time rotation averaging."""

import math
import pickle

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from test_inr_encoder import TINY  # noqa: E402  the same tiny encoder

from sklearn_specclust.inr import RotInvINREncoder  # noqa: E402
from sklearn_specclust.inr._torch_model import (  # noqa: E402
    canonicalize,
    reference_direction,
)

KINDS = ["com", "radial_com", "axis", "axis_com"]


@pytest.fixture
def images(rng):
    # an off-centre bar with a heavier end and noise, all inside the disc
    # that rotations keep in the frame: every reference is well defined
    X = np.zeros((12, 10, 10))
    ii, jj = np.mgrid[0:10, 0:10]
    disc = (ii - 4.5) ** 2 + (jj - 4.5) ** 2 < 4.5**2
    for img in X:
        i = rng.randint(2, 5)
        img[i, 2:8] = 0.5
        img[i, 6:8] = 1.0
        img += 0.05 * rng.rand(10, 10) * disc
    return X


def _quarter(X, k=1):
    return np.ascontiguousarray(np.rot90(X, k=k, axes=(1, 2)))  # counter-clockwise


def test_reference_direction_known_cases():
    img = torch.zeros(3, 1, 9, 9)
    img[0, 0, 4, 1:8] = 1.0  # horizontal bar, heavier right end
    img[0, 0, 4, 6:8] = 3.0
    img[1, 0, 1:8, 4] = 1.0  # vertical bar, heavier top, above the centre
    img[1, 0, 0:3, 4] = 3.0
    u = reference_direction(img[:2], "axis").numpy()
    # the mass's long tail points away from the heavy end: -x, then -y
    np.testing.assert_allclose(u, [[-1, 0], [0, -1]], atol=1e-5)
    u = reference_direction(img[:2], "axis_com").numpy()
    # towards the centre of mass seen from the image centre: +x, then +y
    np.testing.assert_allclose(u, [[1, 0], [0, 1]], atol=1e-5)
    with pytest.raises(ValueError, match="Unknown reference direction"):
        reference_direction(img, "nope")


@pytest.mark.parametrize("kind", KINDS)
def test_blank_images_give_up_not_nan(kind):
    blank = torch.zeros(2, 1, 6, 6)
    u = reference_direction(blank, kind)
    assert torch.isfinite(u).all()
    if kind.startswith("axis"):
        np.testing.assert_array_equal(u.numpy(), [[0, 1], [0, 1]])
    assert torch.isfinite(canonicalize(blank, u)).all()


@pytest.mark.parametrize("kind", KINDS)
def test_reference_direction_is_equivariant(images, kind):
    t = torch.from_numpy(images[:, None].astype(np.float32))
    u = reference_direction(t, kind)
    turned = torch.from_numpy(_quarter(images)[:, None].astype(np.float32))
    expected = torch.stack([-u[:, 1], u[:, 0]], dim=1)  # u turned by +90 degrees
    np.testing.assert_allclose(reference_direction(turned, kind), expected, atol=1e-4)
    # canonicalised images point their reference up
    up = reference_direction(canonicalize(t, u), kind)
    assert (up[:, 1] > 0.9).all()


@pytest.mark.parametrize("kind", KINDS)
def test_encoder_with_reference_is_invariant(images, kind):
    enc = RotInvINREncoder(reference=kind, random_state=0, **TINY).fit(images)
    Z = enc.transform(images)
    assert np.isfinite(Z).all()
    np.testing.assert_allclose(enc.transform(_quarter(images)), Z, atol=1e-4)
    turned = enc.predict_angle(_quarter(images)) - enc.predict_angle(images)
    np.testing.assert_allclose(np.cos(turned - math.pi / 2), 1.0, atol=1e-4)
    # the angle is measured, not learned: its loss is 0
    assert all(rec["angle"] == 0 for rec in enc.loss_curve_)
    # rendering at the measured orientation and at the reference one
    assert enc.render(images[:2]).shape == (2, 10, 10)
    clone = pickle.loads(pickle.dumps(enc))
    np.testing.assert_array_equal(clone.transform(images), Z)


def test_reference_on_blank_images_stays_finite():
    X = np.zeros((8, 6, 6))
    X[4:, 2, 1:5] = 1.0
    enc = RotInvINREncoder(reference="axis_com", random_state=0, **TINY).fit(X)
    assert np.isfinite(enc.transform(X)).all()
    assert np.isfinite(enc.predict_angle(X)).all()
    np.testing.assert_allclose(enc.predict_angle(X[:4]), math.pi / 2)


def test_test_time_rotations_average_the_orbit(images):
    enc = RotInvINREncoder(random_state=0, **TINY).fit(images)
    plain = enc.transform(images)
    assert not np.allclose(enc.transform(_quarter(images)), plain, atol=1e-3)
    enc.set_params(n_test_rotations=4)
    Z = enc.transform(images)
    # the four quarter turns are one orbit: its mean latent is exactly invariant
    np.testing.assert_allclose(enc.transform(_quarter(images)), Z, atol=1e-4)
    np.testing.assert_allclose(enc.transform(_quarter(images, 2)), Z, atol=1e-4)
    enc.set_params(n_test_rotations=1)
    np.testing.assert_array_equal(enc.transform(images), plain)


def test_bad_reference_and_rotations_refused(images):
    with pytest.raises(ValueError, match="reference"):
        RotInvINREncoder(reference="centre", **TINY).fit(images)
    with pytest.raises(ValueError, match="n_test_rotations"):
        RotInvINREncoder(n_test_rotations=-1, **TINY).fit(images)


@pytest.mark.parametrize("reference", [None, "axis"])
def test_view_angles_concatenate_canonical_views(images, reference):
    enc = RotInvINREncoder(reference=reference, random_state=0, **TINY).fit(images)
    plain = enc.transform(images)
    enc.set_params(view_angles=(0.0, math.pi))
    V = enc.transform(images)
    assert V.shape == (12, 6)
    if reference is not None:  # view 0 is the canonical image: the plain latent
        np.testing.assert_allclose(V[:, :3], plain, atol=1e-5)
    # a half-turned input has the same canonical views (measured axis)
    if reference == "axis":
        np.testing.assert_allclose(enc.transform(_quarter(images, 2)), V, atol=1e-4)
    with pytest.raises(ValueError, match="view_angles must be a non-empty"):
        enc.set_params(view_angles=()).transform(images)


def test_orbit_consistency_views(images):
    enc = RotInvINREncoder(
        reference="axis", consistency_views="orbit", random_state=0, **TINY
    ).fit(images)
    assert all(np.isfinite(rec["consistency"]) for rec in enc.loss_curve_)
    assert enc.loss_curve_[0]["consistency"] > 0
    # without a measured reference the option changes nothing
    a = RotInvINREncoder(consistency_views="orbit", random_state=0, **TINY).fit(images)
    b = RotInvINREncoder(random_state=0, **TINY).fit(images)
    np.testing.assert_array_equal(a.transform(images), b.transform(images))
    with pytest.raises(ValueError, match="consistency_views"):
        RotInvINREncoder(consistency_views="flip", **TINY).fit(images)
