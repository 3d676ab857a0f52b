import itertools

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.cluster import KMeans, SpectralClustering
from sklearn.datasets import make_blobs
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score
from sklearn.model_selection import GridSearchCV, cross_val_score

from sklearn_specclust.metrics import (
    clustering_accuracy_score,
    clustering_report,
    make_clustering_scorer,
    matched_confusion_matrix,
    pairwise_f_score,
)


def _brute_force_acc(y, c):
    """Best one-to-one map clusters -> classes by trying every injection."""
    classes, clusters = np.unique(y), np.unique(c)
    best = 0
    if len(clusters) <= len(classes):
        for perm in itertools.permutations(classes, len(clusters)):
            m = dict(zip(clusters, perm))
            best = max(best, sum(m[ci] == yi for ci, yi in zip(c, y)))
    else:
        for perm in itertools.permutations(clusters, len(classes)):
            m = dict(zip(perm, classes))
            best = max(best, sum(m.get(ci) == yi for ci, yi in zip(c, y)))
    return best / len(y)


def _brute_force_f(y, c, beta=1.0):
    tp = fp = fn = 0
    for i, j in itertools.combinations(range(len(y)), 2):
        same_y, same_c = y[i] == y[j], c[i] == c[j]
        tp += same_y and same_c
        fp += same_c and not same_y
        fn += same_y and not same_c
    if tp + fp + fn == 0:
        return 1.0
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return 0.0 if p + r == 0 else (1 + beta**2) * p * r / (beta**2 * p + r)


@pytest.mark.parametrize("n_classes, n_clusters", [(3, 3), (4, 2), (2, 5), (5, 5)])
def test_accuracy_matches_brute_force(rng, n_classes, n_clusters):
    for _ in range(5):
        y = rng.randint(n_classes, size=25)
        c = rng.randint(n_clusters, size=25) * 7 + 100  # labels not 0..k-1
        assert clustering_accuracy_score(y, c) == pytest.approx(_brute_force_acc(y, c))
        # symmetric in its arguments
        assert clustering_accuracy_score(c, y) == pytest.approx(clustering_accuracy_score(y, c))


def test_accuracy_known_values():
    assert clustering_accuracy_score([0, 0, 1, 1], [1, 1, 0, 0]) == 1.0
    assert clustering_accuracy_score(["a", "a", "b"], [3, 3, 3]) == pytest.approx(2 / 3)
    assert clustering_accuracy_score([0, 1, 2, 3], [0, 0, 0, 0]) == 0.25
    assert clustering_accuracy_score([1], [5]) == 1.0


@pytest.mark.parametrize("beta", [1.0, 0.5, 2.0])
def test_pairwise_f_matches_brute_force(rng, beta):
    for k in (1, 2, 4):
        y = rng.randint(3, size=20)
        c = rng.randint(k, size=20)
        assert pairwise_f_score(y, c, beta=beta) == pytest.approx(_brute_force_f(y, c, beta))


def test_pairwise_f_edge_cases():
    assert pairwise_f_score([0, 1, 2], [5, 6, 7]) == 1.0  # all singletons on both sides
    assert pairwise_f_score([0, 0, 1], [0, 0, 1]) == 1.0
    assert pairwise_f_score([0, 1, 2], [0, 0, 0]) == 0.0  # no true pair
    f = pairwise_f_score([0, 0, 1, 1], [0, 0, 0, 0])  # P = 2/6, R = 1
    assert f == pytest.approx(2 * (1 / 3) / (1 / 3 + 1))


@pytest.mark.parametrize("func", [clustering_accuracy_score, pairwise_f_score,
                                  matched_confusion_matrix, clustering_report])
@pytest.mark.parametrize(
    "a, b, match",
    [
        ([0, 1, 1], [0, 1], "inconsistent numbers of samples"),
        ([], [], "empty"),
        ([[0, 1]], [[0, 1]], "must be 1-D"),
        ([0.0, np.nan], [0, 1], "NaN"),
    ],
)
def test_bad_labels(func, a, b, match):
    with pytest.raises(ValueError, match=match):
        func(a, b)


def test_bad_beta():
    with pytest.raises(ValueError, match="beta must be a positive number"):
        pairwise_f_score([0, 1], [0, 1], beta=0)


def test_inputs_not_modified(rng):
    y = rng.randint(3, size=30)
    c = rng.randint(4, size=30)
    y0, c0 = y.copy(), c.copy()
    clustering_report(y, c)
    np.testing.assert_array_equal(y, y0)
    np.testing.assert_array_equal(c, c0)


def test_matched_confusion_matrix_more_clusters():
    y = [0, 0, 0, 1, 1, 1, 1]
    c = [9, 9, 3, 4, 4, 4, 3]
    m = matched_confusion_matrix(y, c)
    assert m.classes.tolist() == [0, 1]
    assert m.clusters.tolist() == [9, 4, 3]
    assert m.matrix.tolist() == [[2, 0, 1], [0, 3, 1]]
    assert m.mapping == {9: 0, 4: 1}
    assert m.n_matched == 5 == np.trace(m.matrix)
    assert m.n_matched / 7 == pytest.approx(clustering_accuracy_score(y, c))


def test_matched_confusion_matrix_fewer_clusters():
    y = ["a", "a", "b", "b", "c", "c", "c"]
    c = [1, 1, 1, 1, 0, 0, 0]
    m = matched_confusion_matrix(y, c)
    # the unmatched class goes last, the diagonal holds the matched counts
    assert m.matrix.shape == (3, 2)
    assert np.trace(m.matrix[:2]) == m.n_matched == 5
    assert m.classes[-1] in ("a", "b") and set(m.classes.tolist()) == {"a", "b", "c"}
    assert m.matrix.sum() == 7


