"""CanonicalViews and OrbitSpectralClustering."""

import math

import numpy as np
import pytest
from sklearn.cluster import KMeans
from sklearn.datasets import make_blobs
from sklearn.metrics import adjusted_rand_score

from sklearn_specclust.inr import OrbitSpectralClustering


def test_orbit_one_view_finds_blobs():
    X, y = make_blobs(120, centers=3, cluster_std=0.5, random_state=0)
    model = OrbitSpectralClustering(3, n_neighbors=8, random_state=0).fit(X)
    assert adjusted_rand_score(y, model.labels_) == 1.0
    assert model.embedding_.shape == (120, 3)
    np.testing.assert_allclose(np.linalg.norm(model.embedding_, axis=1), 1.0)
    A = model.affinity_matrix_
    assert (A != A.T).nnz == 0 and A.diagonal().sum() == 0


def test_orbit_views_join_what_one_view_separates(rng):
    # two groups; each sample's second view is its "half turn": -x.
    # Half of each group is stored turned, so view 0 alone sees four blobs.
    centres = np.array([[4.0, 0.0], [0.0, 4.0]])
    y = np.repeat([0, 1], 40)
    x = centres[y] + 0.3 * rng.randn(80, 2)
    turned = np.arange(80) % 2 == 1
    x[turned] *= -1
    X = np.hstack([x, -x])
    two = OrbitSpectralClustering(2, n_views=2, n_neighbors=6, random_state=0).fit(X)
    assert adjusted_rand_score(y, two.labels_) == 1.0
    # view 0 alone: four blobs, each of which joins no other (the graph has
    # four components: connect_components links them with its weakest edge)
    one = OrbitSpectralClustering(4, n_neighbors=6, random_state=0).fit(x)
    assert adjusted_rand_score(2 * y + turned, one.labels_) == 1.0
    assert two.affinity_matrix_[np.ix_(~turned, turned)].nnz > 0
    assert one.affinity_matrix_[np.ix_(~turned, turned)].max() < 1e-3


def test_orbit_bad_input_messages():
    X = np.random.RandomState(0).rand(10, 5)
    with pytest.raises(ValueError, match="not a multiple of n_views=2"):
        OrbitSpectralClustering(2, n_views=2).fit(X)
    with pytest.raises(ValueError, match="n_clusters=11 is larger than n_samples=10"):
        OrbitSpectralClustering(11).fit(X)


torch = pytest.importorskip("torch")

from sklearn_specclust.inr import CanonicalViews  # noqa: E402


def test_canonical_views_invariant_to_quarter_turns(rng):
    X = np.zeros((6, 10, 10))
    X[:, 4, 2:8] = 0.5
    X[:, 4, 6:8] = 1.0
    X[:, 2:5, 3] += rng.rand(6, 3)
    turned = np.ascontiguousarray(np.rot90(X, k=1, axes=(1, 2)))
    views = CanonicalViews(angles=(0.0, math.pi)).fit(X.reshape(6, -1))
    A = views.transform(X.reshape(6, -1))
    B = views.transform(turned.reshape(6, -1))
    assert A.shape == (6, 200)
    np.testing.assert_allclose(A, B, atol=1e-4)
    # the second view is the first turned by a half
    first = A[:, :100].reshape(6, 10, 10)
    np.testing.assert_allclose(A[:, 100:].reshape(6, 10, 10), first[:, ::-1, ::-1], atol=1e-4)


def test_canonical_views_measure_against_the_border_level(rng):
    X = np.zeros((6, 10, 10))
    X[:, 4, 2:8] = 0.5
    X[:, 2:5, 3] += rng.rand(6, 3)
    flat = X.reshape(6, -1)
    border = CanonicalViews(angles=(0.0, math.pi), contrast=None).fit(flat)
    raw = CanonicalViews(angles=(0.0, math.pi), background=None, contrast=None).fit(flat)
    # a zero border: the same views either way
    np.testing.assert_array_equal(border.transform(flat), raw.transform(flat))
    # dark strokes on white: the views of 1 - X are those of X negated
    np.testing.assert_allclose(border.transform(1.0 - flat), -raw.transform(flat), atol=1e-5)
    # ... and a grey ground with another contrast changes only the scale
    np.testing.assert_allclose(border.transform(0.5 * flat + 0.3),
                               0.5 * raw.transform(flat), atol=1e-5)
    # measured against zero, the white ground turns the image elsewhere
    assert not np.allclose(raw.transform(1.0 - flat), -raw.transform(flat), atol=1e-2)


