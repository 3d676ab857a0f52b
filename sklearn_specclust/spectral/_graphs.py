"""Affinity graphs: k-nearest neighbours, epsilon-MST, Gaussian and self-tuning.

All graphs live on a *reference set* of nodes (the fitted nodes, or the
landmarks of a Nystrom procedure). Every node carries a self-loop of weight 1
(``W_ii = 1``): a query point identical to a fitted node then sees exactly
the neighbourhood that node had in the fitted graph, which keeps the
out-of-sample extension consistent with the fitted eigenvectors.
"""

import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import connected_components, minimum_spanning_tree
from sklearn.metrics import pairwise_distances

from ..utils import check_memory, dense_bytes
from ._neighbors import NeighborIndex  # noqa: F401 (re-exported)


def rows_to_csr(ind, weights, n_cols):
    """Sparse matrix with ``weights[i, j]`` at ``(i, ind[i, j])``."""
    n_rows, k = ind.shape
    indptr = np.arange(0, n_rows * k + 1, k)
    W = sparse.csr_matrix(
        (weights.ravel().astype(np.float64), ind.ravel(), indptr),
        shape=(n_rows, n_cols),
    )
    W.sum_duplicates()
    return W


def knn_graph(ind, n_neighbors):
    """Symmetrised kNN connectivity graph ``(A + A^T) / 2`` with self-loops.

    As in scikit-learn's ``SpectralEmbedding``: ``W_ij = 1`` when ``i`` and
    ``j`` are each among the other's ``n_neighbors`` nearest nodes, ``0.5``
    when only one of them is.

    Parameters
    ----------
    ind : ndarray of shape (n_nodes, >= n_neighbors)
        Neighbour indices of each node among the nodes, itself first.
    n_neighbors : int
        Neighbours per node, counting the node itself.

    Returns
    -------
    W : csr_matrix of shape (n_nodes, n_nodes)
    """
    n = ind.shape[0]
    A = rows_to_csr(ind[:, :n_neighbors], np.ones((n, n_neighbors)), n)
    return (0.5 * (A + A.T)).tocsr()


def knn_query_weights(dist, ind, radius, n_ref):
    """kNN affinity rows of query points, consistent with :func:`knn_graph`.

    A query's weight to each of its ``k`` nearest reference nodes ``j`` is 1
    when the query is also within ``j``'s own k-th neighbour distance
    ``radius[j]`` (mutual neighbours), else 0.5. For a fitted node this
    reproduces its row of the fitted graph on its own ``k`` neighbours.
    """
    mutual = dist <= radius[ind] * (1 + 1e-6) + 1e-12
    return rows_to_csr(ind, 0.5 + 0.5 * mutual, n_ref)


def eps_graph(dist, ind, eps):
    """Union-symmetrised epsilon-neighbourhood graph on precomputed neighbours.

    Only the neighbours in ``ind`` are considered (a bounded number per node
    keeps memory linear); ``truncated`` counts the nodes whose every listed
    neighbour lay within ``eps``, i.e. whose neighbourhood may be cut short.

    Returns
    -------
    W : csr_matrix
        Binary affinity with self-loops.
    truncated : int
        Number of nodes whose neighbour list was exhausted within ``eps``.
    """
    n = ind.shape[0]
    within = (dist <= eps).astype(np.float64)
    within[:, 0] = 1.0  # self-loop (or nearest neighbour) always kept
    truncated = int(np.count_nonzero(within[:, -1])) if ind.shape[1] < n else 0
    A = rows_to_csr(ind, within, n)
    A.eliminate_zeros()
    return A.maximum(A.T).tocsr(), truncated


def _component_representatives(X, labels, n_comp):
    """Index of the node nearest to each component's mean."""
    n = len(labels)
    counts = np.bincount(labels, minlength=n_comp).astype(np.float64)
    # the sums by a sparse membership product: the rows are added in the
    # same order as by np.add.at (the same bits), many times faster
    member = sparse.csr_matrix((np.ones(n), (labels, np.arange(n))), shape=(n_comp, n))
    means = member @ X
    means /= counts[:, None]
    diff = X - means[labels]
    d = np.einsum("ij,ij->i", diff, diff)
    order = np.lexsort((d, labels))
    return order[np.searchsorted(labels[order], np.arange(n_comp))]


