"""Tests of the SA-Net stages on tiny arrays with hand-computed answers."""

import pickle

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from sklearn_specclust.sanet import AbsMaxPool, BitCoder, PatchFeatures, SignBinarizer


# --------------------------------------------------------------------- patches
def test_patches_by_hand():
    X = np.arange(16, dtype=float).reshape(1, 4, 4)
    P = PatchFeatures(2, step=2).fit_transform(X)
    assert P.shape == (1, 2, 2, 4)
    assert_array_equal(P[0, 0, 0], [0, 1, 4, 5])
    assert_array_equal(P[0, 1, 1], [10, 11, 14, 15])


def test_patches_padding_and_mean():
    X = np.ones((1, 2, 2))
    P = PatchFeatures(3, step=1, padding=1).fit_transform(X)
    assert P.shape == (1, 2, 2, 9)
    # top-left patch: zero row, zero column, then the 2x2 ones in the corner
    assert_array_equal(P[0, 0, 0], [0, 0, 0, 0, 1, 1, 0, 1, 1])
    Pm = PatchFeatures(3, padding=1, remove_mean=True).fit_transform(X)
    assert_allclose(Pm[0, 0, 0], np.array([0, 0, 0, 0, 1, 1, 0, 1, 1]) - 4 / 9)
    assert_allclose(Pm.sum(axis=-1), 0, atol=1e-12)


def test_patches_padding_modes_by_hand():
    X = np.array([[[1.0, 2.0], [3.0, 4.0]]])
    edge = PatchFeatures(3, step=1, padding=1, padding_mode="edge").fit_transform(X)
    assert_array_equal(edge[0, 0, 0], [1, 1, 2, 1, 1, 2, 3, 3, 4])
    # "background": each image's border median (here of 1, 2, 3, 4: 2.5),
    # per channel
    bg = PatchFeatures(3, step=1, padding=1, padding_mode="background").fit_transform(X)
    assert_array_equal(bg[0, 0, 0], [2.5, 2.5, 2.5, 2.5, 1, 2, 2.5, 3, 4])
    Y = np.zeros((2, 3, 3, 2))
    Y[0, ..., 1] = 5.0
    Y[1, 1, 1, 0] = 7.0  # the centre is not on the border
    bg = PatchFeatures(3, step=1, padding=1, padding_mode="background").fit_transform(Y)
    assert_array_equal(bg[0, 0, 0].reshape(9, 2)[0], [0, 5])
    assert_array_equal(bg[1, 0, 0].reshape(9, 2)[0], [0, 0])


def test_patches_background_padding_makes_layer_one_sign_and_level_free(rng):
    # on zero-bordered images "background" is zero padding; on 1 - X it pads
    # with 1, so the mean-free patches of 1 - X are those of X negated
    X = np.zeros((3, 9, 9))
    X[:, 2:7, 2:7] = rng.rand(3, 5, 5)
    pf = dict(patch_size=5, step=1, padding=2, remove_mean=True)
    zero = PatchFeatures(**pf).fit_transform(X)
    bg = PatchFeatures(padding_mode="background", **pf)
    assert_array_equal(bg.fit_transform(X), zero)
    assert_allclose(bg.fit_transform(1.0 - X), -zero, atol=1e-12)
    assert_allclose(bg.fit_transform(0.5 * X + 0.2), 0.5 * zero, atol=1e-12)
    # zero padding sees an edge along the frame of the inverted images
    assert not np.allclose(PatchFeatures(**pf).fit_transform(1.0 - X), -zero)


def test_patches_remove_mean_per_channel(rng):
    X = rng.rand(2, 6, 6, 3)
    X[0, :3, :3] = [0.2, 0.5, 0.9]  # a patch of one colour
    pf = dict(patch_size=3, step=1, padding=0)
    P = PatchFeatures(remove_mean="channel", **pf).fit_transform(X)
    by_channel = P.reshape(2, 4, 4, 9, 3)
    assert_allclose(by_channel.mean(axis=3), 0, atol=1e-12)
    assert_allclose(P[0, 0, 0], 0, atol=1e-12)
    # over all values, the uniform colour leaves its channel offsets
    assert np.abs(PatchFeatures(remove_mean=True, **pf).fit_transform(X)[0, 0, 0]).max() > 0.2
    # one channel: the same as remove_mean=True
    one = X[..., :1]
    assert_array_equal(PatchFeatures(remove_mean="channel", **pf).fit_transform(one),
                       PatchFeatures(remove_mean=True, **pf).fit_transform(one))
    with pytest.raises(ValueError, match="remove_mean"):
        PatchFeatures(remove_mean="pixels").fit(X)


