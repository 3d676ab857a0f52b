"""One spectral procedure: an affinity on the fitted nodes and its eigenpairs.

Three affinity families, each fitted on the (sampled, de-duplicated) nodes:

* ``"knn"``: k-nearest-neighbour connectivity, symmetrised as (A + A^T) / 2;
* ``"eps"``: binary epsilon-neighbourhood, ``eps = scale * longest MST edge``;
* ``"gaussian"``: fully connected ``exp(-d^2 / (sigma * m))`` with ``m`` the
  median squared distance between nodes, or self-tuning
  ``exp(-d^2 / (s_i s_j))`` with ``s_i`` the distance to the 7th neighbour.

A fitted procedure gives, for any query, its affinity row to the reference
nodes, which :func:`~._extension.extend` turns into eigenvector coordinates.
"""

from collections.abc import Callable
from typing import NamedTuple

import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import connected_components
from sklearn.cluster import kmeans_plusplus

from ..utils import check_memory, dense_bytes
from ._graphs import (
    add_edges,
    bridge_components,
    disconnected_message,
    eps_graph,
    knn_graph,
    knn_query_weights,
    rows_to_csr,
)
from ._laplacian import normalized_affinity
from ._solvers import SPARSE_SOLVERS, solve_exact, solve_minibatch

# Zelnik-Manor & Perona's local scale: distance to the 7th neighbour.
SELF_TUNING_NEIGHBOR = 7
# Dense procedures use the exact solver up to this many nodes with "auto".
AUTO_EXACT_MAX = 3000
_DENSE_CHUNK = 1024


class FittedProcedure:
    """Fitted state of one affinity: reference nodes, degrees, eigenpairs.

    Attributes
    ----------
    family : {"knn", "eps", "gaussian"}
    param : int, float or str
        ``k``, the eps scale, or sigma (``"self-tuning"``).
    solver : str
        Solver actually used.
    ref : ndarray or None
        Reference nodes when they differ from the layer's fitted nodes
        (Nystrom landmarks), else ``None``.
    degrees, mu, U : ndarray
        Reference degrees, eigenvalues of ``A`` (descending), eigenvectors.
    info : dict
        Description merged into the layer's ``procedures_``.
    """

    def __init__(self, family, param, solver):
        self.family = family
        self.param = param
        self.solver = solver
        self.ref = None
        self.info = {}
        self.messages = []

    # -- query affinities -------------------------------------------------
    def query_weights(self, Y, nodes, dist, ind, cache=None):
        """Affinity rows of the queries ``Y`` to the reference nodes.

        ``dist``/``ind`` are the queries' nearest fitted nodes (nearest
        first), shared by all sparse procedures of a layer.
        """
        if self.family == "knn":
            k = self.k
            return knn_query_weights(dist[:, :k], ind[:, :k], self.radius, self.n_ref)
        if self.family == "eps":
            kmax = self.kmax
            within = (dist[:, :kmax] <= self.eps).astype(np.float64)
            within[:, 0] = 1.0  # the nearest fitted node is always a neighbour
            W = rows_to_csr(ind[:, :kmax], within, self.n_ref)
            W.eliminate_zeros()
            return W
        ref = nodes if self.ref is None else self.ref
        s_y = local_scales(dist) if self.param == "self-tuning" else None
        if cache is None:
            return self._dense_rows(Y, ref, s_y)
        # Gaussian procedures share their reference nodes (the fitted nodes,
        # or the layer's landmarks): compute the distances once per block
        key = "nodes" if self.ref is None else "landmarks"
        if key not in cache:
            cache[key] = sq_distances(Y, ref)
        return self._dense_rows(Y, ref, s_y, D2=cache[key])

    def _dense_rows(self, Y, ref, s_y=None, D2=None):
        if D2 is None:
            D2 = sq_distances(Y, ref)
        # one new array, scaled and exponentiated in place (D2 may be shared)
        if self.param == "self-tuning":
            K = np.multiply(D2, -1.0 / np.asarray(s_y, dtype=np.float64)[:, None])
            K *= 1.0 / self.scales[None, :]
        else:
            K = np.multiply(D2, -self.gamma)
        np.exp(K, out=K)
        empty = K.sum(axis=1) <= 1e-300
        if np.any(empty):
            # every affinity underflowed: fall back on the nearest node
            K[empty] = 0.0
            K[np.flatnonzero(empty), np.argmin(D2[empty], axis=1)] = 1.0
        return K


def sq_distances(Y, X):
    """Squared Euclidean distances by one float32 matrix product, as float64."""
    Y = np.asarray(Y, dtype=np.float32)
    X = np.asarray(X, dtype=np.float32)
    D2 = Y @ X.T
    D2 *= -2.0
    D2 += np.einsum("ij,ij->i", Y, Y)[:, None]
    D2 += np.einsum("ij,ij->i", X, X)[None, :]
    D2 = D2.astype(np.float64)
    return np.maximum(D2, 0, out=D2)


