"""The documentation covers every public name (checked without running Sphinx)."""

import ast
import importlib
import importlib.util
import re
from pathlib import Path

import pytest

import sklearn_specclust

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "doc"
USER_GUIDE = ["sanet", "rotinv", "choosing_affinities", "scaling", "reproducing"]


def _doc_module(name):
    """Import ``doc/<name>.py`` (the doc folder is not a package)."""
    spec = importlib.util.spec_from_file_location(name, DOC / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _apigen():
    return _doc_module("apigen")


def documented_names(rst_text):
    """Full names listed in the autosummary directives of an ``api.rst`` text."""
    names, current, in_summary = set(), None, False
    for line in rst_text.splitlines():
        match = re.match(r"\.\. currentmodule:: (\S+)", line)
        if match:
            current, in_summary = match.group(1), False
            continue
        if line.startswith(".. autosummary::"):
            in_summary = True
            continue
        if in_summary:
            stripped = line.strip()
            if not stripped or stripped.startswith(":"):
                continue
            if not line.startswith("   "):
                in_summary = False
                continue
            names.add(f"{current}.{stripped}")
    return names


def missing_public_names(rst_text):
    """Public names with no entry in the API reference text."""
    documented = documented_names(rst_text)
    missing = [
        f"sklearn_specclust.{name}"
        for name in sklearn_specclust.__all__
        if f"sklearn_specclust.{name}" not in documented
    ]
    for sub in _apigen().public_subpackages():
        module = importlib.import_module(f"sklearn_specclust.{sub}")
        for name in module.__all__:
            obj = getattr(module, name)
            top = getattr(sklearn_specclust, name, None)
            as_top = f"sklearn_specclust.{name}" in documented and top is obj
            if not as_top and f"sklearn_specclust.{sub}.{name}" not in documented:
                missing.append(f"sklearn_specclust.{sub}.{name}")
    return sorted(set(missing))


def _resolve(full_name):
    module_name, _, attr = full_name.rpartition(".")
    return getattr(importlib.import_module(module_name), attr)


def test_every_public_name_has_an_api_entry():
    assert missing_public_names(_apigen().render_api()) == []


def test_a_missing_name_is_detected():
    # The check above can fail: drop one entry from the text and it is reported.
    text = _apigen().render_api()
    name = sorted(sklearn_specclust.__all__)[0]
    doctored = re.sub(rf"(?m)^   {name}$\n", "", text)
    assert doctored != text
    assert f"sklearn_specclust.{name}" in missing_public_names(doctored)


def test_every_api_entry_resolves_and_has_a_template():
    text = _apigen().render_api()
    for full_name in documented_names(text):
        assert _resolve(full_name) is not None, full_name
    for template in set(re.findall(r":template: (\S+)", text)):
        assert (DOC / "_templates" / template).is_file(), template


def test_utils_functions_are_documented():
    names = documented_names(_apigen().render_api())
    assert "sklearn_specclust.utils.check_memory" in names


def test_user_guide_pages_exist_and_are_linked():
    index = (DOC / "user_guide" / "index.rst").read_text()
    for page in USER_GUIDE:
        assert (DOC / "user_guide" / f"{page}.rst").is_file(), page
        assert re.search(rf"(?m)^\s+{page}$", index), f"{page} not in the toctree"
    root = (DOC / "index.rst").read_text()
    for entry in ("user_guide/index", "auto_examples/index", "api", "design"):
        assert re.search(rf"(?m)^\s+{re.escape(entry)}$", root), entry


@pytest.mark.parametrize(
    "path", sorted((ROOT / "examples").glob("plot_*.py")), ids=lambda p: p.name
)
def test_gallery_examples_have_a_title(path):
    # sphinx-gallery needs a module docstring starting with an underlined title.
    docstring = ast.get_docstring(ast.parse(path.read_text()))
    assert docstring, f"{path.name} has no docstring"
    lines = [line for line in docstring.splitlines() if line.strip()]
    assert len(lines) >= 2 and set(lines[1]) == {"="} or set(lines[0]) == {"="}, (
        f"{path.name}: the docstring must start with a title underlined with '='"
    )


def test_docs_build_script_is_executable():
    script = ROOT / ".ci" / "docs"
    assert script.is_file() and script.stat().st_mode & 0o111
    assert "sphinx -W --keep-going -b html doc doc/_build/html" in script.read_text()


def _md2rst():
    return _doc_module("md2rst")


def _rst_warnings(text):
    """Warnings docutils reports on a reST text (standalone, one top title)."""
    docutils_core = pytest.importorskip("docutils.core")
    import io

    stream = io.StringIO()
    docutils_core.publish_doctree(
        "Page\n====\n\n" + text,
        settings_overrides={"warning_stream": stream, "report_level": 2,
                            "halt_level": 5},
    )
    return stream.getvalue()


def test_markdown_tables_become_list_tables():
    text = (
        "# Title\n\nRun `python x.py --n 10`  \nDate: today\n\n"
        "| method | ACC |\n| --- | ---: |\n| k-means | 0.54 |\n| ours `max_nodes_` | |\n"
        "| paper | - |\n\n"
        "### Notes\n\n- one *item* with n_components_out_\n  continued\n- two\n\n"
        "    indented code\n"
    )
    rst = _md2rst().markdown_to_rst(text)
    assert "Title\n-----" in rst and "Notes\n^^^^^" in rst
    assert "``python x.py --n 10``" in rst
    assert ".. list-table::" in rst and "   * - k-means\n     - 0.54" in rst
    assert "   * - ours ``max_nodes_``\n     -\n" in rst  # the empty cell is kept
    assert "   * - paper\n     - \\-\n" in rst  # a literal dash, not a bullet list
    assert "n_components_out\\_" in rst  # not a reST reference
    assert "::\n\n   indented code" in rst
    assert _rst_warnings(rst) == ""


def test_a_broken_table_would_be_reported():
    # The check above can fail: a list-table row with a missing cell warns.
    rst = ".. list-table::\n   :header-rows: 1\n\n   * - a\n     - b\n   * - c\n"
    assert "list-table" in _rst_warnings(rst)


@pytest.mark.parametrize(
    "path", sorted((ROOT / "benchmarks" / "results").rglob("*.md")), ids=lambda p: p.name
)
def test_committed_benchmark_tables_render_without_warnings(path):
    rst = _md2rst().markdown_to_rst(path.read_text(encoding="utf-8"))
    assert _rst_warnings(rst) == ""


def test_all_benchmark_tables_fit_in_one_page():
    # The page includes every file in a row: heading levels must not skip
    # ("###" before "##" in one file, "#" then "###" in another).
    md2rst = _md2rst()
    parts = [md2rst.markdown_to_rst(path.read_text(encoding="utf-8"))
             for path in sorted((ROOT / "benchmarks" / "results").rglob("*.md"))]
    parts.append(md2rst.markdown_to_rst("# A\n\n### B\n\ntext\n\n## C\n\ntext\n"))
    assert _rst_warnings("\n".join(parts)) == ""


def test_gallery_figures_in_the_user_guide_exist():
    # ``.. figure:: /auto_examples/images/sphx_glr_<example>_<NNN>.png`` names
    # the NNN-th figure of examples/<example>.py: the example must exist and
    # draw at least NNN figures (counted as plt.subplots / plt.figure calls).
    pattern = re.compile(r"/auto_examples/images/sphx_glr_(\w+?)_(\d{3})\.png")
    seen = 0
    for page in sorted(DOC.rglob("*.rst")):
        if "_build" in page.parts or "auto_examples" in page.parts:
            continue
        for name, number in pattern.findall(page.read_text(encoding="utf-8")):
            seen += 1
            example = ROOT / "examples" / f"{name}.py"
            assert example.is_file(), f"{page.name}: no example {example.name}"
            figures = len(re.findall(r"plt\.(?:subplots|figure)\(", example.read_text()))
            assert figures >= int(number), (
                f"{page.name} shows figure {number} of {example.name}, which draws {figures}"
            )
    assert seen >= 10


def _referencing_files():
    """The docs, README, contributor guide and examples (library docstrings aside)."""
    files = [ROOT / "README.rst", ROOT / "CONTRIBUTING.rst", ROOT / "benchmarks" / "README.md"]
    files += [p for p in sorted(DOC.rglob("*.rst"))
              if not {"_build", "auto_examples", "generated"} & set(p.parts)]
    files += sorted((ROOT / "examples").glob("*.py"))
    return files


def benchmark_references(text):
    """Benchmark paths, results-file names and ``python -m`` modules a text names."""
    paths = set(re.findall(r"benchmarks/[\w/]+\.(?:py|md)", text))
    names = set(re.findall(r"(?<![\w/*{])([a-z0-9_]+\.md)\b", text))
    modules = set(re.findall(r"python -m (benchmarks(?:\.\w+)+)", text))
    return paths, names, modules


def missing_benchmark_references(text):
    paths, names, modules = benchmark_references(text)
    results = {p.name for p in (ROOT / "benchmarks" / "results").rglob("*.md")}
    missing = [p for p in paths if not (ROOT / p).exists()]
    missing += [n for n in names if n not in results | {"README.md", "CHANGELOG.md"}]
    missing += [m for m in modules if importlib.util.find_spec(m) is None]
    return sorted(missing)


@pytest.mark.parametrize("path", _referencing_files(), ids=lambda p: p.name)
def test_benchmark_paths_named_in_the_docs_exist(path):
    assert missing_benchmark_references(path.read_text(encoding="utf-8")) == []


def test_a_stale_benchmark_path_is_reported():
    text = ("See ``benchmarks/bench_old.py``, ``gone_table.md`` and "
            "``python -m benchmarks.reproduce.nothing``; ``sanet_mnist.md`` exists.")
    assert missing_benchmark_references(text) == [
        "benchmarks.reproduce.nothing", "benchmarks/bench_old.py", "gone_table.md"]
