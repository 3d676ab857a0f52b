"""PatchPCA, the reduce2 slot of the "mnist" preset, and the neighbour index's
randomized principal axes for many-featured nodes (SA-Net layer 2)."""

import pickle
import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.decomposition import PCA
from sklearn.utils._param_validation import InvalidParameterError

from sklearn_specclust.sanet import PatchPCA, make_sanet
from sklearn_specclust.spectral._neighbors import (
    PCA_EXACT_MAX_FEATURES,
    NeighborIndex,
)


def _low_rank_maps(rng, n=40, h=3, w=3, c=60, rank=5, noise=1e-3):
    """Maps whose location vectors lie near a ``rank``-dim subspace."""
    basis = rng.randn(rank, c) * np.arange(rank, 0, -1)[:, None]
    coef = rng.randn(n * h * w, rank)
    vectors = coef @ basis + 1.0 + noise * rng.randn(n * h * w, c)
    return vectors.reshape(n, h, w, c)


@pytest.mark.parametrize("n_components", [3, 20])  # randomized and exact SVD
def test_matches_pca_on_location_vectors(rng, n_components):
    X = _low_rank_maps(rng)
    pca = PatchPCA(n_components, random_state=0).fit(X)
    ref = PCA(n_components).fit(X.reshape(-1, X.shape[-1]))
    assert_allclose(pca.explained_variance_ratio_, ref.explained_variance_ratio_,
                    rtol=1e-3, atol=1e-6)
    Z = pca.transform(X)
    assert Z.shape == X.shape[:3] + (n_components,)
    # the leading (well separated) coordinates agree up to sign
    Zr = ref.transform(X.reshape(-1, X.shape[-1]))
    assert_allclose(np.abs(Z.reshape(-1, n_components))[:, :3], np.abs(Zr)[:, :3],
                    rtol=1e-3, atol=1e-3)


def test_rows_dtype_whiten_and_clipping(rng):
    X = _low_rank_maps(rng, n=30, h=1, w=1, c=12).reshape(30, 12)
    Z = PatchPCA(4, random_state=0).fit_transform(X)
    assert Z.shape == (30, 4) and Z.dtype == np.float64
    Z32 = PatchPCA(4, random_state=0).fit_transform(X.astype(np.float32))
    assert Z32.dtype == np.float32
    W = PatchPCA(4, whiten=True, random_state=0).fit_transform(X)
    assert_allclose(W.std(axis=0, ddof=1), 1.0, rtol=1e-4)
    clipped = PatchPCA(50).fit(X)
    assert clipped.n_components_ == 12 and clipped.transform(X).shape == (30, 12)


def test_max_samples_fits_on_a_sample(rng):
    X = _low_rank_maps(rng, n=50, rank=3)  # 450 location vectors near a 3-dim subspace
    a = PatchPCA(3, max_samples=100, random_state=0).fit(X)
    b = PatchPCA(3, max_samples=100, random_state=0).fit(X)
    full = PatchPCA(3, max_samples=None, random_state=0).fit(X)
    assert_array_equal(a.mean_, b.mean_)  # seeded draw
    assert not np.array_equal(a.mean_, full.mean_)  # not all vectors
    # the sample still finds the subspace
    assert abs(a.explained_variance_ratio_.sum() - full.explained_variance_ratio_.sum()) < 1e-3


def test_bad_input_and_parameters(rng):
    X = _low_rank_maps(rng, n=10)
    pca = PatchPCA(3).fit(X)
    with pytest.raises(ValueError, match="channels|features|shape"):
        pca.transform(X[..., :30])
    with pytest.raises(InvalidParameterError, match="n_components"):
        PatchPCA(0).fit(X)
    with pytest.raises(InvalidParameterError, match="max_samples"):
        PatchPCA(3, max_samples=0).fit(X)


def test_pickle_round_trip(rng):
    X = _low_rank_maps(rng, n=10)
    pca = PatchPCA(3, random_state=0).fit(X)
    again = pickle.loads(pickle.dumps(pca))
    assert_array_equal(again.transform(X), pca.transform(X))


def test_mnist_preset_reduce2_slot():
    # 30 random 28x28 "images" run through the faithful preset with PatchPCA
    X = np.random.RandomState(0).rand(30, 28, 28).astype(np.float32)
    small = dict(layer1__n_neighbors=(5,), layer1__eps_scales=(), layer1__gaussian_scales=(),
                 layer1__n_components=8, layer2__n_neighbors=(5,), layer2__gaussian_scales=(),
                 layer2__n_components=8)
    net = make_sanet(3, preset="wang2020-mnist", random_state=0,
                     reduce2=PatchPCA(16, random_state=0), **small)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        labels = net.fit_predict(X)
    assert labels.shape == (30,)
    assert net.named_steps["reduce2"].n_components_ == 16
    # 4x4 patches of 8 channels: 128 features reduced to 16 before layer 2
    assert net.named_steps["layer2"].n_features_in_ == 3
    assert net.named_steps["layer2"]._nodes.shape[1] == 16


def test_neighbor_index_randomized_axes_find_exact_neighbours(rng):
    # nodes of more than PCA_EXACT_MAX_FEATURES features with a decaying
    # spectrum (like feature patches): the re-ranked neighbours found through
    # the randomized axes must be those of brute force
    c = PCA_EXACT_MAX_FEATURES + 100
    basis = rng.randn(60, c) / np.arange(1, 61)[:, None]
    X = (rng.randn(400, 60) @ basis + 0.01 * rng.randn(400, c)).astype(np.float32)
    approx = NeighborIndex(X, algorithm="pca", random_state=0)
    assert approx._proj.shape == (c, 96)
    d_a, i_a = approx.query(X[:100], 5)
    d_b, i_b = NeighborIndex(X, algorithm="brute").query(X[:100], 5)
    assert np.mean(i_a == i_b) > 0.98
    assert_allclose(d_a, d_b, rtol=1e-3, atol=1e-3)
