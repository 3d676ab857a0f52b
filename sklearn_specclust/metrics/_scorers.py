"""Scorers that let GridSearchCV tune clusterers against known labels."""

from sklearn.base import clone
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

from ._supervised import clustering_accuracy_score, pairwise_f_score

_METRICS = {
    "acc": clustering_accuracy_score,
    "nmi": normalized_mutual_info_score,
    "ari": adjusted_rand_score,
    "fs": pairwise_f_score,
}


def refit_labels(estimator, X):
    """Labels of ``X`` from a fresh clone of ``estimator`` fitted on ``X`` itself."""
    fresh = clone(estimator)
    if hasattr(fresh, "fit_predict"):
        return fresh.fit_predict(X)
    fresh.fit(X)
    if not hasattr(fresh, "labels_"):
        raise TypeError(
            f"{type(estimator).__name__} has neither fit_predict nor labels_; "
            "it is not a clusterer."
        )
    return fresh.labels_


class MissingLabels:
    """What a label scorer returns when it is called without ``y``.

    Not a number, on purpose: scikit-learn's ``_score`` turns an *exception*
    of a scorer into ``error_score`` (NaN by default) with a warning, so a
    ``ValueError`` would end as a column of NaN and a ``best_params_`` that is
    simply the first candidate. A non-number return value is refused outside
    that handler, with a ``ValueError`` that quotes this object, so the
    message reaches the user whatever ``error_score`` is. Used directly as a
    number, the object raises the same message.
    """

    def __init__(self, message):
        self.message = message

    def __repr__(self):
        return self.message

    __str__ = __repr__

    def _refuse(self, *args, **kwargs):
        raise ValueError(self.message)

    __float__ = __int__ = __index__ = __bool__ = _refuse
    __lt__ = __le__ = __gt__ = __ge__ = _refuse
    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = _refuse
    __truediv__ = __rtruediv__ = __neg__ = __round__ = _refuse
    __array__ = _refuse


class _ClusteringScorer:
    """Score a clusterer's labels of ``X`` against ``y`` (see make_clustering_scorer)."""

    def __init__(self, name, score_func, transductive):
        self.name = name
        self.score_func = score_func
        self.transductive = transductive

    def _labels(self, estimator, X):
        if not self.transductive:
            if not hasattr(estimator, "predict"):
                raise TypeError(
                    f"{type(estimator).__name__} has no predict method, so it cannot "
                    "label held-out samples. Use make_clustering_scorer(..., "
                    "transductive=True), which refits on the scored data."
                )
            return estimator.predict(X)
        return refit_labels(estimator, X)

    def __call__(self, estimator, X, y_true=None, **kwargs):
        if y_true is None:
            return MissingLabels(
                f"The {self.name!r} clustering scorer compares cluster labels with "
                "known classes, and no y was given. Pass the classes to fit "
                "(GridSearchCV(...).fit(X, y)), or choose without labels with "
                "scoring=make_label_free_scorer()."
            )
        return float(self.score_func(y_true, self._labels(estimator, X)))

    def __repr__(self):
        kind = "transductive" if self.transductive else "inductive"
        return f"make_clustering_scorer({self.name!r}, transductive={self.transductive}) [{kind}]"


def make_clustering_scorer(metric="acc", *, transductive=False):
    """Make a scorer that rates a clusterer against known labels, for GridSearchCV.

    Two kinds, chosen with ``transductive``:

    - **inductive** (``transductive=False``, the default): the estimator
      fitted on the training folds labels the held-out fold with
      ``predict``, and those labels are scored against the fold's ``y``.
      This measures how well the clustering *generalises* and needs an
      estimator with ``predict`` (k-means, a Pipeline ending in one, any
      model with an out-of-sample extension).
    - **transductive** (``transductive=True``): a fresh clone of the
      estimator (same parameters, same ``random_state``) is fitted on the
      *scored data itself* and its ``fit_predict`` labels (``labels_``) are
      scored. The model fitted on the training folds is ignored, so each
      scoring costs one extra fit. Use it for clusterers without ``predict``
      (e.g. :class:`~sklearn.cluster.SpectralClustering`), and, with
      ``cv=[(all, all)]``, to score the fit on the full data set as papers do.

    Parameters
    ----------
    metric : {"acc", "nmi", "ari", "fs"} or callable, default="acc"
        Clustering accuracy, normalized mutual information, adjusted Rand
        index or pairwise F-score; or any ``metric(labels_true, labels_pred)``
        where greater is better.
    transductive : bool, default=False
        See above.

    Returns
    -------
    scorer : callable
        ``scorer(estimator, X, y) -> float``, accepted by the ``scoring
        parameter of :class:`~sklearn.model_selection.GridSearchCV` and
        :func:`~sklearn.model_selection.cross_val_score`. Without ``y`` it
        cannot score: :class:`~sklearn.model_selection.GridSearchCV`,
        ``cross_validate`` and ``cross_val_score`` then stop with a
        ``ValueError`` that says so and names
        :func:`make_label_free_scorer` (whatever their ``error_score``),
        instead of filling the results with NaN.

    See Also
    --------
    make_label_free_scorer : Choose without labels.
    clustering_accuracy_score, pairwise_f_score, clustering_report

    Examples
    --------
    >>> from sklearn.cluster import KMeans
    >>> from sklearn.datasets import make_blobs
    >>> from sklearn.model_selection import GridSearchCV
    >>> from sklearn_specclust.metrics import make_clustering_scorer
    >>> X, y = make_blobs(n_samples=90, centers=3, random_state=0)
    >>> search = GridSearchCV(
    ...     KMeans(n_init=3, random_state=0), {"n_clusters": [2, 3, 4]},
    ...     scoring=make_clustering_scorer("acc"), cv=3,
    ... ).fit(X, y)
    >>> search.best_params_
    {'n_clusters': 3}
    """
    if callable(metric):
        name = getattr(metric, "__name__", repr(metric))
        func = metric
    elif isinstance(metric, str) and metric.lower() in _METRICS:
        name = metric.lower()
        func = _METRICS[name]
    else:
        raise ValueError(
            f"metric must be one of {sorted(_METRICS)} or a callable "
            f"metric(labels_true, labels_pred), got {metric!r}."
        )
    if not isinstance(transductive, bool):
        raise ValueError(f"transductive must be True or False, got {transductive!r}.")
    return _ClusteringScorer(name, func, transductive)
