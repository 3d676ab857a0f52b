"""Scorers that let GridSearchCV choose a clusterer's parameters without labels."""

import numpy as np
from sklearn.metrics import (
    adjusted_rand_score,
    calinski_harabasz_score,
    davies_bouldin_score,
    silhouette_score,
)

from ._graph_scores import (
    as_rows,
    modularity,
    normalized_association,
    reference_graph,
    size_balance,
)
from ._scorers import refit_labels

# The criterion "auto" stands for; chosen by benchmarks/studies/label_free.py
# (benchmarks/results/label_free.md), not tuned per data set.
AUTO_CRITERION = "stability_modularity"


def _stability(ctx):
    return adjusted_rand_score(ctx.labels, ctx.refit)


def _graph_criterion(func):
    return lambda ctx: func(ctx.graph, ctx.labels)


def _fixed_representation(func, greater_is_better=True):
    sign = 1.0 if greater_is_better else -1.0

    def score(ctx):
        if np.unique(ctx.labels).size >= ctx.X.shape[0]:
            return -np.inf
        return sign * func(ctx.X, ctx.labels)

    return score


def _product(*parts):
    """Product of scores that are each at most 1; negative factors count as 0."""
    return lambda ctx: float(np.prod([max(part(ctx), 0.0) for part in parts]))


_MODULARITY = _graph_criterion(modularity)
_NCUT = _graph_criterion(normalized_association)
_CRITERIA = {
    "stability": _stability,
    "modularity": _MODULARITY,
    "ncut": _NCUT,
    "modularity_ncut": _product(_MODULARITY, _NCUT),
    "stability_modularity": _product(_stability, _MODULARITY),
    "stability_balance": _product(_stability, lambda ctx: size_balance(ctx.labels)),
    "silhouette": _fixed_representation(silhouette_score),
    "calinski_harabasz": _fixed_representation(calinski_harabasz_score),
    "davies_bouldin": _fixed_representation(davies_bouldin_score, greater_is_better=False),
}
# The score of a one-cluster partition: each criterion's floor (ARI, modularity,
# 1 - Ncut / k, the products and the silhouette are all at least -1).
_ONE_CLUSTER = {"calinski_harabasz": 0.0, "davies_bouldin": -np.inf}
_NEEDS_REFIT = {"stability", "stability_modularity", "stability_balance"}
_NEEDS_GRAPH = {"modularity", "ncut", "modularity_ncut", "stability_modularity"}


class _Context:
    """What one scoring call computed once: rows, labels, refit labels, graph."""

    def __init__(self, X, labels, refit, graph):
        self.X, self.labels, self.refit, self.graph = X, labels, refit, graph


def label_free_score(X, labels, *, criterion="modularity", refit_labels=None,
                     n_neighbors=None):
    """Score a partition of ``X`` without labels (greater is better).

    The function behind :func:`make_label_free_scorer`, for a partition that
    is already computed (for instance one ``labels_`` per candidate).

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features) or a stack of images
        The data the partition is of, in the representation every candidate
        shares (the pipeline's input, not a candidate's embedding).
    labels : array-like of shape (n_samples,)
        Cluster of each sample.
    criterion : str, default="modularity"
        One of the criteria of :func:`make_label_free_scorer` (not
        ``"auto"``, which needs to know the estimator).
    refit_labels : array-like of shape (n_samples,), default=None
        A second partition of the same samples by an independent fit, needed
        by the stability criteria.
    n_neighbors : int, default=None
        ``k`` of the reference kNN graph; ``None`` uses ``round(sqrt(n))``.

    Returns
    -------
    score : float
        Greater is better. A single cluster gets the criterion's floor
        (-1; 0 for Calinski-Harabasz; ``-inf`` for Davies-Bouldin, which has
        none), since a one-cluster partition is perfectly stable and cuts no
        edge but is no clustering.
    """
    if criterion not in _CRITERIA:
        raise ValueError(
            f"criterion must be one of {sorted(_CRITERIA)}, got {criterion!r}."
        )
    labels = np.asarray(labels)
    if criterion in _NEEDS_REFIT and refit_labels is None:
        raise ValueError(
            f"criterion={criterion!r} compares two independent fits: pass "
            "refit_labels, the labels of the same samples by a second fit."
        )
    rows = as_rows(X)
    if labels.shape != (rows.shape[0],):
        raise ValueError(
            f"labels has shape {labels.shape}, expected ({rows.shape[0]},): one "
            "label per sample of X."
        )
    if np.unique(labels).size < 2:
        return _ONE_CLUSTER.get(criterion, -1.0)
    graph = reference_graph(rows, n_neighbors) if criterion in _NEEDS_GRAPH else None
    refit = None if refit_labels is None else np.asarray(refit_labels)
    return float(_CRITERIA[criterion](_Context(rows, labels, refit, graph)))