def test_patches_channels_order():
    X = np.arange(2 * 3 * 3 * 2, dtype=float).reshape(2, 3, 3, 2)
    P = PatchFeatures((2, 1)).fit_transform(X)
    assert P.shape == (2, 2, 3, 4)
    # (row, col, channel) order: pixel (0,0) both channels, then pixel (1,0)
    assert_array_equal(P[1, 0, 0], [X[1, 0, 0, 0], X[1, 0, 0, 1], X[1, 1, 0, 0], X[1, 1, 0, 1]])


def test_patches_mnist_geometry_three_layouts(rng):
    imgs = rng.rand(3, 28, 28)
    a = PatchFeatures(11, step=5, padding=4).fit_transform(imgs)
    b = PatchFeatures(11, step=5, padding=4).fit_transform(imgs[..., None])
    pe = PatchFeatures(11, step=5, padding=4, image_shape=(28, 28))
    c = pe.fit_transform(imgs.reshape(3, -1))
    d = PatchFeatures(11, step=5, padding=4, image_shape=(28, 28), output="maps")
    d = d.fit_transform(imgs.reshape(3, -1))
    assert a.shape == (3, 6, 6, 121)
    assert_array_equal(a, b)
    assert c.shape == (3, 6 * 6 * 121)
    assert_array_equal(a.reshape(3, -1), c)
    assert_array_equal(a, d)


def test_patches_uint8_becomes_float32_and_input_untouched():
    X = (np.arange(2 * 5 * 5) % 256).astype(np.uint8).reshape(2, 5, 5)
    X0 = X.copy()
    P = PatchFeatures(3, remove_mean=True).fit_transform(X)
    assert P.dtype == np.float32
    assert_array_equal(X, X0)
    Xf = X.astype(np.float64)
    Xf0 = Xf.copy()
    # 1x1 patches with step 1 could be a view of the input: must not be modified
    PatchFeatures(1, remove_mean=True).fit_transform(Xf[..., None])
    assert_array_equal(Xf, Xf0)


def test_patches_errors():
    with pytest.raises(ValueError, match="larger than the padded image"):
        PatchFeatures(11).fit(np.zeros((2, 5, 5)))
    with pytest.raises(ValueError, match="give image_shape"):
        PatchFeatures(3).fit(np.zeros((2, 9)))
    pe = PatchFeatures(3).fit(np.zeros((2, 8, 8)))
    with pytest.raises(ValueError, match=r"9 features|fitted on maps"):
        pe.transform(np.zeros((2, 9, 9)))
    with pytest.raises(ValueError, match="image_shape"):
        PatchFeatures(3, image_shape=(5, 5)).fit(np.zeros((2, 24)))
    with pytest.raises(ValueError, match="NaN"):
        PatchFeatures(3).fit(np.full((2, 8, 8), np.nan))


def test_patches_refuse_output_that_will_not_fit(monkeypatch):
    X = np.zeros((50, 28, 28), dtype=np.float32)
    pe = PatchFeatures(11, step=1, padding=0).fit(X[:2])  # 18x18x121 floats per image
    monkeypatch.setenv("SPECCLUST_MAX_MEMORY", "1M")
    with pytest.raises(MemoryError, match=r"patch maps of 50 images.*batches"):
        pe.transform(X)
    assert pe.transform(X[:2]).shape == (2, 18, 18, 121)  # 307 KB fits


# --------------------------------------------------------------------- pooling
def test_abs_max_pool_by_hand():
    X = np.array([[1.0, -4.0, 2.0], [3.0, 0.5, -1.0], [-2.0, 1.0, 6.0]])[None]
    valid = AbsMaxPool(2, stride=1, padding="valid").fit_transform(X)[0, ..., 0]
    assert_array_equal(valid, [[-4.0, -4.0], [3.0, 6.0]])
    same = AbsMaxPool(3, stride=1).fit_transform(X)[0, ..., 0]
    assert_array_equal(same, [[-4.0, -4.0, -4.0], [-4.0, 6.0, 6.0], [3.0, 6.0, 6.0]])
    strided = AbsMaxPool(2, stride=2, padding="valid").fit_transform(X)[0, ..., 0]
    assert_array_equal(strided, [[-4.0]])
    same2 = AbsMaxPool(3, stride=2).fit_transform(X)[0, ..., 0]
    assert_array_equal(same2, [[-4.0, -4.0], [3.0, 6.0]])


