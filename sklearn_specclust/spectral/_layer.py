"""SpectralAnalysisLayer: many spectral procedures over all locations of all maps."""

from numbers import Integral, Real

import numpy as np
from joblib import Parallel, delayed
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Hidden, Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from ..utils import (
    check_memory,
    dense_bytes,
    from_maps,
    renamed_parameter,
    reproducible_threads,
    rows_within,
    validate_maps,
    warn_user,
)
from ..utils._fitted import FitCompleteMixin, completes_fit
from ..utils._persistence import VersionedPickleMixin
from ..utils._threads import block_threads
from ._extension import MU_FLOOR, extend, extension_basis
from ._graphs import median_sq_distance, mst_longest_edge
from ._laplacian import LAPLACIANS
from ._neighbors import NeighborIndex
from ._nodes import distinct_rows, power_of_two_scale, scaled_float32, unique_rows
from ._procedures import (
    AUTO_EXACT_MAX,
    FAMILIES,
    SELF_TUNING_NEIGHBOR,
    choose_landmarks,
)
from ._solvers import DENSE_SOLVERS, SPARSE_SOLVERS

# Neighbours of the kNN graph whose MST gives the eps scale.
_MST_K = 10
# neighbors_algorithm="auto" searches exactly up to this many fitted nodes.
AUTO_BRUTE_MAX = 5000
# Nodes embedded per block in transform: a constant, so that no result
# depends on n_jobs (matrix products of other shapes round differently).
# Blocks hold whole images (the largest multiple of a map's locations up to
# this many rows), so that images transformed in batches of a multiple of
# ``transform_batch`` images get the values of one call on all of them.
_TRANSFORM_CHUNK = 16384


