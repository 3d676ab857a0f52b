"""Eigen-solvers for the largest eigenvalues of a normalised affinity.

Every solver returns ``(mu, U)``: the ``k`` largest eigenvalues ``mu`` of
``A = D^-1/2 W D^-1/2`` in descending order (so ``1 - mu`` are the smallest
Laplacian eigenvalues, ascending) and orthonormal eigenvectors ``U`` as
columns, signs fixed by :func:`~._laplacian.flip_signs`.

* ``"lanczos"``: implicitly restarted Lanczos (ARPACK ``eigsh``) on ``A``
  itself, ``which="LA"``, no shift-invert factorisation.
* ``"amg"``: LOBPCG on ``L_sym = I - A`` preconditioned by pyamg's smoothed
  aggregation multigrid, deterministic under ``random_state``.
* ``"exact"``: dense ``eigh`` (small graphs; also the tests' reference).
* ``"minibatch"``: stochastic optimisation of ``tr(U^T A U)`` on the Stiefel
  manifold with QR retraction (Han & Filippone 2017), from mini-batches of
  columns of ``A`` computed on the fly, then one Rayleigh-Ritz step.
"""

import contextlib

import numpy as np
from scipy import linalg, sparse
from scipy.sparse.linalg import eigsh, lobpcg
from sklearn.utils import check_random_state

from ..utils import check_memory, dense_bytes
from ._laplacian import flip_signs

# Solvers of the Gaussian procedures (dispatched by _procedures.fit_dense);
# the sparse ones are registered in SPARSE_SOLVERS at the end of this module.
DENSE_SOLVERS = ("auto", "exact", "nystrom", "minibatch")

# Below this many nodes every solver falls back to the dense reference.
_SMALL = 64
# From this many nodes on, Lanczos iterates in float32.
LANCZOS_FLOAT32_MIN = 5000


def _finish(mu, U, k):
    if len(mu) < k:
        raise ValueError(
            f"The eigensolver returned {len(mu)} of the {k} eigenvectors asked for "
            f"on a graph of {U.shape[0]} nodes; lower n_components or use another "
            "solver."
        )
    order = np.argsort(-mu, kind="stable")[:k]
    mu = np.asarray(mu[order], dtype=np.float64)
    U = np.ascontiguousarray(U[:, order], dtype=np.float64)
    return mu, flip_signs(U)


def solve_exact(A, k):
    """Dense ``eigh`` of ``A`` (sparse or dense)."""
    n = A.shape[0]
    check_memory(
        2 * dense_bytes((n, n)),
        what=f"a dense eigendecomposition of a {n} x {n} affinity",
        advice="Use sparse_solver='lanczos' or 'amg', or dense_solver='nystrom'.",
    )
    A = A.toarray() if sparse.issparse(A) else np.asarray(A, dtype=np.float64)
    mu, U = linalg.eigh(A, subset_by_index=[n - k, n - 1])
    if len(mu) < k:
        # LAPACK's index-range driver (dsyevr) may return fewer eigenpairs
        # than asked when the top eigenvalue is highly multiple (a graph that
        # is numerically disconnected); the full divide-and-conquer does not
        mu, U = linalg.eigh(A, driver="evd")
    return _finish(mu, U, k)


def solve_lanczos(A, k, random_state, tol=1e-5, dtype=None):
    """ARPACK Lanczos for the ``k`` largest eigenvalues of ``A``.

    ``random_state`` (an int, or a ``RandomState`` whose stream it draws
    from) gives the starting vector. With ``dtype=None`` the iteration runs
    in float32 from ``LANCZOS_FLOAT32_MIN`` nodes on (for its speed and
    accuracy see ``benchmarks/results/spectral_solvers.md``), in float64
    below; ``tol=0`` asks ARPACK for machine precision and wants float64.
    The eigenvectors are returned in float64.
    """
    n = A.shape[0]
    if n <= max(_SMALL, 2 * k + 1):
        # the Krylov space would span (nearly) every node: Lanczos breaks
        # down on an invariant subspace and ARPACK restarts from a vector of
        # its own process-wide generator, so two fits in one process would
        # differ; the dense solver is exact and as cheap at this size
        return solve_exact(A, k)
    rng = check_random_state(random_state)
    v0 = rng.uniform(-1, 1, n)
    ncv = min(n, max(2 * k + 1, 20))
    if dtype is None:
        dtype = np.float32 if n >= LANCZOS_FLOAT32_MIN else np.float64
    mu, U = eigsh(A.astype(dtype), k=k, which="LA", v0=v0.astype(dtype), tol=tol, ncv=ncv)
    return _finish(mu, U, k)


