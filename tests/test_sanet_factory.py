"""make_sanet: presets as data, derived geometry, coupled parameters, errors."""

import pickle
import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.cluster import AgglomerativeClustering, KMeans
from sklearn.metrics import adjusted_rand_score
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline
from sklearn.utils.estimator_checks import parametrize_with_checks

from sklearn_specclust.sanet import PRESETS, SANetPipeline, SpectralHead, make_sanet
from sklearn_specclust.sanet._presets import DEPRECATED_PRESETS

# Small, fast versions of the paper's two-layer presets.
PAPER_SMALL = dict(
    layer1__n_neighbors=(5,),
    layer1__eps_scales=(1.0,),
    layer1__gaussian_scales=("self-tuning",),
    layer1__n_components=8,
    layer1__max_nodes=600,
    layer2__n_neighbors=(5,),
    layer2__gaussian_scales=(),
    layer2__n_components=8,
    layer2__max_nodes=300,
)
# ... and of the default preset, at any depth.
OURS_SMALL = {f"layer{d}__{key}": value for d in (1, 2, 3)
              for key, value in (("n_components", 4), ("max_nodes", 400))}


def _small(depth):
    return {k: v for k, v in OURS_SMALL.items() if int(k[5]) <= depth}


def _quiet(fn, *a, **k):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return fn(*a, **k)


