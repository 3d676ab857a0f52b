"""Nearest-neighbour search on a fixed reference set, exact or approximate.

``"brute"`` is scikit-learn's exact chunked search. The approximate searches
here (and the exact fallback they use) work on float32 data in three steps:

1. *score* candidates by ``|x|^2 - 2 y.x`` (the squared distance less the
   query's own norm, which does not change the order), by float32 matrix
   products -- in the space of the leading principal components when the
   data have many features;
2. *select* the best candidates per query with ``argpartition`` (linear
   time, no full sort);
3. *re-rank* them by their directly computed distance ``|y - x|``, so an
   identical node is found at distance exactly 0 and neither the rounding
   of step 1 nor the projection reaches the returned distances.

At steps 2 and 3 a tie goes to the smaller reference index, so the
neighbours found depend on the scores and distances alone, not on the order
in which the search met the candidates (which cells were pruned, how the
survivors were grouped, how many threads ran).

The candidates are scored against every reference node (``"pca"``) or only
against the members of the nearest k-means cells (``"ivf"``, an inverted
file index, Jegou et al. 2011).
"""

import copy

import numpy as np
from joblib import Parallel, delayed
from scipy import sparse
from sklearn.neighbors import NearestNeighbors
from sklearn.utils.extmath import randomized_svd

from ..utils._threads import block_threads

# Queries are done in blocks of this many rows to bound temporary memory.
_CHUNK = 16384
# Bytes of float32 scores computed per block (bounds temporary memory).
_BLOCK_BYTES = 2**26
# Bytes of gathered candidate rows re-ranked per block (kept cache-sized).
_RERANK_BYTES = 2**22
# "pca", "ivf": projection dimension (data of more than twice as many
# features are projected) and candidates per wanted neighbour.
PCA_DIMS = 96
PCA_CANDIDATES = 2
# Above this many features the principal axes come from a randomized SVD.
PCA_EXACT_MAX_FEATURES = 2048
# "ivf": mean number of reference nodes per cell, most cells (beyond
# 262,144 nodes the cells grow instead), cells probed per query, nodes used
# to train the cells (at least 32 per cell), and Lloyd iterations.
IVF_CELL_SIZE = 64
IVF_MAX_CELLS = 4096
IVF_PROBES = 24
# "ivf": skip the probed cells that cannot hold a node within this fraction
# of a query's bound distance (the Voronoi half-space test of
# IVFIndex.candidates; 1.0 skips only cells that pass on nothing, None
# probes every cell).
IVF_PRUNE = 1.0
IVF_TRAIN = 50000
IVF_ITER = 10
# Nodes nearest to each cell centre that give the score bound of a query.
IVF_HALO = 256
# Queries with more survivors than this many times n_cand are sorted apart.
IVF_ROW_WIDTH = 8


def _sq_norms(X):
    return np.einsum("ij,ij->i", X, X)


