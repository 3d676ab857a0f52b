"""Neighbour search: the approximate indexes against exact search on small data."""

import pickle

import numpy as np
import pytest
from sklearn.datasets import make_blobs
from sklearn.neighbors import NearestNeighbors

from sklearn_specclust.spectral import SpectralAnalysisLayer, _layer
from sklearn_specclust.spectral._neighbors import (
    IVFIndex,
    NeighborIndex,
    _select,
    brute_candidates,
    exact_rerank,
)


@pytest.fixture(scope="module")
def clouds():
    # 2000 points near a 10-dimensional subspace of R^200, 20 clusters:
    # high-dimensional like image vectors, with a decaying spectrum
    X, _ = make_blobs(2000, n_features=10, centers=20, cluster_std=2.0, random_state=0)
    rng = np.random.RandomState(0)
    basis = np.linalg.qr(rng.standard_normal((200, 10)))[0]
    X = X @ basis.T + 0.3 * rng.standard_normal((2000, 200))
    return X.astype(np.float32)


def _recall(ind, ref):
    return np.mean([len(set(a) & set(b)) / len(b) for a, b in zip(ind, ref)])


def _exact(X, Y, k):
    return NearestNeighbors(n_neighbors=k).fit(X).kneighbors(Y)


@pytest.mark.parametrize("algorithm", ["pca", "ivf"])
def test_approximate_recall_and_exact_distances(clouds, algorithm):
    X, Y = clouds[:1500], clouds[1500:]
    index = NeighborIndex(X, algorithm=algorithm, random_state=0)
    for queries in (X, Y):
        d_ref, i_ref = _exact(X, queries, 10)
        dist, ind = index.query(queries, 10)
        assert _recall(ind, i_ref) >= 0.98
        # returned distances are the direct distances, ascending
        direct = np.linalg.norm(X[ind] - queries[:, None, :], axis=2)
        np.testing.assert_allclose(dist, direct, rtol=1e-5, atol=1e-5)
        assert np.all(np.diff(dist, axis=1) >= 0)
    # a fitted node is its own first neighbour, at distance exactly 0
    dist, ind = index.query(X, 3)
    np.testing.assert_array_equal(ind[:, 0], np.arange(len(X)))
    assert np.all(dist[:, 0] == 0)


def test_ivf_more_probes_more_recall(clouds):
    X = clouds
    _, i_ref = _exact(X, X, 10)
    d_ref = _exact(X, X, 10)[0]
    recalls = []
    for probes in (1, 4, 200):
        ivf = IVFIndex(X, cell_size=32, n_probes=probes, seed=0)
        cand = ivf.candidates(X, 10)
        dist, ind = exact_rerank(X, X, cand, 10)
        recalls.append(_recall(ind, i_ref))
    assert recalls[0] < recalls[1] < recalls[2]
    # every cell probed: exact up to float32 near-ties at the k-th place
    assert recalls[2] > 0.999
    np.testing.assert_allclose(dist, d_ref, rtol=1e-4, atol=1e-5)


def test_ivf_queries_with_many_survivors_sorted_apart(clouds, monkeypatch):
    from sklearn_specclust.spectral import _neighbors

    X = clouds[:600]
    ivf = IVFIndex(X, cell_size=32, n_probes=6, seed=0)
    rows = ivf.candidates(X, 10)
    monkeypatch.setattr(_neighbors, "IVF_ROW_WIDTH", 1)  # every query "wide"
    apart = ivf.candidates(X, 10)
    np.testing.assert_array_equal(np.sort(rows, axis=1), np.sort(apart, axis=1))


