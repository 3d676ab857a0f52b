"""A layer's procedures spread over a real dask.distributed cluster."""

import numpy as np
import pytest

pytest.importorskip("distributed")

from sklearn.datasets import make_blobs  # noqa: E402

from sklearn_specclust.spectral import SpectralAnalysisLayer  # noqa: E402

pytestmark = pytest.mark.dask


def test_dask_backend_gives_the_sequential_result():
    import joblib
    from distributed import Client, LocalCluster, get_task_stream

    X, _ = make_blobs(150, centers=3, n_features=4, cluster_std=3.0, random_state=0)
    params = dict(n_neighbors=(5, 9), eps_scales=(1.0,), gaussian_scales=(0.5, "self-tuning"),
                  n_components=3, random_state=0)
    expected = SpectralAnalysisLayer(**params).fit_transform(X)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                      protocol="tcp", host="127.0.0.1",
                      dashboard_address=None) as cluster, Client(cluster) as client:
        with get_task_stream(client) as stream, joblib.parallel_backend("dask"):
            layer = SpectralAnalysisLayer(**params, n_jobs=-1).fit(X)
        got = layer.transform(X)
    # the procedures really ran as dask tasks, on both workers' threads
    assert len(stream.data) >= 1
    assert sum("batch" in t["key"].lower() or "fit" in t["key"] for t in stream.data) >= 1
    np.testing.assert_allclose(got, expected, atol=1e-6)
    assert [p["family"] for p in layer.procedures_] == [
        "knn", "knn", "eps", "gaussian", "gaussian"]


# ---------------------------------------------------------------------------
# A fitted pipeline applied to a Dask array of images, block by block
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def digits():
    from sklearn_specclust.datasets import load_digits_images

    X, y = load_digits_images(return_X_y=True)
    return X[:400].astype(np.float32), y[:400]


@pytest.fixture(scope="module")
def sanet(digits):
    import warnings

    from sklearn_specclust.sanet import make_sanet

    X, _ = digits
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # graph-joining notes
        return make_sanet(10, random_state=0).fit(X[:150])


def _cluster(n_workers, processes=True):
    from distributed import LocalCluster

    return LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=processes,
                        protocol="tcp", host="127.0.0.1", dashboard_address=None)


@pytest.mark.parametrize("n_workers", [1, 2])
def test_predict_blocks_on_workers_gives_the_in_memory_result(digits, sanet, n_workers):
    import dask.array as da
    from distributed import Client, get_task_stream

    from sklearn_specclust.utils import predict_blocks

    X, _ = digits
    Xd = da.from_array(X, chunks=(100, -1, -1))
    blocks = [slice(a, a + 100) for a in range(0, len(X), 100)]
    labels_mem = np.concatenate([sanet.predict(X[s]) for s in blocks])
    features_mem = np.concatenate([sanet[:-1].transform(X[s]) for s in blocks])
    with _cluster(n_workers) as cluster, Client(cluster) as client:
        labels = predict_blocks(sanet, Xd)
        features = predict_blocks(sanet[:-1], Xd, method="transform")
        assert labels.shape == (len(X),) and labels.numblocks == (4,)
        assert features.shape == features_mem.shape and features.numblocks == (4, 1)
        with get_task_stream(client) as stream:
            got_labels, got_features = client.compute([labels, features], sync=True)
        workers = {t["worker"] for t in stream.data if "blocks" in str(t["key"])}
        assert len(workers) >= 1 and workers <= set(client.scheduler_info()["workers"])
    # the same blocks in this process: bit for bit
    np.testing.assert_array_equal(got_labels, labels_mem)
    np.testing.assert_array_equal(got_features, features_mem)
    assert got_labels.dtype == labels_mem.dtype
    # and, on these images, the labels of one in-memory call on all of them
    np.testing.assert_array_equal(got_labels, sanet.predict(X))


def test_predict_blocks_sends_the_estimator_once(digits, sanet):
    import dask.array as da

    from sklearn_specclust.utils import predict_blocks

    X, _ = digits
    graph = dict(predict_blocks(sanet, da.from_array(X, chunks=(50, -1, -1))).dask)
    holding = [k for k, v in graph.items() if v is sanet or getattr(v, "value", None) is sanet]
    assert len(holding) == 1
    assert len(graph) == 1 + 8 + 8  # the estimator, 8 input blocks, 8 output blocks


@pytest.mark.parametrize("chunks, axis", [((100, 4, -1), 1), ((100, -1, 4), 2),
                                          ((100, -1, -1, 1), 3)])
def test_predict_blocks_refuses_images_split_within(digits, sanet, chunks, axis):
    import dask.array as da

    from sklearn_specclust.utils import predict_blocks

    X, _ = digits
    X = np.repeat(X[..., None], 2, axis=3) if len(chunks) == 4 else X
    with pytest.raises(ValueError, match=rf"chunked along axis {axis} in 2 chunks.*"
                                         r"chunk along the first axis only"):
        predict_blocks(sanet, da.from_array(X, chunks=chunks))


