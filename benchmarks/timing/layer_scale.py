"""SA-Net's first spectral layer at MNIST scale: time and peak memory vs images.

SA-Net's MNIST network turns every 28x28 image into 6x6 patches of 11x11
pixels (``PatchFeatures(11, step=5, padding=4, remove_mean=True)``), so its
first ``SpectralAnalysisLayer`` sees 36 nodes of 121 dimensions per image:
2.5 million nodes for all 70,000 images. The layer has the paper's MNIST
layer-1 procedures (kNN k=9, 17; eps x0.5, x1, x2 of the MST's longest edge;
self-tuning, sigma=0.1 and 0.01 Gaussians, Nystrom with 1000 landmarks;
64 eigenvectors each: 448 output channels) and fits its graphs on
``max_nodes`` nodes drawn at random, embedding all the others out of sample.

For each number of images, in a fresh process (so ``ru_maxrss`` is its own):
the patch extraction, ``fit`` and ``transform`` of every node, and the peak
resident memory. With ``--batch B`` the nodes are transformed ``B`` images
at a time and each batch's output is dropped after use (what a streaming
consumer would do): the time covers every node, the memory one batch.

Usage::

    OMP_NUM_THREADS=1 \\
        python -m benchmarks.timing.layer_scale --images 5000 10000 20000 \\
        [--batch 10000] [--out FILE]
"""

import argparse
import multiprocessing as mp
import resource
import time
import warnings
from concurrent.futures import ProcessPoolExecutor

import numpy as np

from benchmarks._common import Report, load


def _rss_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def job(n_images, max_nodes, batch, neighbors):
    """Patches, fit and transform of the MNIST layer 1 on ``n_images`` images."""
    warnings.simplefilter("ignore")
    from sklearn_specclust.sanet import PatchFeatures
    from sklearn_specclust.spectral import SpectralAnalysisLayer

    X, _ = load("mnist", "all")
    X = np.ascontiguousarray(X[:n_images], dtype=np.float32) / 255.0
    t0 = time.perf_counter()
    maps = PatchFeatures(11, step=5, padding=4, remove_mean=True,
                          image_shape=(28, 28), output="maps").fit_transform(X)
    maps = maps.astype(np.float32, copy=False)
    t_patch = time.perf_counter() - t0
    layer = SpectralAnalysisLayer(
        n_neighbors=(9, 17), eps_scales=(0.5, 1.0, 2.0),
        gaussian_scales=("self-tuning", 0.1, 0.01), n_components=64,
        max_nodes=max_nodes, neighbors_algorithm=neighbors, random_state=0,
    )
    t0 = time.perf_counter()
    layer.fit(maps)
    t_fit = time.perf_counter() - t0
    t0 = time.perf_counter()
    step = batch or n_images
    checksum = 0.0
    for a in range(0, n_images, step):
        out = layer.transform(maps[a : a + step])
        checksum += float(np.abs(out[:, :, :, 1]).sum())  # the output is used
        if batch:
            del out
    t_tr = time.perf_counter() - t0
    n_nodes = int(np.prod(maps.shape[:3]))
    return dict(n_images=n_images, n_nodes=n_nodes, n_fit=layer.n_nodes_fit_,
                channels=layer.n_components_out_, neighbors=layer.procedures_[0]["neighbors"],
                patches_s=t_patch, fit_s=t_fit, transform_s=t_tr,
                nodes_per_s=n_nodes / t_tr, peak_mib=_rss_mib(), checksum=checksum)


def _run(*args):
    with ProcessPoolExecutor(1, mp_context=mp.get_context("spawn")) as ex:
        return ex.submit(job, *args).result()


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--images", type=int, nargs="+", default=[5000, 10000, 20000])
    ap.add_argument("--max-nodes", type=int, default=20000)
    ap.add_argument("--batch", type=int, default=0,
                    help="transform this many images at a time, dropping each output")
    ap.add_argument("--neighbors", default="auto")
    ap.add_argument("--out", default=None)
    args = ap.parse_args(argv)
    report = Report("SA-Net MNIST layer 1 at scale", "absolute timings are inflated and noisy")
    emit = report.emit
    emit("| images | nodes | fitted nodes | search | patches s | fit s | transform s | "
         "nodes/s (transform) | peak RSS MiB |")
    emit("|---|---|---|---|---|---|---|---|---|")
    rows = []
    for n in args.images:
        r = _run(n, args.max_nodes, args.batch, args.neighbors)
        rows.append(r)
        emit(f"| {n} | {r['n_nodes']} | {r['n_fit']} | {r['neighbors']} | {r['patches_s']:.1f} | "
             f"{r['fit_s']:.1f} | {r['transform_s']:.1f} | {r['nodes_per_s']:.0f} | "
             f"{r['peak_mib']:.0f} |")
    if len(rows) > 1:
        a, b = rows[0], rows[-1]
        emit()
        emit(f"Growth from {a['n_images']} to {b['n_images']} images "
             f"(x{b['n_images'] / a['n_images']:.1f}): transform time "
             f"x{b['transform_s'] / a['transform_s']:.2f}, fit + transform "
             f"x{(b['fit_s'] + b['transform_s']) / (a['fit_s'] + a['transform_s']):.2f}, "
             f"peak memory x{b['peak_mib'] / a['peak_mib']:.2f}.")
    report.save(args.out)


if __name__ == "__main__":
    main()
