"""Results that do not depend on the number of BLAS or OpenMP threads."""

import contextlib
import os
import threading

from joblib import cpu_count, effective_n_jobs
from threadpoolctl import threadpool_limits


@contextlib.contextmanager
def reproducible_threads():
    """Run the enclosed code with single-threaded BLAS and OpenMP.

    OpenBLAS splits the reductions of matrix-vector products, dot products,
    ``eigh`` and QR factorisations between its threads, and scikit-learn's
    OpenMP loops merge per-thread partial results: the rounding, hence
    eigenvectors, near ties between neighbours and everything downstream,
    then change with ``OMP_NUM_THREADS``. Inside this context each of those
    libraries uses one thread, so a result depends only on the data and the
    seed; code that wants parallelism splits its work into blocks of a size
    that does not depend on the thread count (``n_jobs``).
    """
    with threadpool_limits(limits=1):
        yield


# per thread: whether the thread is one of several an outer loop runs
_outer = threading.local()


@contextlib.contextmanager
def one_block_thread():
    """Run the enclosed code's blocks in the calling thread.

    For the workers of an outer loop that already keeps every CPU busy
    (batches of images in threads): :func:`block_threads` then returns 1
    in this thread, so that the inner loops do not start threads of their
    own. The blocks, hence the results, are the same.
    """
    before = getattr(_outer, "busy", False)
    _outer.busy = True
    try:
        yield
    finally:
        _outer.busy = before


def block_threads(n_jobs):
    """Threads that process fixed-size blocks of rows for ``n_jobs``.

    An int is resolved as joblib does (``-1``: every CPU). ``None`` gives
    as many threads as OpenMP would use, as scikit-learn's ``KMeans`` does:
    ``OMP_NUM_THREADS`` when it is set, else the CPUs this process may use.
    Work split this way gives the same result for any count (the blocks do
    not depend on it), so the count changes only the speed. Inside
    :func:`one_block_thread`: 1.
    """
    if getattr(_outer, "busy", False):
        return 1
    if n_jobs is not None:
        return max(1, effective_n_jobs(n_jobs))
    value = os.environ.get("OMP_NUM_THREADS", "").split(",")[0].strip()
    if value.isdigit() and int(value) > 0:
        return min(int(value), cpu_count())
    return cpu_count()
