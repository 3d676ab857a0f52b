import pickle
import warnings

import numpy as np
import pytest
from sklearn.datasets import make_blobs

from sklearn_specclust.spectral import SpectralAnalysisLayer, spectral_analysis

SMALL = dict(n_neighbors=(5, 9), eps_scales=(1.0,), gaussian_scales=(0.1, "self-tuning"),
             n_components=3)


def _blobs(n=90, seed=0, std=3.0):
    X, y = make_blobs(n_samples=n, centers=3, n_features=5, cluster_std=std,
                      random_state=seed)
    return X, y


def test_shapes_2d_3d_4d(rng):
    layer = SpectralAnalysisLayer(**SMALL, laplacians=("sym", "rw"), random_state=0)
    X4 = rng.rand(12, 3, 4, 2)
    out = layer.fit_transform(X4)
    assert out.shape == (12, 3, 4, layer.n_components_out_)
    assert layer.n_components_out_ == 5 * 2 * 3
    assert out.dtype == np.float32
    assert layer.n_nodes_seen_ == 12 * 12
    X3 = rng.rand(10, 5, 5)
    assert layer.fit_transform(X3).shape == (10, 5, 5, 30)
    X2 = rng.rand(40, 6)
    assert layer.fit_transform(X2).shape == (40, 30)


def test_procedure_descriptions_and_eigenvalues():
    X, _ = _blobs()
    layer = SpectralAnalysisLayer(**SMALL, laplacians=("sym", "rw"), random_state=0).fit(X)
    fams = [(p["family"], p["parameter"], p["laplacian"]) for p in layer.procedures_]
    assert fams == [
        ("knn", 5, "sym"), ("knn", 5, "rw"), ("knn", 9, "sym"), ("knn", 9, "rw"),
        ("eps", 1.0, "sym"), ("eps", 1.0, "rw"),
        ("gaussian", 0.1, "sym"), ("gaussian", 0.1, "rw"),
        ("gaussian", "self-tuning", "sym"), ("gaussian", "self-tuning", "rw"),
    ]
    for p, lam in zip(layer.procedures_, layer.eigenvalues_):
        assert p["n_components"] == 3 and len(lam) == 3
        assert np.all(np.diff(lam) >= -1e-10)  # ascending
        assert lam[0] == pytest.approx(0, abs=1e-8)  # connected graph
        for key in ("solver", "n_nodes", "sampled", "approximation",
                    "n_connected_components"):
            assert key in p
    assert layer.feature_eigenvalues_.shape == (layer.n_components_out_,)


def test_fit_transform_equals_fit_then_transform_and_pickle():
    X, _ = _blobs()
    layer = SpectralAnalysisLayer(**SMALL, random_state=0)
    a = layer.fit_transform(X)
    b = layer.transform(X)
    np.testing.assert_allclose(a, b, atol=1e-6)
    c = pickle.loads(pickle.dumps(layer)).transform(X)
    np.testing.assert_array_equal(b, c)
    d = SpectralAnalysisLayer(**SMALL, random_state=0).fit_transform(X)
    np.testing.assert_array_equal(a, d)


def test_training_nodes_get_their_eigenvectors_for_complete_dense_graph():
    # for a dense graph the extension row of a fitted node is its graph row,
    # so transform returns the fitted eigenvectors exactly (scaled by sqrt(n)).
    X, _ = _blobs(60)
    layer = SpectralAnalysisLayer(n_neighbors=(), eps_scales=(), gaussian_scales=(0.5,),
                                  n_components=4, dense_solver="exact",
                                  random_state=0).fit(X)
    U = layer._procs[0].U * np.sqrt(len(X))
    np.testing.assert_allclose(layer.transform(X), U, atol=1e-4)


