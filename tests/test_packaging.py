"""Project habits: one version source, the lint step, the contributor docs."""

import re
from importlib import metadata
from pathlib import Path

import pytest
import tomllib

import sklearn_specclust

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())


def test_the_version_has_one_source():
    project = PYPROJECT["project"]
    assert "version" not in project and "version" in project["dynamic"]
    attr = PYPROJECT["tool"]["setuptools"]["dynamic"]["version"]["attr"]
    assert attr == "sklearn_specclust.__version__"
    # the only literal version in the package is the one setuptools reads
    hits = [
        path.relative_to(ROOT)
        for path in (ROOT / "sklearn_specclust").rglob("*.py")
        if re.search(r"(?m)^__version__\s*=", path.read_text())
    ]
    assert hits == [Path("sklearn_specclust/__init__.py")]
    assert re.fullmatch(r"\d+\.\d+\.\d+((a|b|rc)\d+)?(\.post\d+)?(\.dev\d+)?",
                        sklearn_specclust.__version__)


def test_setuptools_reads_the_version_from_the_package():
    pyprojecttoml = pytest.importorskip("setuptools.config.pyprojecttoml")
    config = pyprojecttoml.read_configuration(ROOT / "pyproject.toml", expand=True)
    assert config["project"]["version"] == sklearn_specclust.__version__


def test_an_installed_copy_reports_the_same_version():
    try:
        installed = metadata.version("sklearn-specclust")
    except metadata.PackageNotFoundError:
        pytest.skip("sklearn-specclust is not installed (tests run from the source tree)")
    assert installed == sklearn_specclust.__version__


def test_ci_lints_with_the_configured_ruff():
    extras = PYPROJECT["project"]["optional-dependencies"]
    assert any(dep.startswith("ruff") for dep in extras["test"])
    assert {"E", "W", "F", "I"} <= set(PYPROJECT["tool"]["ruff"]["lint"]["select"])
    script = (ROOT / ".ci" / "run").read_text()
    # after the README's test command has installed the test extra
    assert script.index('eval "$cmd"') < script.index("\nruff check .\n")
    hooks = (ROOT / ".pre-commit-config.yaml").read_text()
    assert "repo: local" in hooks and "entry: ruff check" in hooks


def test_contributing_guide_covers_the_extension_points():
    text = (ROOT / "CONTRIBUTING.rst").read_text()
    for heading in ("Adding an affinity", "Adding a solver", "Adding an SA-Net stage",
                    "Adding a preset"):
        assert re.search(rf"(?m)^{heading}\n-+$", text), heading
    for command in ("python -m pytest tests", "ruff check .", ".ci/docs", "python -m benchmarks"):
        assert command in text, command
    docutils_core = pytest.importorskip("docutils.core")
    import io

    stream = io.StringIO()
    docutils_core.publish_doctree(
        text, settings_overrides={"warning_stream": stream, "report_level": 2, "halt_level": 5}
    )
    assert stream.getvalue() == ""


def test_changelog_has_an_unreleased_section():
    text = (ROOT / "CHANGELOG.md").read_text()
    assert text.startswith("# Changelog")
    sections = re.findall(r"(?m)^## (.+)$", text)
    assert sections[0] == "Unreleased"
    assert any(sklearn_specclust.__version__ in s for s in sections[1:])