def test_predict_blocks_refuses_other_input(digits, sanet):
    import dask.array as da
    from sklearn.exceptions import NotFittedError
    from sklearn.preprocessing import FunctionTransformer

    from sklearn_specclust.sanet import make_sanet
    from sklearn_specclust.utils import predict_blocks

    X, _ = digits
    Xd = da.from_array(X, chunks=(100, -1, -1))
    with pytest.raises(TypeError, match="needs a dask.array.Array, got ndarray"):
        predict_blocks(sanet, X)
    with pytest.raises(ValueError, match="shape \\(400, 64, 1, 1, 1\\)"):
        predict_blocks(sanet, Xd.reshape(400, 64, 1, 1, 1))
    with pytest.raises(ValueError, match="method must be one of"):
        predict_blocks(sanet, Xd, method="fit")
    with pytest.raises(AttributeError, match="has no method 'transform'"):
        predict_blocks(sanet, Xd, method="transform")
    with pytest.raises(NotFittedError):
        predict_blocks(make_sanet(10), Xd)
    # an estimator whose output rows do not follow the samples
    first_rows = FunctionTransformer(lambda a: a[:1].reshape(1, -1)).fit(X)
    with pytest.raises(ValueError, match="one output row per sample"):
        predict_blocks(first_rows, Xd, method="transform").compute(scheduler="sync")


def test_without_dask_the_error_says_what_to_install(monkeypatch, digits, sanet):
    import sys

    from sklearn_specclust.datasets import make_shifted_dask
    from sklearn_specclust.utils import predict_blocks

    X, y = digits
    monkeypatch.setitem(sys.modules, "dask.array", None)
    with pytest.raises(ImportError, match=r"predict_blocks needs .*'dask'.*"
                                          r"sklearn-specclust\[dask\]"):
        predict_blocks(sanet, X)
    with pytest.raises(ImportError, match=r"sklearn-specclust\[dask\]"):
        make_shifted_dask(X, n_samples=10)


# ---------------------------------------------------------------------------
# Shifted images generated block by block
# ---------------------------------------------------------------------------


def test_make_shifted_dask_blocks_are_make_shifted_with_their_seed(digits):
    from sklearn_specclust.datasets import make_shifted, make_shifted_dask

    X, y = digits
    Xd, yd = make_shifted_dask(X, y, n_samples=2500, chunk_size=1000, max_shift=2,
                               random_state=3)
    assert Xd.shape == (2500, 8, 8) and Xd.chunks[0] == (1000, 1000, 500)
    assert Xd.dtype == X.dtype and yd.dtype == y.dtype
    # the graph holds the source images once, not once per block
    assert sum(isinstance(v, np.ndarray) for v in dict(Xd.dask).values()) <= 1
    images, labels = Xd.compute(), yd.compute()
    # any block alone, in any order, is the same as in the whole array
    np.testing.assert_array_equal(Xd.blocks[2].compute(), images[2000:])
    seed = int(np.random.RandomState(3).randint(np.iinfo(np.int32).max))
    expected, expected_y, _ = make_shifted(X, y, n_samples=500, max_shift=2,
                                           random_state=np.random.RandomState([seed, 2]))
    np.testing.assert_array_equal(images[2000:], expected)
    np.testing.assert_array_equal(labels[2000:], expected_y)
    # a different seed gives other images
    other = make_shifted_dask(X, n_samples=2500, chunk_size=1000, random_state=4)
    assert not np.array_equal(other.blocks[0].compute(), images[:1000])


def test_predict_blocks_on_generated_images(digits, sanet):
    from sklearn_specclust.datasets import make_shifted_dask
    from sklearn_specclust.utils import predict_blocks

    X, y = digits
    Xd, _ = make_shifted_dask(X, y, n_samples=300, chunk_size=128, max_shift=1,
                              random_state=0)
    labels = predict_blocks(sanet, Xd).compute(scheduler="sync")
    images = Xd.compute()
    expected = np.concatenate([sanet.predict(images[a : a + 128]) for a in (0, 128, 256)])
    np.testing.assert_array_equal(labels, expected)


def test_grid_search_with_a_label_free_scorer_under_the_dask_backend():
    import joblib
    from distributed import Client
    from sklearn.model_selection import GridSearchCV, KFold

    from sklearn_specclust.cluster import LandmarkSpectralClustering
    from sklearn_specclust.metrics import make_label_free_scorer

    X, _ = make_blobs(240, centers=4, n_features=5, cluster_std=1.5, random_state=0)
    search = GridSearchCV(
        LandmarkSpectralClustering(n_landmarks=60, random_state=0),
        {"n_clusters": [3, 4, 5], "n_neighbors": [3, 5]},
        scoring=make_label_free_scorer(), cv=KFold(3, shuffle=True, random_state=0),
    )
    expected = search.fit(X).cv_results_["mean_test_score"]
    with _cluster(2, processes=False) as cluster, Client(cluster), \
            joblib.parallel_backend("dask"):
        search.set_params(n_jobs=-1).fit(X)
    np.testing.assert_allclose(search.cv_results_["mean_test_score"], expected)
    assert search.best_params_["n_clusters"] == 4