def test_canonical_views_remove_the_contrast(rng):
    X = np.zeros((6, 10, 10))
    X[:, 4, 2:8] = 0.5
    X[:, 2:5, 3] += rng.rand(6, 3)
    flat = X.reshape(6, -1)
    views = CanonicalViews(angles=(0.0, math.pi), contrast="rms").fit(flat)
    kept = CanonicalViews(angles=(0.0, math.pi)).fit(flat)
    V = views.transform(flat)
    # the views are those with the contrast kept, each image scaled by 1 / its RMS
    K = kept.transform(flat)
    rms = np.sqrt(np.mean(flat ** 2, axis=1))
    np.testing.assert_allclose(V, K / rms[:, None], rtol=1e-4, atol=1e-5)
    # a contrast and a grey ground drawn per image change nothing
    a = rng.uniform(0.3, 1.0, size=(6, 1))
    b = rng.uniform(0.0, 0.3, size=(6, 1))
    np.testing.assert_allclose(views.transform(a * flat + b), V, atol=1e-4)
    # ... nor does inverting the image, up to the sign
    np.testing.assert_allclose(views.transform(1.0 - flat), -V, atol=1e-4)
    # a blank image (and a uniform grey one) stays zero, without NaN
    blank = np.vstack([np.zeros(100), np.full(100, 0.4)])
    np.testing.assert_array_equal(views.transform(blank), 0.0)
    with pytest.raises(ValueError, match="contrast"):
        CanonicalViews(contrast="max").fit(flat)


def test_canonical_views_blank_and_bad_input():
    X = np.zeros((3, 16))
    out = CanonicalViews().fit_transform(X)
    assert out.shape == (3, 16) and np.isfinite(out).all()
    with pytest.raises(ValueError, match="angles must be a non-empty"):
        CanonicalViews(angles=()).fit(X)
    with pytest.raises(ValueError, match="does not match rows of 16"):
        CanonicalViews(image_shape=(3, 3)).fit(X)
    with pytest.raises(ValueError, match="reference"):
        CanonicalViews(reference="up").fit(X)


def test_orbit_predict_labels_new_samples_as_their_blob():
    # blobs far apart (make_blobs' default box lets these overlap)
    X, y = make_blobs(300, centers=[[0, 0], [10, 0], [0, 10]], cluster_std=1.0,
                      random_state=0)
    model = OrbitSpectralClustering(3, n_components="eigengap", random_state=0).fit(X[:200])
    assert model.n_components_ == 3  # the eigengap of three separated blobs
    assert model.consensus_scores_ == {}
    assert model.n_neighbors_ == 8  # round(log2(200))
    # the training samples keep their labels, new ones get their blob's
    assert adjusted_rand_score(model.labels_, model.predict(X[:200])) == 1.0
    assert adjusted_rand_score(y[200:], model.predict(X[200:])) == 1.0


def test_orbit_consensus_keeps_the_partition_that_agrees_best():
    from sklearn.metrics import normalized_mutual_info_score

    from sklearn_specclust.spectral._embedding import spectral_embedding

    X, y = make_blobs(400, centers=4, cluster_std=2.0, random_state=3)
    model = OrbitSpectralClustering(4, random_state=0).fit(X)  # "auto": consensus
    # 4 times (1, 1.25, 1.5, 1.75, 2) eigenvectors, rounded
    assert sorted(model.consensus_scores_) == [4, 5, 6, 7, 8]
    assert model.embedding_.shape == (400, model.n_components_)
    # the rule, recomputed from the fitted graph with the fit's seeds: k-means
    # on the unit rows of each candidate's leading eigenvectors, and the
    # candidate of largest mean NMI with the others
    eig_seed, km_seed = np.random.RandomState(0).randint(2**31 - 1, size=2)
    _, psi = spectral_embedding(model.affinity_matrix_, 9, laplacian="rw",
                                random_state=eig_seed)
    labels = {}
    for m in model.consensus_scores_:
        U = psi[:, :m] / np.linalg.norm(psi[:, :m], axis=1, keepdims=True)
        labels[m] = KMeans(4, n_init=10, random_state=km_seed).fit(U).labels_
    scores = {m: np.mean([normalized_mutual_info_score(labels[m], labels[o])
                          for o in labels if o != m]) for m in labels}
    for m in labels:
        assert model.consensus_scores_[m] == pytest.approx(scores[m])
    assert model.n_components_ == max(scores, key=scores.get)
    assert adjusted_rand_score(labels[model.n_components_], model.labels_) == 1.0
    assert adjusted_rand_score(y, model.labels_) > 0.8  # the blobs overlap
    assert adjusted_rand_score(model.labels_, model.predict(X)) == 1.0


def test_orbit_predict_uses_every_view(rng):
    centres = np.array([[4.0, 0.0], [0.0, 4.0]])
    y = np.repeat([0, 1], 60)
    x = centres[y] + 0.3 * rng.randn(120, 2)
    x[1::2] *= -1  # half of each group stored turned
    X = np.hstack([x, -x])
    model = OrbitSpectralClustering(2, n_views=2, random_state=0).fit(X[:80])
    assert adjusted_rand_score(y[80:], model.predict(X[80:])) == 1.0
    with pytest.raises(ValueError, match="4 features"):
        model.predict(X[:, :2])


