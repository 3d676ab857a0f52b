"""Tests of RobustSpectralHead on small synthetic maps."""

import pickle
import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.metrics import adjusted_rand_score

from sklearn_specclust.sanet import RobustSpectralHead
from sklearn_specclust.sanet._robust import location_distances


def _maps(rng, n_per_class=40, n_classes=3, corrupt=True):
    """Maps of class prototypes plus noise; one random location per map overwritten."""
    protos = rng.randn(n_classes, 3, 3, 4)
    y = np.repeat(np.arange(n_classes), n_per_class)
    X = protos[y] + 0.1 * rng.randn(len(y), 3, 3, 4)
    if corrupt:
        where = rng.randint(9, size=len(y))
        X.reshape(len(y), 9, 4)[np.arange(len(y)), where] = 10 * rng.randn(len(y), 4)
    return X, y


def test_location_distances_by_hand():
    F = np.array([[[0.0, 0.0], [1.0, 1.0]]])
    G = np.array([[[3.0, 4.0], [1.0, 1.0]], [[0.0, 1.0], [1.0, 0.0]]])
    D = location_distances(F, G, np.array([[0, 1]]))
    assert_allclose(D, [[[25.0, 0.0], [1.0, 1.0]]])


@pytest.mark.parametrize("aggregate", ["clip", "trim", "median"])
def test_robust_aggregates_ignore_a_corrupted_location(rng, aggregate):
    X, y = _maps(rng)
    robust = RobustSpectralHead(3, aggregate=aggregate, random_state=0).fit(X)
    assert adjusted_rand_score(y, robust.labels_) > 0.95
    plain = RobustSpectralHead(3, aggregate="mean", random_state=0).fit(X)
    assert adjusted_rand_score(y, plain.labels_) < adjusted_rand_score(y, robust.labels_)


def test_clean_maps_cluster_with_every_aggregate(rng):
    X, y = _maps(rng, corrupt=False)
    for aggregate in ("clip", "trim", "median", "mean"):
        head = RobustSpectralHead(3, aggregate=aggregate, random_state=0).fit(X)
        assert adjusted_rand_score(y, head.labels_) == 1.0, aggregate


def test_one_location_makes_every_order_statistic_euclidean(rng):
    X, _ = _maps(rng, corrupt=False)
    rows = X.reshape(len(X), -1)
    labels = [RobustSpectralHead(3, aggregate=a, random_state=0).fit(rows).labels_
              for a in ("mean", "trim", "median")]
    assert_array_equal(labels[0], labels[1])
    assert_array_equal(labels[0], labels[2])


def test_predict_new_maps_and_pickle(rng):
    X, y = _maps(rng)
    head = RobustSpectralHead(3, random_state=0).fit(X[::2])
    new = head.predict(X[1::2])
    assert adjusted_rand_score(y[1::2], new) > 0.95
    assert_array_equal(pickle.loads(pickle.dumps(head)).predict(X[1::2]), new)
    # the training maps get the clusters of fit
    assert np.mean(head.predict(X[::2]) == head.labels_) > 0.95


def test_fitted_scales_and_choices(rng):
    X, _ = _maps(rng)
    head = RobustSpectralHead(3, n_components=4, random_state=0).fit(X)
    assert head.location_scales_.shape == (9,) and np.all(head.location_scales_ > 0)
    assert np.isfinite(head.clip_threshold_) and head.clip_threshold_ > 0
    assert head.n_components_ == 4 and head.consensus_scores_ == {}
    trim = RobustSpectralHead(3, aggregate="trim", random_state=0).fit(X)
    assert trim.clip_threshold_ == np.inf
    assert_array_equal(trim.location_scales_, 1.0)


def test_a_disconnected_graph_is_treated_as_by_every_spectral_clusterer(rng):
    X = rng.randn(40, 2, 2, 3)
    X[20:] += 100.0  # two far groups: no kNN edge between them
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)  # as many components as clusters
        head = RobustSpectralHead(2, n_neighbors=5, random_state=0).fit(X)
    assert head.n_connected_components_ == 2
    assert_array_equal(head.labels_, np.repeat(head.labels_[[0, 20]], 20))
    assert head.labels_[0] != head.labels_[20]
    # more components than eigenvectors: joined by the core, with a warning
    Y = rng.randn(60, 2, 2, 3) + 100.0 * np.repeat(np.arange(6), 10)[:, None, None, None]
    with pytest.warns(UserWarning, match="connected components"):
        head = RobustSpectralHead(2, n_neighbors=5, n_components=2, random_state=0).fit(Y)
    assert head.n_connected_components_ == 6
    assert head.labels_.shape == (60,)


def test_same_labels_for_the_same_seed(rng):
    X, _ = _maps(rng)
    a = RobustSpectralHead(3, random_state=7).fit(X).labels_
    b = RobustSpectralHead(3, random_state=7).fit(X).labels_
    assert_array_equal(a, b)


def test_bad_input_messages(rng):
    X, _ = _maps(rng)
    with pytest.raises(ValueError, match="should be > n_clusters=3"):
        RobustSpectralHead(3).fit(X[:3])
    with pytest.raises(ValueError, match="keep_fraction"):
        RobustSpectralHead(3, keep_fraction=0.0).fit(X)
    with pytest.raises(ValueError, match="aggregate"):
        RobustSpectralHead(3, aggregate="max").fit(X)
    head = RobustSpectralHead(3, random_state=0).fit(X)
    with pytest.raises(ValueError, match="shape"):
        head.predict(X[:, :2])


_THREADS_SCRIPT = """
import json
import numpy as np
from sklearn_specclust.sanet import RobustSpectralHead
rng = np.random.RandomState(0)
X = rng.randn(400, 3, 3, 16) + np.repeat(rng.randn(4, 3, 3, 16), 100, axis=0)
head = RobustSpectralHead(4, random_state=0).fit(X)
print(json.dumps([head.labels_.tolist(), head.predict(X[::7] + 0.1).tolist()]))
"""


def test_same_labels_with_1_and_4_threads():
    import json
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    out = []
    for threads in (1, 4):
        env = dict(os.environ, PYTHONPATH=str(root))
        env.update({v: str(threads) for v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS",
                                               "MKL_NUM_THREADS")})
        result = subprocess.run([sys.executable, "-W", "ignore", "-c", _THREADS_SCRIPT],
                                env=env, capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, result.stderr[-2000:]
        out.append(json.loads(result.stdout))
    assert out[0] == out[1]