def test_abs_max_pool_channels_independent_and_tie(rng):
    X = rng.randn(4, 5, 5, 3)
    pooled = AbsMaxPool(2, padding="valid").fit_transform(X)
    for ch in range(3):
        one = AbsMaxPool(2, padding="valid").fit_transform(X[..., ch])
        assert_array_equal(pooled[..., ch], one[..., 0])
    # brute force
    ref = np.empty((4, 4, 4, 3))
    for i in range(4):
        for j in range(4):
            win = X[:, i : i + 2, j : j + 2].reshape(4, 4, 3)
            idx = np.abs(win).argmax(axis=1)
            ref[:, i, j] = np.take_along_axis(win, idx[:, None], axis=1)[:, 0]
    assert_array_equal(pooled, ref)
    tie = np.array([[[1.0, -1.0], [0.5, 0.0]]])
    assert AbsMaxPool(2, padding="valid").fit_transform(tie).item() == 1.0
    assert AbsMaxPool(2, padding="valid").fit_transform(-tie).item() == -1.0


def test_abs_max_pool_2d_is_identity_and_errors(rng):
    X = rng.randn(5, 7)
    assert_array_equal(AbsMaxPool().fit_transform(X), X)
    with pytest.raises(ValueError, match="larger than the maps"):
        AbsMaxPool(4, padding="valid").fit(np.zeros((2, 3, 3, 1)))
    pool = AbsMaxPool().fit(np.zeros((2, 3, 3, 4)))
    with pytest.raises(ValueError, match="fitted on maps"):
        pool.transform(np.zeros((2, 3, 3, 5)))


# -------------------------------------------------------------------- binarize
def test_sign_binarizer():
    X = np.array([[[-1.0, 0.0], [0.5, 2.0]]], dtype=np.float32)
    B = SignBinarizer().fit_transform(X)
    assert B.dtype == np.float32
    assert_array_equal(B[0, ..., 0], [[0, 0], [1, 1]])
    with pytest.raises(ValueError, match="infinity|NaN"):
        SignBinarizer().fit(np.array([[np.inf, 1.0]]))


# ---------------------------------------------------------------------- coding
def test_bit_coder_weights():
    bits = np.array([[1, 0, 0, 0, 0, 0, 0, 1, 0, 1, 1]], dtype=float)
    # group 1: 10000001 = 129; remainder 011 = 3 (weights 4, 2, 1)
    assert_array_equal(BitCoder().fit_transform(bits), [[129, 3]])
    bc = BitCoder(remainder="drop").fit(bits)
    assert bc.groups_ == [(0, 8)]
    assert_array_equal(bc.transform(bits), [[129]])


def test_bit_coder_blocks_never_straddle_procedures():
    # two procedures of 3 eigenvectors each, L = 2
    bits = np.array([[1, 1, 1, 0, 1, 1]], dtype=float)
    bc = BitCoder(n_bits=2, block_size=3).fit(bits)
    assert bc.groups_ == [(0, 2), (2, 3), (3, 5), (5, 6)]
    assert_array_equal(bc.transform(bits), [[3, 1, 1, 1]])
    assert_array_equal(
        BitCoder(n_bits=2, block_size=[4, 2]).fit_transform(bits), [[3, 2, 3]]
    )
    with pytest.raises(ValueError, match="does not divide"):
        BitCoder(n_bits=2, block_size=4).fit(bits)
    with pytest.raises(ValueError, match="summing to"):
        BitCoder(n_bits=2, block_size=[4, 4]).fit(bits)
    with pytest.raises(ValueError, match="No complete group"):
        BitCoder(n_bits=8, remainder="drop").fit(bits)


def test_bit_coder_maps(rng):
    bits = (rng.rand(3, 2, 2, 16) > 0.5).astype(np.float32)
    codes = BitCoder().fit_transform(bits)
    assert codes.shape == (3, 2, 2, 2)
    assert codes.dtype == np.float32
    ref = sum(bits[..., j] * 2 ** (7 - j) for j in range(8))
    assert_array_equal(codes[..., 0], ref)


# ------------------------------------------------------------ all stages: pickle
@pytest.mark.parametrize(
    "est",
    [PatchFeatures(3, padding=1, remove_mean=True), AbsMaxPool(2), SignBinarizer(),
     BitCoder(n_bits=3)],
)
def test_pickle_roundtrip(est, rng):
    X = rng.randn(4, 5, 5, 3)
    est.fit(X)
    again = pickle.loads(pickle.dumps(est))
    assert_array_equal(est.transform(X), again.transform(X))


def test_patch_extractor_renamed_patch_features():
    import sklearn_specclust
    from sklearn_specclust.sanet import PatchExtractor

    X = np.random.RandomState(0).rand(4, 8, 8)
    with pytest.warns(FutureWarning, match="PatchExtractor was renamed PatchFeatures"):
        old = PatchExtractor(3, padding=1).fit_transform(X)
    np.testing.assert_array_equal(old, PatchFeatures(3, padding=1).fit_transform(X))
    assert sklearn_specclust.PatchExtractor is PatchExtractor
    assert "PatchExtractor" not in sklearn_specclust.__all__
