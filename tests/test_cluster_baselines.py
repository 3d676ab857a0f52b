"""Tests of the baseline clusterers SC-ST and SC-LS on tiny data."""

import pickle

import numpy as np
import pytest
from scipy import linalg
from sklearn.datasets import make_blobs, make_circles, make_moons
from sklearn.metrics import adjusted_rand_score, euclidean_distances

from sklearn_specclust.cluster import (
    LandmarkSpectralClustering,
    SelfTuningSpectralClustering,
)

ESTIMATORS = [
    lambda **kw: SelfTuningSpectralClustering(**kw),
    lambda **kw: SelfTuningSpectralClustering(affinity="knn", **kw),
    lambda **kw: LandmarkSpectralClustering(n_landmarks=60, **kw),
    lambda **kw: LandmarkSpectralClustering(
        n_landmarks=60, landmark_selection="random", **kw
    ),
]
IDS = ["st-dense", "st-knn", "ls-kmeans", "ls-random"]


def _subspace_distance(a, b):
    """Largest sine of the principal angles between two column spaces."""
    qa, _ = np.linalg.qr(a)
    qb, _ = np.linalg.qr(b)
    cosines = np.linalg.svd(qa.T @ qb, compute_uv=False)
    return float(np.sqrt(max(0.0, 1.0 - cosines.min() ** 2)))


def _varying_density_blobs(seed):
    return make_blobs(
        n_samples=[150, 100, 80],
        centers=[[0, 0], [6, 0], [3, 6]],
        cluster_std=[0.3, 1.2, 0.6],
        random_state=seed,
    )


# ---------------------------------------------------------------- known results


@pytest.mark.parametrize("affinity", ["dense", "knn"])
def test_self_tuning_separates_circles_and_moons(affinity, seed):
    for X, y in (
        make_circles(n_samples=300, factor=0.4, noise=0.04, random_state=seed),
        make_moons(n_samples=300, noise=0.05, random_state=seed),
    ):
        sc = SelfTuningSpectralClustering(
            n_clusters=2, affinity=affinity, random_state=seed
        )
        assert adjusted_rand_score(y, sc.fit_predict(X)) == pytest.approx(1.0)


def test_self_tuning_varying_density(seed):
    # One global scale struggles here; local scales do not.
    X, y = _varying_density_blobs(seed)
    labels = SelfTuningSpectralClustering(n_clusters=3, random_state=seed).fit_predict(X)
    assert adjusted_rand_score(y, labels) > 0.95


def test_self_tuning_embedding_matches_reference(seed):
    # Reference: the formulas of Zelnik-Manor & Perona / NJW written out densely.
    X, _ = _varying_density_blobs(seed)
    X = X[::4]
    K, k = 7, 3
    d = np.sqrt(euclidean_distances(X, squared=True).clip(0))
    sigma = np.sort(d, axis=1)[:, K]
    A = np.exp(-(d**2) / np.outer(sigma, sigma))
    np.fill_diagonal(A, 0)
    deg = A.sum(1)
    M = A / np.sqrt(np.outer(deg, deg))
    vals, vecs = linalg.eigh(M)
    sc = SelfTuningSpectralClustering(n_clusters=k, scale_neighbor=K, random_state=0).fit(X)
    np.testing.assert_allclose(sc.local_scale_, sigma, rtol=1e-10)
    np.testing.assert_allclose(sc.eigenvalues_, vals[::-1][:k], rtol=1e-8)
    assert _subspace_distance(sc.embedding_, vecs[:, -k:]) < 1e-6


def test_self_tuning_knn_with_all_neighbours_equals_dense(seed):
    X, _ = _varying_density_blobs(seed)
    X = X[::3]
    dense = SelfTuningSpectralClustering(n_clusters=3, random_state=0).fit(X)
    knn = SelfTuningSpectralClustering(
        n_clusters=3, affinity="knn", graph_neighbors=X.shape[0] - 1, random_state=0
    ).fit(X)
    np.testing.assert_allclose(knn.eigenvalues_, dense.eigenvalues_, rtol=1e-8)
    assert _subspace_distance(knn.embedding_, dense.embedding_) < 1e-6
    assert adjusted_rand_score(knn.labels_, dense.labels_) == pytest.approx(1.0)


