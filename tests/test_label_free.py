"""Label-free scorers, select_n_clusters and n_clusters="auto"."""

import doctest
import pickle
import warnings

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClusterMixin
from sklearn.cluster import KMeans, SpectralClustering
from sklearn.datasets import make_blobs
from sklearn.metrics import adjusted_rand_score
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.utils.estimator_checks import parametrize_with_checks

from sklearn_specclust.cluster import (
    LandmarkSpectralClustering,
    SelfTuningSpectralClustering,
)
from sklearn_specclust.metrics import (
    label_free_score,
    make_clustering_scorer,
    make_label_free_scorer,
    select_n_clusters,
)
from sklearn_specclust.metrics._graph_scores import (
    modularity,
    normalized_association,
    reference_graph,
    size_balance,
)

CRITERIA = ["auto", "stability", "modularity", "ncut", "modularity_ncut",
            "stability_modularity", "stability_balance", "silhouette",
            "calinski_harabasz", "davies_bouldin"]


@pytest.fixture
def blobs():
    X, y = make_blobs(n_samples=300, centers=[[0, 0], [8, 0], [0, 8], [8, 8]],
                      cluster_std=0.7, random_state=0)
    return X, y


class GiantCluster(ClusterMixin, BaseEstimator):
    """k-means with ``k`` clusters, or (``degenerate=True``) one cluster with
    almost every sample plus ``k - 1`` singletons: a partition that is the
    same from any sample of the data, so stability alone cannot rule it out."""

    def __init__(self, n_clusters=4, degenerate=False):
        self.n_clusters = n_clusters
        self.degenerate = degenerate

    def fit(self, X, y=None):
        X = np.asarray(X)
        self.km_ = KMeans(self.n_clusters, n_init=4, random_state=0).fit(X)
        # the samples farthest from the mean, one per singleton cluster
        self.outliers_ = X[np.argsort(-np.linalg.norm(X - X.mean(0), axis=1))
                           [: self.n_clusters - 1]]
        self.labels_ = self.predict(X)
        return self

    def predict(self, X):
        X = np.asarray(X)
        if not self.degenerate:
            return self.km_.predict(X)
        d = np.linalg.norm(X[:, None] - self.outliers_[None], axis=2)
        return np.where(d.min(1) < 1e-9, d.argmin(1) + 1, 0)


# The silhouette, Calinski-Harabasz and Davies-Bouldin anchors are scored for
# comparison and promise no guard against degenerate partitions.
@pytest.mark.parametrize("criterion", CRITERIA[:-3])
def test_degenerate_giant_cluster_never_picked(blobs, criterion):
    X, _ = blobs
    search = GridSearchCV(GiantCluster(), {"degenerate": [True, False]},
                          scoring=make_label_free_scorer(criterion)).fit(X)
    assert search.best_params_ == {"degenerate": False}
    assert (np.bincount(search.best_estimator_.labels_).max() / len(X)) < 0.5


@pytest.mark.parametrize("criterion", ["auto", "stability_modularity", "modularity",
                                       "stability"])
def test_grid_search_without_y_finds_the_blobs(blobs, criterion):
    X, _ = blobs
    search = GridSearchCV(KMeans(n_init=3, random_state=0),
                          {"n_clusters": [2, 3, 4, 5, 6]},
                          scoring=make_label_free_scorer(criterion)).fit(X)
    assert search.best_params_ == {"n_clusters": 4}
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()


def test_transductive_clusterer_without_predict(blobs):
    X, _ = blobs
    search = GridSearchCV(
        SpectralClustering(affinity="nearest_neighbors", random_state=0),
        {"n_clusters": [2, 3, 4, 5, 6]}, scoring=make_label_free_scorer(), cv=3,
    ).fit(X)
    assert search.best_params_ == {"n_clusters": 4}
    with pytest.raises(ValueError, match="needs an estimator with predict"):
        make_label_free_scorer("stability")(SpectralClustering(4), X)
    with pytest.raises(TypeError, match="has no predict"):
        make_label_free_scorer(transductive=False)(SpectralClustering(4), X)


