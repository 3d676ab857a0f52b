"""make_sanet(preset="natural-plus"): normalised kNN layers at depth 1, 2, 3."""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from sklearn_specclust.sanet import make_sanet

# a small version of the preset: fewer eigenvectors, few sampled nodes
SMALL = {f"layer{d}__{key}": value for d in (1, 2, 3)
         for key, value in (("n_components", 4), ("max_nodes", 400))}


def _small(depth):
    return {k: v for k, v in SMALL.items() if int(k[5]) <= depth}


def _quiet(func, *args):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return func(*args)


@pytest.fixture(scope="module")
def images():
    # 8x8 digits blown up to 28x28 (nearest neighbour): Fashion-MNIST-shaped
    from sklearn.datasets import load_digits

    d = load_digits()
    idx = np.minimum((np.arange(28) * 8) // 28, 7)
    X = d.images[:40][:, idx][:, :, idx] / 16
    return X.astype(np.float32), d.target[:40]


@pytest.mark.parametrize("depth, names, pool", [
    (1, ["patches1", "layer1", "norm1"], (5, 4, "valid")),
    (2, ["patches1", "layer1", "norm1", "pool1", "patches2", "layer2", "norm2"],
     (2, 1, "valid")),
    (3, ["patches1", "layer1", "norm1", "pool1", "patches2", "layer2", "norm2",
         "patches3", "layer3", "norm3"], (2, 1, "valid")),
])
def test_steps_and_params(depth, names, pool):
    net = make_sanet(10, preset="natural-plus", depth=depth)
    assert [n for n, _ in net.steps] == names + ["pool", "binarize", "code", "flatten",
                                                  "cluster"]
    p = net.get_params()
    assert (p["pool__pool_size"], p["pool__stride"], p["pool__padding"]) == pool
    assert p["binarize"] == "passthrough" and p["code"] == "passthrough"
    for d in range(1, depth + 1):
        # one kNN procedure per layer, each normalised per patch
        assert p[f"layer{d}__n_neighbors"] == (9,)
        assert p[f"layer{d}__eps_scales"] == () and p[f"layer{d}__sigmas"] == ()
        assert p[f"norm{d}__block_size"] == p[f"layer{d}__n_components"] == 64
    assert p["patches1__step"] == 2 and p["patches1__padding"] == 4


def test_default_depth_and_block_sizes_follow_overrides():
    net = make_sanet(10, preset="natural-plus", layer2__n_components=16, head="spectral")
    p = net.get_params()
    assert "layer2" in net.named_steps and "layer3" not in net.named_steps
    assert p["norm1__block_size"] == 64 and p["norm2__block_size"] == 16
    # an explicit block size is kept
    net = make_sanet(10, preset="natural-plus", norm2__block_size=32)
    assert net.get_params()["norm2__block_size"] == 32


@pytest.mark.parametrize("depth", [0, 4, 5])
def test_depth_outside_1_to_3_is_refused(depth):
    with pytest.raises(ValueError, match=r"'natural-plus' has 1, 2 or 3 layers; got depth="):
        make_sanet(10, preset="natural-plus", depth=depth)


def test_depth2_fits_three_layouts_and_predicts(images):
    X, _ = images
    net = make_sanet(3, preset="natural-plus", depth=2, random_state=0, **_small(2))
    a = _quiet(net.fit_predict, X)
    # 13x13 maps -> 6x6 pooled -> 4x4 of 3x3 patches -> 3x3 pooled
    assert _quiet(net[:-1].transform, X[:5]).shape == (5, 3 * 3 * 4)
    # each patch's coordinates leave norm2 with unit length
    Z = _quiet(net[:[n for n, _ in net.steps].index("pool")].transform, X[:5])
    assert_allclose(np.linalg.norm(Z, axis=-1), 1, rtol=1e-5)
    b = _quiet(make_sanet(3, preset="natural-plus", depth=2, random_state=0,
                          **_small(2)).fit_predict, X.reshape(len(X), -1))
    assert_array_equal(a, b)
    assert_array_equal(_quiet(net.predict, X[:10]), a[:10])


@pytest.mark.parametrize("depth, n_features", [(1, 3 * 3 * 4), (3, 3 * 3 * 4)])
def test_depth1_and_depth3_fit_predict(images, depth, n_features):
    X, _ = images
    net = make_sanet(3, preset="natural-plus", depth=depth, random_state=0,
                     head="spectral", embed__n_components=3, **_small(depth))
    labels = _quiet(net.fit_predict, X)
    assert labels.shape == (len(X),) and len(np.unique(labels)) == 3
    assert _quiet(net[:-3].transform, X[:3]).shape == (3, n_features)
