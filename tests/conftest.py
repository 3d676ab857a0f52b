import os
from pathlib import Path

import numpy as np
import pytest

_SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"
if "SPECCLUST_DATA" not in os.environ and _SHARED.is_dir():
    os.environ["SPECCLUST_DATA"] = str(_SHARED)


def _have_data():
    root = os.environ.get("SPECCLUST_DATA")
    return bool(root) and (Path(root) / "mnist").is_dir()


@pytest.fixture
def seed():
    return 0


@pytest.fixture
def rng(seed):
    return np.random.RandomState(seed)


@pytest.fixture
def requires_data():
    if not _have_data():
        pytest.skip("MNIST IDX files not found; set SPECCLUST_DATA to ../shared/data")