def test_blobs_are_separated_and_held_out_points_land_with_neighbours():
    X, y = _blobs(300, std=2.0)
    Xtr, ytr, Xte, yte = X[:200], y[:200], X[200:], y[200:]
    for params in (
        dict(n_neighbors=10, eps_scales=(), gaussian_scales=()),
        dict(n_neighbors=(), eps_scales=(1.0,), gaussian_scales=()),
        dict(n_neighbors=(), eps_scales=(), gaussian_scales=("self-tuning",)),
    ):
        layer = SpectralAnalysisLayer(**params, n_components=3, random_state=0)
        Etr = layer.fit_transform(Xtr)
        Ete = layer.transform(Xte)
        # held-out point's embedding is closest to its nearest training point's class
        from sklearn.neighbors import KNeighborsClassifier

        knn = KNeighborsClassifier(1).fit(Etr, ytr)
        assert knn.score(Ete, yte) > 0.95, params
        # the embedding separates the blobs
        centroids = np.array([Etr[ytr == c].mean(0) for c in range(3)])
        assert np.min(np.linalg.norm(centroids[:, None] - centroids[None], axis=-1)
                      + 10 * np.eye(3)) > 0.5


def test_spectral_analysis_function():
    X, _ = _blobs()
    a = spectral_analysis(X, **SMALL, random_state=0)
    b = SpectralAnalysisLayer(**SMALL, random_state=0).fit_transform(X)
    np.testing.assert_array_equal(a, b)


def test_node_sampling_and_duplicates(rng):
    X = rng.rand(40, 6, 6, 2).astype(np.float32)
    X[:, :2] = 0  # blank rows: many identical nodes
    layer = SpectralAnalysisLayer(n_neighbors=7, eps_scales=(), gaussian_scales=(),
                                  n_components=3, max_nodes=500, random_state=0)
    out = layer.fit_transform(X)
    assert layer.n_nodes_seen_ == 40 * 36
    assert layer.n_nodes_fit_ < 500  # sampled, then duplicates merged
    assert all(p["sampled"] for p in layer.procedures_)
    # identical nodes get identical embeddings
    assert np.ptp(out[:, :2].reshape(-1, 3), axis=0).max() < 1e-6


# ---------------------------------------------------------------- bad input
def test_nan_inf_refused():
    X, _ = _blobs()
    X[3, 2] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        SpectralAnalysisLayer(**SMALL).fit(X)
    X[3, 2] = np.inf
    with pytest.raises(ValueError, match="infinity"):
        SpectralAnalysisLayer(**SMALL).fit(X)


def test_transform_other_map_shape_refused(rng):
    layer = SpectralAnalysisLayer(**SMALL, random_state=0).fit(rng.rand(10, 4, 4, 2))
    with pytest.raises(ValueError, match="fitted on maps of shape|features"):
        layer.transform(rng.rand(3, 5, 5, 2))
    with pytest.raises(ValueError, match="fitted on maps of shape"):
        layer.transform(rng.rand(3, 4, 4, 3))


def test_more_components_than_nodes_gives_zero_columns_with_a_warning():
    X, _ = _blobs(20)
    layer = SpectralAnalysisLayer(n_neighbors=5, eps_scales=(1.0,),
                                  gaussian_scales=("self-tuning",),
                                  n_components=30, random_state=0)
    with pytest.warns(UserWarning, match="n_components=30 is more than the 20"):
        Z = layer.fit_transform(X)
    assert Z.shape == (20, 90) and layer.n_components_out_ == 90
    for b, proc in enumerate(layer.procedures_):
        block = Z[:, 30 * b : 30 * (b + 1)]
        assert proc["n_components"] == 30 and proc["n_eigenvectors"] == 20
        assert np.all(block[:, 20:] == 0) and np.all(np.abs(block[:, :20]).max(axis=0) > 0)
        assert np.all(np.isnan(layer.eigenvalues_[b][20:]))
        assert np.all(np.isfinite(layer.eigenvalues_[b][:20]))
    np.testing.assert_allclose(layer.transform(X), Z, atol=1e-4)


def test_one_sample_and_identical_rows_refused():
    with pytest.raises(ValueError, match="1 sample"):
        SpectralAnalysisLayer(**SMALL).fit(np.ones((1, 4)))
    with pytest.raises(ValueError, match="at least 2 distinct nodes"):
        SpectralAnalysisLayer(**SMALL).fit(np.ones((10, 4)))


def test_no_procedure_refused():
    with pytest.raises(ValueError, match="all empty"):
        SpectralAnalysisLayer(n_neighbors=(), eps_scales=(), gaussian_scales=()).fit(np.eye(5))