def test_scores_compare_partitions_not_embeddings(blobs):
    """The same partition scores the same whatever estimator produced it."""
    X, _ = blobs
    km = KMeans(4, n_init=3, random_state=0).fit(X)
    scaled = KMeans(4, n_init=3, random_state=0).fit(X * 100.0)

    class Fixed(ClusterMixin, BaseEstimator):
        def fit(self, X, y=None):
            return self

        def predict(self, X):
            return scaled.predict(np.asarray(X) * 100.0)

    # the inertia of the two differs by 10^4; the label-free score does not
    assert km.score(X) != pytest.approx(scaled.score(X * 100))
    scorer = make_label_free_scorer("modularity")
    assert scorer(km, X) == pytest.approx(scorer(Fixed().fit(X), X))


def test_stability_is_ari_between_predict_and_refit(blobs):
    X, _ = blobs
    km = KMeans(5, n_init=1, random_state=3).fit(X[:150])
    refit = KMeans(5, n_init=1, random_state=3).fit_predict(X[150:])
    expected = adjusted_rand_score(km.predict(X[150:]), refit)
    assert make_label_free_scorer("stability")(km, X[150:]) == pytest.approx(expected)


def test_graph_scores_by_hand():
    # two triangles joined by one edge
    edges = [(0, 1), (1, 2), (0, 2), (3, 4), (4, 5), (3, 5), (2, 3)]
    A = np.zeros((6, 6))
    for i, j in edges:
        A[i, j] = A[j, i] = 1
    labels = np.array([0, 0, 0, 1, 1, 1])
    # w_cc / W = 6/14 each, vol_c / W = 7/14 each
    assert modularity(A, labels) == pytest.approx(2 * (6 / 14 - 0.25))
    assert normalized_association(A, labels) == pytest.approx(6 / 7)
    assert modularity(A, np.zeros(6)) == pytest.approx(0.0)
    assert size_balance(labels) == pytest.approx(1.0)
    assert size_balance(np.zeros(6)) == 0.0
    assert size_balance([0, 0, 0, 0, 0, 1]) < 0.7


def test_reference_graph_is_symmetric_and_sized():
    X = np.random.RandomState(0).rand(100, 3)
    G = reference_graph(X)
    assert (G != G.T).nnz == 0 and G.diagonal().sum() == 0
    assert G.sum(axis=1).min() >= 10  # round(sqrt(100)) neighbours each
    images = X.reshape(100, 3, 1)
    assert (reference_graph(images) != G).nnz == 0


def test_label_free_score_errors(blobs):
    X, y = blobs
    with pytest.raises(ValueError, match="criterion must be"):
        make_label_free_scorer("inertia")
    with pytest.raises(ValueError, match="transductive must be"):
        make_label_free_scorer(transductive="yes")
    with pytest.raises(ValueError, match="n_neighbors must be"):
        make_label_free_scorer(n_neighbors=0)
    with pytest.raises(ValueError, match="pass refit_labels"):
        label_free_score(X, y, criterion="stability")
    with pytest.raises(ValueError, match="one label per sample"):
        label_free_score(X, y[:-1])
    with pytest.raises(ValueError, match="at least 3 samples"):
        label_free_score(X[:2], y[:2])
    # one cluster gets each criterion's floor
    one = np.zeros(len(X))
    assert label_free_score(X, one, criterion="silhouette") == -1.0
    assert label_free_score(X, one, criterion="modularity") == -1.0
    assert label_free_score(X, one, criterion="davies_bouldin") == -np.inf


def test_label_scorer_without_y_reaches_the_user(blobs):
    X, y = blobs
    est = KMeans(n_init=2, random_state=0)
    for scoring in (make_clustering_scorer("acc"),
                    {"acc": make_clustering_scorer("acc"),
                     "nmi": make_clustering_scorer("nmi")}):
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # no "Scoring failed" warning either
            with pytest.raises(ValueError, match="no y was given.*make_label_free_scorer"):
                GridSearchCV(est, {"n_clusters": [2, 4]}, scoring=scoring,
                             refit=False).fit(X)
    with pytest.raises(ValueError, match="no y was given"):
        cross_val_score(est, X, scoring=make_clustering_scorer("nmi"), cv=2)
    # with y everything is as before
    search = GridSearchCV(est, {"n_clusters": [2, 4]},
                          scoring=make_clustering_scorer("acc")).fit(X, y)
    assert search.best_params_ == {"n_clusters": 4}


def test_scorer_pickles(blobs):
    X, _ = blobs
    km = KMeans(4, n_init=1, random_state=0).fit(X)
    scorer = make_label_free_scorer()
    assert pickle.loads(pickle.dumps(scorer))(km, X) == scorer(km, X)