def choose_landmarks(nodes, m, how, seed):
    """Indices of ``m`` landmark nodes: uniform draw or k-means++ seeding."""
    n = nodes.shape[0]
    rng = np.random.RandomState(seed)
    if how == "kmeans++" and m < n:
        _, idx = kmeans_plusplus(nodes, m, random_state=rng)
        return np.sort(idx)
    return np.sort(rng.choice(n, size=m, replace=False))


def local_scales(dist):
    """Self-tuning local scale from sorted distances to the fitted nodes.

    The distance to the 7th nearest *other* fitted node: column 7 when the
    point is itself a fitted node (a zero first distance), column 6
    otherwise, so a fitted node and an identical query get the same scale.
    Always measured against all fitted nodes, also for Nystrom landmarks.
    """
    has_self = dist[:, 0] <= 0
    col = np.where(has_self, SELF_TUNING_NEIGHBOR, SELF_TUNING_NEIGHBOR - 1)
    col = np.minimum(col, dist.shape[1] - 1)
    s = np.asarray(dist[np.arange(len(dist)), col], dtype=np.float64)
    return np.maximum(s, 1e-12)


def _connect(W, X, what, on_disconnected, weight, messages, expected=False):
    """Join the components of ``W``; ``expected``: disconnected by construction (no warning)."""
    n_found, rows, cols, _ = bridge_components(X, W)
    if n_found > 1:
        if on_disconnected == "raise":
            raise ValueError(
                f"The {what} graph has {n_found} connected components. Increase "
                "n_neighbors / the eps scale / sigma, or set "
                "on_disconnected='connect' to join them through a minimum "
                "spanning tree of component representatives."
            )
        # warnings are returned, not raised: joblib workers would lose them
        if not expected:
            messages.append(disconnected_message(
                what, n_found, f"joined by {n_found - 1} minimum-spanning-tree edges"
            ))
        W = add_edges(W, rows, cols, np.full(len(rows), weight))
    return W, n_found


def fit_sparse(family, param, nodes, dist, ind, n_eigs, *, solver, seed, opts):
    """Fit a kNN or epsilon procedure on the nodes' precomputed neighbours."""
    proc = FittedProcedure(family, param, solver)
    n = nodes.shape[0]
    proc.n_ref = n
    if family == "knn":
        proc.k = int(min(param, n))
        W = knn_graph(ind, proc.k)
        proc.radius = dist[:, proc.k - 1].astype(np.float64)
        what = f"kNN (k={param})"
        info = {"affinity": "kNN connectivity, (A + A^T) / 2", "k": proc.k}
    else:
        proc.kmax = int(min(opts["eps_max_neighbors"], ind.shape[1]))
        proc.eps = float(param * opts["mst_longest_edge"])
        W, truncated = eps_graph(dist[:, : proc.kmax], ind[:, : proc.kmax], proc.eps)
        what = f"eps (scale={param})"
        info = {
            "affinity": "binary eps-neighbourhood, eps = scale x longest MST edge "
            f"(MST of the {opts['mst_k']}-NN graph of the fitted nodes)",
            "eps": proc.eps,
            "eps_neighbors_truncated": truncated,
        }
    # eps below the longest MST edge always cuts that edge: the paper's
    # scale 0.5 disconnects every graph, which the user cannot act on
    expected = family == "eps" and param < 1
    W, n_found = _connect(W, nodes, what, opts["on_disconnected"], 1.0, proc.messages,
                          expected=expected)
    A, d = normalized_affinity(W)
    proc.mu, proc.U = SPARSE_SOLVERS[solver](A, n_eigs, seed, d)
    proc.degrees = d
    proc.mean_degree = float(d.mean())
    info.update(n_connected_components=n_found, bridged=n_found > 1, n_edges=W.nnz)
    proc.info = info
    return proc


def _dense_affinity(proc, X, chunk=_DENSE_CHUNK):
    n = X.shape[0]
    check_memory(
        dense_bytes((n, n)) * 2,
        what=f"a dense {n} x {n} Gaussian affinity",
        advice="Use dense_solver='nystrom' (landmarks) or 'minibatch', or lower "
        "max_nodes.",
    )
    W = np.empty((n, n))
    for start in range(0, n, chunk):
        W[start : start + chunk] = proc._dense_rows(
            X[start : start + chunk], X, _ref_scales(proc, slice(start, start + chunk))
        )
    return (W + W.T) / 2