def test_orbit_identical_samples_warn_and_share_a_label():
    from sklearn.exceptions import ConvergenceWarning

    X = np.tile(np.random.RandomState(0).rand(1, 12), (60, 1))
    with pytest.warns(ConvergenceWarning, match=r"distinct clusters \(1\) found smaller "
                      r"than n_clusters \(10\).*1 distinct rows"):
        labels = OrbitSpectralClustering(10, random_state=0).fit_predict(X)
    assert len(set(labels)) == 1
    X[:30] += 1.0  # two distinct images, 30 copies each
    with pytest.warns(ConvergenceWarning, match=r"\(2\) found smaller"):
        labels = OrbitSpectralClustering(10, random_state=0).fit_predict(X)
    assert adjusted_rand_score(np.repeat([0, 1], 30), labels) == 1.0


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_orbit_pickle_round_trip(dtype):
    import pickle

    X, _ = make_blobs(400, n_features=60, centers=2, random_state=1)
    X = X.astype(dtype)
    model = OrbitSpectralClustering(2, n_views=3, random_state=0).fit(X)
    data = pickle.dumps(model)
    again = pickle.loads(data)
    new = X + np.random.RandomState(0).normal(scale=0.5, size=X.shape).astype(dtype)
    np.testing.assert_array_equal(again.predict(new), model.predict(new))
    np.testing.assert_array_equal(again._extend(new), model._extend(new))  # the embedding
    # the index's rows are pickled once, in float32 when that is exact
    assert again._index._fit_X.dtype == np.float64
    np.testing.assert_array_equal(again._index._fit_X, model._index._fit_X)
    assert len(data) < X.astype(np.float32).nbytes * (2 if dtype == np.float64 else 1) + 200_000
    assert len(pickle.dumps(again)) < 1.01 * len(data)  # reloading does not re-inflate it


def test_orbit_n_jobs_does_not_change_labels():
    X, _ = make_blobs(200, centers=4, cluster_std=2.0, random_state=3)
    a = OrbitSpectralClustering(4, random_state=0).fit(X)
    b = OrbitSpectralClustering(4, random_state=0, n_jobs=2).fit(X)
    np.testing.assert_array_equal(a.labels_, b.labels_)
    np.testing.assert_array_equal(a.embedding_, b.embedding_)


def test_canonical_views_take_3d_and_4d_images(rng):
    X = rng.rand(5, 6, 6)
    flat = CanonicalViews(angles=(0.0, math.pi)).fit_transform(X.reshape(5, -1))
    np.testing.assert_array_equal(CanonicalViews(angles=(0.0, math.pi)).fit_transform(X), flat)
    rgb = np.repeat(X[..., None], 3, axis=3)
    out = CanonicalViews(angles=(0.0, math.pi)).fit_transform(rgb)
    assert out.shape == (5, 2 * 6 * 6 * 3)
    # each channel of a grey image turned to RGB is the grey view
    np.testing.assert_allclose(out.reshape(5, 2, 6, 6, 3)[..., 1], flat.reshape(5, 2, 6, 6),
                               atol=1e-5)
    with pytest.raises(ValueError, match="fitted on images of shape"):
        CanonicalViews().fit(X).transform(rng.rand(5, 7, 7))


def test_orbit_interrupted_fit_leaves_it_unfitted(monkeypatch):
    from sklearn.exceptions import NotFittedError
    from sklearn.utils.validation import check_is_fitted

    from sklearn_specclust.inr import _orbit

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(_orbit, "spectral_embedding", interrupted)
    X, _ = make_blobs(60, centers=2, random_state=0)
    model = OrbitSpectralClustering(2, random_state=0)
    with pytest.raises(KeyboardInterrupt):
        model.fit(X)
    assert vars(model) == OrbitSpectralClustering(2, random_state=0).__dict__
    with pytest.raises(NotFittedError):
        check_is_fitted(model)


def test_canonical_views_are_float32_and_the_orbit_reads_them_exactly(rng):
    X = rng.rand(120, 8, 8).astype(np.float64)
    V = CanonicalViews(angles=(0.0, math.pi)).fit_transform(X)
    assert V.dtype == np.float32 and V.shape == (120, 2 * 64)
    # float32 views and the same values in float64 give the same graph and labels
    a = OrbitSpectralClustering(3, n_views=2, random_state=0).fit(V)
    b = OrbitSpectralClustering(3, n_views=2, random_state=0).fit(V.astype(np.float64))
    np.testing.assert_array_equal(a.labels_, b.labels_)
    assert (a.affinity_matrix_ != b.affinity_matrix_).nnz == 0
    np.testing.assert_array_equal(a.predict(V[:10]), b.predict(V[:10].astype(np.float64)))
