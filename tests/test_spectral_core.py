"""The spectral core of the clusterers against dense references on small graphs.

``spectral_embedding``, ``landmark_embedding``, the Nystrom extension, the
self-tuning graphs and local scales and ``connect_components`` are checked
against ``scipy.linalg.eigh`` / ``svd`` of matrices written out densely.
Eigenvectors are compared through their projectors (never their signs).
"""

import numpy as np
import pytest
from scipy import linalg, sparse
from scipy.sparse.csgraph import connected_components
from sklearn.datasets import make_blobs
from sklearn.metrics import pairwise_distances

from sklearn_specclust.spectral import (
    landmark_embedding,
    nystrom_extension,
    nystrom_vectors,
    row_normalize,
    self_tuning_scales,
    spectral_embedding,
)
from sklearn_specclust.spectral._graphs import (
    _component_representatives,
    connect_components,
    landmark_graph,
    self_tuning_affinity,
    self_tuning_knn_graph,
)


def _projector(U):
    Q, _ = linalg.qr(U, mode="economic")
    return Q @ Q.T


@pytest.fixture
def blobs(seed):
    X, _ = make_blobs(120, centers=3, cluster_std=1.5, random_state=seed)
    return X


def _dense_self_tuning(X, k):
    """Zelnik-Manor & Perona's affinity, written out from the definition."""
    D = pairwise_distances(X)
    sigma = np.sort(D, axis=1)[:, k]  # column 0 is the sample itself
    W = np.exp(-(D**2) / np.outer(sigma, sigma))
    np.fill_diagonal(W, 0.0)
    return W, sigma


def test_self_tuning_affinity_matches_definition(blobs):
    W, sigma = self_tuning_affinity(blobs, 7, advice="")
    W_ref, sigma_ref = _dense_self_tuning(blobs, 7)
    np.testing.assert_allclose(sigma, sigma_ref, rtol=1e-10)
    np.testing.assert_allclose(W, W_ref, rtol=1e-8, atol=1e-14)


def test_self_tuning_knn_graph_is_symmetric_max(blobs):
    D = pairwise_distances(blobs)
    np.fill_diagonal(D, np.inf)
    ind = np.argsort(D, axis=1)[:, :10]
    dist = np.take_along_axis(D, ind, 1)
    sigma = self_tuning_scales(dist, 7)
    W = self_tuning_knn_graph(dist, ind, sigma).toarray()
    ref = np.zeros_like(D)
    for i in range(len(D)):
        for j in ind[i]:
            ref[i, j] = np.exp(-D[i, j] ** 2 / (sigma[i] * sigma[j]))
    np.testing.assert_allclose(W, np.maximum(ref, ref.T), rtol=1e-12)


def test_self_tuning_scales_zero_and_all_zero():
    dist = np.array([[0.0, 0.0, 2.0], [0.0, 1.0, 3.0], [0.0, 0.0, 0.0]])
    np.testing.assert_array_equal(self_tuning_scales(dist, 2), [1.0, 1.0, 1.0])
    np.testing.assert_array_equal(self_tuning_scales(dist, 3), [2.0, 3.0, 2.0])
    np.testing.assert_array_equal(self_tuning_scales(dist, 2, floor=0.5), [0.5, 1.0, 0.5])
    with pytest.raises(ValueError, match="every local scale is zero"):
        self_tuning_scales(np.zeros((4, 2)), 2)
    np.testing.assert_array_equal(self_tuning_scales(np.zeros((4, 2)), 2, all_zero=1.0),
                                  np.ones(4))


@pytest.mark.parametrize("solver", ["exact", "lanczos", "auto"])
@pytest.mark.parametrize("sparse_input", [False, True])
def test_spectral_embedding_matches_eigh(blobs, solver, sparse_input):
    W, _ = _dense_self_tuning(blobs, 7)
    d = W.sum(axis=1)
    A = W / np.sqrt(np.outer(d, d))
    ref_mu, ref_U = linalg.eigh(A)
    ref_mu, ref_U = ref_mu[::-1][:4], ref_U[:, ::-1][:, :4]
    inp = sparse.csr_matrix(W) if sparse_input else W.copy()
    mu, U = spectral_embedding(inp, 4, solver=solver, random_state=0)
    np.testing.assert_allclose(mu, ref_mu, atol=1e-10)
    np.testing.assert_allclose(_projector(U), _projector(ref_U), atol=1e-8)
    # signs fixed: the largest-magnitude entry of each column is positive
    assert np.all(U[np.argmax(np.abs(U), axis=0), np.arange(4)] > 0)


def test_spectral_embedding_random_walk_matches_generalised_eigh(blobs):
    W, _ = _dense_self_tuning(blobs, 7)
    D = np.diag(W.sum(axis=1))
    ref_mu, ref_psi = linalg.eigh(W, D)  # W psi = mu D psi
    mu, psi = spectral_embedding(W, 3, laplacian="rw")
    np.testing.assert_allclose(mu, ref_mu[::-1][:3], atol=1e-10)
    np.testing.assert_allclose(_projector(psi), _projector(ref_psi[:, ::-1][:, :3]),
                               atol=1e-8)