@pytest.mark.parametrize("width", [2, 4])
def test_ivf_wide_queries_get_their_own_bound(clouds, monkeypatch, width):
    # with a small row width most queries are "wide": the bound taken from
    # their first survivors must keep exactly the candidates the rows keep
    from sklearn_specclust.spectral import _neighbors

    X = clouds[:600]
    ivf = IVFIndex(X, cell_size=32, n_probes=6, seed=0)
    monkeypatch.setattr(_neighbors, "IVF_ROW_WIDTH", 10**6)  # no query "wide"
    rows = ivf.candidates(X, 10)
    monkeypatch.setattr(_neighbors, "IVF_ROW_WIDTH", width)
    tightened = ivf.candidates(X, 10)
    np.testing.assert_array_equal(np.sort(rows, axis=1), np.sort(tightened, axis=1))


def test_select_ties_go_to_the_smaller_reference():
    rng = np.random.RandomState(0)
    S = rng.rand(300, 57).astype(np.float32)
    # the rows past 200 tie at their 5th smallest score (8 columns at -1)
    S[200:, :8] = np.float32(-1.0)
    got = _select(S, 5)
    assert got.shape == (300, 5)
    np.testing.assert_array_equal(np.sort(got[:200], axis=1),
                                  np.sort(np.argsort(S[:200], axis=1)[:, :5], axis=1))
    np.testing.assert_array_equal(got[200:], np.tile(np.arange(5), (100, 1)))
    # ties decided by ref instead: the columns of the 5 smallest refs among the 8
    ref = np.tile(np.arange(57)[::-1], (300, 1))
    got = _select(S, 5, ref)
    np.testing.assert_array_equal(got[200:], np.tile([7, 6, 5, 4, 3], (100, 1)))
    # the chosen columns do not depend on the order of the row
    perm = rng.permutation(57)
    again = _select(S[:, perm], 5, ref[:, perm])
    np.testing.assert_array_equal(np.sort(perm[again], axis=1), np.sort(got, axis=1))
    np.testing.assert_array_equal(_select(S, 57), np.tile(np.arange(57), (300, 1)))


def test_exact_rerank_ties_go_to_the_smaller_index():
    X = np.array([[0.0, 1.0], [1.0, 0.0], [0.0, -1.0], [-1.0, 0.0], [3.0, 3.0]],
                 dtype=np.float32)
    Y = np.zeros((1, 2), dtype=np.float32)
    for cand in ([[4, 3, 2, 1, 0]], [[0, 1, 2, 3, 4]], [[2, 4, 0, 3, 1]]):
        dist, ind = exact_rerank(Y, X, np.array(cand), 3)
        np.testing.assert_array_equal(ind, [[0, 1, 2]])
        np.testing.assert_allclose(dist, [[1.0, 1.0, 1.0]])


def test_ivf_index_pickles_without_its_cache(clouds):
    ivf = IVFIndex(clouds[:600], cell_size=32, n_probes=6, seed=0)
    before = ivf.candidates(clouds[600:700], 10)
    assert ivf._sep_rows  # filled by the pruning
    loaded = pickle.loads(pickle.dumps(ivf))
    assert loaded._sep_rows == {}
    np.testing.assert_array_equal(loaded.candidates(clouds[600:700], 10), before)


def test_ivf_tiny_and_k_above_cell_sizes():
    rng = np.random.RandomState(0)
    X = rng.rand(40, 3).astype(np.float32)
    index = NeighborIndex(X, algorithm="ivf", random_state=0)
    dist, ind = index.query(X, 40)
    d_ref, i_ref = _exact(X, X, 40)
    np.testing.assert_array_equal(np.sort(ind, axis=1), np.sort(i_ref, axis=1))
    np.testing.assert_allclose(dist, d_ref, atol=1e-5)


def test_brute_candidates_is_exact(clouds):
    X = clouds[:500]
    cand = brute_candidates(X, X, np.einsum("ij,ij->i", X, X), 7)
    _, ind = exact_rerank(X, X, cand, 7)
    _, i_ref = _exact(X, X, 7)
    assert _recall(ind, i_ref) == 1.0


