"""Results that do not depend on the number of BLAS or OpenMP threads."""

import contextlib

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
