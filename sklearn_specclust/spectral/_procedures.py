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

import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import connected_components
from sklearn.cluster import kmeans_plusplus
from sklearn.metrics import pairwise_distances

from ..utils import check_memory, dense_bytes
from ._graphs import (
    add_edges,
    bridge_components,
    eps_graph,
    knn_graph,
    knn_query_weights,
    rows_to_csr,
    disconnected_message,
)
from ._laplacian import normalized_affinity
from ._solvers import (
    solve_amg,
    solve_exact,
    solve_lanczos,
    solve_minibatch,
)

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
    def query_weights(self, Y, nodes, dist, ind):
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
        return self._dense_rows(Y, ref)

    def _dense_rows(self, Y, ref):
        D2 = pairwise_distances(Y, ref, metric="sqeuclidean").astype(np.float64)
        np.maximum(D2, 0, out=D2)
        if self.param == "self-tuning":
            s_y = local_scales(D2)
            K = np.exp(-D2 / np.outer(s_y, self.scales))
        else:
            K = np.exp(-self.gamma * D2)
        empty = K.sum(axis=1) <= 1e-300
        if np.any(empty):
            # every affinity underflowed: fall back on the nearest node
            K[empty] = 0.0
            K[np.flatnonzero(empty), np.argmin(D2[empty], axis=1)] = 1.0
        return K


def local_scales(D2):
    """Self-tuning local scale of each row of a squared-distance matrix.

    The distance to the 7th nearest *other* node: index 7 of the sorted row
    when the row contains the point itself (a zero), index 6 otherwise.
    """
    n_ref = D2.shape[1]
    has_self = D2.min(axis=1) <= 0
    col = np.where(has_self, SELF_TUNING_NEIGHBOR, SELF_TUNING_NEIGHBOR - 1)
    col = np.minimum(col, n_ref - 1)
    kth = min(SELF_TUNING_NEIGHBOR, n_ref - 1)
    part = np.partition(D2, kth, axis=1)[:, : kth + 1]
    part.sort(axis=1)
    s = np.sqrt(part[np.arange(len(D2)), np.minimum(col, kth)])
    return np.maximum(s, 1e-12)


def _connect(W, X, what, on_disconnected, weight, messages):
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
        messages.append(disconnected_message(
            what, n_found, f"joined by {n_found - 1} minimum-spanning-tree edges"
        ))
        W = add_edges(W, rows, cols, np.full(len(rows), weight))
    return W, n_found


def _solve_sparse(A, d, n_eigs, solver, seed):
    if solver == "lanczos":
        return solve_lanczos(A, n_eigs, seed)
    if solver == "amg":
        return solve_amg(A, n_eigs, seed, d)
    return solve_exact(A, n_eigs)


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
    W, n_found = _connect(W, nodes, what, opts["on_disconnected"], 1.0, proc.messages)
    A, d = normalized_affinity(W)
    proc.mu, proc.U = _solve_sparse(A, d, n_eigs, solver, seed)
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
        W[start : start + chunk] = proc._dense_rows(X[start : start + chunk], X)
    return (W + W.T) / 2


def fit_dense(param, nodes, n_eigs, *, solver, seed, opts):
    """Fit a fully connected Gaussian or self-tuning procedure."""
    n = nodes.shape[0]
    if solver == "auto":
        solver = "exact" if n <= AUTO_EXACT_MAX else "nystrom"
    proc = FittedProcedure("gaussian", param, solver)
    X = nodes
    info = {}
    if solver == "nystrom":
        m = int(min(opts["n_landmarks"], n))
        rng = np.random.RandomState(seed)
        if opts["landmarks"] == "kmeans++" and m < n:
            _, idx = kmeans_plusplus(np.asarray(nodes, dtype=np.float64), m, random_state=rng)
        else:
            idx = np.sort(rng.choice(n, size=m, replace=False))
        X = proc.ref = np.ascontiguousarray(nodes[idx])
        info["approximation"] = f"Nystrom, {m} landmarks ({opts['landmarks']})"
    if X.shape[0] < n_eigs:
        raise ValueError(
            f"n_components needs {n_eigs} eigenvectors but the Gaussian procedure "
            f"has only {X.shape[0]} reference nodes; raise n_landmarks or lower "
            "n_components."
        )
    if param == "self-tuning":
        proc.scales = _self_tuning_scales(X)
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


def _self_tuning_scales(X, chunk=_DENSE_CHUNK):
    s = np.empty(X.shape[0])
    for start in range(0, X.shape[0], chunk):
        D2 = pairwise_distances(X[start : start + chunk], X, metric="sqeuclidean")
        s[start : start + chunk] = local_scales(np.maximum(D2, 0))
    return s


def _fit_minibatch(proc, X, n_eigs, seed, opts, chunk=_DENSE_CHUNK):
    n = X.shape[0]
    d = np.zeros(n)
    for start in range(0, n, chunk):
        d[start : start + chunk] = proc._dense_rows(X[start : start + chunk], X).sum(axis=1)
    s = 1.0 / np.sqrt(d)

    def columns(cols):
        # symmetric kernel: A[:, cols] = (A[cols, :])^T
        return (proc._dense_rows(X[cols], X) * s[cols][:, None] * s[None, :]).T

    mu, U = solve_minibatch(
        columns,
        n,
        n_eigs,
        seed,
        batch_size=opts["minibatch_size"],
        max_iter=opts["minibatch_steps"],
    )
    return mu, U, d, 1