@pytest.mark.parametrize(
    "params, match",
    [
        (dict(n_neighbors=(5, 0)), "integers >= 1"),
        (dict(eps_scales=(1.0, -2.0)), "finite numbers > 0"),
        (dict(gaussian_scales=("selftuning",)), "allowed strings"),
        (dict(laplacians=("sym", "lap")), "'sym' or 'rw'"),
    ],
)
def test_bad_tuple_values(params, match):
    X, _ = _blobs(30)
    with pytest.raises(ValueError, match=match):
        SpectralAnalysisLayer(**{**SMALL, **params}).fit(X)


def test_k_larger_than_nodes_is_clipped_with_warning():
    X, _ = _blobs(15)
    layer = SpectralAnalysisLayer(n_neighbors=40, eps_scales=(), gaussian_scales=(),
                                  n_components=2, random_state=0)
    with pytest.warns(UserWarning, match="n_neighbors=40 is more than the 15"):
        out = layer.fit_transform(X)
    assert layer.procedures_[0]["k"] == 15
    assert np.all(np.isfinite(out))


def test_disconnected_graph_warns_and_connects_or_raises():
    X, _ = make_blobs(60, centers=[[0, 0], [100, 100]], cluster_std=0.5, random_state=0)
    layer = SpectralAnalysisLayer(n_neighbors=5, eps_scales=(), gaussian_scales=(),
                                  n_components=3, random_state=0)
    with pytest.warns(UserWarning, match="2 connected components"):
        layer.fit(X)
    p = layer.procedures_[0]
    assert p["n_connected_components"] == 2 and p["bridged"]
    # joined graph: exactly one zero eigenvalue
    assert np.sum(layer.eigenvalues_[0] < 1e-10) == 1
    with pytest.raises(ValueError, match="2 connected components"):
        layer.set_params(on_disconnected="raise").fit(X)


def test_n_components_one_and_drop_first():
    X, _ = _blobs()
    out = SpectralAnalysisLayer(**{**SMALL, "n_components": 1}, random_state=0).fit_transform(X)
    assert out.shape == (90, 5)
    layer = SpectralAnalysisLayer(**SMALL, laplacians="rw", drop_first=True, random_state=0)
    out = layer.fit_transform(X)
    assert out.shape == (90, 15)
    assert all(lam[0] > 1e-6 for lam in layer.eigenvalues_)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        full = SpectralAnalysisLayer(**SMALL, laplacians="rw", random_state=0).fit_transform(X)
    # rw first coordinate of a connected kNN graph extension is constant
    assert np.ptp(full[:, 0]) < 1e-5


def test_every_procedure_returns_n_components_columns():
    # Tight Gaussians on binary rows: the graph is nearly disconnected and the
    # top eigenvalue 1 highly multiple, where LAPACK's index-range driver
    # returned fewer eigenpairs than asked (silently narrower output).
    rng = np.random.RandomState(0)
    X = (rng.rand(300, 64) > 0.8).astype(np.float32)
    for sigma in (0.01, 0.001):
        layer = SpectralAnalysisLayer(
            n_neighbors=(), eps_scales=(), gaussian_scales=(sigma,), n_components=10, random_state=0
        )
        Z = layer.fit_transform(X)
        assert Z.shape == (300, 10)
        assert layer.n_components_out_ == 10 == layer.procedures_[0]["n_components"]
        assert np.all(np.isfinite(Z))


def test_solver_returning_too_few_eigenpairs_refuses():
    from sklearn_specclust.spectral._solvers import _finish

    with pytest.raises(ValueError, match="returned 3 of the 10 eigenvectors"):
        _finish(np.ones(3), np.eye(20, 3), 10)


def test_memory_of_a_tiny_fit_is_bounded_by_the_data():
    # The median squared distance drew 20,000 pairs of rows at once: 1 GB for
    # 50 rows of 4096 features.
    import tracemalloc

    X = np.random.RandomState(0).rand(50, 4096).astype(np.float32)
    layer = SpectralAnalysisLayer(gaussian_scales=(0.1,), n_components=2, random_state=0)
    tracemalloc.start()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            layer.fit_transform(X)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 32 * 2**20, f"peak {peak / 2**20:.0f} MiB"