def _rows_per_block(n_cols):
    return int(max(1, _BLOCK_BYTES // (4 * max(1, n_cols))))


def exact_rerank(Y, X, cand, k):
    """The ``k`` candidates nearest to each query, by their direct distance.

    Parameters
    ----------
    Y : ndarray of shape (n_queries, n_features), float32
    X : ndarray of shape (n_ref, n_features), float32
    cand : ndarray of shape (n_queries, n_candidates), int
        Candidate reference indices (``-1`` marks an empty slot).
    k : int
        Neighbours wanted, ``k <= n_candidates``.

    Returns
    -------
    dist : ndarray of shape (n_queries, k), float32
        Euclidean distances, ascending (a tie goes to the smaller index,
        so the result depends on the set of candidates, not their order).
    ind : ndarray of shape (n_queries, k), intp
    """
    n_q, n_c = cand.shape
    dist = np.empty((n_q, k), dtype=np.float32)
    ind = np.empty((n_q, k), dtype=np.intp)
    # small blocks: the gathered rows stay in cache (3-4x faster than 64 MiB)
    step = int(max(1, _RERANK_BYTES // (4 * n_c * X.shape[1])))
    for a in range(0, n_q, step):
        c = np.sort(cand[a : a + step], axis=1)
        diff = X[np.maximum(c, 0)]
        diff -= Y[a : a + step, None, :]
        d2 = np.einsum("ijk,ijk->ij", diff, diff)
        d2[c < 0] = np.inf
        order = np.argsort(d2, axis=1, kind="stable")[:, :k]
        dist[a : a + step] = np.sqrt(np.take_along_axis(d2, order, axis=1))
        ind[a : a + step] = np.take_along_axis(c, order, axis=1)
    return dist, ind


def _rank_in_runs(keys):
    """Position of each element within its run of equal ``keys`` (sorted)."""
    return np.arange(len(keys)) - np.searchsorted(keys, keys)


def _select(S, k, ref=None):
    """Column indices of the ``k`` smallest scores of every row.

    A tie at the ``k``-th place goes to the column of smaller ``ref`` (by
    default the column index), so the columns chosen depend on the scores
    and ``ref`` only, not on how the row was assembled. Found by a threshold
    at the ``k``-th value (``np.partition``, about three times faster than
    ``argpartition`` on short rows); in the rows with a tie, the scores
    within the threshold are sorted.

    Parameters
    ----------
    S : ndarray of shape (n_rows, n_cols), float32
    k : int
    ref : ndarray of shape (n_rows, n_cols), int, default=None
        What ties are decided by.

    Returns
    -------
    cols : ndarray of shape (n_rows, min(k, n_cols)), intp
        Ascending within a row, except in the rows with a tie.
    """
    n, m = S.shape
    if k >= m:
        return np.broadcast_to(np.arange(m), S.shape).copy()
    kth = np.partition(S, k - 1, axis=1)[:, k - 1]
    hit = np.flatnonzero(S <= kth[:, None])  # row by row, columns ascending
    if len(hit) == n * k:  # each row holds at least k hits: exactly k each
        return (hit % m).reshape(n, k)
    row = hit // m
    tied = np.bincount(row, minlength=n) > k
    out = np.empty((n, k), dtype=np.intp)
    mine = tied[row]
    out[~tied] = (hit[~mine] % m).reshape(-1, k)
    # a row with a tie keeps its scores below the k-th, then the scores
    # equal to it of smallest ref (in column order when ref is None)
    row, col = row[mine], hit[mine] % m
    below = S[row, col] < kth[row]
    b_row, b_col = row[below], col[below]
    out[b_row, _rank_in_runs(b_row)] = b_col
    e_row, e_col = row[~below], col[~below]
    if ref is not None:
        by = np.lexsort((ref[e_row, e_col], e_row))
        e_row, e_col = e_row[by], e_col[by]
    rank = _rank_in_runs(e_row)
    rank += np.bincount(b_row, minlength=n)[e_row]
    first = rank < k
    out[e_row[first], rank[first]] = e_col[first]
    return out


def brute_candidates(Y, X, x_sq, k):
    """Indices of the ``k`` reference nodes of smallest score, per query.

    Scores ``|x|^2 - 2 y.x`` by float32 matrix products on blocks of
    queries; the result is unordered (see :func:`exact_rerank`).
    """
    k = min(k, X.shape[0])
    out = np.empty((Y.shape[0], k), dtype=np.intp)
    step = _rows_per_block(X.shape[0])
    for a in range(0, Y.shape[0], step):
        S = Y[a : a + step] @ X.T
        S *= -2.0
        S += x_sq
        out[a : a + step] = _select(S, k)
    return out


def pca_projection(X, n_dims, seed, n_rows=20000):
    """Mean and leading principal axes of (a sample of) the rows of ``X``.

    Up to ``PCA_EXACT_MAX_FEATURES`` features the axes are those of the exact
    covariance; above, a randomized SVD finds them (the dense ``eigh`` of an
    8192 x 8192 covariance took 110 s of a 133 s SA-Net layer-2 fit). Only
    candidate scoring uses the projection: distances are re-ranked exactly.
    """
    rng = np.random.RandomState(seed)
    rows = X[rng.choice(len(X), min(len(X), n_rows), replace=False)]
    mean = rows.mean(axis=0, dtype=np.float64)
    if X.shape[1] > PCA_EXACT_MAX_FEATURES:
        R = rows.astype(np.float32) - mean.astype(np.float32)
        _, _, vt = randomized_svd(R, n_dims, random_state=rng)
        return mean.astype(np.float32), np.ascontiguousarray(vt.T, dtype=np.float32)
    R = rows.astype(np.float64) - mean
    _, vecs = np.linalg.eigh(R.T @ R)
    proj = np.ascontiguousarray(vecs[:, ::-1][:, :n_dims], dtype=np.float32)
    return mean.astype(np.float32), proj


def nearest_center(X, C, c_sq=None):
    """Index of the nearest row of ``C`` for every row of ``X``."""
    c_sq = _sq_norms(C) if c_sq is None else c_sq
    out = np.empty(X.shape[0], dtype=np.intp)
    step = _rows_per_block(C.shape[0])
    for a in range(0, X.shape[0], step):
        S = X[a : a + step] @ C.T
        S *= -2.0
        S += c_sq
        out[a : a + step] = np.argmin(S, axis=1)
    return out


def _kmeans(X, n_cells, seed, n_iter):
    """Lloyd's k-means from a uniform draw of centres (float32, BLAS-bound)."""
    rng = np.random.RandomState(seed)
    C = X[rng.choice(len(X), n_cells, replace=False)].copy()
    rows = np.arange(len(X))
    for _ in range(n_iter):
        label = nearest_center(X, C)
        counts = np.bincount(label, minlength=n_cells)
        member = sparse.csr_matrix(
            (np.ones(len(X), dtype=np.float32), (label, rows)), shape=(n_cells, len(X))
        )
        sums = member @ X
        full = counts > 0
        C[full] = sums[full] / counts[full, None]
        # an empty cell restarts at a random node
        C[~full] = X[rng.choice(len(X), int(np.sum(~full)), replace=False)]
    return C


class IVFIndex:
    """Inverted file index: k-means cells over the reference nodes.

    A query is scored only against the members of its ``n_probes`` nearest
    cells. The members of a cell are stored contiguously, so each cell is
    scored against all the queries that probe it by one matrix product.
    No top-k selection is run per cell: a bound computed first (see
    :meth:`candidates`) lets each cell pass on only its competitive members.

    Parameters
    ----------
    Z : ndarray of shape (n_ref, n_dims), float32
        Reference nodes in the space of the search (the data, or a
        projection of it).
    cell_size : int
        Mean number of nodes per cell (``n_cells = n_ref // cell_size``, at
        most ``IVF_MAX_CELLS``).
    n_probes : int
        Cells searched per query.
    seed : int
        Seed of the k-means initialisation and training sample.
    prune : float or None
        Skip the probed cells that hold no node within ``prune`` times the
        query's bound distance (see :meth:`candidates`). With ``1.0`` the
        candidates found are those of probing every cell, ``None`` probes
        every cell.
    """

    def __init__(self, Z, *, cell_size=IVF_CELL_SIZE, n_probes=IVF_PROBES, seed=0,
                 prune=IVF_PRUNE):
        n = Z.shape[0]
        n_cells = int(max(1, min(n // cell_size, IVF_MAX_CELLS)))
        rng = np.random.RandomState(seed)
        train = Z
        n_train = max(IVF_TRAIN, 32 * n_cells)
        if n > n_train:
            train = Z[np.sort(rng.choice(n, n_train, replace=False))]
        self.centers = _kmeans(train, n_cells, rng.randint(2**31 - 1), IVF_ITER)
        self.c_sq = _sq_norms(self.centers)
        label = nearest_center(Z, self.centers, self.c_sq)
        self.order = np.argsort(label, kind="stable")
        self._set_nodes(np.ascontiguousarray(Z[self.order]))
        self.offsets = np.concatenate(
            [[0], np.cumsum(np.bincount(label, minlength=n_cells))]
        )
        self.n_probes = int(min(n_probes, n_cells))
        self.prune = None if prune is None else float(prune)
        self.halo = np.empty((n_cells, 0), dtype=np.intp)
        self._sep_rows = {}
        self._halo(IVF_HALO)

    def _set_nodes(self, Z):
        """Keep the nodes in cell order, their squared norms and ``-2 Z``
        (scaling by a power of two is exact: the scores round as before)."""
        self.Z = Z
        self.z_sq = _sq_norms(Z)
        self.Zm2 = -2.0 * Z

    def _halo(self, h):
        """The ``h`` nodes nearest to each centre, nearest first (cached)."""
        h = int(min(h, self.Z.shape[0]))
        if self.halo.shape[1] < h:
            width = int(min(max(h, IVF_HALO), self.Z.shape[0]))
            halo = brute_candidates(self.centers, self.Z, self.z_sq, width)
            for a in range(0, len(halo), 256):  # bounded gathers
                rows = halo[a : a + 256]
                d = self.z_sq[rows] - 2 * np.einsum(
                    "ij,ikj->ik", self.centers[a : a + 256], self.Z[rows]
                )
                halo[a : a + 256] = np.take_along_axis(
                    rows, np.argsort(d, axis=1, kind="stable"), axis=1
                )
            self.halo = halo
        return self.halo[:, :h]

    def _probes(self, Zq):
        """The ``n_probes`` cells nearest to each query, the nearest first.

        Returns the cells and their scores ``|c|^2 - 2 y.c``.
        """
        P = self.n_probes
        out = np.empty((Zq.shape[0], P), dtype=np.intp)
        score = np.empty((Zq.shape[0], P), dtype=np.float32)
        step = _rows_per_block(len(self.centers))
        centers_m2 = -2.0 * self.centers  # exact: the scores round as before
        for a in range(0, Zq.shape[0], step):
            S = Zq[a : a + step] @ centers_m2.T
            S += self.c_sq
            sel = _select(S, P)
            sc = np.take_along_axis(S, sel, axis=1)
            # the nearest cell first: swap it with the first column
            rows = np.arange(len(sel))
            first = np.argmin(sc, axis=1)
            for cols in (sel, sc):
                nearest = cols[rows, first]
                cols[rows, first] = cols[:, 0]
                cols[:, 0] = nearest
            out[a : a + step] = sel
            score[a : a + step] = sc
        return out, score

    @staticmethod
    def _by_cell(cells, n_cells):
        """Positions in ``cells`` grouped by cell: ``(order, bounds)``."""
        # a stable sort of small integers: numpy's radix sort (same order)
        small = _small_ints(cells, n_cells)
        order = np.argsort(small, kind="stable")
        return order, np.searchsorted(small[order], np.arange(n_cells + 1))

    def _separation(self, c, probed):
        """Distances from centre ``c`` to the centres of the cells in ``probed``.

        The distances from ``c`` to every centre are computed once per index
        (on first use, then cached; not pickled).
        """
        row = self._sep_rows.get(c)
        if row is None:
            row = self._sep_rows.setdefault(
                c, np.sqrt(_sq_norms(self.centers - self.centers[c]))
            )
        return row[probed]

    def __getstate__(self):
        state = self.__dict__.copy()
        state["_sep_rows"] = {}
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        self.__dict__.setdefault("_sep_rows", {})

    def _skip_far_cells(self, probes, p_score, sep, bound, q_sq):
        """``probes`` with the cells that hold no node within ``prune`` times
        the bound's distance replaced by ``n_cells`` (see :meth:`candidates`)."""
        # |y - c|^2 - |y - c0|^2 > 2 |c - c0| r: no member within r
        radius = self.prune * np.sqrt(np.maximum(bound + q_sq, 0.0))
        gap = p_score - p_score[:, :1]
        slack = 1e-4 * (q_sq + self.c_sq.max(initial=0.0)) + 1e-3 * radius * radius
        skip = gap > 2.0 * sep * radius[:, None] + slack[:, None]
        skip[:, 0] = False
        return np.where(skip, len(self.centers), probes)

    def candidates(self, Zq, n_cand):
        """The ``n_cand`` best-scored members of the probed cells, per query.

        First a bound: the smaller of the ``n_cand``-th best scores among
        the ``4 n_cand`` nodes nearest to the query's nearest centre and
        among that cell's members, which is at least the ``n_cand``-th best
        score over all nodes. The probed cells then only pass on their
        members scored within the bound, and the best ``n_cand`` of those
        are kept. (The bound of the union of the two sets would be tighter,
        but the halo reaches into cells the query may not probe: fewer than
        ``n_cand`` probed nodes could pass it, and the query would fall
        back to an exact search, which changes its neighbours.)

        With ``prune``, a probed cell is skipped when no node of it can be
        within ``prune`` times the bound's distance ``r``: every member
        ``x`` of cell ``c`` is at least as near to centre ``c`` as to the
        query's nearest centre ``c0`` (the cells are Voronoi cells), so its
        distance to the query ``y`` is at least
        ``(|y - c|^2 - |y - c0|^2) / (2 |c - c0|)``, the distance from ``y``
        to the half-space of those points. With ``prune=1`` a skipped cell
        would pass on no member, so skipping it changes nothing but the
        time (a small slack covers rounding); below 1 the cells skipped
        can only hold nodes farther than ``prune * r``.

        Returns reference indices, unordered, ``-1`` in empty slots (when
        fewer than ``n_cand`` members of the probed cells are within the
        bound).
        """
        n_q, P = Zq.shape[0], self.n_probes
        n_cand = int(min(n_cand, self.Z.shape[0]))
        probes, p_score = self._probes(Zq)
        bound, sep = self._bounds(Zq, probes, n_cand)
        # matrix products of other shapes round differently: a little slack
        # keeps every node that scored within the bound here
        q_sq = _sq_norms(Zq)
        bound += 1e-5 * (np.abs(bound) + q_sq)
        if self.prune is not None and P > 1:
            probes = self._skip_far_cells(probes, p_score, sep, bound, q_sq)
        q, r, sc = self._scan(Zq, probes, bound)
        return _best_of_survivors(q, r, sc, n_q, n_cand)

    def _bounds(self, Zq, probes, n_cand):
        """Each query's score bound (before slack) and its probed cells'
        distances to its nearest cell (zero when there is no pruning)."""
        n_q, P = probes.shape
        halo = self._halo(4 * n_cand)
        bound = np.full(n_q, np.inf, dtype=np.float32)
        # distance between each probed cell's centre and the nearest one's
        sep = np.zeros((n_q, P), dtype=np.float32)
        prune = self.prune is not None and P > 1
        order, bounds = self._by_cell(probes[:, 0], len(self.centers))
        for c in np.flatnonzero(np.diff(bounds)):
            q = order[bounds[c] : bounds[c + 1]]
            members = halo[c]
            Zc = np.take(Zq, q, axis=0)
            S = Zc @ np.take(self.Zm2, members, axis=0).T
            S += self.z_sq[members]
            b = np.partition(S, n_cand - 1, axis=1)[:, n_cand - 1]
            s, e = self.offsets[c], self.offsets[c + 1]
            if e - s >= n_cand:
                # the n_cand-th best score among the cell's own members, a
                # bound too; those are probed, so it leaves no query short
                S = Zc @ self.Zm2[s:e].T
                S += self.z_sq[s:e]
                b = np.minimum(b, np.partition(S, n_cand - 1, axis=1)[:, n_cand - 1])
            bound[q] = b
            if prune:
                sep[q, 1:] = self._separation(c, probes[q, 1:])
        return bound, sep

    def _scan(self, Zq, probes, bound):
        """``(query, reference index, score)`` of every member of the probed
        cells scored within its query's bound, cell by cell."""
        P = probes.shape[1]
        found_q, found_r, found_s = [], [], []
        order, bounds = self._by_cell(probes.ravel(), len(self.centers))
        for c in np.flatnonzero(np.diff(bounds)):
            s, e = self.offsets[c], self.offsets[c + 1]
            if e == s:
                continue
            q = order[bounds[c] : bounds[c + 1]] // P
            S = np.take(Zq, q, axis=0) @ self.Zm2[s:e].T
            S += self.z_sq[s:e]
            # flat indices of the survivors: faster than a 2-D nonzero
            i, j = np.divmod(np.flatnonzero(S <= bound[q][:, None]), e - s)
            found_q.append(q[i])
            found_r.append(j + s)
            found_s.append(S[i, j])
        return (np.concatenate(found_q), self.order[np.concatenate(found_r)],
                np.concatenate(found_s))


def _best_of_survivors(q, r, sc, n_q, n_cand):
    """The ``n_cand`` best-scored survivors of each query (see :func:`_select`).

    Returns ``(n_q, n_cand)`` reference indices, ``-1`` in empty slots.
    """
    cand = np.full((n_q, n_cand), -1, dtype=np.intp)
    counts = np.bincount(q, minlength=n_q)
    # most queries: their survivors go to one row each (grouped by a radix
    # sort on small integers), the best n_cand of a row are kept; the
    # queries with very many survivors (dense regions, where the bound is
    # loose) first get a bound of their own from some of their survivors,
    # and any still too wide are sorted apart, so that they do not widen
    # every row
    width = IVF_ROW_WIDTH * n_cand
    wide = counts > width
    if np.any(wide):
        q, r, sc = _tighten(q, r, sc, counts, wide, n_cand, width)
        counts = np.bincount(q, minlength=n_q)
        wide = counts > width
    if np.any(wide):
        keep = wide[q]
        qw, rw, sw = q[keep], r[keep], sc[keep]
        # by query, then score, then reference index (as _select)
        by = np.lexsort((rw, sw, qw))
        qw, rw = qw[by], rw[by]
        rank = _rank_in_runs(qw)
        first = rank < n_cand
        cand[qw[first], rank[first]] = rw[first]
        q, r, sc = q[~keep], r[~keep], sc[~keep]
        counts[wide] = 0
    by = np.argsort(_small_ints(q, n_q), kind="stable")
    q, r, sc = q[by], r[by], sc[by]
    col = np.arange(len(q)) - (np.cumsum(counts) - counts)[q]
    width = int(min(width, counts.max(initial=0)))
    if width == 0:
        return cand
    score = np.full((n_q, width), np.inf, dtype=np.float32)
    score[q, col] = sc
    ref = np.full((n_q, width), -1, dtype=np.intp)
    ref[q, col] = r
    rows = np.flatnonzero(~wide)
    best = _select(score[rows], min(n_cand, width), ref[rows])
    cand[rows, : best.shape[1]] = np.take_along_axis(ref[rows], best, axis=1)
    return cand


def _small_ints(a, n):
    """``a`` (integers below ``n``) in the smallest type numpy radix-sorts."""
    return a.astype(np.int16 if n < 2**15 else np.int32)


def _tighten(q, r, sc, counts, wide, n_cand, width):
    """Drop the survivors of the ``wide`` queries that cannot be kept.

    The ``n_cand``-th best score among any ``width >= n_cand`` survivors of
    a query is at least its ``n_cand``-th best score over all of them, so
    the survivors scored above it are not among the best ``n_cand``; the
    first ``width`` survivors of each wide query (in the order found) give
    it that bound. Every survivor scored within it (ties included) is kept,
    so the best ``n_cand`` are chosen from the same scores as before.

    Parameters
    ----------
    q, r, sc : ndarray of shape (n_survivors,)
        Query, reference node and score of every survivor.
    counts : ndarray of shape (n_queries,)
        Survivors per query.
    wide : ndarray of shape (n_queries,), bool
        Queries with more than ``width`` survivors.

    Returns
    -------
    q, r, sc : ndarray
        The survivors kept, in their order.
    """
    rows = np.flatnonzero(wide)
    slot = np.cumsum(wide) - 1  # query -> its row among the wide queries
    mine = np.flatnonzero(wide[q])
    group = slot[q[mine]]
    by = np.argsort(_small_ints(group, len(rows)), kind="stable")
    group = group[by]
    start = np.cumsum(counts[rows]) - counts[rows]
    rank = np.arange(len(by)) - start[group]
    first = rank < width
    table = np.empty((len(rows), width), dtype=np.float32)
    table[group[first], rank[first]] = sc[mine[by[first]]]
    limit = np.full(len(wide), np.inf, dtype=np.float32)
    limit[rows] = np.partition(table, n_cand - 1, axis=1)[:, n_cand - 1]
    keep = sc <= limit[q]
    return q[keep], r[keep], sc[keep]


class NeighborIndex:
    """Nearest-neighbour search on a fixed reference set, exact or approximate.

    Parameters
    ----------
    X : ndarray of shape (n_nodes, n_features), float32
        Reference nodes.
    algorithm : {"brute", "pca", "ivf", "nndescent"}
        ``"brute"``: exact chunked brute force (scikit-learn).
        ``"pca"``: brute-force scoring in the space of the first ``PCA_DIMS``
        principal components of the reference nodes, the best
        ``PCA_CANDIDATES * k`` (at least ``k + 16``) re-ranked by their exact
        distance; approximate, quadratic in the number of nodes.
        ``"ivf"``: the same projection and re-ranking, with candidates scored
        only in the ``IVF_PROBES`` nearest of ``n_nodes / IVF_CELL_SIZE``
        k-means cells (:class:`IVFIndex`), less the cells that the query's
        bound excludes (``IVF_PRUNE``); approximate, linear in the number
        of nodes. Data of at most ``2 * PCA_DIMS`` features are not projected
        (the scores are then exact distances, and only ``k`` are re-ranked).
        ``"nndescent"``: pynndescent's graph search (Dong et al. 2011).
    random_state : int
        Seed of the approximate indexes.
    n_jobs : int or None
        Threads that query blocks of ``16384`` rows in parallel (and
        pynndescent's threads); ``None``: as many as OpenMP would use
        (:func:`~sklearn_specclust.utils._threads.block_threads`). The blocks
        do not depend on it, so neither do the neighbours found.
    """

    def __init__(self, X, *, algorithm="brute", random_state=0, n_jobs=None):
        self.X = X
        self.algorithm = algorithm
        self.random_state = int(random_state)
        self.n_jobs = n_jobs
        self._build()

    def _build(self):
        X = self.X
        if self.algorithm == "nndescent":
            from pynndescent import NNDescent

            self._index = NNDescent(
                X,
                n_neighbors=30,
                random_state=self.random_state,
                n_jobs=-1 if self.n_jobs is None else self.n_jobs,
                compressed=False,
            )
            self._index.prepare()
        elif self.algorithm in ("pca", "ivf"):
            self._proj = None
            if X.shape[1] > 2 * PCA_DIMS:
                self._mean, self._proj = pca_projection(X, PCA_DIMS, self.random_state)
            Z = self._project(X)
            if self.algorithm == "ivf":
                self._index = IVFIndex(
                    Z, cell_size=IVF_CELL_SIZE, n_probes=IVF_PROBES, seed=self.random_state,
                    prune=IVF_PRUNE,
                )
            else:
                self._index = (Z, _sq_norms(Z))
        else:
            # one OpenMP thread: its per-thread heaps would order tied
            # neighbours by the thread count; query() splits blocks instead
            self._index = NearestNeighbors(algorithm="brute", n_jobs=1).fit(X)

    def _project(self, Y):
        if self._proj is None:
            return Y
        return (Y - self._mean) @ self._proj

    def __getstate__(self):
        state = self.__dict__.copy()
        if self.algorithm == "nndescent":
            # rebuilt (with the same seed) on first use after unpickling:
            # keeps the estimator's pickle small and free of numba objects
            state["_index"] = None
        elif self.algorithm == "ivf" and self._proj is None:
            # the cells hold the reference nodes themselves, reordered: saved
            # once (as X) and gathered again on loading
            index = copy.copy(self._index)
            index.Z = index.z_sq = index.Zm2 = None
            state["_index"] = index
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        index = self.__dict__.get("_index")
        if isinstance(index, IVFIndex) and index.Z is None:
            index._set_nodes(np.ascontiguousarray(self.X[index.order]))

    def _approximate_query(self, Y, k):
        n_cand = k if self._proj is None else max(PCA_CANDIDATES * k, k + 16)
        n_cand = int(min(n_cand, self.X.shape[0]))
        Zq = self._project(Y)
        if self.algorithm == "ivf":
            cand = self._index.candidates(Zq, n_cand)
        else:
            Z, z_sq = self._index
            cand = brute_candidates(Zq, Z, z_sq, n_cand)
        dist, ind = exact_rerank(Y, self.X, cand, k)
        # fewer than k candidates within the IVF bound: exact search instead
        short = np.flatnonzero(ind[:, -1] < 0)
        if short.size:
            full = brute_candidates(Y[short], self.X, _sq_norms(self.X), k)
            dist[short], ind[short] = exact_rerank(Y[short], self.X, full, k)
        return dist, ind

    def prepare(self):
        """Build the index if it is not built (after unpickling an nndescent one)."""
        if self._index is None:
            self._build()
        return self

    def query(self, Y, k):
        """Return ``(distances, indices)`` of the ``k`` nearest reference nodes.

        ``Y`` may contain copies of reference nodes; those are found at
        distance 0 (the first neighbour).
        """
        k = int(min(k, self.X.shape[0]))
        self.prepare()
        Y = np.ascontiguousarray(Y, dtype=np.float32)
        dist = np.empty((Y.shape[0], k), dtype=np.float32)
        ind = np.empty((Y.shape[0], k), dtype=np.intp)
        # blocks of a fixed size, so that n_jobs changes the speed, not the result
        starts = range(0, Y.shape[0], _CHUNK)
        threads = block_threads(self.n_jobs)
        if len(starts) > 1 and threads > 1:
            Parallel(n_jobs=threads, backend="threading")(
                delayed(self._query_block)(Y, k, start, dist, ind) for start in starts
            )
        else:
            for start in starts:
                self._query_block(Y, k, start, dist, ind)
        if self.algorithm == "nndescent":
            order = np.argsort(dist, axis=1, kind="stable")
            dist = np.take_along_axis(dist, order, axis=1)
            ind = np.take_along_axis(ind, order, axis=1)
        return dist, ind

    def _query_block(self, Y, k, start, dist, ind):
        stop = min(start + _CHUNK, Y.shape[0])
        if self.algorithm == "nndescent":
            i, d = self._index.query(Y[start:stop], k=k)
        elif self.algorithm in ("pca", "ivf"):
            d, i = self._approximate_query(Y[start:stop], k)
        else:
            d, i = self._index.kneighbors(Y[start:stop], n_neighbors=k)
        dist[start:stop] = d
        ind[start:stop] = i
