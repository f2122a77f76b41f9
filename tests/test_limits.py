"""patchwork_api.limits: every limit is named there once and documented in the README."""

import re

from patchwork_api import limits
from tests.conftest import REPO_ROOT


def limit_names() -> list[str]:
    return [name for name in vars(limits) if re.fullmatch(r"[A-Z][A-Z0-9_]+", name)]


def test_every_limit_is_in_the_readme_limits_table():
    readme = (REPO_ROOT / "README.md").read_text()
    table = readme.split("## Limits", 1)[1].split("\n## ", 1)[0]

    missing = [name for name in limit_names() if f"`{name}`" not in table]

    assert limit_names()
    assert missing == []


def test_limits_are_positive_integers():
    assert all(isinstance(getattr(limits, name), int) for name in limit_names())
    assert all(getattr(limits, name) > 0 for name in limit_names())
