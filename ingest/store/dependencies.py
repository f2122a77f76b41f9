"""Series dependencies named by ``Depends-on:`` lines (Patchwork 3.2).

A dependency is named by the Message-ID of a patch or cover letter of the other series,
or by a URL: the series' web URL (``/project/<linkname>/list/?series=<id>``), an API or
mbox URL of the series (``.../series/<id>/``), or a patch or cover letter URL (by
Message-ID or id). Only series of the same project count, and never the series itself.
"""

import re
from urllib.parse import parse_qs, unquote, urlsplit

from covers.models import Cover
from patches.models import Patch
from patchwork_api.validation import is_id, is_storable_text
from series.models import Series

MSGID_LENGTH = 255
SERIES_PATH = re.compile(r"/series/(\d+)(?:/|$)")
BY_MSGID_PATH = re.compile(r"/project/[^/]+/(patch|cover)/([^/]+)(?:/|$)")
BY_ID_PATH = re.compile(r"/(patch|patches|cover|covers)/(\d+)(?:/|$)")


def add_dependencies(series: Series, tokens: list[str]) -> None:
    """Make ``series`` depend on the series the tokens name (same project, not itself)."""
    dependency_ids = set()
    for token in tokens:
        dependency_id = resolve_series(series.project_id, token)
        if dependency_id is not None and dependency_id != series.id:
            dependency_ids.add(dependency_id)
    if dependency_ids:
        series.dependencies.add(*sorted(dependency_ids))


def resolve_series(project_id: int, token: str) -> int | None:
    token = token.strip()
    if not token:
        return None
    if "://" not in token and not token.startswith("/"):
        msgid = token if token.startswith("<") else f"<{token}>"
        return _series_of_mail(project_id, msgid)
    parts = urlsplit(token)
    series_ids = parse_qs(parts.query).get("series")
    if series_ids and is_id(series_ids[-1]):
        return _existing_series(project_id, int(series_ids[-1]))
    if (match := SERIES_PATH.search(parts.path)) and is_id(match.group(1)):
        return _existing_series(project_id, int(match.group(1)))
    if match := BY_MSGID_PATH.search(parts.path):
        msgid = "<" + unquote(match.group(2)).strip("<>") + ">"
        return _series_of_mail(project_id, msgid, kind=match.group(1))
    if (match := BY_ID_PATH.search(parts.path)) and is_id(match.group(2)):
        model = Patch if match.group(1).startswith("patch") else Cover
        return _series_of_object(project_id, model, int(match.group(2)))
    return None


def _existing_series(project_id: int, series_id: int) -> int | None:
    found = Series.objects.filter(pk=series_id, project_id=project_id).exists()
    return series_id if found else None


def _series_of_mail(project_id: int, msgid: str, kind: str | None = None) -> int | None:
    msgid = msgid[:MSGID_LENGTH]
    if not is_storable_text(msgid):  # a NUL (%00 in a URL): no stored Message-ID has one
        return None
    if kind in (None, "patch"):
        series_id = (
            Patch.objects.filter(project_id=project_id, msgid=msgid)
            .values_list("series_id", flat=True)
            .first()
        )
        if series_id is not None:
            return series_id
    if kind in (None, "cover"):
        return (
            Series.objects.filter(project_id=project_id, cover_letter__msgid=msgid)
            .values_list("id", flat=True)
            .first()
        )
    return None


def _series_of_object(project_id: int, model: type[Patch] | type[Cover], pk: int) -> int | None:
    if model is Patch:
        return (
            Patch.objects.filter(pk=pk, project_id=project_id)
            .values_list("series_id", flat=True)
            .first()
        )
    return (
        Series.objects.filter(project_id=project_id, cover_letter_id=pk)
        .values_list("id", flat=True)
        .first()
    )