def bridge_components(X, W):
    """Edges that connect the components of ``W`` into one graph.

    Each component is represented by its node nearest to the component mean;
    the Euclidean minimum spanning tree of the representatives gives
    ``n_components - 1`` bridging edges.

    Returns
    -------
    n_found : int
        Number of connected components of ``W``.
    rows, cols, lengths : ndarray
        Bridging edges (empty when ``W`` is connected) and their Euclidean
        lengths.
    """
    n_comp, labels = connected_components(W, directed=False)
    if n_comp == 1:
        empty = np.empty(0, dtype=np.intp)
        return 1, empty, empty, np.empty(0)
    reps = _component_representatives(np.asarray(X, dtype=np.float64), labels, n_comp)
    check_memory(
        dense_bytes((n_comp, n_comp)),
        what=f"bridging {n_comp} graph components",
        advice="Increase n_neighbors (or the eps scale) so the graph has fewer "
        "components, or set on_disconnected='raise'.",
    )
    D = pairwise_distances(X[reps], metric="euclidean")
    # tiny offset: minimum_spanning_tree drops zero-length (duplicate) edges
    T = minimum_spanning_tree(sparse.csr_matrix(np.triu(D + 1e-12, 1))).tocoo()
    return n_comp, reps[T.row], reps[T.col], D[T.row, T.col]


def add_edges(W, rows, cols, weights):
    """Return ``W`` with symmetric edges ``(rows, cols)`` added (max-combined)."""
    n = W.shape[0]
    E = sparse.csr_matrix((np.asarray(weights, dtype=np.float64), (rows, cols)), shape=(n, n))
    return W.maximum(E).maximum(E.T).tocsr()


def mst_longest_edge(X, dist, ind):
    """Longest edge of the Euclidean minimum spanning tree, from a kNN graph.

    The MST is computed on the (symmetrised) kNN graph given by ``dist`` and
    ``ind``; if that graph is disconnected, its components are joined by the
    MST of their representatives (see :func:`bridge_components`). On data
    whose kNN graph is connected and contains the Euclidean MST (the usual
    case for k >= 10) this is the exact longest MST edge.
    """
    n = ind.shape[0]
    G = rows_to_csr(ind, dist.astype(np.float64) + 1e-12, n)
    G.setdiag(0)
    G.eliminate_zeros()
    G = G.maximum(G.T)
    _, rows, cols, lengths = bridge_components(X, G)
    if len(rows):
        G = add_edges(G, rows, cols, lengths + 1e-12)
    T = minimum_spanning_tree(G)
    return float(T.data.max() - 1e-12) if T.nnz else 0.0


