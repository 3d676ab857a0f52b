"""Tests of BlockNormalizer on tiny arrays with hand-computed answers."""

import pickle

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from sklearn_specclust.sanet import BlockNormalizer


def test_block_normalizer_by_hand():
    X = np.array([[3.0, 4.0, 0.0, -2.0]])
    assert_allclose(BlockNormalizer(block_size=2).fit_transform(X), [[0.6, 0.8, 0.0, -1.0]])
    assert_allclose(BlockNormalizer().fit_transform(X), X / np.sqrt(29))
    assert_allclose(BlockNormalizer(block_size=[1, 3]).fit_transform(X),
                    [[1.0, 2 / np.sqrt(5), 0.0, -1 / np.sqrt(5)]])


def test_block_normalizer_maps_unit_blocks_and_zero_kept(rng):
    X = rng.randn(3, 4, 5, 6).astype(np.float32)
    X[0, 1, 2, 3:] = 0.0
    Z = BlockNormalizer(block_size=3).fit_transform(X)
    assert Z.shape == X.shape and Z.dtype == np.float32
    norms = np.linalg.norm(Z.reshape(3, 4, 5, 2, 3), axis=-1)
    assert_allclose(np.delete(norms.ravel(), np.ravel_multi_index((0, 1, 2, 1), norms.shape)),
                    1.0, rtol=1e-5)
    assert_array_equal(Z[0, 1, 2, 3:], 0.0)
    # direction of every block unchanged
    assert_allclose(Z[1, 0, 0, :3] * np.linalg.norm(X[1, 0, 0, :3]), X[1, 0, 0, :3], rtol=1e-5)


def test_block_normalizer_bad_blocks():
    X = np.ones((2, 6))
    with pytest.raises(ValueError, match="does not divide the 6 input channels"):
        BlockNormalizer(block_size=4).fit(X)
    with pytest.raises(ValueError, match="summing to the 6 input channels"):
        BlockNormalizer(block_size=[2, 2]).fit(X)


def test_block_normalizer_pickle_and_shape_check(rng):
    X = rng.randn(4, 3, 3, 4)
    est = BlockNormalizer(block_size=2).fit(X)
    est2 = pickle.loads(pickle.dumps(est))
    assert_array_equal(est.transform(X), est2.transform(X))
    with pytest.raises(ValueError):
        est.transform(rng.randn(4, 3, 3, 6))