def _ref_scales(proc, rows):
    return proc.scales[rows] if proc.param == "self-tuning" else None


def fit_dense(param, nodes, dist, n_eigs, *, solver, seed, opts):
    """Fit a fully connected Gaussian or self-tuning procedure."""
    n = nodes.shape[0]
    if solver == "auto":
        solver = "exact" if n <= AUTO_EXACT_MAX else "nystrom"
    proc = FittedProcedure("gaussian", param, solver)
    X = nodes
    info = {}
    if solver == "nystrom":
        idx = opts.get("landmark_index")
        if idx is None:
            idx = choose_landmarks(nodes, min(opts["n_landmarks"], n), opts["landmarks"], seed)
        m = len(idx)
        X = proc.ref = np.ascontiguousarray(nodes[idx])
        if dist is not None:
            dist = dist[idx]
        info["approximation"] = f"Nystrom, {m} landmarks ({opts['landmarks']})"
    if X.shape[0] < n_eigs:
        raise ValueError(
            f"n_components needs {n_eigs} eigenvectors but the Gaussian procedure "
            f"has only {X.shape[0]} reference nodes; raise n_landmarks or lower "
            "n_components."
        )
    if param == "self-tuning":
        proc.scales = local_scales(dist)
        info["affinity"] = "self-tuning Gaussian exp(-d^2/(s_i s_j)), s = distance to 7th neighbour"
    else:
        proc.gamma = 1.0 / (float(param) * opts["median_sq_distance"])
        info["affinity"] = "Gaussian exp(-d^2 / (sigma * median squared distance))"
        info["gamma"] = proc.gamma
    proc.n_ref = X.shape[0]
    if solver == "minibatch":
        proc.mu, proc.U, proc.degrees, n_found = _fit_minibatch(proc, X, n_eigs, seed, opts)
        info["approximation"] = (
            f"mini-batch Stiefel SGD ({opts['minibatch_steps']} steps of "
            f"{min(opts['minibatch_size'], X.shape[0])} columns) + Rayleigh-Ritz"
        )
    else:
        W = _dense_affinity(proc, X)
        G = sparse.csr_matrix((W > 0).astype(np.float64))
        n_found = connected_components(G, directed=False)[0]
        if n_found > 1:
            off = W[~np.eye(len(W), dtype=bool)]
            weight = float(off[off > 0].min()) if np.any(off > 0) else 1e-3
            Wc, _ = _connect(G, X, f"Gaussian (sigma={param})", opts["on_disconnected"],
                             1.0, proc.messages)
            extra = (Wc - G).tocoo()
            W[extra.row, extra.col] = weight
        A, d = normalized_affinity(W)
        proc.mu, proc.U = solve_exact(A, n_eigs)
        proc.degrees = d
    proc.mean_degree = float(proc.degrees.mean())
    info.update(n_connected_components=int(n_found), bridged=bool(n_found > 1))
    proc.info = info
    return proc


def _fit_minibatch(proc, X, n_eigs, seed, opts, chunk=_DENSE_CHUNK):
    n = X.shape[0]
    d = np.zeros(n)
    for start in range(0, n, chunk):
        rows = slice(start, start + chunk)
        d[rows] = proc._dense_rows(X[rows], X, _ref_scales(proc, rows)).sum(axis=1)
    s = 1.0 / np.sqrt(d)

    def columns(cols):
        # symmetric kernel: A[:, cols] = (A[cols, :])^T
        K = proc._dense_rows(X[cols], X, _ref_scales(proc, cols))
        return (K * s[cols][:, None] * s[None, :]).T

    mu, U = solve_minibatch(
        columns,
        n,
        n_eigs,
        seed,
        batch_size=opts["minibatch_size"],
        max_iter=opts["minibatch_steps"],
    )
    return mu, U, d, 1


def _fit_gaussian(family, param, nodes, dist, ind, n_eigs, *, solver, seed, opts):
    """:func:`fit_dense` with the signature of :func:`fit_sparse`."""
    return fit_dense(param, nodes, dist, n_eigs, solver=solver, seed=seed, opts=opts)


class Family(NamedTuple):
    """An affinity family: the layer parameter that lists it, its values, its fit."""

    parameter: str
    integer: bool  # values are integers >= 1, else finite reals > 0
    strings: tuple  # string values allowed besides numbers
    solver_parameter: str  # the layer parameter that picks its solver
    fit: Callable


# family -> how the layer validates its values and fits it, in output order
FAMILIES = {
    "knn": Family("n_neighbors", True, (), "sparse_solver", fit_sparse),
    "eps": Family("eps_scales", False, (), "sparse_solver", fit_sparse),
    "gaussian": Family("gaussian_scales", False, ("self-tuning",), "dense_solver", _fit_gaussian),
}
