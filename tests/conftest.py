"""Fixtures shared by the whole test suite."""

from pathlib import Path

import pytest
from rest_framework.test import APIClient

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED_DIR = REPO_ROOT.parent / "shared"


def shared_path(*parts: str) -> Path:
    """A path inside ../shared, skipping the test when the reference material is absent."""
    path = SHARED_DIR.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is not available (../shared is only present in CI and dev)")
    return path


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()
