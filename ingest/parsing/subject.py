"""Subject lines: the patch name, bracketed prefixes, series marker, version, reply test.

This follows Patchwork's ``clean_subject``, ``split_prefixes``, ``parse_series_marker``,
``parse_version`` and ``subject_check``:

- one leading ``Re:``/``Fw:``/``Fwd:`` (or ``Re ``…) is removed from the name, but only
  ``Re`` makes a mail a reply (``Aw:``/``Sv:`` are not recognised, as in Patchwork);
- every leading ``[...]`` group is taken apart on commas and spaces (Mercurial's
  ``[PATCH 1 of 3]`` keeps ``1 of 3`` as one prefix); ``PATCH`` is dropped, the other
  prefixes are kept and written back as ``[a,b,c] title``;
- ``k/N`` or ``k of N`` at the end of a prefix is the series marker (``PATCH1/8`` counts);
- the version is a prefix that is exactly ``vN``/``VN``, else ``(vN)`` in the name, else 1.
  ``[PATCHv2]`` is therefore version 1, as in Patchwork.
"""

import re

from ingest.message import SubjectInfo
from patchwork_api.limits import SERIES_MAX_PATCHES, SERIES_MAX_VERSION, clamp_digits

from .headers import DB_CHARFIELD_LENGTH, normalise_space

_reply_or_forward = re.compile(r"^(re|fwd?)[:\s]\s*", re.I)
_reply = re.compile(r"^re[:\s]", re.I)
_leading_brackets = re.compile(r"^\[([^\]]*)\]\s*(.*)$")
_mercurial_marker = re.compile(r"^PATCH (\d+ of \d+)(.*)$")
_prefix_separators = re.compile(r"[,\s]+")
DIGITS = "0123456789"
MARKER_SEPARATORS = ("/", " of ")
_version_prefix = re.compile(r"^[vV](\d+)$")
_version_in_name = re.compile(r"\([vV](\d+)\)")

ALWAYS_DROPPED_PREFIX = "patch"


def split_prefixes(bracketed: str) -> list[str]:
    """The tokens of one ``[...]`` group: split on commas and whitespace."""
    tokens = []
    mercurial = _mercurial_marker.match(bracketed)
    if mercurial:
        tokens = ["PATCH", mercurial.group(1)]
        bracketed = mercurial.group(2)
    tokens.extend(token for token in _prefix_separators.split(bracketed) if token)
    return tokens


def clean_subject(subject: str, drop_prefixes: tuple[str, ...] = ()) -> tuple[str, str, list[str]]:
    """(name, title, prefixes) of a decoded subject, as Patchwork's ``clean_subject``.

    ``PATCH`` and any of ``drop_prefixes`` are removed, case-insensitively.
    """
    dropped = {ALWAYS_DROPPED_PREFIX, *(prefix.lower() for prefix in drop_prefixes)}
    title = normalise_space(_reply_or_forward.sub(" ", subject, count=1))
    prefixes: list[str] = []
    match = _leading_brackets.match(title)
    while match:
        prefixes.extend(
            token for token in split_prefixes(match.group(1)) if token.lower() not in dropped
        )
        title = match.group(2)
        match = _leading_brackets.match(title)
    title = normalise_space(title)
    name = f"[{','.join(prefixes)}] {title}" if prefixes else title
    return name, title, prefixes


def parse_series_marker(prefixes: list[str]) -> tuple[int | None, int | None]:
    """(k, N) from the first prefix ending in ``k/N`` or ``k of N``; (None, None) without.

    Patchwork's pattern (``.*?([0-9]+)(?:/| of )([0-9]+)$``) takes quadratic time on a
    long run of digits; this reads the same numbers from the end of the prefix in linear
    time. Both are clamped to ``SERIES_MAX_PATCHES``.
    """
    for prefix in prefixes:
        marker = _series_marker(prefix)
        if marker:
            number, total = marker
            return (
                clamp_digits(number, SERIES_MAX_PATCHES),
                clamp_digits(total, SERIES_MAX_PATCHES),
            )
    return None, None


def _series_marker(prefix: str) -> tuple[str, str] | None:
    """The digits of k and N when ``prefix`` ends in ``k/N`` or ``k of N``."""
    head = prefix.rstrip(DIGITS)
    total = prefix[len(head) :]
    if not total:
        return None
    for separator in MARKER_SEPARATORS:
        if head.endswith(separator):
            before = head[: -len(separator)]
            start = before.rstrip(DIGITS)
            if len(start) < len(before):
                return before[len(start) :], total
    return None


def parse_version(name: str, prefixes: list[str]) -> int:
    """The version from a ``vN`` prefix, else from ``(vN)`` in the name, else 1.

    Clamped to ``SERIES_MAX_VERSION``.
    """
    for prefix in prefixes:
        match = _version_prefix.match(prefix)
        if match:
            return clamp_digits(match.group(1), SERIES_MAX_VERSION)
    match = _version_in_name.search(name)
    return clamp_digits(match.group(1), SERIES_MAX_VERSION) if match else 1


def is_reply_subject(subject: str) -> bool:
    """Patchwork's reply test: the subject starts with ``Re:`` or ``Re `` (any case)."""
    return bool(_reply.match(subject))


def parse_subject(subject: str) -> SubjectInfo:
    """Everything Patchwork reads from a decoded Subject header."""
    name, title, prefixes = clean_subject(subject)
    number, total = parse_series_marker(prefixes)
    return SubjectInfo(
        name=name[:DB_CHARFIELD_LENGTH],
        prefixes=tuple(prefixes),
        is_reply=is_reply_subject(subject),
        series_number=number,
        series_total=total,
        version=parse_version(name, prefixes),
        title=title,
    )
