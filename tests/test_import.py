import subprocess
import sys


def test_import_does_not_import_torch():
    code = (
        "import sys, sklearn_specclust, sklearn_specclust.cli; "
        "print('torch' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "False", out.stdout + out.stderr


def test_public_names_exist():
    import sklearn_specclust

    for name in sklearn_specclust.__all__:
        assert hasattr(sklearn_specclust, name), name
