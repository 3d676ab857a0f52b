"""The benchmarks package: every module imports cheaply, every results file is stamped."""

import ast
import importlib
import pkgutil
import re
import subprocess
import sys
from pathlib import Path

import pytest

import benchmarks
from benchmarks import _common

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "benchmarks"
MODULES = sorted(
    m.name for m in pkgutil.walk_packages(benchmarks.__path__, "benchmarks.")
    if not m.name.endswith("__main__")
)
RESULTS = sorted((BENCH / "results").rglob("*.md"))
SOURCES = sorted(BENCH.rglob("*.py"))


def test_the_package_has_the_documented_layout():
    for sub in ("reproduce", "studies", "timing"):
        assert any(m.startswith(f"benchmarks.{sub}.") for m in MODULES), sub
    assert len(MODULES) >= 25
    assert RESULTS, "no results file found"


@pytest.mark.parametrize("name", MODULES)
def test_every_module_imports_and_has_a_command_line(name):
    module = importlib.import_module(name)
    assert module.__doc__, f"{name} has no docstring"
    if hasattr(module, "main"):
        # argparse is built and --help exits before any data is read
        with pytest.raises(SystemExit) as exc:
            module.main(["--help"])
        assert exc.value.code == 0


def test_runnable_modules_have_a_main():
    for path in SOURCES:
        text = path.read_text()
        if 'if __name__ == "__main__":' in text:
            assert "def main(argv=None)" in text, path.relative_to(ROOT)


def test_importing_every_module_loads_no_torch():
    code = (
        "import importlib, sys\n"
        f"for name in {MODULES!r}:\n"
        "    importlib.import_module(name)\n"
        "assert 'torch' not in sys.modules, 'torch imported'\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def _imports(path):
    """Benchmark modules that ``path`` imports (at any level)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
    return {m for m in found if m in MODULES}


def _module_name(path):
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def test_no_import_cycles_between_benchmark_modules():
    graph = {_module_name(p): _imports(p) for p in SOURCES}
    state = {}

    def visit(node, stack):
        state[node] = "open"
        for nxt in graph.get(node, ()):
            assert state.get(nxt) != "open", " -> ".join([*stack, node, nxt])
            if nxt not in state:
                visit(nxt, [*stack, node])
        state[node] = "done"

    for node in graph:
        if node not in state:
            visit(node, [])


def test_no_path_edits_or_machine_paths():
    for path in SOURCES:
        text = path.read_text()
        rel = path.relative_to(ROOT)
        assert "sys.path" not in text, f"{rel} edits sys.path"
        for machine_path in ("/work/", "shared/data", "/home/", "/tmp/"):
            assert machine_path not in text, f"{rel} names a machine path {machine_path!r}"


@pytest.mark.parametrize("path", RESULTS, ids=lambda p: str(p.relative_to(BENCH / "results")))
def test_every_results_file_is_stamped(path):
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# "), "a results file starts with its '#' title"
    assert _common.missing_fields(text) == []


def test_a_missing_field_is_reported():
    text = "# Title\n\nCommand: `python x`  \nDate: today\n\n| a |\n| --- |\n| Commit: 1 |\n"
    # the fields must be in the header: a 'Commit:' inside the table does not count
    assert _common.missing_fields(text) == ["Commit", "Versions", "Machine", "Load average"]


def test_a_new_results_file_gets_every_field(tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "argv", ["benchmarks/x.py", "--n", "10"])
    out = tmp_path / "r.md"
    _common.save(out, "# A table\n\n| a |\n| --- |\n| 1 |")
    text = out.read_text()
    assert _common.missing_fields(text) == []
    lines = text.splitlines()
    assert lines[0] == "# A table" and lines[-1] == "| 1 |"
    assert "--n 10" in text
    versions = next(line for line in lines if line.startswith("Versions:"))
    assert "numpy" in versions and "scikit-learn" in versions and "sklearn-specclust" in versions


def test_the_command_names_the_module_run_with_dash_m():
    code = (
        "import runpy, sys\n"
        "sys.argv = ['ignored', '--flag', 'two words']\n"
        "from benchmarks import _common\n"
        "import types\n"
        "main = types.ModuleType('__main__')\n"
        "main.__spec__ = importlib.util.find_spec('benchmarks.timing.__main__')\n"
        "sys.modules['__main__'] = main\n"
        "print(_common.command())\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", "import importlib.util\n" + code], cwd=ROOT,
        capture_output=True, text=True, env={"PATH": "/usr/bin:/bin", "OMP_NUM_THREADS": "1"},
    )
    assert result.returncode == 0, result.stderr
    # as typed in a shell: the module without __main__, arguments quoted
    assert result.stdout.strip() == (
        "OMP_NUM_THREADS=1 python -m benchmarks.timing --flag 'two words'")


def test_readme_lists_every_runnable_module():
    readme = (BENCH / "README.md").read_text()
    for name in MODULES:
        module = importlib.import_module(name)
        if hasattr(module, "main") and not name.endswith("._suite"):
            assert re.search(rf"`python -m {re.escape(name)}[` ]", readme), (
                f"{name} is not in benchmarks/README.md")
    assert "`python -m benchmarks.timing`" in readme


def test_an_old_results_file_gets_the_missing_fields_as_not_recorded(tmp_path):
    old = tmp_path / "old.md"
    old.write_text("# A table (2026-11-24 06:50 UTC)\n\nCommand: `python x.py`\n"
                   "Machine: x86_64\n\n| a |\n| --- |\n| 1 |\n")
    added = _common.add_missing_fields(old)
    assert added == ["Date", "Commit", "Versions", "Load average"]
    text = old.read_text()
    assert _common.missing_fields(text) == []
    assert "Date: 2026-11-24 06:50 UTC (from the title)" in text
    assert "Commit: not recorded (not committed yet)" in text  # nothing invented
    assert text.endswith("| 1 |\n") and "Command: `python x.py`" in text
    assert _common.add_missing_fields(old) == []  # a second run changes nothing
    assert old.read_text() == text