def test_select_n_clusters(blobs):
    X, _ = blobs
    k, scores, labels = select_n_clusters(X, range(2, 9), random_state=0)
    assert k == 4 and scores.shape == (7,) and np.unique(labels).size == 4
    assert scores[2] == scores.max()
    k_gap, gaps, _ = select_n_clusters(X, [2, 3, 4, 5], criterion="eigengap",
                                       eigenvalues=[1, 0.99, 0.98, 0.97, 0.3, 0.2])
    assert k_gap == 4 and gaps == pytest.approx([0.01, 0.01, 0.67, 0.1])
    with pytest.raises(ValueError, match="needs the eigenvalues"):
        select_n_clusters(X, [2, 3], criterion="eigengap")
    with pytest.raises(ValueError, match="between 2 and n_samples"):
        select_n_clusters(X, [1, 2])
    with pytest.raises(ValueError, match="criterion must be"):
        select_n_clusters(X, [2, 3], criterion="gap statistic")


@pytest.mark.parametrize("make", [
    lambda: SelfTuningSpectralClustering("auto", random_state=0),
    lambda: SelfTuningSpectralClustering("auto", affinity="knn", random_state=0),
    lambda: LandmarkSpectralClustering("auto", n_landmarks=100, random_state=0),
])
@pytest.mark.parametrize("centers", [3, 6])
def test_n_clusters_auto_on_separated_blobs(make, centers):
    X, y = make_blobs(n_samples=120 * centers, centers=centers, cluster_std=0.5,
                      center_box=(-20, 20), random_state=centers)
    est = make().fit(X)
    assert est.n_clusters_ == centers
    assert adjusted_rand_score(y, est.labels_) > 0.95
    assert list(est.n_clusters_candidates_) == list(range(2, 21))
    assert est.n_clusters_scores_.shape == (19,)
    assert est.n_clusters_candidates_[np.argmax(est.n_clusters_scores_)] == centers
    assert est.embedding_.shape == (len(X), centers)
    assert est.cluster_centers_.shape == (centers, centers)
    assert (est.predict(X) == est.labels_).mean() > 0.99
    again = pickle.loads(pickle.dumps(est))
    assert (again.predict(X) == est.predict(X)).all()


def test_n_clusters_fixed_sets_no_curve(blobs):
    X, _ = blobs
    est = SelfTuningSpectralClustering(4, random_state=0).fit(X)
    assert est.n_clusters_ == 4 and not hasattr(est, "n_clusters_scores_")
    with pytest.raises(ValueError, match="at least 3 samples"):
        SelfTuningSpectralClustering("auto", scale_neighbor=1).fit(X[:2])
    with pytest.raises(ValueError, match="each half needs more than scale_neighbor=7"):
        SelfTuningSpectralClustering("auto").fit(X[:14])
    with pytest.raises(ValueError, match="each half needs at least n_neighbors=5"):
        LandmarkSpectralClustering("auto").fit(X[:9])


def test_doctests_run():
    import sklearn_specclust.metrics._label_free as m1
    import sklearn_specclust.metrics._n_clusters as m2

    for mod in (m1, m2):
        result = doctest.testmod(mod)
        assert result.attempted > 0 and result.failed == 0, mod.__name__


@parametrize_with_checks([
    SelfTuningSpectralClustering("auto", scale_neighbor=2, max_n_clusters=4, n_init=2),
    SelfTuningSpectralClustering("auto", affinity="knn", scale_neighbor=2,
                                 max_n_clusters=4, n_init=2),
    LandmarkSpectralClustering("auto", max_n_clusters=4, n_landmarks=20, n_init=2),
])
def test_auto_estimators_pass_check_estimator(estimator, check):
    check(estimator)


class CountingKMeans(KMeans):
    """KMeans that counts its fits in a class attribute."""

    fits = 0

    def fit(self, X, y=None, sample_weight=None):
        type(self).fits += 1
        return super().fit(X, y, sample_weight=sample_weight)


@pytest.mark.parametrize("criterion, extra", [("auto", 1), ("stability", 1),
                                              ("modularity", 0), ("silhouette", 0)])
def test_cost_is_at_most_one_extra_fit_per_candidate_and_fold(blobs, criterion, extra):
    X, _ = blobs
    CountingKMeans.fits = 0
    GridSearchCV(CountingKMeans(n_init=1, random_state=0), {"n_clusters": [3, 4]},
                 scoring=make_label_free_scorer(criterion), cv=3, refit=False).fit(X)
    assert CountingKMeans.fits == 2 * 3 * (1 + extra)
