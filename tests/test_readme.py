"""The README quotes measured figures only from a committed results file."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _quoted_lines():
    text = (ROOT / "README.rst").read_text(encoding="utf-8")
    start = text.index(".. begin-defaults-table")
    stop = text.index(".. end-defaults-table")
    block = text[start:stop].splitlines()[1:]
    return [line.strip() for line in block if line.strip().startswith(("|", "##"))]


def test_readme_defaults_table_is_copied_from_the_results_file():
    quoted = _quoted_lines()
    assert sum(line.startswith("| make_") for line in quoted) >= 5, quoted
    results = (ROOT / "benchmarks" / "results" / "defaults.md").read_text(encoding="utf-8")
    lines = [line.strip() for line in results.splitlines()]
    # every quoted line, in order, under the same data-set heading
    position = 0
    for line in quoted:
        assert line in lines[position:], f"README line not in defaults.md (in order): {line}"
        position = lines.index(line, position) + 1