@contextlib.contextmanager
def _seeded_global_numpy(seed):
    """Run with numpy's global RNG seeded, restoring its state afterwards.

    pyamg draws from ``np.random`` while building its hierarchy; this keeps
    the solver deterministic without disturbing the caller's global state.
    """
    state = np.random.get_state()
    np.random.seed(seed)
    try:
        yield
    finally:
        np.random.set_state(state)


def solve_amg(A, k, random_state, degrees, tol=1e-6, maxiter=500):
    """LOBPCG on ``L_sym`` with a pyamg smoothed-aggregation preconditioner."""
    n = A.shape[0]
    if n <= max(_SMALL, 5 * k + 1):
        return solve_exact(A, k)
    from pyamg import smoothed_aggregation_solver

    L = (sparse.identity(n, format="csr") - A).tocsr()
    seed = int(np.random.RandomState(random_state).randint(np.iinfo(np.int32).max))
    with _seeded_global_numpy(seed):
        # a tiny shift makes L positive definite for the multigrid hierarchy
        ml = smoothed_aggregation_solver(
            (L + 1e-5 * sparse.identity(n, format="csr")).tocsr()
        )
        M = ml.aspreconditioner()
        rng = np.random.RandomState(seed)
        X0 = rng.standard_normal((n, k))
        X0[:, 0] = np.sqrt(degrees)  # the known first eigenvector of L_sym
        lam, U = lobpcg(L, X0, M=M, tol=tol, largest=False, maxiter=maxiter)
    return _finish(1.0 - lam, U, k)


def solve_minibatch(
    kernel_rows, n, k, random_state, *, batch_size=256, max_iter=200, step=1.0, decay=10.0
):
    """Mini-batch spectral analysis on the Stiefel manifold (Han & Filippone 2017).

    Maximises ``tr(U^T A U)`` subject to ``U^T U = I`` by stochastic gradient
    ascent: at each step a random batch ``S`` of columns of ``A`` gives the
    unbiased gradient estimate ``G = (n / |S|) A[:, S] U[S]``; the update
    ``U + eta_t G`` is retracted to the manifold by a thin QR factorisation.
    A final Rayleigh-Ritz step (one exact pass ``A U``) orders the vectors and
    gives their eigenvalues.

    Parameters
    ----------
    kernel_rows : callable
        ``kernel_rows(cols)`` returns the dense ``(n, len(cols))`` block
        ``A[:, cols]`` of the normalised affinity.
    n, k : int
        Number of nodes and of eigenvectors.
    random_state : int
        Seed of the initial block and of the batches.
    batch_size : int, default=256
        Columns per step.
    max_iter : int, default=200
        Number of steps.
    step : float, default=1.0
        Initial step size ``eta_0``.
    decay : float, default=10.0
        Step schedule ``eta_t = eta_0 / (1 + t / decay)`` (Robbins-Monro, as
        for Oja's rule).

    Notes
    -----
    The error left by the stochastic steps grows as the relative gap
    ``(mu_k - mu_{k+1}) / mu_k`` shrinks; on graphs with a small gap use
    more steps or the Nystrom solver.
    """
    rng = np.random.RandomState(random_state)
    b = int(min(batch_size, n))
    U, _ = linalg.qr(rng.standard_normal((n, k)), mode="economic")
    for t in range(int(max_iter)):
        cols = np.sort(rng.choice(n, size=b, replace=False))
        G = (n / b) * (kernel_rows(cols) @ U[cols])
        U, _ = linalg.qr(U + (step / (1.0 + t / decay)) * G, mode="economic")
    # Rayleigh-Ritz with one exact pass over all columns, in blocks
    AU = np.zeros_like(U)
    for start in range(0, n, 2048):
        cols = np.arange(start, min(start + 2048, n))
        AU += kernel_rows(cols) @ U[cols]
    H = U.T @ AU
    mu, V = linalg.eigh((H + H.T) / 2)
    return _finish(mu, U @ V, k)


# name -> solver(A, k, seed, degrees) of the kNN and epsilon procedures: feeds
# the layer's parameter validation and the dispatch of fit_sparse
SPARSE_SOLVERS = {
    "lanczos": lambda A, k, seed, degrees: solve_lanczos(A, k, seed),
    "amg": solve_amg,
    "exact": lambda A, k, seed, degrees: solve_exact(A, k),
}
