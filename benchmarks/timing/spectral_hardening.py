"""Memory, saved size and extreme magnitudes of the spectral layer (issue 16).

One run prints, for the code it is run in:

* the peak traced memory (``tracemalloc``) of ``make_sanet(2, preset="mnist")
  .fit_predict`` on 3 MNIST test images and of
  ``SpectralAnalysisLayer(gaussian_scales=(0.1,), n_components=16)`` on 50 random
  rows of 4096 features;
* the pickle size of ``make_sanet(10, preset="mnist")`` (layer 1 on 20,000
  sampled nodes) fitted on 400 MNIST test images;
* what the default layer (16 components) does with 60 MNIST images (rows of 784 pixels /
  255) times 1e19 (float32) and times 1e-40 (float64): its error, or its
  output's finiteness and peak memory.

Usage::

    OMP_NUM_THREADS=1 PYTHONPATH=. \\
        python -m benchmarks.timing.spectral_hardening
"""

import argparse
import os
import pickle
import subprocess
import tracemalloc
import warnings

import numpy as np

from sklearn_specclust.datasets import load_mnist
from sklearn_specclust.sanet import make_sanet
from sklearn_specclust.spectral import SpectralAnalysisLayer


def _peak(func):
    tracemalloc.start()
    try:
        out = func()
        return out, tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def main(argv=None):
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args(argv)
    warnings.simplefilter("ignore")
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True, check=False).stdout.strip()
    print(f"commit {commit}, load average {os.getloadavg()[0]:.1f}")
    X, _ = load_mnist("test", return_X_y=True)
    X = X.astype(np.float32) / 255
    paper = dict(preset="wang2020-mnist", random_state=0)
    _, mib = _peak(lambda: make_sanet(2, **paper).fit_predict(X[:3]))
    print(f"| make_sanet(2, preset='wang2020-mnist').fit_predict(3 images) peak | {mib:.1f} MiB |")
    R = np.random.RandomState(0).rand(50, 4096).astype(np.float32)
    layer = SpectralAnalysisLayer(gaussian_scales=(0.1,), n_components=16, random_state=0)
    _, mib = _peak(lambda: layer.fit_transform(R))
    print(f"| SpectralAnalysisLayer(gaussian_scales=(0.1,)) on 50 x 4096 peak | {mib:.1f} MiB |")
    pipe = make_sanet(10, **paper).set_params(layer1__max_nodes=20000)
    pipe.fit(X[:400])
    print(f"| pickle of make_sanet(10, 'wang2020-mnist') fitted on 400 images | "
          f"{len(pickle.dumps(pipe)) / 2**20:.1f} MiB |")
    rows = X[:60].reshape(60, -1)
    for name, Xc in (("x 1e19 (float32)", rows * np.float32(1e19)),
                     ("x 1e-40 (float64)", rows.astype(np.float64) * 1e-40)):
        try:
            layer = SpectralAnalysisLayer(n_components=16, random_state=0)
            Z, mib = _peak(lambda Xc=Xc, layer=layer: layer.fit_transform(Xc))
            print(f"| default layer, 60 images {name} | finite: {bool(np.isfinite(Z).all())}, "
                  f"{len(np.unique(Z, axis=0))} distinct rows, peak {mib:.1f} MiB |")
        except Exception as exc:  # noqa: BLE001 (the outcome is what is measured)
            print(f"| default layer, 60 images {name} | {type(exc).__name__}: {str(exc)[:80]} |")


if __name__ == "__main__":
    main()
