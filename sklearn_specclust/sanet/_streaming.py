"""Batches of images through the per-image steps of an SA-Net pipeline.

The patch maps of all images and a layer's output on them are the largest
arrays of an SA-Net (5.5 and 2.9 GiB for 70,000 MNIST images), while every
step up to the pooling reads one image at a time and a layer's ``fit`` draws
only a sample of the nodes. :class:`SANetPipeline` therefore fits and applies
these steps to batches of images and keeps only the last one's output whole.
Batches hold a multiple of each layer's transform block (whole images, see
:func:`~sklearn_specclust.spectral._layer.transform_batch`), so the values
are those of one call on all images.
"""

import math

import numpy as np
from joblib import Parallel, delayed
from sklearn.utils import _safe_indexing

from ..spectral import SpectralAnalysisLayer
from ..spectral._layer import transform_batch
from ..utils import to_maps
from ..utils._threads import block_threads, one_block_thread, reproducible_threads

# Target size in bytes of the largest intermediate array of one batch. The
# batches run in threads; with 32 MiB the 70,000-image MNIST fit ran about
# 5 % faster than with 128 MiB (benchmarks/results/sanet_speed_70k_batches.md).
BATCH_BYTES = 2**25


def skipped(step):
    """Whether a pipeline step is skipped (``None`` or ``"passthrough"``)."""
    return step is None or (isinstance(step, str) and step == "passthrough")


def per_image_steps(steps):
    """The number of leading non-final steps that fit and map images one by one.

    These are the SA-Net stages whose ``fit`` reads only the maps' shape
    (``_fit_reads_shape_only``), the spectral layers, and skipped steps.
    The count is 0 when none of them is a layer (nothing to gain).
    """
    n, layers = 0, 0
    for _, step in steps[:-1]:
        if isinstance(step, SpectralAnalysisLayer):
            layers += 1
        elif not (skipped(step) or getattr(step, "_fit_reads_shape_only", False) is True):
            break
        n += 1
    return n if layers else 0


def _apply(chain, X):
    for step in chain:
        X = step.transform(X)
    return X


def _slice(X, start, stop):
    return _safe_indexing(X, slice(start, stop))


class _Batches:
    """Fitted steps applied to the images of ``X`` a batch at a time."""

    def __init__(self, X, n_samples):
        self.X, self.n = X, n_samples
        self.chain, self.unit, self.image_bytes = [], 1, 1

    def add(self, step, first_out):
        """Append a fitted step; ``first_out`` is its output on the first image."""
        if isinstance(step, SpectralAnalysisLayer):
            self.unit = math.lcm(self.unit, transform_batch(step._map_shape))
        self.chain.append(step)
        self.image_bytes = max(self.image_bytes, np.asarray(first_out).nbytes)

    @property
    def size(self):
        """Images per batch: a multiple of every layer's block, about BATCH_BYTES."""
        return self.unit * max(1, BATCH_BYTES // (self.unit * self.image_bytes))

    def images(self, index):
        """``(a, out)``: the chain's output on ``index[a : a + len(out)]`` (sorted images).

        After a layer, the chain runs on whole aligned batches and keeps the
        images asked for, so that they get the values of one call on all.
        """
        if self.unit == 1:  # no layer yet: every image is mapped on its own
            for a in range(0, len(index), self.size):
                yield a, _apply(self.chain, _safe_indexing(self.X, index[a : a + self.size]))
            return
        bounds = np.searchsorted(index, np.arange(0, self.n + self.size, self.size))
        for start, (a, b) in zip(range(0, self.n, self.size), zip(bounds[:-1], bounds[1:])):
            if b > a:
                out = _apply(self.chain, _slice(self.X, start, start + self.size))
                yield a, out[index[a:b] - start]

    def all(self):
        """The chain's output on every image, kept whole.

        The first batch runs alone (each layer splits its blocks between
        threads); the others run in threads, one batch per thread, so that
        the steps between the layers (patches, normalisers, pooling) share
        the CPUs too. A batch's output does not depend on the thread that
        computed it.
        """
        Xt = _apply(self.chain, _slice(self.X, 0, self.size))
        out = np.empty((self.n,) + Xt.shape[1:], dtype=Xt.dtype)
        out[: len(Xt)] = Xt

        def run(start):
            with one_block_thread():
                Xt = _apply(self.chain, _slice(self.X, start, start + self.size))
            out[start : start + len(Xt)] = Xt

        threads = max((block_threads(step.n_jobs) for step in self.chain
                       if isinstance(step, SpectralAnalysisLayer)), default=block_threads(None))
        starts = range(self.size, self.n, self.size)
        # single-threaded BLAS for all the threads at once (a limit set and
        # restored by each thread would be lifted while others still run)
        with reproducible_threads():
            Parallel(n_jobs=min(threads, max(1, len(starts))), backend="threading")(
                delayed(run)(start) for start in starts
            )
        return out


def _take_rows(batches, first):
    """``take_rows(idx)`` of the layer after ``batches``: rows of its input maps."""
    h, w, c = to_maps(np.asarray(first)).shape[1:]

    def take_rows(idx):
        if idx is None:
            return to_maps(batches.all()).reshape(-1, c)
        image, loc = np.divmod(idx, h * w)
        wanted = np.unique(image)
        rows = np.empty((len(idx), c), dtype=first.dtype)
        for a, maps in batches.images(wanted):
            maps = to_maps(maps).reshape(len(maps), h * w, c)
            got = wanted[a : a + len(maps)]
            lo, hi = np.searchsorted(image, [got[0], got[-1] + 1])
            rows[lo:hi] = maps[np.searchsorted(got, image[lo:hi]), loc[lo:hi]]
        return rows

    return take_rows


def fit_transform_per_image(steps, X, n_samples, params):
    """Fit ``steps`` (name, estimator) in place, batch by batch; their output on ``X``.

    ``params`` maps a step name to its fit parameters. The first step is
    fitted on all of ``X`` (it validates every image before any work); the
    other stages fit on the first image, since their fit reads only the
    maps' shape; a layer that samples its nodes fits on the sampled rows only.
    From a layer that keeps every node on, the steps run on the whole input.
    """
    batches = _Batches(X, n_samples)
    first = _slice(X, 0, 1)  # the chain's output on the first image
    for i, (name, step) in enumerate(steps):
        if skipped(step):
            continue
        if not batches.chain:
            step.fit(X, **params.get(name, {}))
        elif isinstance(step, SpectralAnalysisLayer) and step._will_sample(
            to_maps(np.asarray(first)).shape[1:], n_samples
        ):
            step._fit_from_rows(first, n_samples, _take_rows(batches, first))
        elif isinstance(step, SpectralAnalysisLayer):
            # a layer that keeps every node holds its input whole anyway; its
            # fit_transform reuses the neighbours found in fit, whose ties may
            # break otherwise than a new query: run the rest as Pipeline does
            Xt = batches.all()
            for other_name, other in steps[i:]:
                if not skipped(other):
                    Xt = other.fit_transform(Xt, **params.get(other_name, {}))
            return Xt
        else:
            step.fit(first, **params.get(name, {}))
        first = step.transform(first)
        batches.add(step, first)
    return batches.all()


def transform_per_image(steps, X, n_samples):
    """The output of fitted ``steps`` on ``X``, computed batch by batch."""
    batches = _Batches(X, n_samples)
    first = _slice(X, 0, 1)
    for _, step in steps:
        if not skipped(step):
            first = step.transform(first)
            batches.add(step, first)
    return batches.all()
