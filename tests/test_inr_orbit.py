"""CanonicalViews and OrbitSpectralClustering."""

import math

import numpy as np
import pytest
from sklearn.datasets import make_blobs
from sklearn.metrics import adjusted_rand_score

from sklearn_specclust.inr import OrbitSpectralClustering


def test_orbit_one_view_finds_blobs():
    X, y = make_blobs(120, centers=3, cluster_std=0.5, random_state=0)
    model = OrbitSpectralClustering(3, n_neighbors=8, random_state=0).fit(X)
    assert adjusted_rand_score(y, model.labels_) == 1.0
    assert model.embedding_.shape == (120, 3)
    np.testing.assert_allclose(np.linalg.norm(model.embedding_, axis=1), 1.0)
    A = model.affinity_matrix_
    assert (A != A.T).nnz == 0 and A.diagonal().sum() == 0


def test_orbit_views_join_what_one_view_separates(rng):
    # two groups; each sample's second view is its "half turn": -x.
    # Half of each group is stored turned, so view 0 alone sees four blobs.
    centres = np.array([[4.0, 0.0], [0.0, 4.0]])
    y = np.repeat([0, 1], 40)
    x = centres[y] + 0.3 * rng.randn(80, 2)
    turned = np.arange(80) % 2 == 1
    x[turned] *= -1
    X = np.hstack([x, -x])
    one = OrbitSpectralClustering(2, n_neighbors=6, random_state=0).fit_predict(x)
    two = OrbitSpectralClustering(2, n_views=2, n_neighbors=6, random_state=0).fit_predict(X)
    assert adjusted_rand_score(y, two) == 1.0
    assert adjusted_rand_score(y, one) < 0.5


def test_orbit_bad_input_messages():
    X = np.random.RandomState(0).rand(10, 5)
    with pytest.raises(ValueError, match="not a multiple of n_views=2"):
        OrbitSpectralClustering(2, n_views=2).fit(X)
    with pytest.raises(ValueError, match="n_clusters=11 is larger than n_samples=10"):
        OrbitSpectralClustering(11).fit(X)


torch = pytest.importorskip("torch")

from sklearn_specclust.inr import CanonicalViews  # noqa: E402


def test_canonical_views_invariant_to_quarter_turns(rng):
    X = np.zeros((6, 10, 10))
    X[:, 4, 2:8] = 0.5
    X[:, 4, 6:8] = 1.0
    X[:, 2:5, 3] += rng.rand(6, 3)
    turned = np.ascontiguousarray(np.rot90(X, k=1, axes=(1, 2)))
    views = CanonicalViews(angles=(0.0, math.pi)).fit(X.reshape(6, -1))
    A = views.transform(X.reshape(6, -1))
    B = views.transform(turned.reshape(6, -1))
    assert A.shape == (6, 200)
    np.testing.assert_allclose(A, B, atol=1e-4)
    # the second view is the first turned by a half
    first = A[:, :100].reshape(6, 10, 10)
    np.testing.assert_allclose(A[:, 100:].reshape(6, 10, 10), first[:, ::-1, ::-1], atol=1e-4)


def test_canonical_views_blank_and_bad_input():
    X = np.zeros((3, 16))
    out = CanonicalViews().fit_transform(X)
    assert out.shape == (3, 16) and np.isfinite(out).all()
    with pytest.raises(ValueError, match="angles must be a non-empty"):
        CanonicalViews(angles=()).fit(X)
    with pytest.raises(ValueError, match="does not match rows of 16"):
        CanonicalViews(image_shape=(3, 3)).fit(X)
    with pytest.raises(ValueError, match="reference"):
        CanonicalViews(reference="up").fit(X)