def test_clustering_report(rng):
    y = rng.randint(4, size=60)
    c = np.where(rng.uniform(size=60) < 0.7, y, rng.randint(5, size=60)) + 10
    r = clustering_report(y, c)
    assert r.acc == pytest.approx(clustering_accuracy_score(y, c))
    assert r.nmi == pytest.approx(normalized_mutual_info_score(y, c))
    assert r.ari == pytest.approx(adjusted_rand_score(y, c))
    assert r.fs == pytest.approx(pairwise_f_score(y, c))
    assert r.confusion_matrix.sum() == 60 and r.n_samples == 60
    assert np.trace(r.confusion_matrix) == round(r.acc * 60)
    for key in ("ACC", "NMI", "ARI", "FS", f"{r.acc:.4f}", "Matched confusion matrix"):
        assert key in r.text
    # one text row per class under the header
    assert len(r.text.splitlines()) == 5 + 1 + 2 + 1 + 4
    assert f"{r.acc:.2f}" in clustering_report(y, c, digits=2).text.splitlines()[0]


# ------------------------------------------------------------------ scorers


@pytest.fixture
def blobs():
    return make_blobs(n_samples=90, centers=3, cluster_std=0.8, random_state=0)


@pytest.mark.parametrize("metric", ["acc", "nmi", "ari", "fs"])
def test_grid_search_inductive(blobs, metric):
    X, y = blobs
    search = GridSearchCV(
        KMeans(n_init=3, random_state=0),
        {"n_clusters": [2, 3, 5]},
        scoring=make_clustering_scorer(metric),
        cv=3,
    ).fit(X, y)
    assert search.best_params_ == {"n_clusters": 3}
    assert search.best_score_ > 0.9


def test_inductive_scorer_uses_predict_on_held_out(blobs):
    X, y = blobs
    km = KMeans(n_clusters=3, n_init=3, random_state=0).fit(X[:60])
    scorer = make_clustering_scorer("acc")
    assert scorer(km, X[60:], y[60:]) == clustering_accuracy_score(y[60:], km.predict(X[60:]))


def test_transductive_scorer_refits_on_scored_data(blobs):
    X, y = blobs
    est = KMeans(n_clusters=3, n_init=3, random_state=0)
    fitted_elsewhere = clone(est).set_params(n_clusters=2).fit(X)
    scorer = make_clustering_scorer("ari", transductive=True)
    expected = adjusted_rand_score(y[:45], clone(est).fit_predict(X[:45]))
    # the scorer ignores the fit it is given (here with 2 clusters) and refits a clone
    fitted_elsewhere.set_params(n_clusters=3)
    assert scorer(fitted_elsewhere, X[:45], y[:45]) == pytest.approx(expected)


def test_grid_search_transductive_without_predict(blobs):
    X, y = blobs
    est = SpectralClustering(affinity="nearest_neighbors", n_neighbors=8, random_state=0)
    with pytest.raises(TypeError, match="has no predict method.*transductive=True"):
        cross_val_score(clone(est).set_params(n_clusters=3), X, y,
                        scoring=make_clustering_scorer("acc"), cv=2, error_score="raise")
    all_idx = np.arange(X.shape[0])
    search = GridSearchCV(
        est,
        {"n_clusters": [2, 3, 4]},
        scoring=make_clustering_scorer("nmi", transductive=True),
        cv=[(all_idx, all_idx)],
        refit=False,
    ).fit(X, y)
    assert search.best_params_ == {"n_clusters": 3}
    assert search.best_score_ == pytest.approx(
        normalized_mutual_info_score(y, clone(est).set_params(n_clusters=3).fit_predict(X)))


def test_scorer_errors(blobs):
    X, y = blobs
    with pytest.raises(ValueError, match="metric must be one of"):
        make_clustering_scorer("accuracy")
    with pytest.raises(ValueError, match="transductive must be True or False"):
        make_clustering_scorer("acc", transductive="yes")
    km = KMeans(n_clusters=3, n_init=1, random_state=0).fit(X)
    # called directly without y: a marker that refuses to be used as a number
    missing = make_clustering_scorer("acc")(km, X, None)
    with pytest.raises(ValueError, match="no y was given"):
        float(missing)
    with pytest.raises(ValueError, match="no y was given"):
        _ = missing > 0.5
    custom = make_clustering_scorer(lambda a, b: 0.25)
    assert custom(km, X, y) == 0.25
    assert "transductive=True" in repr(make_clustering_scorer("fs", transductive=True))


def test_scorers_pickle(blobs):
    # GridSearchCV(n_jobs=...) sends the scorer to worker processes
    import pickle

    X, y = blobs
    km = KMeans(n_clusters=3, n_init=1, random_state=0).fit(X)
    for transductive in (False, True):
        scorer = make_clustering_scorer("acc", transductive=transductive)
        again = pickle.loads(pickle.dumps(scorer))
        assert again(km, X, y) == scorer(km, X, y)


def test_doctests_run():
    import doctest

    import sklearn_specclust.metrics._report as m1
    import sklearn_specclust.metrics._scorers as m2
    import sklearn_specclust.metrics._supervised as m3

    for mod in (m1, m2, m3):
        result = doctest.testmod(mod)
        assert result.attempted > 0 and result.failed == 0, mod.__name__
