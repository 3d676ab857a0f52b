import numpy as np
import pytest

from sklearn_specclust import AbsMaxPool, SignBinarizer


@pytest.mark.parametrize("Est", [AbsMaxPool, SignBinarizer])
def test_images_of_another_height_get_the_map_shape_message(Est, rng):
    est = Est().fit(rng.rand(4, 6, 6))
    with pytest.raises(ValueError, match=r"maps of shape .*\(5, 6, 1\).*fitted on .*\(6, 6, 1\)"):
        est.transform(rng.rand(4, 5, 6))
    with pytest.raises(ValueError, match=r"maps of shape .*\(6, 6, 2\)"):
        est.transform(rng.rand(4, 6, 6, 2))


def test_input_never_modified(rng):
    X = rng.randn(3, 5, 5)
    X0 = X.copy()
    SignBinarizer().fit_transform(X)
    np.testing.assert_array_equal(X, X0)
