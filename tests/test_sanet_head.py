"""SpectralHead's consensus of candidate partitions (HBGF and best-of-k)."""

import pickle
import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.datasets import make_blobs
from sklearn.metrics import adjusted_rand_score
from sklearn.utils.estimator_checks import parametrize_with_checks

from sklearn_specclust.sanet import SpectralHead
from sklearn_specclust.sanet._head import cluster_incidence, hbgf_consensus


@pytest.fixture
def blobs(seed):
    return make_blobs(240, centers=4, n_features=6, cluster_std=1.5, random_state=seed)


def _fit(head, X):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return head.fit(X)


def test_cluster_incidence_rows_sum_to_one():
    a, b = np.array([0, 0, 1, 2]), np.array([2, 1, 1, 0])
    Z = cluster_incidence([a, b], 3)
    assert Z.shape == (4, 6)
    assert_allclose(np.asarray(Z.sum(axis=1)).ravel(), 1.0)
    assert_array_equal(Z.toarray()[2], [0, 0.5, 0, 0, 0.5, 0])


def test_hbgf_of_one_partition_relabelled_is_that_partition(rng):
    truth = rng.randint(0, 5, 300)
    perms = [rng.permutation(5) for _ in range(3)]
    projection, kmeans = hbgf_consensus([p[truth] for p in perms], 5, n_init=5,
                                        random_state=0)
    assert projection.shape == (15, 5)
    assert adjusted_rand_score(truth, kmeans.labels_) == 1.0


def test_hbgf_follows_the_majority(rng):
    truth = rng.randint(0, 3, 300)
    wrong = truth.copy()
    wrong[truth == 2] = 1  # merges two clusters and leaves one empty
    wrong[:100] = rng.randint(0, 3, 100)
    _, kmeans = hbgf_consensus([truth, truth, wrong], 3, n_init=5, random_state=0)
    assert adjusted_rand_score(truth, kmeans.labels_) == 1.0


def test_hbgf_joins_every_candidate_and_the_samples(blobs):
    X, y = blobs
    head = _fit(SpectralHead(4, consensus="hbgf", random_state=0), X)
    assert list(head.candidates_) == [4, 5, 6, 7, 8, "samples"]
    assert set(head.consensus_scores_) == {4, 5, 6, 7, 8}
    assert head.n_components_ == 8
    assert head.consensus_projection_.shape == (6 * 4, 4)
    assert head.cluster_centers_.shape == (4, 4)
    assert adjusted_rand_score(y, head.labels_) > 0.9
    # the out-of-sample extension gives each training sample its own cluster
    assert_array_equal(head.predict(X), head.labels_)
    assert_array_equal(head.fit_predict(X), head.labels_)


def test_best_of_k_is_the_default(blobs):
    X, _ = blobs
    head = _fit(SpectralHead(4, random_state=0), X)
    assert head.consensus == "best"
    assert head.candidates_ == {} and head.consensus_projection_ is None
    assert head.n_components_ in head.consensus_scores_
    assert head.cluster_centers_.shape == (4, head.n_components_)
    assert_array_equal(head.predict(X), head.labels_)


def test_a_fixed_number_of_eigenvectors_needs_no_consensus(blobs):
    X, _ = blobs
    fixed = [_fit(SpectralHead(4, n_components=5, consensus=c, random_state=0), X)
             for c in ("hbgf", "best")]
    assert fixed[0].candidates_ == {} and fixed[0].consensus_scores_ == {}
    assert_array_equal(fixed[0].labels_, fixed[1].labels_)


def test_hbgf_predicts_new_samples_and_pickles(blobs):
    X, _ = blobs
    head = _fit(SpectralHead(4, consensus="hbgf", random_state=0), X[:200])
    labels = head.predict(X[200:])
    assert labels.shape == (40,) and set(labels) <= set(range(4))
    assert_array_equal(pickle.loads(pickle.dumps(head)).predict(X[200:]), labels)
    # float32 samples get the same clusters
    assert_array_equal(head.predict(X[200:].astype(np.float32)), labels)


def test_hbgf_with_one_cluster(blobs):
    X, _ = blobs
    head = _fit(SpectralHead(1, consensus="hbgf", random_state=0), X[:30])
    assert_array_equal(head.labels_, 0)
    assert_array_equal(head.predict(X[30:40]), 0)


def test_consensus_is_validated(blobs):
    with pytest.raises(ValueError, match="consensus"):
        SpectralHead(4, consensus="vote").fit(blobs[0])


@parametrize_with_checks([SpectralHead(3, n_neighbors=5),
                          SpectralHead(3, n_neighbors=5, consensus="hbgf")])
def test_spectral_head_passes_check_estimator(estimator, check):
    check(estimator)