def test_index_deterministic_and_pickles(clouds):
    X = clouds[:800]
    a = NeighborIndex(X, algorithm="ivf", random_state=3)
    b = NeighborIndex(X, algorithm="ivf", random_state=3)
    np.testing.assert_array_equal(a.query(X, 5)[1], b.query(X, 5)[1])
    c = pickle.loads(pickle.dumps(a))
    np.testing.assert_array_equal(a.query(X[:50], 5)[1], c.query(X[:50], 5)[1])


@pytest.mark.parametrize("algorithm", ["pca", "ivf"])
def test_layer_approximate_transform_agrees_with_fit_transform(clouds, algorithm):
    X = clouds[:600]
    layer = SpectralAnalysisLayer(n_neighbors=10, eps_scales=(2.0,), gaussian_scales=(),
                                  n_components=4, neighbors_algorithm=algorithm,
                                  random_state=0)
    a = layer.fit_transform(X)
    np.testing.assert_allclose(layer.transform(X), a, atol=1e-5)
    assert {p["neighbors"] for p in layer.procedures_} == {algorithm}
    exact = SpectralAnalysisLayer(n_neighbors=10, eps_scales=(2.0,), gaussian_scales=(),
                                  n_components=4, neighbors_algorithm="brute",
                                  random_state=0).fit_transform(X)
    # same graphs up to a few missed neighbours: the kNN blocks agree
    for blk in (0, 4):
        P = a[:, blk : blk + 4]
        Q = exact[:, blk : blk + 4]
        Pq = np.linalg.qr(P)[0]
        Qq = np.linalg.qr(Q)[0]
        assert np.linalg.norm(Pq @ Pq.T - Qq @ Qq.T, 2) < 0.1


def test_auto_picks_ivf_above_threshold(clouds, monkeypatch):
    layer = SpectralAnalysisLayer(n_neighbors=5, eps_scales=(), gaussian_scales=(), n_components=2,
                                  random_state=0)
    assert layer.fit(clouds[:300]).procedures_[0]["neighbors"] == "brute"
    monkeypatch.setattr(_layer, "AUTO_BRUTE_MAX", 200)
    assert layer.fit(clouds[:300]).procedures_[0]["neighbors"] == "ivf"


def test_lanczos_float32_matches_float64(monkeypatch):
    from scipy.sparse.csgraph import connected_components

    from sklearn_specclust.spectral import _solvers
    from sklearn_specclust.spectral._graphs import knn_graph
    from sklearn_specclust.spectral._laplacian import normalized_affinity

    X = np.random.RandomState(0).rand(800, 4)
    _, ind = _exact(X, X, 15)
    W = knn_graph(ind, 15)
    assert connected_components(W)[0] == 1
    A, _ = normalized_affinity(W)
    mu64, U64 = _solvers.solve_lanczos(A, 6, 0)
    monkeypatch.setattr(_solvers, "LANCZOS_FLOAT32_MIN", 100)
    mu32, U32 = _solvers.solve_lanczos(A, 6, 0)
    assert U32.dtype == np.float64
    np.testing.assert_allclose(mu32, mu64, atol=1e-5)
    residual = np.linalg.norm(A @ U32 - U32 * mu32, axis=0)
    assert residual.max() < 1e-4


def test_transform_in_threads_matches_sequential(clouds):
    X = clouds
    params = dict(n_neighbors=10, eps_scales=(), gaussian_scales=("self-tuning",), n_components=3,
                  neighbors_algorithm="ivf", dense_solver="nystrom", n_landmarks=100,
                  random_state=0)
    layer = SpectralAnalysisLayer(**params).fit(X)
    seq = layer.transform(X)
    # n_jobs is read by transform: two threads on two blocks of 1000 nodes
    par = layer.set_params(n_jobs=2).transform(X)
    np.testing.assert_allclose(par, seq, atol=1e-5)


