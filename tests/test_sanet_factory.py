"""make_sanet: presets, the three input layouts, held-out images, GridSearchCV."""

import pickle
import warnings

import numpy as np
import pytest
from numpy.testing import assert_array_equal
from sklearn.cluster import AgglomerativeClustering
from sklearn.model_selection import GridSearchCV

from sklearn_specclust.sanet import make_sanet

# Small, fast versions of the presets (the real settings are exercised by the
# benchmarks on MNIST): fewer procedures and eigenvectors, sampled nodes.
SMALL = dict(
    layer1__n_neighbors=(5,),
    layer1__eps_scales=(1.0,),
    layer1__sigmas=("self-tuning",),
    layer1__n_components=8,
    layer1__max_nodes=600,
    layer2__n_neighbors=(5,),
    layer2__sigmas=(),
    layer2__n_components=8,
    layer2__max_nodes=300,
)


@pytest.fixture(scope="module")
def digits28():
    # 8x8 digits blown up to 28x28 (nearest neighbour): MNIST-shaped, no download
    from sklearn.datasets import load_digits

    d = load_digits()
    X = d.images[:60]
    idx = np.minimum((np.arange(28) * 8) // 28, 7)
    X = X[:, idx][:, :, idx] * 16
    return X.astype(np.float32), d.target[:60]


def _quiet(fn, *a, **k):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return fn(*a, **k)


def test_mnist_preset_steps_and_params():
    net = make_sanet(10)
    names = [n for n, _ in net.steps]
    assert names == ["patches1", "layer1", "patches2", "reduce2", "layer2", "pool",
                     "binarize", "code", "flatten", "cluster"]
    p = net.get_params()
    assert p["reduce2"] == "passthrough"  # the PatchPCA option is off by default
    assert p["patches1__patch_size"] == 11 and p["patches1__step"] == 5
    assert p["patches1__padding"] == 4 and p["patches1__remove_mean"]
    assert p["layer1__n_neighbors"] == (9, 17)
    assert p["layer1__eps_scales"] == (0.5, 1.0, 2.0)
    assert p["layer1__n_components"] == 64 and p["layer2__n_components"] == 16
    assert p["code__n_bits"] == 8 and p["code__block_size"] == 16
    assert p["cluster__n_clusters"] == 10


def test_three_layouts_same_labels(digits28):
    X, _ = digits28
    net = make_sanet(4, random_state=0, **SMALL)
    a = _quiet(net.fit_predict, X)
    b = _quiet(make_sanet(4, random_state=0, **SMALL).fit_predict, X[..., None])
    c = _quiet(make_sanet(4, random_state=0, **SMALL).fit_predict, X.reshape(len(X), -1))
    assert a.shape == (60,)
    assert_array_equal(a, b)
    assert_array_equal(a, c)
    # the features: 3x3 maps x (1 procedure x 8 eigenvectors / 8 bits)
    assert net[:-1].transform(X).shape == (60, 3 * 3 * 1)


def test_predict_held_out_and_pickle(digits28):
    X, _ = digits28
    net = _quiet(make_sanet(3, random_state=0, **SMALL).fit, X[:45])
    pred = _quiet(net.predict, X[45:])
    assert pred.shape == (15,)
    again = pickle.loads(pickle.dumps(net))
    assert_array_equal(_quiet(again.predict, X[45:]), pred)
    with pytest.raises(ValueError, match="features|fitted on maps"):
        net.predict(np.zeros((3, 20, 20)))


def test_ablation_and_clusterer(digits28):
    X, _ = digits28
    net = make_sanet(3, pool=False, binarize=False, code=False,
                     clusterer=AgglomerativeClustering(3), **SMALL)
    assert net.get_params()["pool"] == "passthrough"
    labels = _quiet(net.fit_predict, X)
    assert len(np.unique(labels)) == 3
    # real features reach the clusterer: 3x3 maps x 1 procedure x 8
    assert _quiet(net[:-1].fit_transform, X).shape == (60, 72)


def test_grid_search_held_out_folds(digits28):
    X, _ = digits28
    params = dict(SMALL)
    params.pop("layer1__n_neighbors")
    gs = GridSearchCV(make_sanet(3, random_state=0, **params),
                      {"layer1__n_neighbors": [(5,), (7,)]}, cv=2)
    _quiet(gs.fit, X)
    assert gs.best_params_["layer1__n_neighbors"] in [(5,), (7,)]
    assert np.isfinite(gs.cv_results_["mean_test_score"]).all()


def test_natural_depths_and_errors():
    for depth in (1, 2, 3, 5):
        names = [n for n, _ in make_sanet(10, preset="natural", depth=depth).steps]
        assert sum(n.startswith("layer") for n in names) == depth
    assert "pool4" in [n for n, _ in make_sanet(10, preset="natural", depth=5).steps]
    with pytest.raises(ValueError, match="Unknown preset"):
        make_sanet(10, preset="cifar")
    with pytest.raises(ValueError, match="2-layer"):
        make_sanet(10, depth=3)
    with pytest.raises(ValueError, match="depth must be"):
        make_sanet(10, preset="natural", depth=0)


def test_spectral_head(digits28):
    X, _ = digits28
    net = make_sanet(3, head="spectral", random_state=0, **SMALL)
    names = [n for n, _ in net.steps]
    assert names[-3:] == ["embed", "normalize", "cluster"]
    labels = _quiet(net.fit_predict, X)
    assert len(np.unique(labels)) == 3
    emb = _quiet(net[:-1].transform, X[:5])
    assert emb.shape == (5, 3)
    np.testing.assert_allclose(np.linalg.norm(emb, axis=1), 1, rtol=1e-5)
    with pytest.raises(ValueError, match="head must be"):
        make_sanet(3, head="dbscan")


def test_mnist_plus_preset_steps_and_params():
    net = make_sanet(10, preset="mnist-plus")
    names = [n for n, _ in net.steps]
    assert names == ["patches1", "layer1", "norm1", "pool", "binarize", "code",
                     "flatten", "cluster"]
    p = net.get_params()
    assert p["patches1__step"] == 2 and p["layer1__n_neighbors"] == (9,)
    assert p["layer1__eps_scales"] == () and p["layer1__sigmas"] == ()
    assert p["norm1__block_size"] == 64
    assert (p["pool__pool_size"], p["pool__stride"], p["pool__padding"]) == (5, 4, "valid")
    assert p["binarize"] == "passthrough" and p["code"] == "passthrough"
    # the paper's tail can be put back, and norm1 follows layer1__n_components
    net = make_sanet(10, preset="mnist-plus", binarize=True, code=True,
                     layer1__n_components=16)
    p = net.get_params()
    assert p["norm1__block_size"] == 16 and p["code__block_size"] == 16
    with pytest.raises(ValueError, match="1 layer"):
        make_sanet(10, preset="mnist-plus", depth=2)
    # the faithful preset is unchanged by the new defaults
    assert make_sanet(10, pool=True).get_params()["pool__pool_size"] == 3
    assert make_sanet(10, pool=(2, 2, "valid")).get_params()["pool__stride"] == 2
    with pytest.raises(ValueError, match="pool must be None, a bool or a tuple"):
        make_sanet(10, pool=3)


def test_mnist_plus_fits_three_layouts_and_predicts(digits28):
    X = digits28[0][:30]
    small = dict(layer1__n_components=4, layer1__max_nodes=500)
    net = make_sanet(3, preset="mnist-plus", random_state=0, **small)
    a = _quiet(net.fit_predict, X)
    assert _quiet(net[:-1].transform, X).shape == (30, 3 * 3 * 4)
    b = _quiet(make_sanet(3, preset="mnist-plus", random_state=0, **small).fit_predict,
               X.reshape(len(X), -1))
    assert_array_equal(a, b)
    assert_array_equal(_quiet(net.predict, X[:10]), a[:10])


def test_digits_plus_preset_beats_kmeans_on_pixels():
    # "mnist-plus" scaled to 8x8 (benchmarks/results/sanet_digits.md): on the
    # first 300 bundled digits it must separate them better than k-means on
    # the pixels does (0.967 vs 0.897 when written).
    from sklearn.cluster import KMeans

    from sklearn_specclust.datasets import load_digits_images
    from sklearn_specclust.metrics import clustering_accuracy_score

    X, y = load_digits_images(return_X_y=True)
    X, y = X[:300], y[:300]
    net = make_sanet(10, preset="digits-plus", random_state=0)
    assert [n for n, _ in net.steps][:3] == ["patches1", "layer1", "norm1"]
    ours = clustering_accuracy_score(y, _quiet(net.fit_predict, X))
    assert _quiet(net[:-1].transform, X[:4]).shape == (4, 3 * 3 * 64)
    pixels = KMeans(10, n_init=10, random_state=0).fit_predict(X.reshape(len(X), -1))
    assert ours > clustering_accuracy_score(y, pixels) + 0.03
    with pytest.raises(ValueError, match="1 layer"):
        make_sanet(10, preset="digits-plus", depth=2)
