"""The API versions served, declared once and compared as integer tuples."""

from typing import TypeAlias

Version: TypeAlias = tuple[int, int]

SUPPORTED_VERSIONS: tuple[Version, ...] = ((1, 0), (1, 1), (1, 2), (1, 3), (1, 4))
LATEST_VERSION: Version = SUPPORTED_VERSIONS[-1]

# Matches the version segment of /api/<version>/ for every supported version.
VERSION_URL_PATTERN = "|".join(f"{major}\\.{minor}" for major, minor in SUPPORTED_VERSIONS)


def parse_version(text: str | None) -> Version:
    """``"1.2"`` -> ``(1, 2)``; ``None`` (unversioned /api/) -> the latest version."""
    if not text:
        return LATEST_VERSION
    major, minor = text.split(".")
    version = (int(major), int(minor))
    if version not in SUPPORTED_VERSIONS:
        raise ValueError(f"unsupported API version {text!r}")
    return version


def format_version(version: Version) -> str:
    return f"{version[0]}.{version[1]}"