def test_ivf_cell_count_capped(clouds, monkeypatch):
    from sklearn_specclust.spectral import _neighbors

    monkeypatch.setattr(_neighbors, "IVF_MAX_CELLS", 4)
    X = clouds[:600]
    ivf = IVFIndex(X, cell_size=16, n_probes=24, seed=0)
    assert len(ivf.centers) == 4 and ivf.n_probes == 4
    dist, _ = exact_rerank(X, X, ivf.candidates(X, 5), 5)
    np.testing.assert_allclose(dist, _exact(X, X, 5)[0], rtol=1e-4, atol=1e-5)


def test_ivf_pruning_finds_the_same_candidates(clouds):
    # a probed cell is skipped only when the Voronoi half-space bound says
    # none of its members can be within the query's bound: same candidates
    X, Y = clouds[:1500], clouds[1500:]
    Q = np.concatenate([Y, X[:300] + 0.1])
    for probes in (4, 12, 40):
        full = IVFIndex(X, cell_size=32, n_probes=probes, seed=0, prune=None)
        pruned = IVFIndex(X, cell_size=32, n_probes=probes, seed=0, prune=1.0)
        for k in (1, 10):
            np.testing.assert_array_equal(
                np.sort(full.candidates(Q, k), axis=1), np.sort(pruned.candidates(Q, k), axis=1)
            )


def test_ivf_pruning_below_one_skips_cells_and_keeps_recall(clouds, monkeypatch):
    from sklearn_specclust.spectral import _neighbors

    X, Y = clouds[:1500], clouds[1500:]
    _, i_ref = _exact(X, Y, 10)
    scanned = {}
    real = IVFIndex._by_cell

    def spy(cells, n_cells):
        scanned[n_cells] = scanned.get(n_cells, 0) + int(np.sum(cells < n_cells))
        return real(cells, n_cells)

    monkeypatch.setattr(_neighbors.IVFIndex, "_by_cell", staticmethod(spy))
    counts, recalls = [], []
    for prune in (None, 1.0, 0.6):
        scanned.clear()
        ivf = IVFIndex(X, cell_size=32, n_probes=12, seed=0, prune=prune)
        scanned.clear()
        _, ind = exact_rerank(Y, X, ivf.candidates(Y, 10), 10)
        counts.append(sum(scanned.values()))
        recalls.append(_recall(ind, i_ref))
    assert counts[0] > counts[1] > counts[2]
    assert recalls[0] == recalls[1]
    assert recalls[2] >= recalls[0] - 0.02


def test_ivf_neighbours_do_not_depend_on_the_search_path(monkeypatch):
    # small integers: many exactly tied distances, all computed exactly.
    # With every cell probed the neighbours are the k nearest, a tie going
    # to the smaller index, however the cells are pruned and the survivors
    # selected
    from sklearn_specclust.spectral import _neighbors

    rng = np.random.RandomState(0)
    X = rng.randint(0, 3, size=(1500, 6)).astype(np.float32)
    Y = rng.randint(0, 3, size=(400, 6)).astype(np.float32)
    d2 = ((Y[:, None, :] - X[None, :, :]) ** 2).sum(-1)
    ref = np.lexsort((np.broadcast_to(np.arange(len(X)), d2.shape), d2))[:, :10]
    results = []
    for prune, width in [(1.0, 8), (None, 8), (1.0, 10**6), (1.0, 1)]:
        monkeypatch.setattr(_neighbors, "IVF_ROW_WIDTH", width)
        ivf = IVFIndex(X, cell_size=32, n_probes=10**6, seed=0, prune=prune)
        dist, ind = exact_rerank(Y, X, ivf.candidates(Y, 10), 10)
        results.append(ind)
        np.testing.assert_array_equal(ind, ref)
    index = NeighborIndex(X, algorithm="ivf", random_state=1)
    for n_jobs in (1, 2):
        index.n_jobs = n_jobs
        results.append(index.query(Y, 10)[1])
    np.testing.assert_array_equal(results[-1], results[-2])