def test_self_tuning_large_graph_uses_arpack_consistently(seed):
    # Above 500 nodes the eigenproblem goes to ARPACK; results must agree.
    X, y = make_blobs(
        n_samples=1200, centers=[[0, 0], [6, 0], [0, 6], [6, 6]], random_state=seed
    )
    sc = SelfTuningSpectralClustering(
        n_clusters=4, affinity="knn", random_state=seed
    ).fit(X)
    assert adjusted_rand_score(y, sc.labels_) > 0.95
    assert np.all(np.diff(sc.eigenvalues_) <= 1e-12)


def test_landmark_blobs_and_exact_predict(seed):
    X, y = make_blobs(n_samples=600, centers=4, cluster_std=0.7, random_state=seed)
    lsc = LandmarkSpectralClustering(n_clusters=4, n_landmarks=40, random_state=seed)
    labels = lsc.fit_predict(X)
    assert adjusted_rand_score(y, labels) > 0.95
    assert lsc.landmarks_.shape == (40, 2)
    np.testing.assert_array_equal(lsc.predict(X), lsc.labels_)
    # The trivial leading singular value (1) is dropped by default.
    assert lsc.singular_values_.shape == (4,)
    assert np.all(lsc.singular_values_ < 1.0 + 1e-10)
    plain = LandmarkSpectralClustering(
        n_clusters=4, n_landmarks=40, normalize_embedding=False, random_state=seed
    ).fit(X)
    assert plain.singular_values_[0] == pytest.approx(1.0)
    np.testing.assert_allclose(plain.singular_values_[1:], lsc.singular_values_[:3])
    np.testing.assert_array_equal(plain.predict(X), plain.labels_)
    assert adjusted_rand_score(y, plain.labels_) > 0.95


def test_landmark_embedding_matches_dense_affinity(seed):
    # W = Z D^-1 Z^T formed densely: its top eigenvectors span embedding_.
    X, _ = _varying_density_blobs(seed)
    lsc = LandmarkSpectralClustering(
        n_clusters=3, n_landmarks=30, n_neighbors=4, random_state=seed,
        normalize_embedding=False,
    ).fit(X)
    dist = euclidean_distances(X, lsc.landmarks_)
    Z = np.zeros_like(dist)
    nearest = np.argsort(dist, axis=1)[:, :4]
    rows = np.arange(X.shape[0])[:, None]
    Z[rows, nearest] = np.exp(-dist[rows, nearest] ** 2 / (2 * lsc.bandwidth_**2))
    Z /= Z.sum(1, keepdims=True)
    assert lsc.bandwidth_ == pytest.approx(np.mean(dist[rows, nearest]))
    W = Z @ np.diag(1 / Z.sum(0)) @ Z.T
    vals, vecs = linalg.eigh(W)
    np.testing.assert_allclose(lsc.singular_values_**2, vals[::-1][:3], rtol=1e-8)
    assert _subspace_distance(lsc.embedding_, vecs[:, -3:]) < 1e-6
    # Default: eigenvectors 2..k+1 (the trivial first one dropped).
    njw = LandmarkSpectralClustering(
        n_clusters=3, n_landmarks=30, n_neighbors=4, random_state=seed
    ).fit(X)
    np.testing.assert_allclose(njw.singular_values_**2, vals[::-1][1:4], rtol=1e-8)
    assert _subspace_distance(njw.embedding_, vecs[:, -4:-1]) < 1e-6


def test_landmark_on_circles(seed):
    X, y = make_circles(n_samples=400, factor=0.4, noise=0.03, random_state=seed)
    lsc = LandmarkSpectralClustering(n_clusters=2, n_landmarks=100, random_state=seed)
    assert adjusted_rand_score(y, lsc.fit_predict(X)) == pytest.approx(1.0)