def _resize(images, side):
    """Nearest-neighbour resize of (n, h, w[, c]) images to side x side."""
    h, w = images.shape[1:3]
    rows = np.minimum((np.arange(side) * h) // side, h - 1)
    cols = np.minimum((np.arange(side) * w) // side, w - 1)
    return images[:, rows][:, :, cols]


@pytest.fixture(scope="module")
def digits():
    from sklearn.datasets import load_digits

    d = load_digits()
    return (d.images[:60] / 16).astype(np.float32), d.target[:60]


@pytest.fixture(scope="module")
def digits28(digits):
    return _resize(digits[0], 28), digits[1]


# ---------------------------------------------------------------- the default


def test_default_is_our_normalised_network_with_spectral_head():
    net = make_sanet(10)
    assert isinstance(net, Pipeline) and isinstance(net, SANetPipeline)
    assert [n for n, _ in net.steps] == [
        "patches1", "layer1", "norm1", "pool", "binarize", "code", "flatten", "cluster"]
    p = net.get_params()
    assert p["patches1__patch_size"] == "auto" and p["pool__output_size"] == 3
    assert p["layer1__n_neighbors"] == (9,) and p["layer1__n_components"] == 64
    assert p["binarize"] == "passthrough" and p["code"] == "passthrough"
    assert isinstance(net.named_steps["cluster"], SpectralHead)
    assert p["cluster__n_components"] == "auto" and p["cluster__n_clusters"] == 10
    assert PRESETS["normalized-knn"].source == "ours"
    assert all(PRESETS[name].source.startswith("Wang & Jiang 2020")
               for name in PRESETS if name.startswith("wang2020"))


@pytest.mark.parametrize("shape, patch, step, padding, grid", [
    ((28, 28), 11, 2, 4, (13, 13)),  # MNIST: the measured "mnist-plus" geometry
    ((8, 8), 4, 1, 1, (7, 7)),  # bundled digits: the "digits-plus" geometry
    ((16, 15), 7, 1, 2, (14, 13)),
    ((32, 32, 3), 12, 2, 5, (16, 16)),
    ((64, 64), 23, 5, 10, (13, 13)),
])
def test_geometry_is_derived_from_the_image_size(shape, patch, step, padding, grid):
    rng = np.random.RandomState(0)
    X = rng.rand(12, *shape).astype(np.float32)
    net = make_sanet(2, random_state=0, **_small(1))
    labels = _quiet(net.fit_predict, X)
    assert labels.shape == (12,)
    pe = net.named_steps["patches1"]
    assert (pe.patch_size_, pe.step_, pe.padding_) == ((patch, patch), step, padding)
    assert pe.output_shape_[:2] == grid
    pooled = net.named_steps["pool"].output_shape_
    assert min(pooled[:2]) == 3  # a 3x3 grid on the smaller side


def test_default_separates_digits_better_than_kmeans_on_pixels():
    from sklearn_specclust.datasets import load_digits_images
    from sklearn_specclust.metrics import clustering_accuracy_score

    X, y = load_digits_images(return_X_y=True)
    X, y = X[:300], y[:300]
    ours = clustering_accuracy_score(y, _quiet(make_sanet(10, random_state=0).fit_predict, X))
    pixels = KMeans(10, n_init=10, random_state=0).fit_predict(X.reshape(len(X), -1))
    assert ours > clustering_accuracy_score(y, pixels) + 0.03


def test_default_is_blind_to_the_ground_level_and_its_sign():
    # the first layer pads with each image's border level and removes each
    # patch's mean: white-on-black and black-on-white digits, or a grey
    # ground and a lower contrast, give the same patch graph
    from sklearn_specclust.datasets import load_digits_images

    X = load_digits_images(return_X_y=True)[0][:300].astype(np.float32)
    net = make_sanet(10, random_state=0)
    assert net.get_params()["patches1__padding_mode"] == "background"
    labels = _quiet(net.fit_predict, X)
    assert_array_equal(_quiet(net.fit_predict, 16.0 - X), labels)
    assert_array_equal(_quiet(net.fit_predict, 0.5 * X + 4.8), labels)
    # zero padding sees an edge along the frame of the inverted digits
    zero = net.set_params(patches1__padding_mode="constant")
    assert not np.array_equal(_quiet(zero.fit_predict, 16.0 - X), labels)


def test_default_is_blind_to_a_ground_colour_per_image():
    # each patch's mean is removed channel by channel: a ground of any
    # colour, different for every image, leaves the patches as they were
    from sklearn_specclust.datasets import load_digits_images

    rng = np.random.RandomState(0)
    X = load_digits_images(return_X_y=True)[0][:300].astype(np.float32) / 16.0
    colour = X[..., None] * rng.uniform(0.3, 1.0, size=(300, 1, 1, 3)).astype(np.float32)
    ground = rng.uniform(0.0, 0.5, size=(300, 1, 1, 3)).astype(np.float32)
    net = make_sanet(10, random_state=0)
    assert net.get_params()["patches1__remove_mean"] == "channel"
    labels = _quiet(net.fit_predict, colour)
    # the same up to float32 rounding (1 of 300 images moved when measured)
    assert adjusted_rand_score(_quiet(net.fit_predict, colour + ground), labels) > 0.97
    # removing the mean over all values keeps the ground's colour (ARI 0.27)
    net.set_params(patches1__remove_mean=True)
    assert adjusted_rand_score(_quiet(net.fit_predict, colour + ground),
                               _quiet(net.fit_predict, colour)) < 0.8


def test_three_layouts_same_labels_and_held_out_predict(digits28):
    X = digits28[0][:30]
    a = _quiet(make_sanet(3, random_state=0, **_small(1)).fit_predict, X)
    b = _quiet(make_sanet(3, random_state=0, **_small(1)).fit_predict, X[..., None])
    net = make_sanet(3, random_state=0, **_small(1))
    c = _quiet(net.fit_predict, X.reshape(len(X), -1))
    assert_array_equal(a, b)
    assert_array_equal(a, c)
    # fitted on flat rows, new images may come as images or rows
    assert_array_equal(_quiet(net.predict, X[:10]), a[:10])
    assert_array_equal(_quiet(net.predict, X[:10].reshape(10, -1)), a[:10])
    again = pickle.loads(pickle.dumps(net))
    assert_array_equal(_quiet(again.predict, X[:10]), a[:10])


# ------------------------------------------------------- depth of our network


@pytest.mark.parametrize("depth, names", [
    (1, ["patches1", "layer1", "norm1"]),
    (2, ["patches1", "layer1", "norm1", "pool1", "patches2", "layer2", "norm2"]),
    (3, ["patches1", "layer1", "norm1", "pool1", "patches2", "layer2", "norm2",
         "patches3", "layer3", "norm3"]),
])
def test_depths_of_the_default(digits28, depth, names):
    net = make_sanet(3, depth=depth, head="kmeans", random_state=0, **_small(depth))
    assert [n for n, _ in net.steps] == names + ["pool", "binarize", "code", "flatten",
                                                  "cluster"]
    X = digits28[0][:40]
    labels = _quiet(net.fit_predict, X)
    assert labels.shape == (40,)
    # 13x13 maps -> (pool1) 6x6 -> 4x4 patches -> pooled to 3x3; 4 channels
    assert _quiet(net[:-1].transform, X[:5]).shape == (5, 3 * 3 * 4)
    Z = _quiet(net[:[n for n, _ in net.steps].index("pool")].transform, X[:5])
    assert_allclose(np.linalg.norm(Z, axis=-1), 1, rtol=1e-5)


@pytest.mark.parametrize("preset, depth, message", [
    (None, 4, "'normalized-knn' has 1 to 3 layers"),
    (None, 0, "'normalized-knn' has 1 to 3 layers"),
    ("wang2020-mnist", 3, "'wang2020-mnist' has 1 to 2 layers"),
    ("wang2020-natural", 0, "'wang2020-natural' has any number of layers"),
])
def test_depth_errors(preset, depth, message):
    with pytest.raises(ValueError, match=message):
        make_sanet(10, preset=preset, depth=depth)


# --------------------------------------------------------- the paper presets


def test_wang2020_mnist_preset_steps_and_params():
    net = make_sanet(10, preset="wang2020-mnist")
    assert [n for n, _ in net.steps] == [
        "patches1", "layer1", "patches2", "reduce2", "layer2", "pool", "binarize",
        "code", "flatten", "cluster"]
    p = net.get_params()
    assert p["reduce2"] == "passthrough"
    assert (p["patches1__patch_size"], p["patches1__step"], p["patches1__padding"]) == (11, 5, 4)
    assert p["patches1__remove_mean"] and p["patches1__image_shape"] == (28, 28)
    assert p["layer1__n_neighbors"] == (9, 17)
    assert p["layer1__eps_scales"] == (0.5, 1.0, 2.0)
    assert p["layer1__gaussian_scales"] == ("self-tuning", 0.1, 0.01)
    assert p["layer1__n_components"] == 64 and p["layer2__n_components"] == 16
    assert (p["pool__pool_size"], p["pool__stride"], p["pool__padding"]) == (3, 1, "same")
    assert p["code__n_bits"] == 8 and p["code__block_size"] == "auto"
    assert p["cluster__n_clusters"] == 10


def test_natural_depths():
    for depth in (1, 2, 3, 5):
        names = [n for n, _ in make_sanet(10, preset="wang2020-natural", depth=depth).steps]
        assert sum(n.startswith("layer") for n in names) == depth
    names = [n for n, _ in make_sanet(10, preset="wang2020-natural", depth=5).steps]
    assert "pool4" in names and "pool1" not in names


def test_paper_preset_fits_three_layouts(digits28):
    X = digits28[0]
    net = make_sanet(4, preset="wang2020-mnist", random_state=0, **PAPER_SMALL)
    a = _quiet(net.fit_predict, X)
    b = _quiet(make_sanet(4, preset="wang2020-mnist", random_state=0,
                          **PAPER_SMALL).fit_predict, X.reshape(len(X), -1))
    assert_array_equal(a, b)
    # 3x3 maps x (1 procedure x 8 eigenvectors / 8 bits)
    assert net[:-1].transform(X).shape == (60, 3 * 3 * 1)


# ---------------------------------------------- coupled parameters in a search


def test_grid_search_over_layer_components_keeps_blocks(digits28):
    X = digits28[0][:40]
    params = _small(1)
    params.pop("layer1__n_components")
    gs = GridSearchCV(make_sanet(3, head="kmeans", random_state=0, **params),
                      {"layer1__n_components": [4, 6, 8]}, cv=2)
    _quiet(gs.fit, X)
    assert np.isfinite(gs.cv_results_["mean_test_score"]).all()
    best = gs.best_estimator_
    assert best.named_steps["norm1"].blocks_ == [(0, gs.best_params_["layer1__n_components"])]


def test_coder_groups_stay_inside_procedures_when_components_change(digits28):
    X = digits28[0][:40]
    params = dict(PAPER_SMALL, layer2__n_neighbors=(5, 7), layer2__n_components=12)
    net = make_sanet(3, preset="wang2020-mnist", random_state=0, **params)
    _quiet(net.fit, X)
    groups = net.named_steps["code"].groups_
    # blocks of 12 coded in groups of 8 bits: 8 + 4 per procedure, never across
    assert groups == [(0, 8), (8, 12), (12, 20), (20, 24)]
    # an explicit block size is kept
    net = make_sanet(3, preset="wang2020-mnist", random_state=0, code__block_size=24,
                     **params)
    _quiet(net.fit, X)
    assert net.named_steps["code"].groups_ == [(0, 8), (8, 16), (16, 24)]


# ------------------------------------------------------ deprecated preset names


@pytest.mark.parametrize("old", sorted(DEPRECATED_PRESETS))
def test_old_names_warn_and_build_the_old_network(old):
    new, implied = DEPRECATED_PRESETS[old]
    with pytest.warns(FutureWarning, match=f"preset='{old}' is renamed; use preset='{new}'"):
        net = make_sanet(10, preset=old)
    reference = make_sanet(10, preset=new, **implied)
    assert [n for n, _ in net.steps] == [n for n, _ in reference.steps]
    assert not isinstance(net.named_steps["cluster"], SpectralHead)


def test_old_plus_names_keep_the_kmeans_head_and_depth():
    with pytest.warns(FutureWarning):
        net = make_sanet(10, preset="natural-plus")
    assert "layer2" in net.named_steps
    assert isinstance(net.named_steps["cluster"], KMeans)
    with pytest.warns(FutureWarning):
        net = make_sanet(10, preset="mnist-plus", head="spectral")
    assert isinstance(net.named_steps["cluster"], SpectralHead)


# ------------------------------------------------------------ head, clusterer


def test_spectral_head_chooses_eigenvectors_and_predicts(digits28):
    X = digits28[0][:40]
    net = make_sanet(3, random_state=0, **_small(1))
    labels = _quiet(net.fit_predict, X)
    assert len(np.unique(labels)) == 3
    head = net.named_steps["cluster"]
    assert set(head.consensus_scores_) == {3, 4, 5, 6}
    assert head.n_components_ == max(head.consensus_scores_, key=head.consensus_scores_.get)
    assert_array_equal(_quiet(net.predict, X[:10]), labels[:10])
    net = make_sanet(3, random_state=0, cluster__n_components=5, **_small(1))
    _quiet(net.fit, X)
    assert net.named_steps["cluster"].n_components_ == 5


def test_clusterer_and_ablation(digits28):
    X = digits28[0]
    net = make_sanet(3, preset="wang2020-mnist", pool=False, binarize=False, code=False,
                     clusterer=AgglomerativeClustering(3), **PAPER_SMALL)
    assert net.get_params()["pool"] == "passthrough"
    assert len(np.unique(_quiet(net.fit_predict, X))) == 3
    assert _quiet(net[:-1].fit_transform, X).shape == (60, 3 * 3 * 8)
    assert isinstance(make_sanet(3, head="kmeans", clusterer="kmeans").steps[-1][1], KMeans)


@pytest.mark.parametrize("kwargs, message", [
    (dict(head="kmeans", clusterer="dbscan"),
     "clusterer must be None, 'kmeans' or an estimator"),
    (dict(head="dbscan"), "head must be"),
    (dict(clusterer=KMeans(3)), "the spectral head clusters its own embedding"),
    (dict(preset="cifar"), "Unknown preset 'cifar'"),
    (dict(pool=3), "pool must be None, a bool, 'auto' or a tuple"),
])
def test_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        make_sanet(3, **kwargs)
    with pytest.raises(ValueError, match="n_clusters must be an int >= 1"):
        make_sanet(0)


def test_more_clusters_than_images_is_refused_before_fitting(monkeypatch):
    from sklearn_specclust.spectral import SpectralAnalysisLayer

    def boom(*args, **kwargs):  # pragma: no cover - must not run
        raise AssertionError("a layer was fitted before the cheap check")

    monkeypatch.setattr(SpectralAnalysisLayer, "fit", boom)
    monkeypatch.setattr(SpectralAnalysisLayer, "fit_transform", boom)
    X = np.random.RandomState(0).rand(3, 28, 28)
    for method in ("fit", "fit_predict"):
        with pytest.raises(ValueError, match="n_samples=3 should be >= n_clusters=10"):
            getattr(make_sanet(10), method)(X)


def test_verbose_prints_step_times(digits28, capsys):
    X = digits28[0][:20]
    _quiet(make_sanet(2, verbose=True, random_state=0, **_small(1)).fit, X)
    out = capsys.readouterr().out
    assert "(step 2 of 8) Processing layer1" in out


def test_spectral_head_chooses_the_number_of_clusters():
    from sklearn.datasets import make_blobs

    X, _ = make_blobs(300, centers=6, cluster_std=0.6, random_state=0)
    head = _quiet(SpectralHead("auto", max_n_clusters=10, random_state=0).fit, X)
    assert abs(head.n_clusters_ - 6) <= 1
    assert set(head.n_clusters_scores_) == set(range(2, 11))
    assert head.n_clusters_ == max(head.n_clusters_scores_, key=head.n_clusters_scores_.get)
    assert len(np.unique(head.labels_)) == head.n_clusters_
    with pytest.raises(ValueError, match="n_clusters='auto' fits heads on two halves"):
        SpectralHead("auto").fit(X[:5])


def test_make_sanet_n_clusters_auto_needs_the_spectral_head():
    assert make_sanet("auto").named_steps["cluster"].n_clusters == "auto"
    with pytest.raises(ValueError, match="n_clusters='auto' is chosen by the spectral head"):
        make_sanet("auto", head="kmeans")


def test_a_fixed_size_preset_names_the_size_it_needs():
    X = np.random.RandomState(0).rand(12, 16, 16)
    with pytest.raises(ValueError, match=r"images of shape \(16, 16, 1\), but image_shape="
                                         r"\(28, 28\)"):
        make_sanet(3, preset="wang2020-mnist").fit(X)


@parametrize_with_checks([SpectralHead("auto", max_n_clusters=4, n_neighbors=5)])
def test_spectral_head_auto_passes_check_estimator(estimator, check):
    check(estimator)