def test_spectral_embedding_refuses_isolated_nodes_and_bad_arguments():
    W = np.ones((4, 4))
    W[3] = W[:, 3] = 0.0
    with pytest.raises(ValueError, match=r"Samples \[3\] have zero affinity"):
        spectral_embedding(W, 2)
    with pytest.raises(ValueError, match="laplacian must be"):
        spectral_embedding(np.ones((3, 3)), 2, laplacian="unnormalised")
    with pytest.raises(ValueError, match="n_components=5 must be between"):
        spectral_embedding(np.ones((3, 3)), 5)


@pytest.mark.parametrize("laplacian", ["sym", "rw"])
def test_nystrom_extension_reproduces_fitted_rows(blobs, laplacian):
    """A fitted sample whose affinity row is its row of W gets its own entries."""
    W, _ = _dense_self_tuning(blobs, 7)
    d = W.sum(axis=1)
    mu, U = spectral_embedding(W, 3, laplacian=laplacian)
    V = nystrom_vectors(U, d, mu, laplacian=laplacian)
    np.testing.assert_allclose(nystrom_extension(W, V, laplacian=laplacian), U,
                               atol=1e-10)
    # the same rows given as neighbour lists (every sample listed)
    ind = np.tile(np.arange(len(W)), (len(W), 1))
    np.testing.assert_allclose(nystrom_extension(W, V, ind, laplacian=laplacian), U,
                               atol=1e-10)


def test_landmark_embedding_matches_svd(blobs):
    landmarks = blobs[::6]
    D = pairwise_distances(blobs, landmarks)
    ind = np.argsort(D, axis=1)[:, :4]
    dist = np.take_along_axis(D, ind, 1)
    Z = landmark_graph(dist, ind, 1.0, len(landmarks))
    np.testing.assert_allclose(np.asarray(Z.sum(axis=1)).ravel(), 1.0)
    Zd = Z.toarray()
    Z_hat = Zd / np.sqrt(Zd.sum(axis=0))
    left, s, _ = linalg.svd(Z_hat, full_matrices=False)
    # without deflation: the leading singular vectors, the first is constant
    singular, projection, _ = landmark_embedding(Z, 3, deflate=False)
    np.testing.assert_allclose(singular, s[:3], atol=1e-10)
    np.testing.assert_allclose(s[0], 1.0, atol=1e-10)
    np.testing.assert_allclose(_projector(Zd @ projection), _projector(left[:, :3]),
                               atol=1e-8)
    # deflated: the next three
    singular, projection, _ = landmark_embedding(Z, 3, deflate=True)
    np.testing.assert_allclose(singular, s[1:4], atol=1e-10)
    np.testing.assert_allclose(_projector(Zd @ projection), _projector(left[:, 1:4]),
                               atol=1e-8)


def test_connect_components_one_treatment():
    X = np.array([[0.0], [0.1], [5.0], [5.1], [9.0]])
    W = sparse.csr_matrix(([1.0, 1.0, 1.0, 1.0], ([0, 1, 2, 3], [1, 0, 3, 2])), shape=(5, 5))
    # within the allowed number of components: untouched, no message
    same, n_found, message = connect_components(W, X, what="t", max_components=3)
    assert n_found == 3 and message is None and (same != W).nnz == 0
    # beyond it: joined by n_found - 1 edges of the given weight, with a message
    joined, n_found, message = connect_components(W, X, what="t", weight=0.25)
    assert n_found == 3 and "3 connected components; joined by 2" in message
    assert connected_components(joined, directed=False)[0] == 1
    assert (joined - joined.T).nnz == 0
    np.testing.assert_array_equal(np.unique((joined - W).data), [0.25])
    with pytest.raises(ValueError, match="more than the 2 eigenvectors"):
        connect_components(W, X, what="t", max_components=2, on_disconnected="raise")


def test_row_normalize_keeps_zero_rows():
    out = row_normalize(np.array([[3.0, 4.0], [0.0, 0.0]]))
    np.testing.assert_allclose(out, [[0.6, 0.8], [0.0, 0.0]])


def test_component_representatives_are_the_nodes_nearest_each_mean():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((600, 7))
    labels = rng.integers(0, 9, 600)
    # component 3: identical rows, all tied; the smallest index represents it
    X[labels == 3] = X[np.flatnonzero(labels == 3)[0]]
    reps = _component_representatives(X, labels, 9)
    for c in range(9):
        members = np.flatnonzero(labels == c)
        mean = X[members].mean(axis=0)
        d = ((X[members] - mean) ** 2).sum(axis=1)
        assert reps[c] == members[np.flatnonzero(d == d.min())[0]]