# ------------------------------------------------------------------ out of sample


@pytest.mark.parametrize("make", ESTIMATORS, ids=IDS)
def test_predict_held_out_points(make, seed):
    X, y = make_blobs(n_samples=400, centers=3, cluster_std=0.6, random_state=seed)
    est = make(n_clusters=3, random_state=seed).fit(X[:300])
    train_agreement = np.mean(est.predict(X[:300]) == est.labels_)
    assert train_agreement >= 0.99
    assert adjusted_rand_score(y[300:], est.predict(X[300:])) > 0.95


def test_self_tuning_predict_far_point_does_not_underflow(seed):
    # exp(-d^2 / (sigma_x sigma_j)) underflows to 0 for every training sample
    # when x is far away; the row must still give a finite, non-zero embedding.
    X, _ = make_blobs(n_samples=100, centers=[[0, 0], [10, 0]], random_state=seed)
    sc = SelfTuningSpectralClustering(n_clusters=2, random_state=seed).fit(X)
    far = np.array([[1e4, 0.0], [-1e4, 0.0], [0.0, 1e6]])
    embedding = sc._extend(far)
    assert np.all(np.isfinite(embedding))
    assert np.all(np.linalg.norm(embedding, axis=1) > 0)
    assert set(sc.predict(far)) <= {0, 1}


# ----------------------------------------------------- determinism and pickling


@pytest.mark.parametrize("make", ESTIMATORS, ids=IDS)
def test_random_state_and_pickle(make, seed):
    X, _ = make_blobs(n_samples=200, centers=3, random_state=seed)
    a = make(n_clusters=3, random_state=seed).fit(X)
    b = make(n_clusters=3, random_state=seed).fit(X)
    np.testing.assert_array_equal(a.labels_, b.labels_)
    np.testing.assert_array_equal(a.embedding_, b.embedding_)
    restored = pickle.loads(pickle.dumps(a))
    X_new = X[::7] + 0.1
    np.testing.assert_array_equal(restored.predict(X_new), a.predict(X_new))
    np.testing.assert_array_equal(restored.labels_, a.labels_)


@pytest.mark.parametrize("make", ESTIMATORS, ids=IDS)
def test_input_not_modified_and_float32(make, seed):
    X, _ = make_blobs(n_samples=120, centers=3, random_state=seed)
    X32 = X.astype(np.float32)
    before = X32.copy()
    est = make(n_clusters=3, random_state=seed).fit(X32)
    est.predict(X32)
    np.testing.assert_array_equal(X32, before)
    ref = make(n_clusters=3, random_state=seed).fit(X)
    assert adjusted_rand_score(est.labels_, ref.labels_) > 0.95


# --------------------------------------------------------------- bad input


@pytest.mark.parametrize("make", ESTIMATORS, ids=IDS)
def test_too_many_clusters(make):
    X = np.random.RandomState(0).rand(10, 2)
    with pytest.raises(ValueError, match="n_clusters=11 is larger than n_samples=10"):
        make(n_clusters=11).fit(X)


@pytest.mark.parametrize("make", ESTIMATORS, ids=IDS)
@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_nan_inf_refused(make, bad):
    X = np.random.RandomState(0).rand(30, 2)
    X[3, 1] = bad
    with pytest.raises(ValueError, match="NaN|infinity"):
        make(n_clusters=2).fit(X)
    est = make(n_clusters=2).fit(np.random.RandomState(0).rand(30, 2))
    with pytest.raises(ValueError, match="NaN|infinity"):
        est.predict(X)


@pytest.mark.parametrize("make", ESTIMATORS, ids=IDS)
def test_wrong_number_of_features_at_predict(make):
    est = make(n_clusters=2).fit(np.random.RandomState(0).rand(30, 3))
    with pytest.raises(ValueError, match="X has 2 features.*expecting 3 features"):
        est.predict(np.zeros((4, 2)))


