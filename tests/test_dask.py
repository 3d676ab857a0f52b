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
