"""External clustering metrics: Hungarian accuracy and the pairwise F-score."""

import numbers

import numpy as np
from scipy.optimize import linear_sum_assignment
from sklearn.metrics.cluster import contingency_matrix, pair_confusion_matrix
from sklearn.utils import Bunch
from sklearn.utils.validation import check_consistent_length, column_or_1d


def _check_labelings(labels_true, labels_pred):
    """Validate two 1-D labelings of the same non-empty set of samples."""
    out = []
    for name, labels in (("labels_true", labels_true), ("labels_pred", labels_pred)):
        arr = np.asarray(labels)
        if arr.ndim != 1:
            raise ValueError(
                f"{name} must be 1-D (one label per sample), got shape {arr.shape}."
            )
        arr = column_or_1d(arr)
        if arr.dtype.kind == "f" and not np.all(np.isfinite(arr)):
            raise ValueError(f"{name} contains NaN or infinity; labels must be finite.")
        out.append(arr)
    check_consistent_length(*out)
    if out[0].shape[0] == 0:
        raise ValueError("labels_true and labels_pred are empty; need at least one sample.")
    return out


def matched_confusion_matrix(labels_true, labels_pred):
    """Confusion matrix with clusters reordered to match the classes.

    The best one-to-one matching of clusters to classes (Hungarian algorithm
    on the contingency table, maximising the matched count) decides the
    column order: column ``j`` is the cluster matched to class ``j``, so the
    diagonal holds the correctly clustered counts. Clusters left unmatched
    (more clusters than classes) come after, in label order; with fewer
    clusters than classes, the unmatched classes are the last rows.

    Parameters
    ----------
    labels_true : array-like of shape (n_samples,)
        Ground-truth classes (any hashable, sortable labels).
    labels_pred : array-like of shape (n_samples,)
        Cluster labels (need not be 0..k-1).

    Returns
    -------
    result : :class:`~sklearn.utils.Bunch`
        ``matrix`` (n_classes, n_clusters) int64 counts; ``classes`` (row
        labels, in order except for unmatched classes, which come last);
        ``clusters`` (column labels, reordered); ``mapping`` dict
        {cluster: class} of the matched pairs; ``n_matched`` (the diagonal sum).

    Examples
    --------
    >>> from sklearn_specclust.metrics import matched_confusion_matrix
    >>> m = matched_confusion_matrix([0, 0, 1, 1], ["b", "b", "a", "a"])
    >>> m.matrix.tolist(), m.clusters.tolist()
    ([[2, 0], [0, 2]], ['b', 'a'])
    """
    labels_true, labels_pred = _check_labelings(labels_true, labels_pred)
    classes = np.unique(labels_true)
    clusters = np.unique(labels_pred)
    table = contingency_matrix(labels_true, labels_pred).astype(np.int64)
    rows, cols = linear_sum_assignment(table, maximize=True)
    # matched pairs first (so they sit on the diagonal), then the leftovers
    row_order = np.concatenate([rows, np.setdiff1d(np.arange(classes.shape[0]), rows)])
    col_order = np.concatenate([cols, np.setdiff1d(np.arange(clusters.shape[0]), cols)])
    class_list, cluster_list = classes.tolist(), clusters.tolist()
    return Bunch(
        matrix=table[np.ix_(row_order, col_order)],
        classes=classes[row_order],
        clusters=clusters[col_order],
        mapping={cluster_list[c]: class_list[r] for r, c in zip(rows, cols)},
        n_matched=int(table[rows, cols].sum()),
    )


def clustering_accuracy_score(labels_true, labels_pred):
    """Clustering accuracy (ACC): the best one-to-one matching of clusters to classes.

    ``ACC = max_m (1/n) sum_i 1[y_i = m(c_i)]`` over one-to-one maps ``m``
    from clusters to classes, found with the Hungarian algorithm
    (:func:`scipy.optimize.linear_sum_assignment`) on the contingency table.
    Labels need not be ``0..k-1`` and the number of clusters may differ from
    the number of classes: samples of unmatched clusters count as errors.

    Parameters
    ----------
    labels_true : array-like of shape (n_samples,)
        Ground-truth classes.
    labels_pred : array-like of shape (n_samples,)
        Cluster labels.

    Returns
    -------
    acc : float
        In [0, 1]; 1 means the clustering equals the classes up to renaming.

    See Also
    --------
    matched_confusion_matrix : the matching itself.
    sklearn.metrics.adjusted_rand_score, sklearn.metrics.normalized_mutual_info_score

    References
    ----------
    .. [1] H. W. Kuhn. The Hungarian method for the assignment problem. Naval
       Research Logistics Quarterly 2, 1955.
    .. [2] J. Xie, R. Girshick, A. Farhadi. Unsupervised deep embedding for
       clustering analysis. ICML 2016 (ACC as used in deep clustering).

    Examples
    --------
    >>> from sklearn_specclust.metrics import clustering_accuracy_score
    >>> clustering_accuracy_score([0, 0, 1, 1, 2], [5, 5, 7, 7, 7])
    0.8
    """
    labels_true, labels_pred = _check_labelings(labels_true, labels_pred)
    table = contingency_matrix(labels_true, labels_pred)
    rows, cols = linear_sum_assignment(table, maximize=True)
    return float(table[rows, cols].sum() / labels_true.shape[0])


def pairwise_f_score(labels_true, labels_pred, *, beta=1.0):
    """Pair-counting F-measure of a clustering against the classes.

    A pair of samples is a true positive when both labelings put it in one
    group. Precision is the fraction of pairs grouped by ``labels_pred``
    that share a class, recall the fraction of same-class pairs grouped by
    ``labels_pred``, and ``F_beta = (1 + beta^2) P R / (beta^2 P + R)``.
    When neither labeling groups any pair (all singletons) the two agree
    and the score is 1.

    Parameters
    ----------
    labels_true : array-like of shape (n_samples,)
        Ground-truth classes.
    labels_pred : array-like of shape (n_samples,)
        Cluster labels.
    beta : float, default=1.0
        Weight of recall relative to precision.

    Returns
    -------
    f : float
        In [0, 1].

    See Also
    --------
    sklearn.metrics.fowlkes_mallows_score : the geometric mean of the same P and R.

    References
    ----------
    .. [1] C. D. Manning, P. Raghavan, H. Schütze. Introduction to Information
       Retrieval, §16.3 (pair-counting F measure). Cambridge UP, 2008.

    Examples
    --------
    >>> from sklearn_specclust.metrics import pairwise_f_score
    >>> round(pairwise_f_score([0, 0, 0, 1, 1, 1], [0, 0, 1, 1, 2, 2]), 4)
    0.4444
    """
    if isinstance(beta, bool) or not isinstance(beta, numbers.Real) or not beta > 0:
        raise ValueError(f"beta must be a positive number, got {beta!r}.")
    labels_true, labels_pred = _check_labelings(labels_true, labels_pred)
    (_, fp), (fn, tp) = pair_confusion_matrix(labels_true, labels_pred).astype(np.float64)
    if tp == 0 and fp == 0 and fn == 0:
        return 1.0
    b2 = float(beta) ** 2
    return float((1 + b2) * tp / ((1 + b2) * tp + b2 * fn + fp))