def transform_batch(map_shape):
    """Images per transform block for maps of ``map_shape`` (h, w, ...)."""
    return max(1, _TRANSFORM_CHUNK // (int(map_shape[0]) * int(map_shape[1])))


def _reproducible(func, *args, **kwargs):
    """``func(*args, **kwargs)`` with single-threaded BLAS/OpenMP (joblib workers)."""
    with reproducible_threads():
        return func(*args, **kwargs)


def _as_tuple(value, name):
    if isinstance(value, str) or np.isscalar(value):
        return (value,)
    return tuple(value)


def _family_constraints(family):
    """``_parameter_constraints`` entry of an affinity family's parameter."""
    number = (Interval(Integral, 1, None, closed="left") if family.integer
              else Interval(Real, 0, None, closed="neither"))
    strings = [StrOptions(set(family.strings))] if family.strings else []
    return [number, *strings, "array-like"]


def _check_values(values, name, *, integer=False, strings=()):
    out = []
    for v in values:
        if isinstance(v, str):
            if v not in strings:
                raise ValueError(
                    f"{name} contains {v!r}; allowed strings are {list(strings)}."
                )
            out.append(v)
            continue
        if isinstance(v, (bool, np.bool_)) or not isinstance(v, (Integral, Real)):
            raise TypeError(f"{name} must hold numbers, got {v!r} of type {type(v).__name__}.")
        if integer and (not isinstance(v, Integral) or v < 1):
            raise ValueError(f"{name} must hold integers >= 1, got {v!r}.")
        if not integer and not (np.isfinite(v) and v > 0):
            raise ValueError(f"{name} must hold finite numbers > 0, got {v!r}.")
        out.append(int(v) if integer else float(v))
    return tuple(out)


class SpectralAnalysisLayer(
    VersionedPickleMixin, FitCompleteMixin, TransformerMixin, BaseEstimator
):
    """Parallel spectral procedures on every location of every map.

    Each location of each input map (each row of 2-D input) is a node. The
    layer fits several spectral procedures on the nodes -- one per kNN
    ``n_neighbors`` value, per epsilon scale and per Gaussian scale, each
    crossed with each Laplacian -- and outputs, at every location, the
    concatenated eigenvector coordinates of all procedures. Every block holds
    ``n_components`` coordinates in ascending Laplacian-eigenvalue order.
    Any input, fitted or new, is embedded by the Nystrom out-of-sample
    extension through the fitted graphs, so ``fit_transform(X)`` equals
    ``fit(X).transform(X)``.

    Parameters
    ----------
    n_neighbors : int or tuple of int, default=(9, 17)
        One kNN procedure per value: the binary graph joining each node to its
        ``k`` nearest nodes (itself included), symmetrised as
        ``(A + A^T) / 2`` as in scikit-learn's ``SpectralEmbedding``. ``()`` switches the
        family off. Values above the number of fitted nodes are clipped with a
        warning.
    eps_scales : float or tuple of float, default=(0.5, 1.0, 2.0)
        One epsilon-neighbourhood procedure per value: binary graph joining
        nodes closer than ``eps = scale * eta``, ``eta`` the longest edge of the
        minimum spanning tree of the fitted nodes (computed on their 10-NN
        graph, components joined as described in Notes). Each node keeps at
        most ``eps_max_neighbors`` neighbours.
    gaussian_scales : float, "self-tuning" or tuple of those, \
default=(0.1, 0.01, "self-tuning")
        One fully connected Gaussian procedure per value ``s``:
        ``w_ij = exp(-d_ij^2 / (s * m))``, ``m`` the median squared
        distance between fitted nodes (so ``s`` is a multiple of ``m``, not a
        bandwidth: at ``s=0.1`` a pair at the median distance weighs
        ``e^-10``, at ``0.01`` ``e^-100``). ``"self-tuning"`` uses
        ``exp(-d_ij^2 / (s_i s_j))`` with ``s_i`` the distance to the 7th
        nearest node (Zelnik-Manor & Perona).
    sigmas : "deprecated"
        The former name of ``gaussian_scales``; a value given here is used
        with a ``FutureWarning``. Removed in 0.3.
    laplacians : {"sym", "rw"} or tuple of those, default=("sym",)
        Normalised Laplacians crossed with every affinity: ``"sym"`` gives the
        eigenvectors ``u`` of ``L_sym``, ``"rw"`` those of ``L_rw``
        (``D^-1/2 u``). Both share one eigenproblem per affinity.
    n_components : int, default=64
        Eigenvectors per procedure. A fit on fewer distinct nodes, whose
        graphs have fewer eigenvectors, fills the missing columns with zeros
        and warns.
    drop_first : bool, default=False
        Drop the first eigenvector (constant for ``L_rw``, ``sqrt(degree)`` for
        ``L_sym`` on a connected graph) and return the next ``n_components``.
    sparse_solver : {"lanczos", "amg", "exact"}, default="lanczos"
        Solver of the kNN and epsilon procedures: ARPACK Lanczos on the
        normalised affinity (no shift-invert; in float32 from 5000 nodes on,
        2-3x faster at residuals below 1e-5), LOBPCG with a pyamg multigrid
        preconditioner, or dense ``eigh`` (small graphs only).
    dense_solver : {"auto", "exact", "nystrom", "minibatch"}, default="auto"
        Solver of the Gaussian procedures: dense ``eigh``, Nystrom on
        ``n_landmarks`` landmarks, or mini-batch Stiefel-manifold optimisation
        (Han & Filippone). ``"auto"`` is ``"exact"`` up to 3000 fitted nodes,
        else ``"nystrom"``. A dense affinity that will not fit in memory is
        refused with a ``MemoryError`` naming these approximations.
    n_landmarks : int, default=1000
        Landmarks of the Nystrom solver.
    landmarks : {"random", "kmeans++"}, default="random"
        How Nystrom landmarks are drawn from the fitted nodes: uniformly, or by
        k-means++ seeding (spread-out points, D^2 sampling; costs
        ``n_nodes x n_landmarks`` distances per candidate). One landmark set
        is shared by all Gaussian procedures.
    minibatch_size : int, default=256
        Columns per step of the mini-batch solver.
    minibatch_steps : int, default=200
        Steps of the mini-batch solver.
    max_nodes : int, "auto" or None, default="auto"
        Fit the graphs on at most this many nodes, drawn uniformly with
        ``random_state``; the other nodes are embedded by the out-of-sample
        extension. ``None`` uses every node. ``"auto"`` uses every node up
        to the count whose planned working set (nodes, neighbour lists,
        graphs, Lanczos bases and eigenvectors of every procedure) fits in an
        eighth of the available memory (``SPECCLUST_MAX_MEMORY`` caps it),
        and samples beyond it (SA-Net patch layers with millions of nodes);
        ``max_nodes_`` and ``procedures_`` say which was done. Exact
        duplicate nodes (e.g. blank patches) are merged into one before the
        graphs are built.
    eps_max_neighbors : int, default=32
        Neighbours examined per node by the epsilon procedures (bounds memory;
        ``procedures_`` reports how many nodes had all of them within eps).
    neighbors_algorithm : {"auto", "brute", "ivf", "pca", "nndescent"}, default="auto"
        Neighbour search (for fitting and for ``transform``):

        - ``"brute"``: exact chunked brute force (scikit-learn);
        - ``"ivf"``: inverted file index (Jegou et al. 2011): the fitted
          nodes are split into k-means cells of about 64 nodes; a query is
          scored only against the nodes of its 24 nearest cells, less
          those that cannot hold a node nearer than the ``k``-th nearest
          of a sample of its own cell (a Voronoi half-space bound: the same
          neighbours, fewer nodes scored). Nodes of
          more than 192 features are scored on their first 96 principal
          components and the best ``2k`` (at least ``k + 16``) re-ranked by
          their exact distance. Approximate, linear in the number of nodes;
        - ``"pca"``: the same projection and re-ranking, scoring every
          fitted node (higher recall, quadratic cost);
        - ``"nndescent"``: pynndescent (its numba compilation costs a
          minute or more on first use).

        ``"auto"`` is ``"brute"`` up to 5000 fitted nodes (exact, and cheap
        there), ``"ivf"`` above: on MNIST pixels it finds 99.1 % of the 10
        nearest neighbours of all 70,000 images and 99.5 % of those of new
        images among 20,000 fitted ones; the k-means accuracy of the kNN
        embedding stays within 0.001 of the exact graph's, at a third of the
        exact search's time on 10,000 images and under a tenth of its
        ``transform`` time (see ``benchmarks/results/spectral_embedding.md``).
        ``procedures_`` says which search was used.
    on_disconnected : {"connect", "raise"}, default="connect"
        A disconnected graph is joined by the minimum spanning tree of one
        representative node per component, or refused. Joining warns (once
        per fit, at the caller's line) unless the graph is disconnected by
        construction: an eps scale below 1 always cuts the longest MST
        edge, so those graphs are joined silently (``procedures_`` reports
        ``n_connected_components`` and ``bridged``).
    n_jobs : int, default=None
        Procedures fitted in parallel through joblib (a Dask or Ray joblib
        backend spreads them over a cluster; ``None``: one at a time outside
        a joblib backend context). The neighbour search and ``transform``
        process blocks of 16,384 nodes in ``n_jobs`` threads, or, for
        ``None``, in as many threads as OpenMP would use
        (``OMP_NUM_THREADS``, else every CPU), as scikit-learn's ``KMeans``
        does. The layer's only parallelism: BLAS and OpenMP run
        single-threaded inside it, and the blocks depend on neither, so the
        output is the same bit for bit whatever ``n_jobs`` and
        ``OMP_NUM_THREADS`` are (see Notes).
    random_state : int, RandomState instance or None, default=None
        Seeds node sampling, landmarks, solver start vectors and batches.

    Attributes
    ----------
    procedures_ : list of dict
        One description per output block, in output order: ``family``
        (``"knn"``, ``"eps"`` or ``"gaussian"``), ``parameter``, ``laplacian``,
        ``solver``, ``n_components`` (columns of the block),
        ``n_eigenvectors`` (of them, the ones computed: fewer only when
        there are fewer distinct nodes; the rest are zeros),
        ``n_nodes`` (reference nodes),
        ``sampled`` (whether nodes were sampled), ``approximation`` (or
        ``None``), ``n_connected_components`` found, ``bridged``, and
        family-specific values (``eps``, ``gamma``...).
    eigenvalues_ : list of ndarray
        Laplacian eigenvalues of each block, ascending (NaN for the zero
        columns of a block with fewer eigenvectors than ``n_components``).
    feature_eigenvalues_ : ndarray of shape (n_components_out_,)
        The eigenvalue of every output channel.
    n_components_out_ : int
        Output channels: ``n_components`` times the number of procedures.
    n_nodes_seen_ : int
        Nodes (locations x maps) seen in ``fit``.
    n_nodes_fit_ : int
        Distinct nodes the graphs were built on.
    max_nodes_ : int or None
        The node budget used (``max_nodes``, resolved when ``"auto"``).
    n_features_in_ : int
        Features of the 2-D input seen in ``fit``.

    See Also
    --------
    sklearn.manifold.SpectralEmbedding : a single kNN or RBF spectral embedding.
    spectral_analysis : the function form.

    Notes
    -----
    Disconnected graphs are joined by ``n_components - 1`` edges of weight 1
    (the weakest affinity for Gaussian graphs): the Euclidean minimum spanning
    tree of the node nearest to each component's mean.

    Reproducibility: multithreaded BLAS splits the sums of matrix-vector
    products, ``eigh`` and QR between threads, so their rounding, and with
    it Lanczos eigenvectors, near-tied neighbours and finally cluster labels,
    followed the number of threads. The layer runs these libraries on one
    thread (:func:`~sklearn_specclust.utils.reproducible_threads`) and takes
    its parallelism from ``n_jobs`` over blocks of a fixed size instead.

    The 1/mu factor of the extension is clipped below at 0.01 for eigenvalues
    ``mu`` of the normalised affinity near zero (eigenvectors of little
    importance whose extension is ill-conditioned).

    References
    ----------
    .. [1] J. Wang and J. Jiang, "SA-Net: A deep spectral analysis network for
       image clustering", Neurocomputing 383, 2020.
    .. [2] L. Zelnik-Manor and P. Perona, "Self-tuning spectral clustering",
       NIPS 2004.
    .. [3] Y. Bengio et al., "Out-of-sample extensions for LLE, Isomap, MDS,
       Eigenmaps, and spectral clustering", NIPS 2004.
    .. [4] Y. Han and M. Filippone, "Mini-batch spectral clustering", IJCNN 2017.
    .. [5] C. Fowlkes et al., "Spectral grouping using the Nystrom method",
       IEEE TPAMI 26(2), 2004.
    .. [6] H. Jegou, M. Douze and C. Schmid, "Product quantization for nearest
       neighbor search", IEEE TPAMI 33(1), 2011 (the inverted file index).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_specclust.spectral import SpectralAnalysisLayer
    >>> rng = np.random.RandomState(0)
    >>> X = rng.rand(20, 4, 4, 3)
    >>> layer = SpectralAnalysisLayer(n_neighbors=(5, 9), eps_scales=(1.0,),
    ...                               gaussian_scales=("self-tuning",), n_components=4,
    ...                               random_state=0)
    >>> layer.fit_transform(X).shape
    (20, 4, 4, 16)
    >>> [p["family"] for p in layer.procedures_]
    ['knn', 'knn', 'eps', 'gaussian']
    """

    _parameter_constraints = {
        **{family.parameter: _family_constraints(family) for family in FAMILIES.values()},
        "sigmas": [Hidden(StrOptions({"deprecated"})),
                   *_family_constraints(FAMILIES["gaussian"])],
        "laplacians": [StrOptions(set(LAPLACIANS)), "array-like"],
        "n_components": [Interval(Integral, 1, None, closed="left")],
        "drop_first": ["boolean"],
        "sparse_solver": [StrOptions(set(SPARSE_SOLVERS))],
        "dense_solver": [StrOptions(set(DENSE_SOLVERS))],
        "n_landmarks": [Interval(Integral, 2, None, closed="left")],
        "landmarks": [StrOptions({"kmeans++", "random"})],
        "minibatch_size": [Interval(Integral, 1, None, closed="left")],
        "minibatch_steps": [Interval(Integral, 1, None, closed="left")],
        "max_nodes": [Interval(Integral, 2, None, closed="left"), StrOptions({"auto"}), None],
        "eps_max_neighbors": [Interval(Integral, 2, None, closed="left")],
        "neighbors_algorithm": [StrOptions({"auto", "brute", "pca", "ivf", "nndescent"})],
        "on_disconnected": [StrOptions({"connect", "raise"})],
        "n_jobs": [Integral, None],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        n_neighbors=(9, 17),
        *,
        eps_scales=(0.5, 1.0, 2.0),
        gaussian_scales=(0.1, 0.01, "self-tuning"),
        sigmas="deprecated",
        laplacians=("sym",),
        n_components=64,
        drop_first=False,
        sparse_solver="lanczos",
        dense_solver="auto",
        n_landmarks=1000,
        landmarks="random",
        minibatch_size=256,
        minibatch_steps=200,
        max_nodes="auto",
        eps_max_neighbors=32,
        neighbors_algorithm="auto",
        on_disconnected="connect",
        n_jobs=None,
        random_state=None,
    ):
        self.n_neighbors = n_neighbors
        self.eps_scales = eps_scales
        self.gaussian_scales = gaussian_scales
        self.sigmas = sigmas
        self.laplacians = laplacians
        self.n_components = n_components
        self.drop_first = drop_first
        self.sparse_solver = sparse_solver
        self.dense_solver = dense_solver
        self.n_landmarks = n_landmarks
        self.landmarks = landmarks
        self.minibatch_size = minibatch_size
        self.minibatch_steps = minibatch_steps
        self.max_nodes = max_nodes
        self.eps_max_neighbors = eps_max_neighbors
        self.neighbors_algorithm = neighbors_algorithm
        self.on_disconnected = on_disconnected
        self.n_jobs = n_jobs
        self.random_state = random_state

    def _resolve(self):
        laps = _as_tuple(self.laplacians, "laplacians")
        for lap in laps:
            if lap not in LAPLACIANS:
                raise ValueError(f"laplacians must hold 'sym' or 'rw', got {lap!r}.")
        if not laps:
            raise ValueError("laplacians is empty; give ('sym',), ('rw',) or both.")
        affinities = []
        renamed = {"gaussian_scales": renamed_parameter(self, "sigmas", "gaussian_scales")}
        for name, family in FAMILIES.items():
            values = renamed.get(family.parameter, getattr(self, family.parameter))
            affinities += [(name, v) for v in _check_values(
                _as_tuple(values, family.parameter), family.parameter,
                integer=family.integer, strings=family.strings,
            )]
        if not affinities:
            raise ValueError(
                "n_neighbors, eps_scales and gaussian_scales are all empty: the layer has no "
                "procedure. Give at least one value to one of them."
            )
        return affinities, tuple(dict.fromkeys(laps))

    @_fit_context(prefer_skip_nested_validation=True)
    def fit_transform(self, X, y=None):
        """Fit the layer and embed ``X``; ``fit(X).transform(X)`` in one pass.

        When every node was fitted (no sampling) the neighbours found while
        fitting are reused instead of being searched again; where several
        neighbours lie at the same distance (repeated pixel values), the ones
        kept may differ from those of a new ``transform`` query.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), (n_samples, height, width) \
or (n_samples, height, width, channels)
            Rows, images or feature maps.
        y : None
            Ignored.

        Returns
        -------
        X_new : ndarray of shape (n_samples, n_components_out_) or \
(n_samples, height, width, n_components_out_), float32
            Concatenated eigenvector coordinates, 2-D for 2-D input.
        """
        with reproducible_threads():
            cache = self._fit(X, keep_neighbors=True)
            if cache is None:
                return self.transform(X)
            dist, ind, rows, shape, was_2d = cache
            emb = np.empty((len(self._nodes), self.n_components_out_), dtype=np.float32)
            self._embed(self._nodes, emb, neighbors=None if dist is None else (dist, ind),
                        scale=1.0)
        out = emb[rows].reshape(shape[:3] + (self.n_components_out_,))
        return from_maps(out, was_2d)

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Fit every procedure on the nodes of ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), (n_samples, height, width) \
or (n_samples, height, width, channels)
            Rows, images or feature maps; every location of every map is a node.
        y : None
            Ignored.

        Returns
        -------
        self : SpectralAnalysisLayer
            The fitted layer.
        """
        with reproducible_threads():
            self._fit(X, keep_neighbors=False)
        return self

    @completes_fit
    def _fit(self, X, keep_neighbors):
        affinities, laps = self._resolve()
        maps, was_2d = validate_maps(self, X, reset=True)
        nodes_all = maps.reshape(-1, maps.shape[-1])
        fitted = self._fit_graphs(
            maps.shape, lambda idx: nodes_all if idx is None else nodes_all[idx],
            affinities, laps,
        )
        if keep_neighbors and fitted is not None:
            dist, ind, rows = fitted
            return dist, ind, rows, maps.shape, was_2d
        return None

    def _node_budget(self, affinities, laps, n_features):
        """``max_nodes``, resolved by the memory planner when ``"auto"``."""
        if self.max_nodes == "auto":
            return self._planned_max_nodes(affinities, laps, n_features)
        return self.max_nodes

    def _will_sample(self, map_shape, n_samples):
        """Whether ``fit`` on ``n_samples`` maps of ``map_shape`` samples its nodes."""
        max_nodes = self._node_budget(*self._resolve(), map_shape[-1])
        return max_nodes is not None and n_samples * map_shape[0] * map_shape[1] > max_nodes

    @completes_fit
    def _fit_from_rows(self, first, n_samples, take_rows):
        """Fit on maps of which only the first is in memory; equal to ``fit``.

        A pipeline that computes its maps in batches of images calls this
        with ``first`` (the first image's maps, for validation and shape),
        the number of images, and ``take_rows(idx)``, which returns the rows
        ``idx`` of all maps flattened to ``(n_samples * h * w, c)`` (sorted
        indices; ``None`` for all). The nodes drawn, and so the fitted layer,
        are those of ``fit`` on the whole array.
        """
        self._validate_params()
        affinities, laps = self._resolve()
        maps, _ = validate_maps(self, first, reset=True)
        with reproducible_threads():
            self._fit_graphs((n_samples,) + maps.shape[1:], take_rows, affinities, laps)
        return self

    def _fit_graphs(self, shape, take_rows, affinities, laps):
        """Fit every procedure on the nodes of maps of ``shape`` read by ``take_rows``.

        Returns the nodes' neighbours and each row's node when every row was
        a node (``fit_transform`` reuses them), else None.
        """
        rng = check_random_state(self.random_state)
        nodes, rows, n_seen, sampled, n_eigs = self._fit_nodes(
            shape, take_rows, affinities, laps, rng
        )
        n = nodes.shape[0]
        seed = rng.randint(np.iinfo(np.int32).max)
        index, algo, k_query, dist, ind, opts = self._neighbors(nodes, affinities, seed)
        seeds = rng.randint(np.iinfo(np.int32).max, size=len(affinities) + 1)
        fitted = self._fit_procedures(nodes, dist, ind, n_eigs, affinities, opts, seeds)
        self._nodes = nodes
        self._index = index
        self._k_query = k_query
        self._procs = fitted
        self._laps = laps
        self._describe(fitted, laps, sampled, algo)
        self.n_nodes_seen_ = int(n_seen)
        self.n_nodes_fit_ = int(n)
        return None if sampled else (dist, ind, rows)

    def _fit_nodes(self, shape, take_rows, affinities, laps, rng):
        """The distinct (sampled, rescaled) nodes, each row's node, and checks."""
        n_seen = shape[0] * shape[1] * shape[2]
        max_nodes = self._node_budget(affinities, laps, shape[-1])
        sampled = max_nodes is not None and n_seen > max_nodes
        self.max_nodes_ = max_nodes
        if sampled:
            sample = take_rows(np.sort(rng.choice(n_seen, size=max_nodes, replace=False)))
        else:
            sample = take_rows(None)
        self._scale = power_of_two_scale(sample)
        nodes, rows = unique_rows(scaled_float32(sample, self._scale))
        n = nodes.shape[0]
        if n < 2:
            raise ValueError(
                f"{type(self).__name__} needs at least 2 distinct nodes to build a "
                f"graph, got {n} (from {shape[0]} sample(s) of "
                f"{shape[1] * shape[2]} location(s)); n_samples=1 or "
                "identical rows cannot be embedded."
            )
        n_eigs = self.n_components + int(self.drop_first)
        if n_eigs > n:
            if self.drop_first and n < 3:
                raise ValueError(
                    f"drop_first=True needs at least 3 distinct nodes, got {n} (of "
                    f"{n_seen} seen); give more data or set drop_first=False."
                )
            # a graph on n nodes has n eigenvectors: the other columns are zeros
            warn_user(
                f"n_components={self.n_components}"
                f"{' (+1 dropped)' if self.drop_first else ''} is more than the {n} "
                f"distinct nodes fitted (of {n_seen} seen), which have only {n} "
                f"eigenvectors; the last {n_eigs - n} columns of every block are "
                "zeros (eigenvalue NaN). Lower n_components or give more data."
            )
            n_eigs = n
        for fam, k in affinities:
            if fam == "knn" and k > n:
                warn_user(
                    f"n_neighbors={k} is more than the {n} distinct fitted nodes; "
                    f"using k={n} (a complete graph)."
                )
        return nodes, rows, n_seen, sampled, n_eigs

    def _neighbors(self, nodes, affinities, seed):
        """The neighbour index, the nodes' own neighbours and the shared scales."""
        n = nodes.shape[0]
        algo = self.neighbors_algorithm
        if algo == "auto":
            algo = "brute" if n <= AUTO_BRUTE_MAX else "ivf"
        index = NeighborIndex(nodes, algorithm=algo, random_state=seed, n_jobs=self.n_jobs)
        has_eps = any(f == "eps" for f, _ in affinities)
        k_sparse = [k for f, k in affinities if f == "knn"]
        if has_eps:
            k_sparse += [self.eps_max_neighbors, _MST_K]
        if any(p == "self-tuning" for _, p in affinities):
            k_sparse.append(SELF_TUNING_NEIGHBOR + 1)
        k_query = int(min(max(k_sparse), n)) if k_sparse else 0
        dist = ind = None
        if k_query:
            dist, ind = index.query(nodes, k_query)
        opts = dict(
            eps_max_neighbors=self.eps_max_neighbors,
            mst_k=_MST_K,
            on_disconnected=self.on_disconnected,
            n_landmarks=self.n_landmarks,
            landmarks=self.landmarks,
            minibatch_size=self.minibatch_size,
            minibatch_steps=self.minibatch_steps,
        )
        if has_eps:
            k = min(_MST_K, k_query)
            opts["mst_longest_edge"] = mst_longest_edge(nodes, dist[:, :k], ind[:, :k])
        if any(f == "gaussian" and p != "self-tuning" for f, p in affinities):
            opts["median_sq_distance"] = median_sq_distance(nodes, seed)
        return index, algo, k_query, dist, ind, opts

    def _fit_procedures(self, nodes, dist, ind, n_eigs, affinities, opts, seeds):
        """Every procedure, fitted in parallel (joblib) on the shared inputs."""
        n = nodes.shape[0]
        dense_solver = self.dense_solver
        if dense_solver == "auto":
            dense_solver = "exact" if n <= AUTO_EXACT_MAX else "nystrom"
        if dense_solver == "nystrom" and any(f == "gaussian" for f, _ in affinities):
            # one landmark set shared by every Gaussian procedure
            opts["landmark_index"] = choose_landmarks(
                nodes, min(self.n_landmarks, n), self.landmarks, seeds[-1]
            )
        jobs = []
        solvers = {"sparse_solver": self.sparse_solver, "dense_solver": dense_solver}
        for (fam, p), s in zip(affinities, seeds):
            family = FAMILIES[fam]
            jobs.append(delayed(_reproducible)(
                family.fit, fam, p, nodes, dist, ind, n_eigs,
                solver=solvers[family.solver_parameter], seed=s, opts=opts,
            ))
        fitted = Parallel(n_jobs=self.n_jobs)(jobs)
        if "landmark_index" in opts:
            # one array of landmarks for every Nystrom procedure (one copy saved)
            landmarks = np.ascontiguousarray(nodes[opts["landmark_index"]])
            for proc in fitted:
                if proc.ref is not None:
                    proc.ref = landmarks
        messages = [m for proc in fitted for m in proc.messages]
        if messages:
            # one warning per fit, at the user's line
            warn_user(f"{type(self).__name__}: " + " ".join(messages))
        return fitted

    def _describe(self, fitted, laps, sampled, algo):
        """``procedures_``, ``eigenvalues_`` and the output width."""
        drop = int(self.drop_first)
        self.procedures_, self.eigenvalues_ = [], []
        for proc in fitted:
            lam = np.full(self.n_components, np.nan)
            lam[: len(proc.mu) - drop] = 1.0 - proc.mu[drop:]
            for lap in laps:
                desc = dict(
                    family=proc.family,
                    parameter=proc.param,
                    laplacian=lap,
                    solver=proc.solver,
                    n_components=self.n_components,
                    n_eigenvectors=len(proc.mu) - drop,
                    n_nodes=proc.n_ref,
                    sampled=bool(sampled),
                    approximation=None,
                    neighbors=algo if proc.family != "gaussian" else None,
                    n_clipped_eigenvalues=int(np.sum(proc.mu[drop:] < MU_FLOOR)),
                )
                desc.update(proc.info)
                # distances in the units of the input, not of the scaled nodes
                if "eps" in desc:
                    desc["eps"] *= self._scale
                if "gamma" in desc:
                    desc["gamma"] /= self._scale**2
                self.procedures_.append(desc)
                self.eigenvalues_.append(lam.copy())
        self.feature_eigenvalues_ = np.concatenate(self.eigenvalues_)
        self.n_components_out_ = len(self.feature_eigenvalues_)

    def _planned_max_nodes(self, affinities, laps, n_features):
        """Nodes whose fit's planned working set fits in the memory planner's budget."""
        n_eigs = self.n_components + int(self.drop_first)
        ks = [p for f, p in affinities if f == "knn"]
        k_query = max(ks + [self.eps_max_neighbors + 1] * any(f == "eps" for f, _ in affinities)
                      + [SELF_TUNING_NEIGHBOR + 1], default=1)
        per_node = (
            12.0 * n_features  # the nodes (float32), their sample and the index's cells
            + 12.0 * k_query  # neighbour distances (float32) and indices
            + 4.0 * n_eigs * len(laps)  # fit_transform's output of every procedure
        )
        for fam, p in affinities:
            per_node += 8.0 * (2 * n_eigs + 1) + 16.0 * n_eigs  # Lanczos basis, eigenvectors
            if fam != "gaussian":
                # the sparse graph, symmetrised, and its normalised copy
                per_node += 3 * 2 * 12.0 * (p if fam == "knn" else self.eps_max_neighbors)
        return rows_within(per_node)

    def transform(self, X):
        """Embed every location of ``X`` through the fitted graphs.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), (n_samples, height, width) \
or (n_samples, height, width, channels)
            Data with maps of the fitted shape.

        Returns
        -------
        X_new : ndarray of shape (n_samples, n_components_out_) or \
(n_samples, height, width, n_components_out_), float32
            Concatenated eigenvector coordinates, 2-D for 2-D input.
        """
        check_is_fitted(self)
        maps, was_2d = validate_maps(self, X, reset=False)
        n_img, h, w, c = maps.shape
        nodes = maps.reshape(-1, c)
        n_out = self.n_components_out_
        check_memory(
            dense_bytes((nodes.shape[0], n_out), np.float32),
            what=f"the {nodes.shape[0]} x {n_out} output of {type(self).__name__}",
            advice="Transform the data in smaller batches of images.",
        )
        out = np.empty((nodes.shape[0], n_out), dtype=np.float32)
        self._index.prepare()
        with reproducible_threads():
            self._embed(nodes, out, dedup=True, scale=getattr(self, "_scale", 1.0),
                        chunk=transform_batch((h, w)) * h * w)
        return from_maps(out.reshape(n_img, h, w, n_out), was_2d)

    def _embed(self, nodes, out, *, scale, neighbors=None, dedup=False, chunk=_TRANSFORM_CHUNK):
        """Embed ``nodes / scale`` into ``out`` in blocks of ``chunk`` rows, in threads."""
        n = nodes.shape[0]
        # the extension's basis of every procedure, computed once for all blocks
        bases = [extension_basis(p.degrees, p.mu, p.U) for p in self._procs]
        # threads, not processes: the heavy steps (matrix products, sorts,
        # exp) release the GIL, and the blocks write into one output array
        Parallel(n_jobs=block_threads(self.n_jobs), backend="threading")(
            delayed(self._transform_rows)(
                nodes, out, start, min(start + chunk, n), scale, neighbors, dedup, bases,
            )
            for start in range(0, n, chunk)
        )

    def _transform_rows(self, nodes, out, start, stop, scale, neighbors, dedup, bases):
        block = np.ascontiguousarray(scaled_float32(nodes[start:stop], scale))
        if neighbors is not None:
            dist, ind = neighbors
            self._transform_block(block, out[start:stop], bases,
                                  (dist[start:stop], ind[start:stop]))
            return
        # identical nodes (e.g. blank patches) are embedded once
        first, inverse = distinct_rows(block) if dedup else (np.arange(len(block)), None)
        if len(first) < len(block):
            emb = np.empty((len(first), out.shape[1]), dtype=np.float32)
            self._transform_block(block[first], emb, bases)
            out[start:stop] = emb[inverse]
        else:
            self._transform_block(block, out[start:stop], bases)

    def _transform_block(self, Y, out, bases, neighbors=None):
        dist = ind = None
        if neighbors is not None:
            dist, ind = neighbors
        elif self._k_query:
            dist, ind = self._index.query(Y, self._k_query)
        drop = int(self.drop_first)
        col = 0
        cache = {}
        for proc, basis in zip(self._procs, bases):
            Wq = proc.query_weights(Y, self._nodes, dist, ind, cache)
            for lap in self._laps:
                F = extend(Wq, proc.degrees, proc.mu, proc.U, laplacian=lap,
                           mean_degree=proc.mean_degree, basis=basis)
                m = F.shape[1] - drop
                out[:, col : col + m] = F[:, drop:]
                out[:, col + m : col + self.n_components] = 0.0
                col += self.n_components

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float32"]
        return tags


def spectral_analysis(X, **params):
    """Embed every location of ``X`` with the layer's parallel spectral procedures.

    The function form of :class:`SpectralAnalysisLayer`: validates ``params``
    (its parameters) and returns ``SpectralAnalysisLayer(**params).fit_transform(X)``.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features) or (n_samples, height, width[, channels])
        Rows, images or feature maps.
    **params : dict
        Parameters of :class:`SpectralAnalysisLayer`.

    Returns
    -------
    X_new : ndarray of shape (n_samples, n_out) or (n_samples, height, width, n_out)
        Concatenated eigenvector coordinates.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_specclust.spectral import spectral_analysis
    >>> X = np.random.RandomState(0).rand(30, 5)
    >>> spectral_analysis(X, n_neighbors=6, eps_scales=(), gaussian_scales=(),
    ...                   n_components=3, random_state=0).shape
    (30, 3)
    """
    return SpectralAnalysisLayer(**params).fit_transform(X)
