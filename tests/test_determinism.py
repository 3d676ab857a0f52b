"""The same labels on any machine: thread counts and n_jobs do not change results.

Each run is a fresh interpreter, because BLAS and OpenMP read their thread
counts from the environment when they load.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
_THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")

# The default SA-Net on the first 300 bundled digits: 14,700 patch nodes, so
# the layer searches with the IVF index and runs Lanczos in float32, the
# paths whose rounding used to follow the thread count; then the spectral head.
_SANET = """
import json, sys
from sklearn.datasets import load_digits
from sklearn_specclust.sanet import make_sanet
X = load_digits().images[:300]
pipe = make_sanet(10, random_state=0)
pipe.set_params(layer1__n_jobs=int(sys.argv[1]))
print(json.dumps(pipe.fit_predict(X).tolist()))
"""


def _run(args, threads, tmp_path=None):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.update({var: str(threads) for var in _THREAD_VARS})
    result = subprocess.run(
        [sys.executable, *args], env=env, cwd=tmp_path or ROOT,
        capture_output=True, text=True, timeout=300, check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


@pytest.fixture(scope="module")
def sanet_reference():
    return json.loads(_run(["-c", _SANET, "1"], 1))


@pytest.mark.parametrize("threads, n_jobs", [(2, 1), (1, 2)])
def test_sanet_labels_do_not_depend_on_threads(threads, n_jobs, sanet_reference):
    labels = json.loads(_run(["-c", _SANET, str(n_jobs)], threads))
    assert len(labels) == 300 and len(set(labels)) == 10
    assert labels == sanet_reference


def test_readme_main_job_labels_do_not_depend_on_threads(tmp_path):
    # the README's main job, `specclust run --dataset digits`, on all 1797 digits
    runs = []
    for threads in (1, 2, 4):
        out = tmp_path / f"labels_{threads}.csv"
        _run(["-m", "sklearn_specclust", "run", "--dataset", "digits",
              "--no-download", "--quiet", "--out", str(out)], threads, tmp_path)
        runs.append(np.loadtxt(out, delimiter=",", skiprows=1, usecols=1, dtype=int))
    assert len(runs[0]) == 1797
    for other in runs[1:]:
        np.testing.assert_array_equal(runs[0], other)


def test_layer_output_does_not_depend_on_n_jobs():
    # Several procedures (fitted in joblib workers) and more nodes than one
    # block of the neighbour search and of the embedding (16,384), so that
    # n_jobs=2 splits both.
    from sklearn_specclust.spectral import SpectralAnalysisLayer

    X = np.random.RandomState(0).rand(36000, 6).astype(np.float32)
    params = dict(n_neighbors=(5,), eps_scales=(2.0,), gaussian_scales=(0.1,), n_components=3,
                  dense_solver="nystrom", n_landmarks=200, random_state=0)
    out = [SpectralAnalysisLayer(**params, n_jobs=n_jobs).fit_transform(X) for n_jobs in (1, 2)]
    assert out[0].shape == (36000, 9)
    np.testing.assert_array_equal(out[0], out[1])


_HBGF_HEAD = """
import json
from sklearn.datasets import load_digits
from sklearn_specclust.sanet import SpectralHead
X = load_digits().data
head = SpectralHead(10, consensus="hbgf", random_state=0).fit(X)
print(json.dumps([head.labels_.tolist(), head.predict(X[:200]).tolist()]))
"""


def test_hbgf_head_labels_do_not_depend_on_threads():
    runs = [json.loads(_run(["-c", _HBGF_HEAD], threads)) for threads in (1, 2)]
    assert len(runs[0][0]) == 1797 and len(set(runs[0][0])) == 10
    assert runs[0] == runs[1]
