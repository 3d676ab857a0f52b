"""A clustering report: ACC, NMI, ARI, FS and the matched confusion matrix."""

from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score
from sklearn.utils import Bunch

from ._supervised import (
    _check_labelings,
    clustering_accuracy_score,
    matched_confusion_matrix,
    pairwise_f_score,
)

_NAMES = {
    "acc": "ACC (clustering accuracy)",
    "nmi": "NMI (normalized mutual information)",
    "ari": "ARI (adjusted Rand index)",
    "fs": "FS (pairwise F-score)",
}


def _render(report, digits):
    lines = [f"{_NAMES[k]:<38s} {report[k]:.{digits}f}" for k in ("acc", "nmi", "ari", "fs")]
    lines.append(
        f"{report.n_samples} samples, {len(report.classes)} classes, "
        f"{len(report.clusters)} clusters"
    )
    lines.append("")
    lines.append("Matched confusion matrix (rows: classes, columns: the cluster matched")
    lines.append("to each class, then unmatched clusters):")
    row_names = [str(c) for c in report.classes]
    col_names = [str(c) for c in report.clusters]
    matrix = report.confusion_matrix
    corner = "class\\cluster"
    first = max([len(corner)] + [len(r) for r in row_names])
    width = max([len(c) for c in col_names] + [len(str(int(v))) for v in matrix.ravel()])
    header = f"{corner:>{first}s} " + " ".join(f"{c:>{width}s}" for c in col_names)
    lines.append(header)
    for name, row in zip(row_names, matrix):
        lines.append(f"{name:>{first}s} " + " ".join(f"{int(v):>{width}d}" for v in row))
    return "\n".join(lines)


def clustering_report(labels_true, labels_pred, *, digits=4):
    """Evaluate a clustering against classes: ACC, NMI, ARI, FS and the matched confusion matrix.

    Parameters
    ----------
    labels_true : array-like of shape (n_samples,)
        Ground-truth classes.
    labels_pred : array-like of shape (n_samples,)
        Cluster labels (need not be 0..k-1; their number may differ from the
        number of classes).
    digits : int, default=4
        Decimals of the scores in the text rendering.

    Returns
    -------
    report : :class:`~sklearn.utils.Bunch`
        ``acc`` (:func:`clustering_accuracy_score`), ``nmi``
        (:func:`~sklearn.metrics.normalized_mutual_info_score`, arithmetic
        normalisation), ``ari`` (:func:`~sklearn.metrics.adjusted_rand_score`),
        ``fs`` (:func:`pairwise_f_score`), ``confusion_matrix`` (from
        :func:`matched_confusion_matrix`), ``classes``, ``clusters``,
        ``mapping`` ({cluster: class}), ``n_samples`` and ``text``, a
        printable rendering of all of it.

    See Also
    --------
    clustering_accuracy_score, pairwise_f_score, matched_confusion_matrix

    References
    ----------
    .. [1] J. Wang, J. Jiang. SA-Net: A deep spectral analysis network for
       image clustering. arXiv:2009.07026, 2020 (reports ACC, NMI, ARI, FS).

    Examples
    --------
    >>> from sklearn_specclust.metrics import clustering_report
    >>> report = clustering_report([0, 0, 1, 1], [1, 1, 0, 0])
    >>> report.acc, report.nmi, report.ari, report.fs
    (1.0, 1.0, 1.0, 1.0)
    >>> print(report.text.splitlines()[0])
    ACC (clustering accuracy)              1.0000
    """
    labels_true, labels_pred = _check_labelings(labels_true, labels_pred)
    matched = matched_confusion_matrix(labels_true, labels_pred)
    report = Bunch(
        acc=clustering_accuracy_score(labels_true, labels_pred),
        nmi=float(normalized_mutual_info_score(labels_true, labels_pred)),
        ari=float(adjusted_rand_score(labels_true, labels_pred)),
        fs=pairwise_f_score(labels_true, labels_pred),
        confusion_matrix=matched.matrix,
        classes=matched.classes,
        clusters=matched.clusters,
        mapping=matched.mapping,
        n_samples=int(labels_true.shape[0]),
    )
    report.text = _render(report, digits)
    return report