class _LabelFreeScorer:
    """Score a clusterer on ``X`` with no labels (see make_label_free_scorer)."""

    def __init__(self, criterion, transductive, n_neighbors):
        self.criterion = criterion
        self.transductive = transductive
        self.n_neighbors = n_neighbors

    def _resolve(self, estimator):
        inductive = (self.transductive is False or
                     (self.transductive == "auto" and hasattr(estimator, "predict")))
        if self.transductive is False and not hasattr(estimator, "predict"):
            raise TypeError(
                f"{type(estimator).__name__} has no predict method, so it cannot "
                "label held-out samples. Use make_label_free_scorer(..., "
                "transductive=True), which refits on the scored data."
            )
        criterion = self.criterion
        if criterion == "auto":
            criterion = AUTO_CRITERION if inductive else "modularity"
        if criterion in _NEEDS_REFIT and not inductive:
            raise ValueError(
                f"criterion={criterion!r} compares the labels that the model fitted "
                "on the training folds predicts for the held-out fold with those "
                "of a model fitted on that fold, so it needs an estimator with "
                f"predict; {type(estimator).__name__} is scored transductively. "
                "Use criterion='modularity' or 'auto'."
            )
        return inductive, criterion

    def __call__(self, estimator, X, y=None, **kwargs):
        inductive, criterion = self._resolve(estimator)
        if inductive:
            labels = estimator.predict(X)
            refit = refit_labels(estimator, X) if criterion in _NEEDS_REFIT else None
        else:
            labels, refit = refit_labels(estimator, X), None
        return label_free_score(X, labels, criterion=criterion, refit_labels=refit,
                                n_neighbors=self.n_neighbors)

    def __repr__(self):
        return (f"make_label_free_scorer({self.criterion!r}, "
                f"transductive={self.transductive!r})")