def median_sq_distance(X, random_state, n_pairs=20000, block_bytes=2**22):
    """Median squared Euclidean distance between random pairs of distinct nodes.

    The pairs are drawn at once and their distances computed in blocks of
    about ``block_bytes``, so memory does not grow with the number of
    features times ``n_pairs``.
    """
    n = X.shape[0]
    rng = np.random.RandomState(random_state)
    i = rng.randint(0, n, size=n_pairs)
    j = rng.randint(0, n, size=n_pairs)
    keep = i != j
    i, j = i[keep], j[keep]
    d = np.empty(len(i))
    step = int(max(1, block_bytes // (8 * max(1, X.shape[1]))))
    for a in range(0, len(i), step):
        diff = X[i[a : a + step]].astype(np.float64)
        diff -= X[j[a : a + step]]
        d[a : a + step] = np.square(diff, out=diff).sum(axis=1)
    d = d[d > 0]
    return float(np.median(d)) if d.size else 1.0


def gaussian_kernel(Y, X, *, gamma=None, scale_y=None, scale_x=None):
    """Dense Gaussian kernel between ``Y`` and ``X`` (float64).

    ``exp(-gamma * d^2)`` with a global ``gamma``, or the self-tuning kernel
    ``exp(-d^2 / (s_y s_x))`` with per-point local scales (Zelnik-Manor &
    Perona 2004).
    """
    D2 = pairwise_distances(Y, X, metric="sqeuclidean").astype(np.float64, copy=False)
    np.maximum(D2, 0, out=D2)
    if gamma is not None:
        D2 *= -gamma
    else:
        D2 /= -np.outer(scale_y, scale_x)
    return np.exp(D2, out=D2)


#: What to raise to connect a graph, for the messages of the layer's graphs.
CONNECT_ADVICE = "Increase n_neighbors / the eps scale / sigma"


def disconnected_message(what, n_found, action, advice=CONNECT_ADVICE):
    """The warning text for a graph that fell apart into ``n_found`` components."""
    return (
        f"The {what} graph has {n_found} connected components; {action}. Its "
        "smallest eigenvectors would otherwise only mark the components. "
        f"{advice} to connect it."
    )


def connect_components(W, X, *, what, max_components=1, on_disconnected="connect",
                       weight=1.0, advice=CONNECT_ADVICE):
    """The one treatment of a disconnected graph.

    A graph with more than ``max_components`` connected components is
    either joined by the minimum spanning tree of one representative node
    per component (``on_disconnected="connect"``, see
    :func:`bridge_components`; the new edges get ``weight``) or refused
    (``"raise"``). The layer allows one component (its eigenvectors would
    otherwise only mark the components); a clusterer allows as many as the
    eigenvectors it computes, since then every component is a union of
    clusters that the eigenvectors separate.

    Parameters
    ----------
    W : sparse matrix of shape (n, n)
        Symmetric affinity.
    X : ndarray of shape (n, n_features)
        The nodes (to choose the bridging edges).
    what : str
        The graph's name in the messages, e.g. ``"kNN (k=10)"``.
    max_components : int, default=1
        Components allowed without a bridge.
    on_disconnected : {"connect", "raise"}, default="connect"
        What to do with more components.
    weight : float, default=1.0
        Affinity of the bridging edges.
    advice : str
        What the user can raise to connect the graph, for the messages.

    Returns
    -------
    W : csr_matrix
        ``W``, with the bridging edges when it was joined.
    n_found : int
        Connected components of the input ``W``.
    message : str or None
        The warning to give (returned, not raised: joblib workers would lose
        it), None when nothing was joined.
    """
    n_found, labels = connected_components(W, directed=False)
    if n_found <= max_components:
        return W, n_found, None
    if on_disconnected == "raise":
        raise ValueError(
            f"The {what} graph has {n_found} connected components"
            + (f", more than the {max_components} eigenvectors asked for"
               if max_components > 1 else "")
            + f". {advice}, or set on_disconnected='connect' to join them "
            "through a minimum spanning tree of component representatives."
        )
    _, rows, cols, _ = bridge_components(X, W)
    message = disconnected_message(
        what, n_found, f"joined by {n_found - 1} minimum-spanning-tree edges", advice
    )
    return add_edges(W, rows, cols, np.full(len(rows), weight)), n_found, message


def self_tuning_knn_graph(dist, ind, sigma):
    """Sparse self-tuning kNN affinity, symmetrised by the maximum.

    ``W_ij = exp(-d_ij^2 / (sigma_i sigma_j))`` for each of the listed
    neighbours ``j`` of ``i`` (Zelnik-Manor & Perona), then
    ``max(W, W^T)``. No self-loops.

    Parameters
    ----------
    dist, ind : ndarray of shape (n, k)
        Distances and indices of each node's neighbours, itself excluded.
    sigma : ndarray of shape (n,)
        Local scales (:func:`~._scales.self_tuning_scales`).

    Returns
    -------
    W : csr_matrix of shape (n, n)
    """
    n = ind.shape[0]
    weights = np.exp(-(dist**2) / (sigma[:, None] * sigma[ind]))
    W = rows_to_csr(ind, weights, n)
    return W.maximum(W.T).tocsr()


def self_tuning_affinity(X, k, *, advice):
    """Dense self-tuning affinity of Zelnik-Manor & Perona and its local scales.

    ``W_ij = exp(-d_ij^2 / (sigma_i sigma_j))``, zero diagonal, with
    ``sigma_i`` the distance of ``x_i`` to its ``k``-th nearest other
    sample. The memory (two ``n x n`` float64 arrays) is planned first; a
    matrix that will not fit is refused with a ``MemoryError`` that gives
    ``advice``.

    Returns
    -------
    W : ndarray of shape (n, n)
    sigma : ndarray of shape (n,)
    """
    from sklearn.metrics import euclidean_distances

    from ._scales import self_tuning_scales

    n = X.shape[0]
    check_memory(2 * dense_bytes((n, n)),
                 what=f"A dense {n} x {n} self-tuning affinity", advice=advice)
    W = euclidean_distances(X, squared=True)
    np.maximum(W, 0.0, out=W)
    sorted_d = np.sqrt(np.partition(W, k, axis=1)[:, : k + 1])
    sorted_d.sort(axis=1)
    # column 0 is the sample itself (distance 0)
    sigma = self_tuning_scales(sorted_d[:, 1:], k)
    W /= -np.outer(sigma, sigma)
    np.exp(W, out=W)
    np.fill_diagonal(W, 0.0)
    return W, sigma


def landmark_graph(dist, ind, bandwidth, n_landmarks):
    """Landmark representation ``Z`` of Chen & Cai (2011).

    Row ``i`` holds Gaussian weights ``exp(-||x_i - u_j||^2 / (2 h^2))`` on
    the ``r`` nearest landmarks ``u_j`` of ``x_i``, normalised to sum to
    one. The weights are computed relative to the nearest landmark (a common
    factor the normalisation removes), so far-away samples do not underflow.

    Parameters
    ----------
    dist, ind : ndarray of shape (n, r)
        Distances to and indices of each sample's nearest landmarks, nearest
        first.
    bandwidth : float
        ``h``.
    n_landmarks : int
        Number of landmarks (columns of ``Z``).

    Returns
    -------
    Z : csr_matrix of shape (n, n_landmarks)
    """
    d2 = dist.astype(np.float64) ** 2
    weights = np.exp(-(d2 - d2[:, :1]) / (2.0 * bandwidth**2))
    weights /= weights.sum(axis=1, keepdims=True)
    return rows_to_csr(ind, weights, n_landmarks)
