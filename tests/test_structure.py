"""The package's shape: no import cycles, short functions, no lab notebooks.

* No import cycle between the modules of ``sklearn_specclust``, counting
  imports inside functions too (an import of ``a.b.c`` also counts as one of
  the package ``a.b``, whose ``__init__`` runs first).
* No function longer than ``MAX_FUNCTION_LINES`` lines of code (docstring,
  blank and comment lines not counted).
* At most ``MAX_DOCSTRING_FIGURES`` measured figures in all docstrings
  together: measurements live in ``benchmarks/results/*.md``.
"""

import ast
import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "sklearn_specclust"
SOURCES = sorted(PACKAGE.rglob("*.py"))
MAX_FUNCTION_LINES = 80
MAX_DOCSTRING_FIGURES = 10


def _module_name(path):
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p) for p in SOURCES}


def _resolve(module, node):
    """Absolute name of the module an ``ImportFrom`` reads from."""
    if not node.level:
        return node.module or ""
    is_package = (PACKAGE.parent / module.replace(".", "/") / "__init__.py").exists()
    base = module.split(".")
    base = base if is_package else base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _imports(path):
    """Modules of the package that ``path`` imports, at any level."""
    module = _module_name(path)
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            source = _resolve(module, node)
            names.add(source)
            names.update(f"{source}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
    found = set()
    for name in names:
        parts = name.split(".")
        for i in range(1, len(parts) + 1):
            target = ".".join(parts[:i])
            # the packages above the importing module are already initialised
            if target in MODULES and not module.startswith(target + ".") and target != module:
                found.add(target)
    return found


def test_no_import_cycles():
    graph = {_module_name(p): _imports(p) for p in SOURCES}
    state = {}

    def visit(node, stack):
        state[node] = "open"
        for nxt in sorted(graph.get(node, ())):
            assert state.get(nxt) != "open", "import cycle: " + " -> ".join([*stack, node, nxt])
            if nxt not in state:
                visit(nxt, [*stack, node])
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node, [])


def _docstring_lines(tree):
    """Line numbers (1-based) of every module, class and function docstring."""
    lines = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if (body and isinstance(body[0], ast.Expr)
                    and isinstance(body[0].value, ast.Constant)
                    and isinstance(body[0].value.value, str)):
                lines.update(range(body[0].lineno, body[0].end_lineno + 1))
    return lines


def test_functions_are_short():
    too_long = []
    for path in SOURCES:
        text = path.read_text().splitlines()
        tree = ast.parse("\n".join(text))
        skip = _docstring_lines(tree)
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                code = [
                    i for i in range(node.lineno, node.end_lineno + 1)
                    if i not in skip and text[i - 1].strip()
                    and not text[i - 1].strip().startswith("#")
                ]
                if len(code) > MAX_FUNCTION_LINES:
                    too_long.append(f"{_module_name(path)}.{node.name}: {len(code)} lines")
    assert not too_long, too_long


# A measured figure: a decimal number, a ratio (``0.34x``), a percentage or a
# power of ten, in prose (not in ``code``, a doctest, a default or a reference).
_FIGURE = re.compile(r"(?<![\w.])\d+(?:\.\d+)?(?:x\b|%|e-?\d+)|(?<![\w.])\d+\.\d+(?![\w.])")
_NOT_PROSE = re.compile(
    r"``[^`]*``|`[^`]*`|default=.*$|\(\d{4}\)|\b(?:19|20)\d\d\b"
    r"|(?:§|Sec\.|[Ss]ection)\s*\d+(?:\.\d+)*"
)


def _figures(docstring):
    found = []
    in_references = False
    for line in docstring.splitlines():
        stripped = line.strip()
        if stripped in ("References", "Examples"):
            in_references = True
        elif stripped and set(stripped) != {"-"} and not line.startswith(" " * 8) \
                and stripped[0].isupper() and stripped.split()[0] in (
                    "Parameters", "Returns", "Attributes", "Notes", "See", "Yields"):
            in_references = False
        if in_references or stripped.startswith((">>>", "...")):
            continue
        found += _FIGURE.findall(_NOT_PROSE.sub("", line))
    return found


def docstring_figures():
    """``(module, figure)`` for every measured figure in a docstring."""
    out = []
    for path in SOURCES:
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
                doc = ast.get_docstring(node, clean=False)
                if doc:
                    out += [(_module_name(path), f) for f in _figures(doc)]
    return out


def test_at_most_ten_measured_figures_in_docstrings():
    figures = docstring_figures()
    assert len(figures) <= MAX_DOCSTRING_FIGURES, figures


def test_the_figure_scanner_finds_measurements():
    doc = """Summary.

    On MNIST it reached ACC 0.71 in 0.34x the time, within 4e-6 (12%).
    ``gamma=0.5`` is code, not a figure, nor is Sec. 4.2; default=1.0 neither.

    Examples
    --------
    >>> round(0.123, 2)
    0.12
    """
    assert _figures(doc) == ["0.71", "0.34x", "4e-6", "12%"]