def make_label_free_scorer(criterion="auto", *, transductive="auto", n_neighbors=None):
    """Make a scorer that rates a clusterer without labels, for GridSearchCV.

    ``GridSearchCV(pipe, grid, scoring=make_label_free_scorer()).fit(X)``
    chooses the affinity parameters (``k``, ``eps``, ``sigma``) and the number
    of clusters of a clustering pipeline with no ``y`` and the default
    ``cv``. Every criterion scores the *partition* of the scored fold, never
    a candidate's own graph or embedding, so candidates that build different
    graphs are compared on one scale. (The default score of a pipeline ending
    in k-means, minus the inertia, is measured in each candidate's own
    embedding and so is not comparable across candidates.) Read more in the
    :ref:`User Guide <choosing_affinities>`.

    The criteria:

    - ``"stability"``: agreement (adjusted Rand index) between the labels
      that the model fitted on the training folds predicts for the held-out
      fold and the labels of a clone fitted on that fold itself, the
      transfer test of Lange et al. [2]_ after Ben-Hur et al. [1]_. A
      parameter whose clusters do not come back from another sample is not
      supported by the data. One extra fit per candidate and fold. Stability
      alone does not exclude degenerate partitions (one giant cluster and a
      few tiny ones come back from any sample).
    - ``"modularity"``: Newman-Girvan modularity [4]_ of the partition of the
      fold on a *reference graph* built from the scored ``X`` itself (the
      symmetric unweighted ``k``-nearest-neighbour graph with
      ``k = round(sqrt(n))``; no scale parameter, so it favours no
      candidate's ``sigma``). Within-cluster edges minus what clusters of the
      same volumes would hold by chance: one giant cluster scores near 0.
      No extra fit. On a few well-separated groups modularity can still
      prefer splitting them (its resolution limit [9]_); a sparser graph
      (``k`` of order ``log n``, enough for connectivity [5]_) makes that
      worse.
    - ``"ncut"``: ``1 - Ncut / k`` on the same graph, with ``Ncut`` the
      normalised cut of Shi & Malik [3]_ and ``k`` the number of clusters:
      every cut edge costs, so it penalises splitting a group (and cannot
      see merging two).
    - ``"modularity_ncut"``: the product of the two graph criteria, which
      penalise opposite errors (merging, splitting).
    - ``"stability_modularity"``: the product of the two (each at most 1,
      negative values count as 0): stable *and* a good cut of the fixed
      graph.
    - ``"stability_balance"``: stability times the entropy of the cluster
      sizes over ``log k`` (1 for equal sizes), a guard against degenerate
      partitions.
    - ``"silhouette"``, ``"calinski_harabasz"``, ``"davies_bouldin"``
      (negated): the classical internal indices [6]_ [7]_ [8]_ computed on
      the scored ``X`` (the pipeline's input), a fixed representation. They
      assume compact, convex clusters in that space.
    - ``"auto"`` (default): ``"stability_modularity"`` when the estimator
      can ``predict`` held-out samples, ``"modularity"`` when it is scored
      transductively. Of the criteria above, ``"stability_modularity"``
      is the one that chose the number of clusters best across the image
      collections of ``benchmarks/studies/label_free.py``; its results file
      says where it still misses the best candidate, and why.

    Parameters
    ----------
    criterion : str, default="auto"
        One of the criteria above.
    transductive : "auto" or bool, default="auto"
        ``False``: the estimator fitted on the training folds labels the
        scored fold with ``predict``. ``True``: a clone is fitted on the
        scored fold and its ``fit_predict`` labels are scored (one extra fit;
        for clusterers without ``predict``, such as
        :class:`~sklearn.cluster.SpectralClustering`). ``"auto"``: ``False``
        when the estimator has ``predict``, else ``True``.
    n_neighbors : int, default=None
        ``k`` of the reference graph; ``None`` uses ``round(sqrt(n))`` of the
        scored fold (at least 2).

    Returns
    -------
    scorer : callable
        ``scorer(estimator, X, y=None) -> float``, greater is better; ``y``
        is ignored. Accepted by the ``scoring`` parameter of
        :class:`~sklearn.model_selection.GridSearchCV` and
        :func:`~sklearn.model_selection.cross_val_score`.

    See Also
    --------
    make_clustering_scorer : Scorers against known labels.
    select_n_clusters : Choose the number of clusters of one embedding.

    References
    ----------
    .. [1] A. Ben-Hur, A. Elisseeff and I. Guyon, "A stability based method
       for discovering structure in clustered data", Pacific Symposium on
       Biocomputing, 2002.
    .. [2] T. Lange, V. Roth, M. L. Braun and J. M. Buhmann,
       "Stability-based validation of clustering solutions", Neural
       Computation 16(6), 2004.
    .. [3] J. Shi and J. Malik, "Normalized cuts and image segmentation",
       IEEE TPAMI 22(8), 2000.
    .. [4] M. E. J. Newman and M. Girvan, "Finding and evaluating community
       structure in networks", Physical Review E 69, 2004.
    .. [5] U. von Luxburg, "A tutorial on spectral clustering", Statistics
       and Computing 17(4), 2007.
    .. [6] P. J. Rousseeuw, "Silhouettes: a graphical aid to the
       interpretation and validation of cluster analysis", Journal of
       Computational and Applied Mathematics 20, 1987.
    .. [7] T. Calinski and J. Harabasz, "A dendrite method for cluster
       analysis", Communications in Statistics 3(1), 1974.
    .. [8] D. L. Davies and D. W. Bouldin, "A cluster separation measure",
       IEEE TPAMI 1(2), 1979.
    .. [9] S. Fortunato and M. Barthelemy, "Resolution limit in community
       detection", PNAS 104(1), 2007.

    Examples
    --------
    >>> from sklearn.cluster import KMeans
    >>> from sklearn.datasets import make_blobs
    >>> from sklearn.model_selection import GridSearchCV
    >>> from sklearn_specclust.metrics import make_label_free_scorer
    >>> X, _ = make_blobs(n_samples=300, centers=4, random_state=0)
    >>> search = GridSearchCV(
    ...     KMeans(n_init=3, random_state=0), {"n_clusters": [2, 3, 4, 5, 6]},
    ...     scoring=make_label_free_scorer(),
    ... ).fit(X)
    >>> search.best_params_
    {'n_clusters': 4}
    """
    if criterion != "auto" and criterion not in _CRITERIA:
        raise ValueError(
            f"criterion must be 'auto' or one of {sorted(_CRITERIA)}, got {criterion!r}."
        )
    if transductive not in ("auto", True, False) or isinstance(transductive, int) and \
            not isinstance(transductive, bool):
        raise ValueError(
            f"transductive must be 'auto', True or False, got {transductive!r}."
        )
    if n_neighbors is not None and (not isinstance(n_neighbors, (int, np.integer))
                                    or n_neighbors < 1):
        raise ValueError(f"n_neighbors must be a positive int or None, got {n_neighbors!r}.")
    return _LabelFreeScorer(criterion, transductive, n_neighbors)
