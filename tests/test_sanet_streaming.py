"""SANetPipeline runs its per-image steps on batches of images: same output, less memory."""

import pickle

import numpy as np
import pytest
from sklearn.decomposition import PCA

from sklearn_specclust.datasets import load_digits_images
from sklearn_specclust.sanet import PatchFeatures, PatchPCA, _streaming, make_sanet
from sklearn_specclust.sanet._streaming import per_image_steps
from sklearn_specclust.spectral import SpectralAnalysisLayer


@pytest.fixture(scope="module")
def digits():
    X, _ = load_digits_images(return_X_y=True)
    return X[:400]


def _plain(pipe):
    """The same network run by the plain ``Pipeline`` methods (no batches)."""
    pipe._streamed = lambda params=None: 0
    return pipe


@pytest.mark.parametrize("kw", [dict(), dict(depth=2), dict(head="kmeans")])
@pytest.mark.parametrize("max_nodes", [2000, "auto"])
def test_batches_give_the_plain_pipelines_output(digits, kw, max_nodes, monkeypatch):
    # small batches: many of them, and layer-1 sample rows spread over batches;
    # max_nodes=2000 makes the layers sample, "auto" keeps every node
    monkeypatch.setattr(_streaming, "BATCH_BYTES", 2**16)
    net = make_sanet(10, random_state=0, **kw)
    plain = _plain(make_sanet(10, random_state=0, **kw))
    layers = [n for n, s in net.steps if isinstance(s, SpectralAnalysisLayer)]
    for pipe in (net, plain):
        pipe.set_params(**{f"{n}__max_nodes": max_nodes for n in layers})
    assert net._streamed() >= 4
    labels = net.fit_predict(digits)
    plain_labels = plain.fit_predict(digits)
    np.testing.assert_array_equal(labels, plain_labels)
    sampled = net.named_steps[layers[0]].procedures_[0]["sampled"]
    assert sampled == (max_nodes == 2000)
    for name, step in net.named_steps.items():
        if isinstance(step, SpectralAnalysisLayer):
            np.testing.assert_array_equal(step._nodes, plain.named_steps[name]._nodes)
    new = digits[::-1][:150]
    np.testing.assert_array_equal(net.predict(new), plain.predict(new))
    np.testing.assert_array_equal(net[:-1].transform(new), plain[:-1].transform(new))
    # a pickled round trip keeps the batched predict
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(net)).predict(new), net.predict(new))


@pytest.mark.parametrize("n_jobs", [1, 3])
def test_batches_in_threads_give_the_same_output(digits, n_jobs, monkeypatch):
    # many small batches, run one per thread by n_jobs threads (each layer's
    # blocks then run in its batch's thread): the labels of the plain Pipeline
    monkeypatch.setattr(_streaming, "BATCH_BYTES", 2**16)
    net = make_sanet(10, random_state=0, depth=2)
    plain = _plain(make_sanet(10, random_state=0, depth=2))
    layers = [n for n, s in net.steps if isinstance(s, SpectralAnalysisLayer)]
    net.set_params(**{f"{n}__n_jobs": n_jobs for n in layers})
    calls = []
    run = _streaming.one_block_thread

    def counted():
        calls.append(1)
        return run()

    monkeypatch.setattr(_streaming, "one_block_thread", counted)
    np.testing.assert_array_equal(net.fit_predict(digits), plain.fit_predict(digits))
    assert len(calls) > 3  # the batches after the first ran in the pool
    new = digits[::-1][:150]
    np.testing.assert_array_equal(net.predict(new), plain.predict(new))


def test_batches_keep_the_pipelines_steps_and_checks(digits, monkeypatch):
    monkeypatch.setattr(_streaming, "BATCH_BYTES", 2**16)
    net = make_sanet(10, random_state=0, head="kmeans")
    steps = [step for _, step in net.steps]
    net.fit(digits)
    assert [step for _, step in net.steps] == steps  # fitted in place, not replaced
    assert net.named_steps["norm1"].blocks_  # the coupled block size reached norm1
    bad = digits.copy()
    bad[-1, 0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        make_sanet(10, random_state=0).fit(bad)
    with pytest.raises(TypeError):
        make_sanet(10, random_state=0).fit(digits, layer1__foo=1)


def test_only_per_image_steps_are_batched():
    patches, layer = PatchFeatures(), SpectralAnalysisLayer()
    assert per_image_steps([("p", patches), ("l", layer), ("c", PCA())]) == 2
    # a step that learns from the values ends the batched run
    assert per_image_steps(
        [("p", patches), ("r", PatchPCA()), ("l", layer), ("c", PCA())]
    ) == 0
    assert per_image_steps([("p", patches), ("l", layer), ("x", PCA()), ("c", PCA())]) == 2
    # no layer: nothing to gain
    assert per_image_steps([("p", patches), ("c", PCA())]) == 0


def test_memory_option_takes_the_plain_path(digits, tmp_path):
    net = make_sanet(10, random_state=0, head="kmeans")
    net.set_params(memory=str(tmp_path))
    assert net._streamed() == 0
    plain = _plain(make_sanet(10, random_state=0, head="kmeans"))
    np.testing.assert_array_equal(net.fit_predict(digits), plain.fit_predict(digits))