@pytest.mark.parametrize("affinity", ["dense", "knn"])
def test_self_tuning_k_at_least_n(affinity):
    X = np.random.RandomState(0).rand(7, 2)
    with pytest.raises(ValueError, match="scale_neighbor=7 must be smaller than n_samples=7"):
        SelfTuningSpectralClustering(n_clusters=2, affinity=affinity).fit(X)
    # graph_neighbors >= n is clipped to the n - 1 other samples.
    est = SelfTuningSpectralClustering(
        n_clusters=2, scale_neighbor=3, affinity=affinity, graph_neighbors=50
    ).fit(X)
    assert est.labels_.shape == (7,)


@pytest.mark.parametrize("affinity", ["dense", "knn"])
def test_self_tuning_duplicates(affinity, seed):
    # One point repeated 12 times: its 7th neighbour is at distance 0, so its
    # local scale falls back to the smallest positive one instead of dividing
    # by zero; points with a few duplicates keep their scale.
    X, y = make_blobs(n_samples=90, centers=[[0, 0], [6, 0], [3, 6]], random_state=seed)
    X = np.vstack([X, np.repeat(X[:1], 12, axis=0), X[1:4]])
    y = np.concatenate([y, np.repeat(y[:1], 12), y[1:4]])
    est = SelfTuningSpectralClustering(
        n_clusters=3, affinity=affinity, graph_neighbors=20, random_state=seed
    ).fit(X)
    assert np.all(est.local_scale_ > 0)
    assert est.local_scale_[0] == pytest.approx(est.local_scale_.min())
    assert np.all(np.isfinite(est.embedding_))
    assert adjusted_rand_score(y, est.labels_) > 0.95


def test_self_tuning_all_identical_refused():
    with pytest.raises(ValueError, match="local scale is zero"):
        SelfTuningSpectralClustering(n_clusters=2).fit(np.ones((20, 3)))


def test_self_tuning_disconnected_knn_graph(seed):
    X, y = make_blobs(
        n_samples=90, centers=[[0, 0], [100, 0], [0, 100]], random_state=seed
    )
    est = SelfTuningSpectralClustering(
        n_clusters=3, affinity="knn", graph_neighbors=10, random_state=seed
    )
    # Three components and three clusters: each component is a cluster.
    assert adjusted_rand_score(y, est.fit_predict(X)) == pytest.approx(1.0)
    with pytest.raises(ValueError, match="has 3 connected components, more than"):
        est.set_params(n_clusters=2).fit(X)
    # The dense affinity is connected and merges two of the three.
    dense = SelfTuningSpectralClustering(n_clusters=2, random_state=seed).fit(X)
    assert len(np.unique(dense.labels_)) == 2


def test_self_tuning_memory_refused_names_landmarks(monkeypatch):
    monkeypatch.setenv("SPECCLUST_MAX_MEMORY", "1M")
    X = np.random.RandomState(0).rand(400, 2)
    with pytest.raises(MemoryError, match="LandmarkSpectralClustering"):
        SelfTuningSpectralClustering(n_clusters=2).fit(X)
    # The sparse graph is not planned as dense and still runs.
    SelfTuningSpectralClustering(n_clusters=2, affinity="knn").fit(X)


def test_landmark_neighbors_more_than_landmarks():
    X = np.random.RandomState(0).rand(40, 2)
    with pytest.raises(ValueError, match="n_neighbors=6 is larger than the number of"):
        LandmarkSpectralClustering(n_clusters=2, n_landmarks=5, n_neighbors=6).fit(X)
    with pytest.raises(ValueError, match="n_neighbors=5 is larger than the number of"):
        LandmarkSpectralClustering(n_clusters=2, n_neighbors=5).fit(X[:4])


