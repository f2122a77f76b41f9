"""The installed copy (``make install PREFIX=...``, not editable) carries every app the
settings name: a package missing from pyproject's list imports in the checkout and fails
in the installed copy only."""

import fnmatch
import tomllib
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent


def test_every_local_app_is_packaged():
    patterns = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"][
        "packages"
    ]["find"]["include"]
    local = [app for app in settings.INSTALLED_APPS if (ROOT / app.split(".")[0]).is_dir()]
    missing = [
        app for app in local if not any(fnmatch.fnmatch(app, pattern) for pattern in patterns)
    ]
    assert local
    assert missing == []
