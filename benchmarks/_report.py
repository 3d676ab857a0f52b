"""A benchmark's printed report: a dated title, the command, the machine, tables.

Shared by the spectral benchmarks: every line is printed as it comes and
kept, so that ``save`` writes exactly what was printed to the results file.
"""

import datetime
import os
import platform
import sys


class Report:
    """Lines printed as they come, then saved as Markdown.

    Parameters
    ----------
    title : str
        Heading; the UTC date and time are appended.
    timing_note : str
        What the reader should know about the timings on this machine.
    """

    def __init__(self, title, timing_note):
        self.lines = []
        now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
        script = os.path.relpath(os.path.abspath(sys.argv[0]),
                                 os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        self.emit(f"# {title} ({now})")
        self.emit()
        self.emit(f"Command: `OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', '')} python "
                  f"{script} {' '.join(sys.argv[1:])}`")
        self.emit(f"Machine: {platform.machine()}, {os.cpu_count()} CPU cores, load average "
                  f"{os.getloadavg()[0]:.1f} at the start ({timing_note}).")
        self.emit()

    def emit(self, text=""):
        """Print one line and keep it."""
        print(text, flush=True)
        self.lines.append(text)

    def save(self, path):
        """Write every line so far to ``path`` (nothing when ``path`` is None)."""
        if path:
            with open(path, "w") as fh:
                fh.write("\n".join(self.lines) + "\n")


def clustering_scores(y, labels):
    """``(ACC, NMI, ARI, FS)`` of ``clustering_report`` (FS: pairwise F-score)."""
    from sklearn_specclust.metrics import clustering_report

    r = clustering_report(y, labels)
    return r.acc, r.nmi, r.ari, r.fs


def clustering_table(rows, time_label="fit_predict s"):
    """Markdown lines of ``(method, ACC, NMI, ARI, FS, seconds)`` rows."""
    lines = [f"| method | ACC | NMI | ARI | FS | {time_label} |",
             "| --- | --- | --- | --- | --- | --- |"]
    lines += [f"| {r[0]} | {r[1]:.3f} | {r[2]:.3f} | {r[3]:.3f} | {r[4]:.3f} | {r[5]:.1f} |"
              for r in rows]
    return lines


def print_and_save(lines, path):
    """Print the report and write it to ``path`` (nothing when ``path`` is None)."""
    text = "\n".join(lines) + "\n"
    print(text)
    if path:
        with open(path, "w") as fh:
            fh.write(text)