def test_pickle_stores_each_array_once():
    # IVF index (over 5000 nodes) and two Nystrom procedures sharing landmarks:
    # the nodes, the index's cells and the landmarks were each saved again.
    X = np.random.RandomState(0).rand(6000, 40).astype(np.float32)
    layer = SpectralAnalysisLayer(
        n_neighbors=(5,), eps_scales=(), gaussian_scales=(0.1, 1.0), n_components=4,
        dense_solver="nystrom", n_landmarks=500, random_state=0,
    ).fit(X)
    assert layer.procedures_[0]["neighbors"] == "ivf"
    blob = pickle.dumps(layer)
    eigen = sum(p.U.nbytes + p.degrees.nbytes for p in layer._procs)
    landmarks = 500 * 40 * 4
    ivf = layer._index._index
    index_extra = ivf.order.nbytes + ivf.halo.nbytes + ivf.centers.nbytes
    # the nodes once (not again as the index's cells), the landmarks once
    assert len(blob) < X.nbytes + landmarks + eigen + index_extra + 2**16
    loaded = pickle.loads(blob)
    np.testing.assert_array_equal(loaded.transform(X[:300]), layer.transform(X[:300]))


def test_disconnection_warns_once_at_the_callers_line_only_when_actionable():
    X, _ = make_blobs(60, centers=[[0, 0], [100, 100]], cluster_std=0.5, random_state=0)
    # kNN (k=5) and kNN (k=7) both fall apart: one warning for the fit, at this file
    layer = SpectralAnalysisLayer(n_neighbors=(5, 7), eps_scales=(), gaussian_scales=(),
                                  n_components=3, random_state=0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        layer.fit(X)
    assert len(caught) == 1
    assert caught[0].filename == __file__
    assert "k=5" in str(caught[0].message) and "k=7" in str(caught[0].message)
    # eps = 0.5 x the longest MST edge cuts that edge on any data: reported in
    # procedures_, not warned about
    X, _ = _blobs()
    layer = SpectralAnalysisLayer(n_neighbors=(), eps_scales=(0.5,), gaussian_scales=(),
                                  n_components=3, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        layer.fit(X)
    assert layer.procedures_[0]["bridged"]


def test_results_do_not_depend_on_the_scale_of_the_data():
    # Every procedure is scale-invariant; the nodes are divided by a power of
    # two, exactly. x 1e19 (finite in float32) raised an IndexError in the
    # neighbour search, x 1e-40 (subnormal in float32) took gigabytes.
    import tracemalloc

    X = np.abs(_blobs(60)[0]) + 1.0
    params = dict(n_neighbors=(5,), eps_scales=(1.0,), gaussian_scales=(0.1, "self-tuning"),
                  n_components=4, random_state=0)
    ref = SpectralAnalysisLayer(**params).fit_transform(X)
    for factor in (2.0**60, 2.0**-140):
        out = SpectralAnalysisLayer(**params).fit_transform(X * factor)
        np.testing.assert_array_equal(out, ref)
    for Xc in (np.float32(1e19) * X.astype(np.float32), X * 1e-40):
        tracemalloc.start()
        try:
            layer = SpectralAnalysisLayer(**params).fit(Xc)
            out = layer.transform(Xc)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert out.shape == ref.shape and np.all(np.isfinite(out))
        assert peak < 64 * 2**20
        # the same graphs as the unscaled data, up to rounding of the distances
        assert layer.procedures_[0]["n_edges"] == SpectralAnalysisLayer(**params).fit(
            X).procedures_[0]["n_edges"]


def test_sigmas_renamed_gaussian_scales():
    X = np.random.RandomState(0).rand(40, 3)
    kw = dict(n_neighbors=(), eps_scales=(), n_components=3, random_state=0)
    new = SpectralAnalysisLayer(gaussian_scales=(0.1, "self-tuning"), **kw).fit_transform(X)
    with pytest.warns(FutureWarning, match="'sigmas' was renamed 'gaussian_scales'"):
        old = SpectralAnalysisLayer(sigmas=(0.1, "self-tuning"), **kw).fit_transform(X)
    np.testing.assert_array_equal(old, new)