def test_landmark_too_few_landmarks_for_clusters():
    X = np.random.RandomState(0).rand(40, 2)
    with pytest.raises(ValueError, match="n_clusters=5 needs 6 landmarks but there are only 5"):
        LandmarkSpectralClustering(n_clusters=5, n_landmarks=5, n_neighbors=2).fit(X)
    LandmarkSpectralClustering(
        n_clusters=5, n_landmarks=5, n_neighbors=2, normalize_embedding=False
    ).fit(X)


def test_landmark_more_landmarks_than_samples(seed):
    X, y = make_blobs(n_samples=60, centers=[[0, 0], [8, 0]], random_state=seed)
    lsc = LandmarkSpectralClustering(n_clusters=2, n_landmarks=1000).fit(X)
    np.testing.assert_array_equal(lsc.landmarks_, X)
    assert adjusted_rand_score(y, lsc.labels_) == pytest.approx(1.0)


def test_landmark_duplicates_and_far_points(seed):
    X, y = make_blobs(n_samples=40, centers=2, cluster_std=0.3, random_state=seed)
    X, y = np.repeat(X, 5, axis=0), np.repeat(y, 5)
    lsc = LandmarkSpectralClustering(n_clusters=2, n_landmarks=20, random_state=seed)
    lsc.fit(X)
    assert np.all(np.isfinite(lsc.embedding_))
    assert adjusted_rand_score(y, lsc.labels_) == pytest.approx(1.0)
    far = X[:1] + 1e5
    assert lsc.predict(far)[0] in (0, 1)


@pytest.mark.parametrize(
    "params, match",
    [
        (dict(affinity="full"), "affinity"),
        (dict(scale_neighbor=0), "scale_neighbor"),
        (dict(n_clusters=0), "n_clusters"),
    ],
)
def test_self_tuning_parameter_validation(params, match):
    with pytest.raises(ValueError, match=match):
        SelfTuningSpectralClustering(**params).fit(np.random.rand(20, 2))


@pytest.mark.parametrize(
    "params, match",
    [
        (dict(landmark_selection="greedy"), "landmark_selection"),
        (dict(bandwidth=0.0), "bandwidth"),
        (dict(n_landmarks=0), "n_landmarks"),
    ],
)
def test_landmark_parameter_validation(params, match):
    with pytest.raises(ValueError, match=match):
        LandmarkSpectralClustering(**params).fit(np.random.rand(20, 2))



def test_self_tuning_arpack_finds_repeated_eigenvalue(monkeypatch, seed):
    # Four far-apart blobs: the kNN graph has four components and eigenvalue 1
    # has multiplicity four; ARPACK (above 500 nodes) must find every copy.
    from sklearn_specclust.cluster import _self_tuning

    X, y = make_blobs(
        n_samples=800, centers=[[0, 0], [60, 0], [0, 60], [60, 60]], random_state=seed
    )
    params = dict(n_clusters=4, affinity="knn", random_state=seed)
    arpack = SelfTuningSpectralClustering(**params).fit(X)
    monkeypatch.setattr(_self_tuning, "_DENSE_EIGH_MAX", 10_000)
    lapack = SelfTuningSpectralClustering(**params).fit(X)
    np.testing.assert_allclose(arpack.eigenvalues_, lapack.eigenvalues_, rtol=1e-8)
    assert _subspace_distance(arpack.embedding_, lapack.embedding_) < 1e-6
    assert adjusted_rand_score(y, arpack.labels_) == pytest.approx(1.0)


def test_self_tuning_n_neighbors_renamed_scale_neighbor():
    X = np.random.RandomState(0).rand(30, 2)
    new = SelfTuningSpectralClustering(2, scale_neighbor=4, random_state=0).fit(X)
    with pytest.warns(FutureWarning, match="'n_neighbors' was renamed 'scale_neighbor'"):
        old = SelfTuningSpectralClustering(2, n_neighbors=4, random_state=0).fit(X)
    np.testing.assert_array_equal(old.labels_, new.labels_)
    np.testing.assert_array_equal(old.local_scale_, new.local_scale_)
